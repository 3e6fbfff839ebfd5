// Package codec encrypts Temporal payloads with AES-256-GCM so workflow
// inputs, results and activity arguments (addresses, rendered emails) are
// stored in history as ciphertext, and serves the remote codec protocol so
// the Temporal CLI and Web UI can show them decrypted to those allowed.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/internal/keyspec"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = keyspec.Size

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
	keys, err := keyspec.Parse(spec, "codec keys", "AES-256")
	if err != nil {
		return nil, err
	}
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for _, key := range keys {
		aead, err := newAEAD(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("parse codec keys: key %q: %w", key.ID, err)
		}
		k.aeads[key.ID] = aead
		k.ids = append(k.ids, key.ID)
	}
	k.active = k.ids[0]
	return k, nil
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
func NewKey(id string) (string, error) { return keyspec.New(id, "codec key") }

const nonceSize = 12

// Seal encrypts plain with the active key, the key ID as authenticated
// data, and returns that ID with nonce‖ciphertext. Payloads and stored
// artifacts share it, so both read the same key spec.
func (k *Keyring) Seal(plain []byte) (keyID string, sealed []byte, err error) {
	id := k.active
	aead := k.aeads[id]
	nonce := make([]byte, nonceSize, nonceSize+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("nonce: %w", err)
	}
	return id, aead.Seal(nonce, nonce, plain, []byte(id)), nil
}

// Open decrypts what Seal returned under keyID.
func (k *Keyring) Open(keyID string, sealed []byte) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("encrypted with key %q, which is not in the keyring (have %s); add \"%s:<base64 key>\" to the key spec after the active key",
			keyID, strings.Join(k.ids, ", "), keyID)
	}
	if len(sealed) < nonceSize+aead.Overhead() {
		return nil, fmt.Errorf("ciphertext of %d bytes is too short to be %s", len(sealed), CipherAES256GCM)
	}
	plain, err := aead.Open(nil, sealed[:nonceSize], sealed[nonceSize:], []byte(keyID))
	if err != nil {
		return nil, fmt.Errorf("key %q: ciphertext or key ID was altered, or the key under this ID is not the one it was encrypted with: %w", keyID, err)
	}
	return plain, nil
}
