package httpapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request signing headers. The signature is
//
//	"v2=" + hex(HMAC-SHA256(secret, "v2\n" + timestamp + "\n" + method + "\n" +
//	        path + "\n" + query + "\n" + idempotency key + "\n" + hex(SHA-256(body))))
//
// with the timestamp in Unix seconds, the path as escaped on the wire, the
// raw query (without "?") and the Idempotency-Key header, each empty when
// absent. A server accepts it within SignatureTolerance of its clock. The
// version prefix names the scheme: v1, which covered only the timestamp
// and body, is refused, since its signature could be replayed on another
// method, path, query or idempotency key.
const (
	HeaderSignature          = "X-Signature"
	HeaderSignatureTimestamp = "X-Signature-Timestamp"
	signatureVersion         = "v2="
	legacyVersion            = "v1="
)

// SignatureTolerance is how far a signature's timestamp may lie in the past
// or the future before it is refused as expired.
const SignatureTolerance = 5 * time.Minute

// Signed is what a signature covers besides its timestamp.
type Signed struct {
	Method string
	// Path is the escaped path ("/api/v1/recipients"), Query the raw query
	// without "?".
	Path, Query    string
	IdempotencyKey string
	Body           []byte
}

// SignedRequest is what a signature of r with body covers.
func SignedRequest(r *http.Request, body []byte) Signed {
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/" // as the server sees it
	}
	return Signed{
		Method: r.Method, Path: path, Query: r.URL.RawQuery,
		IdempotencyKey: r.Header.Get(HeaderIdempotencyKey), Body: body,
	}
}

// Sign returns the X-Signature value for the request s sent at timestamp ts.
func Sign(secret string, ts int64, s Signed) string {
	return signatureVersion + hex.EncodeToString(mac(secret, strconv.FormatInt(ts, 10), s))
}

func mac(secret, ts string, s Signed) []byte {
	sum := sha256.Sum256(s.Body)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.Join([]string{"v2", ts, strings.ToUpper(s.Method), s.Path, s.Query, s.IdempotencyKey, hex.EncodeToString(sum[:])}, "\n")))
	return m.Sum(nil)
}

// SigningTransport signs every request it carries with Secret. It reads
// the body once to sign it and sends the same bytes.
type SigningTransport struct {
	Secret string
	// Base carries the signed request (http.DefaultTransport when nil).
	Base http.RoundTripper
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// RoundTrip implements http.RoundTripper.
func (t *SigningTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("sign request: read body: %w", err)
		}
		body = b
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	ts := now().Unix()
	// A RoundTripper must not modify the caller's request.
	signed := req.Clone(req.Context())
	if body != nil {
		signed.Body = io.NopCloser(bytes.NewReader(body))
		signed.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		signed.ContentLength = int64(len(body))
	}
	signed.Header.Set(HeaderSignatureTimestamp, strconv.FormatInt(ts, 10))
	signed.Header.Set(HeaderSignature, Sign(t.Secret, ts, SignedRequest(signed, body)))
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(signed)
}

// WithSigning returns a copy of hc whose requests are signed with secret.
// hc itself is not changed; a nil hc stands for a zero http.Client.
func WithSigning(hc *http.Client, secret string) *http.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	c.Transport = &SigningTransport{Secret: secret, Base: hc.Transport}
	return &c
}

// Signatures checks request signatures on a server. Several secrets may be
// valid at once, so a secret can be rotated without downtime.
type Signatures struct {
	secrets []string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// NewSignatures accepts signatures made with any non-empty secret.
func NewSignatures(secrets ...string) *Signatures {
	s := &Signatures{}
	for _, sec := range secrets {
		if sec = strings.TrimSpace(sec); sec != "" {
			s.secrets = append(s.secrets, sec)
		}
	}
	return s
}

// Len is the number of accepted secrets.
func (s *Signatures) Len() int { return len(s.secrets) }

// Require wraps next so it runs only for requests with a valid signature
// made within SignatureTolerance; others get 401 (signature_missing,
// signature_invalid or signature_expired) and reach nothing. The body, at
// most limit bytes, is read once and handed on to next unchanged.
func (s *Signatures) Require(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tsHeader := strings.TrimSpace(r.Header.Get(HeaderSignatureTimestamp))
		sigHeader := strings.TrimSpace(r.Header.Get(HeaderSignature))
		if tsHeader == "" || sigHeader == "" {
			WriteError(w, http.StatusUnauthorized, "signature_missing", "",
				"sign the request: send %s (Unix seconds) and %s: v2=<hex HMAC-SHA256 of timestamp, method, path, query, Idempotency-Key and body SHA-256>; see the contract's request signing section", HeaderSignatureTimestamp, HeaderSignature)
			return
		}
		if strings.HasPrefix(sigHeader, legacyVersion) {
			WriteError(w, http.StatusUnauthorized, "signature_invalid", "",
				"v1 signatures (timestamp and body only) are no longer accepted: sign as v2, over the method, path, query and Idempotency-Key as well")
			return
		}
		body, ok := ReadBody(w, r, limit)
		if !ok {
			return
		}
		if !s.valid(tsHeader, sigHeader, SignedRequest(r, body)) {
			WriteError(w, http.StatusUnauthorized, "signature_invalid", "",
				"the signature does not match the request (method, path, query, Idempotency-Key, body) and timestamp for any accepted secret; check the signing secret, and sign the request exactly as sent")
			return
		}
		ts, _ := strconv.ParseInt(tsHeader, 10, 64)
		if skew := s.now().Sub(time.Unix(ts, 0)); skew > SignatureTolerance || skew < -SignatureTolerance {
			WriteError(w, http.StatusUnauthorized, "signature_expired", "",
				"the signature timestamp is %s from the server clock; the most is %s, so sign each request when sending it and check the clock",
				skew.Abs().Round(time.Second), SignatureTolerance)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// valid compares against every secret, so the time taken does not reveal
// which one matched.
func (s *Signatures) valid(ts, sig string, req Signed) bool {
	hexSig, ok := strings.CutPrefix(sig, signatureVersion)
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	match := false
	for _, sec := range s.secrets {
		match = hmac.Equal(got, mac(sec, ts, req)) || match
	}
	return match
}

func (s *Signatures) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
