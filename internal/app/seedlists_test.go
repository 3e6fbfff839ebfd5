package app

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSeedLists(t *testing.T) {
	got, err := ParseSeedLists(" QA = ana@example.com | bo@example.com ; execs=cy@example.com;")
	want := map[string][]string{"qa": {"ana@example.com", "bo@example.com"}, "execs": {"cy@example.com"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseSeedLists = %v, %v; want %v", got, err, want)
	}
	for spec, msg := range map[string]string{
		"qa":      "write name=address",
		"a@b=c@d": "write name=address",
		"qa=ana":  "not an email address",
		"qa=":     "has no addresses",
	} {
		if _, err := ParseSeedLists(spec); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseSeedLists(%q) = %v, want %q", spec, err, msg)
		}
	}
}
