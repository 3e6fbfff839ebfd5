package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Digest is the content revision of out: a SHA-256 over every email
// variant, the web update and the social drafts, in hex. Any change an
// approver could see changes it; a re-render of the same document with
// the same figures keeps it.
func Digest(out Output) string {
	h := sha256.New()
	// Encoding structs and sorted maps is deterministic.
	_ = json.NewEncoder(h).Encode(struct {
		Variants  any `json:"variants"`
		Targeted  any `json:"targeted"`
		EmailOnly any `json:"email_only"`
		Web       any `json:"web"`
		Social    any `json:"social"`
	}{out.Variants, out.TargetedSegments, out.EmailOnly, out.Web, out.Social})
	return hex.EncodeToString(h.Sum(nil))
}
