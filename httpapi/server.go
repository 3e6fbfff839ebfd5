package httpapi

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Keys holds the digests of the API keys a server accepts; several may be
// valid at once so keys can be rotated without downtime. Keys are kept only
// as SHA-256 digests and compared in constant time.
type Keys struct {
	digests [][32]byte
}

// NewKeys hashes each non-empty key.
func NewKeys(keys ...string) *Keys {
	k := &Keys{}
	for _, key := range keys {
		if key = strings.TrimSpace(key); key != "" {
			k.digests = append(k.digests, sha256.Sum256([]byte(key)))
		}
	}
	return k
}

// ParseKeys splits a comma-separated list of keys (the form servers take in
// their environment) and hashes them.
func ParseKeys(list string) *Keys { return NewKeys(strings.Split(list, ",")...) }

// Len is the number of accepted keys.
func (k *Keys) Len() int { return len(k.digests) }

// Valid reports whether key is one of the accepted keys. Every digest is
// compared, so the time taken does not depend on which key matched.
func (k *Keys) Valid(key string) bool {
	if key == "" {
		return false
	}
	d := sha256.Sum256([]byte(key))
	match := 0
	for i := range k.digests {
		match |= subtle.ConstantTimeCompare(d[:], k.digests[i][:])
	}
	return match == 1
}

// RequireKey wraps next so it runs only for requests that carry
// "Authorization: Bearer <key>" with an accepted key; others get 401 and
// reach nothing.
func (k *Keys) RequireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		key, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || !k.Valid(strings.TrimSpace(key)) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			WriteError(w, http.StatusUnauthorized, "unauthorized", "", "missing or invalid API key: send Authorization: Bearer <key>")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ReadBody reads at most limit bytes of the request body. Over the limit it
// writes 413 and returns ok=false.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			WriteError(w, http.StatusRequestEntityTooLarge, "body_too_large", "", "request body is larger than %d bytes", limit)
			return nil, false
		}
		WriteError(w, http.StatusBadRequest, "bad_body", "", "could not read request body: %v", err)
		return nil, false
	}
	return body, true
}

// DecodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data. The error names the offending field where it can.
func DecodeStrict(body []byte, v any) *ErrorDetail {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonErrorDetail(err)
	}
	if dec.More() {
		return &ErrorDetail{Code: "invalid_json", Message: "unexpected data after the JSON value"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &ErrorDetail{Code: "invalid_json", Message: "unexpected data after the JSON value"}
	}
	return nil
}

func jsonErrorDetail(err error) *ErrorDetail {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return &ErrorDetail{Code: "invalid_field", Field: typeErr.Field,
			Message: fmt.Sprintf("field %q must be %s, not %s", typeErr.Field, typeErr.Type, typeErr.Value)}
	case errors.As(err, &syntaxErr):
		return &ErrorDetail{Code: "invalid_json", Message: fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, err)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &ErrorDetail{Code: "unknown_field", Field: field, Message: fmt.Sprintf("unknown field %q", field)}
	case errors.Is(err, io.EOF):
		return &ErrorDetail{Code: "invalid_json", Message: "request body is empty; send a JSON object"}
	}
	return &ErrorDetail{Code: "invalid_json", Message: err.Error()}
}

// ServerTimeouts are the limits every reference server sets, so a slow or
// stalled client cannot hold a connection forever.
type ServerTimeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts suit an API server behind a load balancer.
var DefaultTimeouts = ServerTimeouts{ReadHeader: 5 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}

// NewServer returns an http.Server for h on addr with timeouts t.
func NewServer(addr string, h http.Handler, t ServerTimeouts) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, WriteTimeout: t.Write, IdleTimeout: t.Idle}
}
