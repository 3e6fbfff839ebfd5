package fake

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Mastodon is a Mastodon server with one account: statuses with
// Idempotency-Key, media, the account's timeline, delete.
type Mastodon struct {
	base
	// Token is the access token the server accepts.
	Token string
	// URL is the server's public URL, used in post URLs.
	URL string

	expired  bool
	apps     map[string]mastodonApp   // client_id → app
	codes    map[string]string        // authorization code → client_id
	issued   map[string]bool          // access tokens issued by /oauth/token
	statuses []MastodonStatus         // newest last
	byKey    map[string]mastodonReply // Idempotency-Key → first reply
	media    map[string]MastodonMedia
}

// MastodonStatus is a status as the API returns it.
type MastodonStatus struct {
	ID               string          `json:"id"`
	CreatedAt        time.Time       `json:"created_at"`
	URL              string          `json:"url"`
	URI              string          `json:"uri"`
	Content          string          `json:"content"`
	Visibility       string          `json:"visibility"`
	MediaAttachments []MastodonMedia `json:"media_attachments"`
	Account          MastodonAccount `json:"account"`
	// Text is the plain text the status was created with; the real API
	// returns it only from delete.
	Text string `json:"text,omitempty"`
}

// MastodonMedia is an uploaded attachment.
type MastodonMedia struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	URL         string `json:"url"`
	Description string `json:"description"`
}

// MastodonAccount is the account posting.
type MastodonAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

type mastodonReply struct {
	status int
	body   MastodonStatus
}

// NewMastodon returns a Mastodon fake accepting token; url is where it is
// served (set it later with the URL field when not yet known).
func NewMastodon(token string) *Mastodon {
	return &Mastodon{Token: token, byKey: map[string]mastodonReply{}, media: map[string]MastodonMedia{}}
}

func (m *Mastodon) account() MastodonAccount {
	return MastodonAccount{ID: "109", Username: "halcytone", Acct: "halcytone", URL: m.URL + "/@halcytone"}
}

// ExpireToken makes the access token invalid, as when it is revoked.
func (m *Mastodon) ExpireToken() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expired = true
}

// FailNext answers the next n status posts with status (e.g. 500).
func (m *Mastodon) FailNext(n, status int) {
	m.queue(n, fault{status: status, body: map[string]string{"error": http.StatusText(status)}})
}

// RateLimitNext answers the next n status posts with 429 and Mastodon's
// X-RateLimit-* headers, the reset reset from now.
func (m *Mastodon) RateLimitNext(n int, reset time.Duration) {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "300")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", time.Now().Add(reset).UTC().Format(time.RFC3339Nano))
	m.queue(n, fault{status: http.StatusTooManyRequests, header: h, body: map[string]string{"error": "Too many requests"}})
}

// Statuses returns the account's statuses, oldest first.
func (m *Mastodon) Statuses() []MastodonStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MastodonStatus(nil), m.statuses...)
}

func (m *Mastodon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.logRequest(r)
	if m.serveOAuth(w, r) {
		return
	}
	m.mu.Lock()
	ok := !m.expired && ((m.Token != "" && bearer(r) == m.Token) || m.issued[bearer(r)])
	m.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "The access token is invalid"})
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses":
		m.createStatus(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v2/media":
		m.uploadMedia(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/verify_credentials":
		writeJSON(w, http.StatusOK, m.account())
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/accounts/") && strings.HasSuffix(r.URL.Path, "/statuses"):
		m.accountStatuses(w, r)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/api/v1/statuses/"):
		m.deleteStatus(w, strings.TrimPrefix(r.URL.Path, "/api/v1/statuses/"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
	}
}

func (m *Mastodon) createStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status     string   `json:"status"`
		MediaIDs   []string `json:"media_ids"`
		Visibility string   `json:"visibility"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: " + err.Error()})
		return
	}
	key := r.Header.Get("Idempotency-Key")
	m.mu.Lock()
	prev, seen := m.byKey[key]
	m.mu.Unlock()
	if key != "" && seen {
		writeJSON(w, prev.status, prev.body)
		return
	}
	f, faulty := m.nextFault()
	if faulty && !f.drop {
		serveFault(w, r, f)
		return
	}
	if n := len([]rune(req.Status)); n > 500 || strings.TrimSpace(req.Status) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": fmt.Sprintf("Validation failed: Text character limit of 500 exceeded (%d)", n)})
		return
	}
	id := strconv.Itoa(110000000 + m.nextID())
	st := MastodonStatus{
		ID: id, CreatedAt: time.Now().UTC(), URL: m.URL + "/@halcytone/" + id, URI: m.URL + "/users/halcytone/statuses/" + id,
		Content: mastodonHTML(req.Status), Visibility: cmpOr(req.Visibility, "public"), Account: m.account(),
		MediaAttachments: []MastodonMedia{},
	}
	m.mu.Lock()
	for _, mid := range req.MediaIDs {
		if md, ok := m.media[mid]; ok {
			st.MediaAttachments = append(st.MediaAttachments, md)
		}
	}
	m.statuses = append(m.statuses, st)
	if key != "" {
		m.byKey[key] = mastodonReply{status: http.StatusOK, body: st}
	}
	m.mu.Unlock()
	if faulty {
		serveFault(w, r, f)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (m *Mastodon) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: File " + err.Error()})
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: File can't be blank"})
		return
	}
	defer file.Close()
	_, _ = io.Copy(io.Discard, file)
	if !strings.HasPrefix(hdr.Header.Get("Content-Type"), "image/") {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: File content type is invalid"})
		return
	}
	id := strconv.Itoa(120000000 + m.nextID())
	md := MastodonMedia{ID: id, Type: "image", URL: m.URL + "/system/media/" + id, Description: r.FormValue("description")}
	m.mu.Lock()
	m.media[id] = md
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, md)
}

func (m *Mastodon) accountStatuses(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 40 {
		limit = 20
	}
	m.mu.Lock()
	out := []MastodonStatus{}
	for i := len(m.statuses) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, m.statuses[i])
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (m *Mastodon) deleteStatus(w http.ResponseWriter, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, st := range m.statuses {
		if st.ID == id {
			m.statuses = append(m.statuses[:i], m.statuses[i+1:]...)
			writeJSON(w, http.StatusOK, st)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
}

// mastodonHTML renders plain text as Mastodon does: escaped, links as
// anchors, paragraphs.
func mastodonHTML(text string) string {
	var paras []string
	for _, p := range strings.Split(text, "\n\n") {
		linked := linkRe.ReplaceAllStringFunc(html.EscapeString(p), func(u string) string {
			return `<a href="` + u + `" rel="nofollow noopener" target="_blank">` + u + `</a>`
		})
		paras = append(paras, "<p>"+strings.ReplaceAll(linked, "\n", "<br />")+"</p>")
	}
	return strings.Join(paras, "")
}

var linkRe = regexp.MustCompile(`https?://[^\s<]+`)

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
