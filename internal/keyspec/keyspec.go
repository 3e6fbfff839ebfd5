// Package keyspec reads the "id:base64key[,older-id:base64key…]" lists of
// secret keys that the payload codec and approval tokens are configured
// with: the first key is active, the others are kept for rotation.
package keyspec

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Size is the length of every key in bytes.
const Size = 32

// Key is one named key.
type Key struct {
	ID     string
	Secret []byte
}

// Parse reads spec; what names the setting in errors ("codec keys") and
// user names what the key is for ("AES-256"). Errors never quote key
// material.
func Parse(spec, what, user string) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	for i, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, key, err := parseEntry(entry, user)
		if err != nil {
			return nil, fmt.Errorf("parse %s: entry %d: %w", what, i+1, err)
		}
		if seen[id] {
			return nil, fmt.Errorf("parse %s: entry %d: key ID %q appears twice; give every key its own ID", what, i+1, id)
		}
		seen[id] = true
		keys = append(keys, Key{ID: id, Secret: key})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf(`parse %s: no keys given; set them as "id:base64key[,old-id:base64key…]" (a key: openssl rand -base64 32)`, what)
	}
	return keys, nil
}

func parseEntry(entry, user string) (string, []byte, error) {
	id, b64, ok := strings.Cut(entry, ":")
	id = strings.TrimSpace(id)
	if !ok || id == "" {
		return "", nil, errors.New(`want "id:base64key", e.g. "2026-01:$(openssl rand -base64 32)"`)
	}
	if !ValidID(id) {
		return "", nil, fmt.Errorf("key ID %q: use letters, digits, '.', '_' or '-' (at most 64)", id)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return "", nil, fmt.Errorf("key %q is not standard base64: %w", id, err)
	}
	if len(key) != Size {
		return "", nil, fmt.Errorf("key %q is %d bytes; %s needs %d (openssl rand -base64 32)", id, len(key), user, Size)
	}
	return id, key, nil
}

// ValidID reports whether id is a usable key ID.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// New returns a fresh entry "id:base64key"; what names the setting in errors.
func New(id, what string) (string, error) {
	if !ValidID(id) {
		return "", fmt.Errorf("new %s: key ID %q: use letters, digits, '.', '_' or '-' (at most 64)", what, id)
	}
	key := make([]byte, Size)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("new %s: %w", what, err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}
