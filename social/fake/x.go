package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// X is the X API v2 for one user: the OAuth 2.0 token endpoint with
// rotating refresh tokens, POST /2/tweets, the user's timeline, delete.
type X struct {
	base
	ClientID     string
	ClientSecret string
	UserID       string
	Username     string

	access  map[string]bool
	refresh map[string]bool
	tweets  []XTweet // oldest first
	media   map[string]*XMedia
	grants  map[string]xGrant // authorisation code → its grant
}

// XMedia is an uploaded image.
type XMedia struct {
	ID        string
	MediaKey  string
	Category  string
	MediaType string
	Data      []byte
	Alt       string
}

// XTweet is a stored post. Text has links shortened to t.co, as X does.
type XTweet struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	Entities  struct {
		URLs []XURL `json:"urls"`
	} `json:"entities"`
	Attachments *struct {
		MediaKeys []string `json:"media_keys"`
	} `json:"attachments,omitempty"`
}

// XURL is a link entity.
type XURL struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
	DisplayURL  string `json:"display_url"`
}

// NewX returns an X fake for an app with clientID and secret, with one
// refresh token issued to the user.
func NewX(clientID, secret, refreshToken string) *X {
	return &X{ClientID: clientID, ClientSecret: secret, UserID: "1587000000000000000", Username: "halcytone",
		access: map[string]bool{}, refresh: map[string]bool{refreshToken: true}, media: map[string]*XMedia{}}
}

// Media returns the uploaded image with media key, if any.
func (x *X) Media(key string) (XMedia, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, m := range x.media {
		if m.MediaKey == key {
			return *m, true
		}
	}
	return XMedia{}, false
}

// ExpireAccessTokens expires every access token issued so far.
func (x *X) ExpireAccessTokens() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k := range x.access {
		x.access[k] = false
	}
}

// RevokeRefreshTokens invalidates every refresh token, as revoking the
// app's access does.
func (x *X) RevokeRefreshTokens() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k := range x.refresh {
		x.refresh[k] = false
	}
}

// FailNext answers the next n post creations with status.
func (x *X) FailNext(n, status int) {
	x.queue(n, fault{status: status, body: xProblem(status, http.StatusText(status))})
}

// RateLimitNext answers the next n post creations with 429 and the
// x-rate-limit-* headers.
func (x *X) RateLimitNext(n int, reset time.Duration) {
	h := http.Header{}
	h.Set("x-rate-limit-limit", "100")
	h.Set("x-rate-limit-remaining", "0")
	h.Set("x-rate-limit-reset", unixIn(reset))
	x.queue(n, fault{status: http.StatusTooManyRequests, header: h, body: xProblem(http.StatusTooManyRequests, "Too Many Requests")})
}

// Tweets returns the user's posts, oldest first.
func (x *X) Tweets() []XTweet {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]XTweet(nil), x.tweets...)
}

func xProblem(status int, detail string) map[string]any {
	return map[string]any{"title": http.StatusText(status), "type": "about:blank", "status": status, "detail": detail}
}

func (x *X) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x.logRequest(r)
	if r.Method == http.MethodPost && r.URL.Path == "/2/oauth2/token" {
		x.token(w, r)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/i/oauth2/authorize" {
		x.authorize(w, r)
		return
	}
	x.mu.Lock()
	valid := x.access[bearer(r)]
	x.mu.Unlock()
	if !valid {
		writeJSON(w, http.StatusUnauthorized, xProblem(http.StatusUnauthorized, "Unauthorized"))
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/2/tweets":
		x.create(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/2/media/upload":
		x.upload(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/2/media/metadata":
		x.metadata(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/me":
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"id": x.UserID, "name": "Halcytone", "username": x.Username}})
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/"+x.UserID+"/tweets":
		x.mu.Lock()
		out := []XTweet{}
		for i := len(x.tweets) - 1; i >= 0 && len(out) < 100; i-- {
			out = append(out, x.tweets[i])
		}
		x.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": out, "meta": map[string]int{"result_count": len(out)}})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/2/tweets/"):
		id := strings.TrimPrefix(r.URL.Path, "/2/tweets/")
		x.mu.Lock()
		deleted := false
		for i, t := range x.tweets {
			if t.ID == id {
				x.tweets, deleted = append(x.tweets[:i], x.tweets[i+1:]...), true
				break
			}
		}
		x.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]bool{"deleted": deleted}})
	default:
		writeJSON(w, http.StatusNotFound, xProblem(http.StatusNotFound, "Not Found"))
	}
}

func (x *X) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != x.ClientID || secret != x.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized_client", "error_description": "Missing valid authorization header"})
		return
	}
	if r.FormValue("grant_type") == "authorization_code" {
		x.exchangeCode(w, r)
		return
	}
	if r.FormValue("grant_type") != "refresh_token" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Missing required parameter [grant_type]."})
		return
	}
	rt := r.FormValue("refresh_token")
	x.mu.Lock()
	valid := x.refresh[rt]
	if valid {
		x.refresh[rt] = false // X rotates refresh tokens: each is good once
	}
	x.mu.Unlock()
	if !valid {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
		return
	}
	x.issue(w)
}

// issue answers a token request with a new access and refresh token.
func (x *X) issue(w http.ResponseWriter) {
	n := x.nextID()
	acc, ref := fmt.Sprintf("x-access-%d", n), fmt.Sprintf("x-refresh-%d", n)
	x.mu.Lock()
	x.access[acc], x.refresh[ref] = true, true
	x.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "bearer", "expires_in": 7200, "access_token": acc,
		"scope": "tweet.read tweet.write users.read offline.access", "refresh_token": ref})
}

func (x *X) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text  string `json:"text"`
		Media *struct {
			MediaIDs []string `json:"media_ids"`
		} `json:"media"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: "+err.Error()))
		return
	}
	var keys []string
	if req.Media != nil {
		x.mu.Lock()
		for _, id := range req.Media.MediaIDs {
			m, ok := x.media[id]
			if !ok {
				x.mu.Unlock()
				writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Your media IDs are invalid."))
				return
			}
			keys = append(keys, m.MediaKey)
		}
		x.mu.Unlock()
	}
	f, faulty := x.nextFault()
	if faulty && !f.drop {
		serveFault(w, r, f)
		return
	}
	x.mu.Lock()
	for _, t := range x.tweets {
		if t.Entities.URLs != nil && x.original(t) == req.Text {
			x.mu.Unlock()
			writeJSON(w, http.StatusForbidden, xProblem(http.StatusForbidden, "You are not allowed to create a Tweet with duplicate content."))
			return
		}
	}
	x.mu.Unlock()
	n := x.nextID()
	t := XTweet{ID: fmt.Sprintf("18600000000000%05d", n), CreatedAt: time.Now().UTC()}
	t.Text = linkRe.ReplaceAllStringFunc(req.Text, func(u string) string {
		short := fmt.Sprintf("https://t.co/fake%d", n)
		t.Entities.URLs = append(t.Entities.URLs, XURL{URL: short, ExpandedURL: u, DisplayURL: strings.TrimPrefix(u, "https://")})
		return short
	})
	if len(keys) > 0 {
		t.Attachments = &struct {
			MediaKeys []string `json:"media_keys"`
		}{keys}
	}
	x.mu.Lock()
	x.tweets = append(x.tweets, t)
	x.mu.Unlock()
	if faulty {
		serveFault(w, r, f)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]string{"id": t.ID, "text": t.Text}})
}

// original restores a stored post's links, to spot duplicate content.
func (x *X) original(t XTweet) string {
	s := t.Text
	for _, u := range t.Entities.URLs {
		s = strings.Replace(s, u.URL, u.ExpandedURL, 1)
	}
	return s
}

// upload is POST /2/media/upload, the one-request form for images: a
// multipart form with the media file and its category.
func (x *X) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: "+err.Error()))
		return
	}
	f, hdr, err := r.FormFile("media")
	if err != nil {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: One or more parameters to your request was invalid. media is required"))
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	category := r.FormValue("media_category")
	if category == "" || len(data) == 0 {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: media_category and a non-empty media file are required"))
		return
	}
	if category == "tweet_image" && len(data) > 5<<20 {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: images must be 5 MB or smaller"))
		return
	}
	n := x.nextID()
	m := &XMedia{ID: fmt.Sprintf("1880%015d", n), Category: category, MediaType: hdr.Header.Get("Content-Type"), Data: data}
	m.MediaKey = "3_" + m.ID
	x.mu.Lock()
	x.media[m.ID] = m
	x.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.ID, "media_key": m.MediaKey, "size": len(data),
		"expires_after_secs": 86400, "image": map[string]any{"image_type": m.MediaType}}})
}

// metadata is POST /2/media/metadata: alt text for an uploaded image.
func (x *X) metadata(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID       string `json:"id"`
		Metadata struct {
			AltText struct {
				Text string `json:"text"`
			} `json:"alt_text"`
		} `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: "+err.Error()))
		return
	}
	if len([]rune(req.Metadata.AltText.Text)) > 1000 {
		writeJSON(w, http.StatusBadRequest, xProblem(http.StatusBadRequest, "Invalid Request: alt text must be 1000 characters or fewer"))
		return
	}
	x.mu.Lock()
	m, ok := x.media[req.ID]
	if ok {
		m.Alt = req.Metadata.AltText.Text
	}
	x.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, xProblem(http.StatusNotFound, "Media not found"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": req.ID, "associated_metadata": req.Metadata}})
}
