// Package token mints and verifies approval tokens: HMAC-SHA256 signed
// claims that one approver may take one action on one revision of one
// run, until the approval deadline. Keys come from APPROVAL_SIGNING_KEYS
// ("id:base64key[,older-id:base64key…]"): the first key signs, every key
// verifies, so keys rotate without voiding links already sent.
//
// The package is pure: the worker, the approvals service and the starter
// share it, and workflow code never calls it (it holds no key).
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/halcytone/contentgen/internal/keyspec"
)

// Actions a token may allow.
const (
	ActionApprove        = "approve"
	ActionReject         = "reject"
	ActionRequestChanges = "request_changes"
)

// Actions lists every decision, in the order links are shown.
var Actions = []string{ActionApprove, ActionRequestChanges, ActionReject}

// Send controls a token may allow once an edition is approved: pause,
// resume or cancel its send.
const (
	ActionPauseSend  = "pause_send"
	ActionResumeSend = "resume_send"
	ActionCancelSend = "cancel_send"
)

// SendActions lists the send controls.
var SendActions = []string{ActionPauseSend, ActionResumeSend, ActionCancelSend}

// version prefixes every token, so the format can change later.
const version = "v1"

// Claims are what a token binds.
type Claims struct {
	WorkflowID string `json:"wf"`
	RunID      string `json:"run"`
	Edition    string `json:"ed"`
	// Revision is the content revision the approver was shown: the
	// digest of every rendered channel.
	Revision string `json:"rev"`
	Approver string `json:"by"`
	Action   string `json:"act"`
	// Expires is the approval deadline, in Unix seconds.
	Expires int64 `json:"exp"`
	// Nonce makes every token unique, so each can be spent once.
	Nonce string `json:"n"`
	// Operator marks a token an operator minted with the signing key,
	// rather than one sent in a proof.
	Operator bool `json:"op,omitempty"`
	// Via is the ID of the token whose holder accepted a suggestion on
	// the approval page, which then issued this one for the new revision
	// to the same approver, for the same action and deadline.
	Via string `json:"via,omitempty"`
}

// ExpiresAt is Expires as a time.
func (c Claims) ExpiresAt() time.Time { return time.Unix(c.Expires, 0).UTC() }

// ID identifies the token in the audit trail without revealing it.
func (c Claims) ID() string { return c.Nonce }

// Problems a token can have; Error.Kind holds one.
const (
	Malformed = "malformed"
	Forged    = "forged"
	Expired   = "expired"
)

// Error says why a token was refused.
type Error struct {
	Kind string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// KindOf returns the kind of a token error, or "" for other errors.
func KindOf(err error) string {
	var te *Error
	if errors.As(err, &te) {
		return te.Kind
	}
	return ""
}

// Keyring holds the signing keys: the first signs, every key verifies.
type Keyring struct {
	ids  []string
	keys map[string][]byte
}

// ParseKeys reads an APPROVAL_SIGNING_KEYS value.
func ParseKeys(spec string) (*Keyring, error) {
	keys, err := keyspec.Parse(spec, "approval signing keys (APPROVAL_SIGNING_KEYS)", "an HMAC-SHA256 signing key")
	if err != nil {
		return nil, err
	}
	k := &Keyring{keys: map[string][]byte{}}
	for _, key := range keys {
		k.ids = append(k.ids, key.ID)
		k.keys[key.ID] = key.Secret
	}
	return k, nil
}

// NewKey returns a fresh "id:base64key" entry for APPROVAL_SIGNING_KEYS.
func NewKey(id string) (string, error) { return keyspec.New(id, "approval signing key") }

// ActiveID is the ID of the key new tokens are signed with.
func (k *Keyring) ActiveID() string { return k.ids[0] }

// IDs lists every key ID, the active one first.
func (k *Keyring) IDs() []string { return slices.Clone(k.ids) }

// Mint signs c with the active key; an empty nonce gets a random one.
func (k *Keyring) Mint(c Claims) (string, error) {
	if c.WorkflowID == "" || c.RunID == "" || c.Revision == "" || c.Approver == "" || c.Expires == 0 {
		return "", fmt.Errorf("mint approval token: workflow ID, run ID, revision, approver and expiry are all required")
	}
	if !slices.Contains(Actions, c.Action) && !slices.Contains(SendActions, c.Action) {
		return "", fmt.Errorf("mint approval token: unknown action %q: use approve, request_changes, reject, pause_send, resume_send or cancel_send", c.Action)
	}
	if c.Nonce == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("mint approval token: %w", err)
		}
		c.Nonce = hex.EncodeToString(b)
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("mint approval token: %w", err)
	}
	id := k.ActiveID()
	signed := version + "." + id + "." + base64.RawURLEncoding.EncodeToString(body)
	return signed + "." + base64.RawURLEncoding.EncodeToString(sign(k.keys[id], signed)), nil
}

func sign(key []byte, signed string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// Verify checks tok's signature in constant time and its expiry at now,
// and returns its claims and the ID of the key that signed it. Whether the
// claims match a run, a revision and an approver is the caller's check.
func (k *Keyring) Verify(tok string, now time.Time) (Claims, string, error) {
	c, keyID, signed, mac, err := split(tok)
	if err != nil {
		return Claims{}, "", err
	}
	key, ok := k.keys[keyID]
	if !ok {
		return Claims{}, keyID, &Error{Forged, fmt.Sprintf("approval token signed with unknown key %q: it was not issued here, or its key was retired", keyID)}
	}
	if !hmac.Equal(mac, sign(key, signed)) {
		return Claims{}, keyID, &Error{Forged, "approval token signature does not match: the token was altered or not issued here"}
	}
	if !now.Before(c.ExpiresAt()) {
		return c, keyID, &Error{Expired, fmt.Sprintf("approval token expired at %s (the approval deadline)", c.ExpiresAt().Format(time.RFC3339))}
	}
	return c, keyID, nil
}

// Inspect decodes tok's claims without checking its signature: for
// showing what a refused token claimed, never for trusting it.
func Inspect(tok string) (Claims, error) {
	c, _, _, _, err := split(tok)
	return c, err
}

func split(tok string) (c Claims, keyID, signed string, mac []byte, err error) {
	tok = strings.TrimSpace(tok)
	parts := strings.Split(tok, ".")
	if len(parts) != 4 || parts[0] != version {
		return c, "", "", nil, &Error{Malformed, "approval token is malformed: copy the whole token or link from the proof email"}
	}
	body, err1 := base64.RawURLEncoding.DecodeString(parts[2])
	mac, err2 := base64.RawURLEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || json.Unmarshal(body, &c) != nil {
		return Claims{}, "", "", nil, &Error{Malformed, "approval token is malformed: copy the whole token or link from the proof email"}
	}
	return c, parts[1], strings.Join(parts[:3], "."), mac, nil
}
