package app

import (
	"fmt"
	"strings"
)

// ParseSeedLists reads SEED_LISTS: named lists of test-send addresses,
// "qa=ana@example.com|bo@example.com;execs=cy@example.com". Names are
// case-insensitive and must not contain '@' (a test send tells names
// from addresses by it).
func ParseSeedLists(spec string) (map[string][]string, error) {
	lists := map[string][]string{}
	for _, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, addrs, ok := strings.Cut(entry, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" || strings.Contains(name, "@") {
			return nil, fmt.Errorf("SEED_LISTS entry %q: write name=address|address, e.g. qa=ana@example.com|bo@example.com; separate lists with ';'", entry)
		}
		for _, a := range strings.Split(addrs, "|") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if !strings.Contains(a, "@") {
				return nil, fmt.Errorf("SEED_LISTS list %q: %q is not an email address", name, a)
			}
			lists[name] = append(lists[name], a)
		}
		if len(lists[name]) == 0 {
			return nil, fmt.Errorf("SEED_LISTS list %q has no addresses", name)
		}
	}
	return lists, nil
}
