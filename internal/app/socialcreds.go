package app

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadCredentials reads a credentials file of KEY=VALUE lines (what
// starter social login writes, SOCIAL_CREDENTIALS_FILE); a missing file
// is empty.
func ReadCredentials(path string) (map[string]string, error) {
	out := map[string]string{}
	if path == "" {
		return out, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("credentials file %s line %d: want KEY=VALUE", path, n)
		}
		out[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	return out, nil
}

// WriteCredentials sets values in the credentials file at path, keeping
// the others, readable by its owner only.
func WriteCredentials(path string, values map[string]string) error {
	all, err := ReadCredentials(path)
	if err != nil {
		return err
	}
	maps.Copy(all, values)
	var b strings.Builder
	b.WriteString("# Social network credentials, written by starter social login; the worker reads them (SOCIAL_CREDENTIALS_FILE).\n")
	for _, k := range slices.Sorted(maps.Keys(all)) {
		if strings.ContainsAny(all[k], "\r\n") {
			return fmt.Errorf("credentials file: %s has a line break", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, all[k])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	return nil
}

// WithCredentials looks a variable up in the environment first, then in
// the credentials file's values.
func WithCredentials(getenv func(string) string, file map[string]string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
}
