// Package codec encrypts Temporal payloads with AES-256-GCM so workflow
// inputs, results and activity arguments (addresses, rendered emails) are
// stored in history as ciphertext, and serves the remote codec protocol so
// the Temporal CLI and Web UI can show them decrypted to those allowed.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// Keyring holds the keys payloads are encrypted with: the active key
// encrypts, every key decrypts, so keys can be rotated without making older
// histories unreadable.
type Keyring struct {
	active string
	ids    []string
	aeads  map[string]cipher.AEAD
}

// ParseKeys reads a key spec "id1:base64key1,id2:base64key2". The first
// key is the active one; the others only decrypt. Each key is 32 random
// bytes in standard base64 (e.g. from "openssl rand -base64 32").
func ParseKeys(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, key, err := parseEntry(entry)
		if err != nil {
			return nil, fmt.Errorf("parse codec keys: entry %d: %w", i+1, err)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("parse codec keys: entry %d: key ID %q appears twice; give every key its own ID", i+1, id)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("parse codec keys: entry %d (%q): %w", i+1, id, err)
		}
		k.aeads[id] = aead
		k.ids = append(k.ids, id)
	}
	if len(k.ids) == 0 {
		return nil, errors.New(`parse codec keys: no keys given; set them as "id:base64key[,old-id:base64key…]" (a key: openssl rand -base64 32)`)
	}
	k.active = k.ids[0]
	return k, nil
}

// parseEntry splits "id:base64key". Errors never quote the key material.
func parseEntry(entry string) (string, []byte, error) {
	id, b64, ok := strings.Cut(entry, ":")
	id = strings.TrimSpace(id)
	if !ok || id == "" {
		return "", nil, errors.New(`want "id:base64key", e.g. "2026-01:$(openssl rand -base64 32)"`)
	}
	if !validID(id) {
		return "", nil, fmt.Errorf("key ID %q: use letters, digits, '.', '_' or '-' (at most 64)", id)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return "", nil, fmt.Errorf("key %q is not standard base64: %w", id, err)
	}
	if len(key) != KeySize {
		return "", nil, fmt.Errorf("key %q is %d bytes; AES-256 needs %d (openssl rand -base64 32)", id, len(key), KeySize)
	}
	return id, key, nil
}

func validID(id string) bool {
	if len(id) > 64 {
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

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ActiveID is the ID of the key new payloads are encrypted with.
func (k *Keyring) ActiveID() string { return k.active }

// IDs lists every key ID, the active one first.
func (k *Keyring) IDs() []string { return slices.Clone(k.ids) }

// NewKey returns a fresh key spec entry "id:base64key" for id.
func NewKey(id string) (string, error) {
	if id == "" || !validID(id) {
		return "", fmt.Errorf("new codec key: key ID %q: use letters, digits, '.', '_' or '-' (at most 64)", id)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("new codec key: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}
