package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Bluesky is a PDS with one account, serving the XRPC methods a poster
// uses: createSession, refreshSession, createRecord, listRecords,
// deleteRecord and uploadBlob.
type Bluesky struct {
	base
	Handle   string
	Password string
	DID      string

	access  map[string]bool // token → still valid
	refresh map[string]bool
	records []BlueskyRecord // oldest first
}

// BlueskyRecord is a stored app.bsky.feed.post.
type BlueskyRecord struct {
	URI   string          `json:"uri"`
	CID   string          `json:"cid"`
	Value json.RawMessage `json:"value"`
}

// Post decodes the record's value.
func (r BlueskyRecord) Post() (BlueskyPost, error) {
	var p BlueskyPost
	err := json.Unmarshal(r.Value, &p)
	return p, err
}

// BlueskyPost is the part of app.bsky.feed.post tests look at.
type BlueskyPost struct {
	Type      string `json:"$type"`
	Text      string `json:"text"`
	CreatedAt string `json:"createdAt"`
	Facets    []struct {
		Index struct {
			ByteStart int `json:"byteStart"`
			ByteEnd   int `json:"byteEnd"`
		} `json:"index"`
		Features []struct {
			Type string `json:"$type"`
			URI  string `json:"uri,omitempty"`
			Tag  string `json:"tag,omitempty"`
		} `json:"features"`
	} `json:"facets"`
	Embed *struct {
		Type     string `json:"$type"`
		External *struct {
			URI         string          `json:"uri"`
			Title       string          `json:"title"`
			Description string          `json:"description"`
			Thumb       json.RawMessage `json:"thumb,omitempty"`
		} `json:"external,omitempty"`
	} `json:"embed"`
}

// NewBluesky returns a PDS fake for handle with an app password.
func NewBluesky(handle, password string) *Bluesky {
	return &Bluesky{Handle: handle, Password: password, DID: "did:plc:halcytonefake0000000000",
		access: map[string]bool{}, refresh: map[string]bool{}}
}

// ExpireAccessTokens expires every access token issued so far, as two
// hours passing would.
func (b *Bluesky) ExpireAccessTokens() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.access {
		b.access[k] = false
	}
}

// ExpireRefreshTokens expires every refresh token issued so far.
func (b *Bluesky) ExpireRefreshTokens() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.refresh {
		b.refresh[k] = false
	}
}

// RevokePassword makes the app password invalid, as deleting it does.
func (b *Bluesky) RevokePassword() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Password = ""
}

// FailNext answers the next n createRecord calls with status.
func (b *Bluesky) FailNext(n, status int) {
	b.queue(n, fault{status: status, body: xrpcError("InternalServerError", "Internal Server Error")})
}

// RateLimitNext answers the next n createRecord calls with 429 and the
// RateLimit-* headers, resetting reset from now.
func (b *Bluesky) RateLimitNext(n int, reset time.Duration) {
	h := http.Header{}
	h.Set("RateLimit-Limit", "5000")
	h.Set("RateLimit-Remaining", "0")
	h.Set("RateLimit-Reset", unixIn(reset))
	h.Set("RateLimit-Policy", "5000;w=3600")
	b.queue(n, fault{status: http.StatusTooManyRequests, header: h, body: xrpcError("RateLimitExceeded", "Rate Limit Exceeded")})
}

// Records returns the account's posts, oldest first.
func (b *Bluesky) Records() []BlueskyRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]BlueskyRecord(nil), b.records...)
}

func xrpcError(code, msg string) map[string]string {
	return map[string]string{"error": code, "message": msg}
}

func (b *Bluesky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.logRequest(r)
	method, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		writeJSON(w, http.StatusNotFound, xrpcError("NotFound", "Not Found"))
		return
	}
	switch method {
	case "com.atproto.server.createSession":
		b.createSession(w, r)
		return
	case "com.atproto.server.refreshSession":
		b.refreshSession(w, r)
		return
	}
	b.mu.Lock()
	valid, known := b.access[bearer(r)]
	b.mu.Unlock()
	switch {
	case !known:
		writeJSON(w, http.StatusUnauthorized, xrpcError("AuthenticationRequired", "Authentication Required"))
		return
	case !valid:
		writeJSON(w, http.StatusBadRequest, xrpcError("ExpiredToken", "Token has expired"))
		return
	}
	switch method {
	case "com.atproto.repo.createRecord":
		b.createRecord(w, r)
	case "com.atproto.repo.listRecords":
		b.listRecords(w, r)
	case "com.atproto.repo.deleteRecord":
		b.deleteRecord(w, r)
	case "com.atproto.repo.uploadBlob":
		data, _ := io.ReadAll(r.Body)
		writeJSON(w, http.StatusOK, map[string]any{"blob": map[string]any{
			"$type": "blob", "ref": map[string]string{"$link": fmt.Sprintf("bafkreiblob%d", b.nextID())},
			"mimeType": r.Header.Get("Content-Type"), "size": len(data)}})
	default:
		writeJSON(w, http.StatusNotImplemented, xrpcError("MethodNotImplemented", "Method Not Implemented"))
	}
}

func (b *Bluesky) issue() map[string]any {
	n := b.nextID()
	acc, ref := fmt.Sprintf("access-%d", n), fmt.Sprintf("refresh-%d", n)
	b.mu.Lock()
	b.access[acc], b.refresh[ref] = true, true
	b.mu.Unlock()
	return map[string]any{"accessJwt": acc, "refreshJwt": ref, "handle": b.Handle, "did": b.DID, "active": true}
}

func (b *Bluesky) createSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	b.mu.Lock()
	ok := b.Password != "" && req.Password == b.Password && (req.Identifier == b.Handle || req.Identifier == b.DID)
	b.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, xrpcError("AuthenticationRequired", "Invalid identifier or password"))
		return
	}
	writeJSON(w, http.StatusOK, b.issue())
}

func (b *Bluesky) refreshSession(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	b.mu.Lock()
	valid, known := b.refresh[tok]
	if valid {
		b.refresh[tok] = false // refresh tokens are single-use
	}
	b.mu.Unlock()
	switch {
	case !known:
		writeJSON(w, http.StatusBadRequest, xrpcError("InvalidToken", "Token could not be verified"))
	case !valid:
		writeJSON(w, http.StatusBadRequest, xrpcError("ExpiredToken", "Token has expired"))
	default:
		writeJSON(w, http.StatusOK, b.issue())
	}
}

func (b *Bluesky) createRecord(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Repo       string          `json:"repo"`
		Collection string          `json:"collection"`
		Record     json.RawMessage `json:"record"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, xrpcError("InvalidRequest", "Input must be JSON: "+err.Error()))
		return
	}
	f, faulty := b.nextFault()
	if faulty && !f.drop {
		serveFault(w, r, f)
		return
	}
	var post BlueskyPost
	_ = json.Unmarshal(req.Record, &post)
	switch {
	case req.Repo != b.DID && req.Repo != b.Handle:
		writeJSON(w, http.StatusBadRequest, xrpcError("InvalidRequest", "Could not find repo: "+req.Repo))
		return
	case req.Collection != "app.bsky.feed.post" || post.Type != "app.bsky.feed.post":
		writeJSON(w, http.StatusBadRequest, xrpcError("InvalidRequest", "Invalid collection or $type"))
		return
	case utf8.RuneCountInString(post.Text) > 300:
		writeJSON(w, http.StatusBadRequest, xrpcError("InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"))
		return
	}
	n := b.nextID()
	rec := BlueskyRecord{URI: fmt.Sprintf("at://%s/app.bsky.feed.post/3lfake%04d", b.DID, n), CID: fmt.Sprintf("bafyreifake%d", n), Value: req.Record}
	b.mu.Lock()
	b.records = append(b.records, rec)
	b.mu.Unlock()
	if faulty {
		serveFault(w, r, f)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"uri": rec.URI, "cid": rec.CID, "validationStatus": "valid"})
}

func (b *Bluesky) listRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("collection") != "app.bsky.feed.post" {
		writeJSON(w, http.StatusOK, map[string]any{"records": []any{}})
		return
	}
	b.mu.Lock()
	out := []BlueskyRecord{}
	for i := len(b.records) - 1; i >= 0 && len(out) < 100; i-- {
		out = append(out, b.records[i])
	}
	b.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"records": out})
}

func (b *Bluesky) deleteRecord(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Repo, Collection, Rkey string
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, rec := range b.records {
		if strings.HasSuffix(rec.URI, "/"+req.Collection+"/"+req.Rkey) {
			b.records = append(b.records[:i], b.records[i+1:]...)
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}
