package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// LinkedIn is LinkedIn's versioned Posts API (/rest/posts) for one author
// (a member or an organisation).
type LinkedIn struct {
	base
	Token  string
	Author string
	// ClientID and ClientSecret are the OAuth app members authorise.
	ClientID, ClientSecret string

	codes  map[string]string // authorisation code → its redirect URI
	issued map[string]bool   // access tokens from the code exchange

	expired bool
	posts   []LinkedInPost // oldest first
	// images are uploaded images by URN; nil data: initialised, not
	// uploaded yet.
	images map[string][]byte
}

// LinkedInPost is a stored post.
type LinkedInPost struct {
	ID             string `json:"id"`
	Author         string `json:"author"`
	Commentary     string `json:"commentary"`
	Visibility     string `json:"visibility"`
	LifecycleState string `json:"lifecycleState"`
	CreatedAt      int64  `json:"createdAt"`
	Content        *struct {
		Article *struct {
			Source      string `json:"source"`
			Title       string `json:"title"`
			Description string `json:"description,omitempty"`
		} `json:"article,omitempty"`
		Media *struct {
			ID      string `json:"id"`
			AltText string `json:"altText,omitempty"`
		} `json:"media,omitempty"`
	} `json:"content,omitempty"`
}

// Image returns the bytes uploaded for the image URN, if any.
func (l *LinkedIn) Image(urn string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.images[urn]
	return b, ok && b != nil
}

// NewLinkedIn returns a LinkedIn fake accepting token for author.
func NewLinkedIn(token, author string) *LinkedIn {
	return &LinkedIn{Token: token, Author: author, images: map[string][]byte{}}
}

// ExpireToken expires the access token (LinkedIn tokens live 60 days).
func (l *LinkedIn) ExpireToken() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expired = true
}

// FailNext answers the next n post creations with status.
func (l *LinkedIn) FailNext(n, status int) {
	l.queue(n, fault{status: status, body: linkedInError(status, "INTERNAL_SERVER_ERROR", "Internal Server Error")})
}

// RateLimitNext answers the next n post creations with 429.
func (l *LinkedIn) RateLimitNext(n int, retryAfter time.Duration) {
	h := http.Header{}
	h.Set("Retry-After", fmt.Sprint(int(retryAfter.Seconds())))
	l.queue(n, fault{status: http.StatusTooManyRequests, header: h,
		body: linkedInError(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.")})
}

// Posts returns the author's posts, oldest first.
func (l *LinkedIn) Posts() []LinkedInPost {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LinkedInPost(nil), l.posts...)
}

func linkedInError(status int, code, msg string) map[string]any {
	return map[string]any{"status": status, "code": code, "message": msg}
}

func (l *LinkedIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.logRequest(r)
	if l.serveOAuth(w, r) {
		return
	}
	l.mu.Lock()
	tokenOK, expired := (bearer(r) == l.Token && l.Token != "") || l.issued[bearer(r)], l.expired
	l.mu.Unlock()
	switch {
	case !tokenOK:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"})
		return
	case expired:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN", "message": "The token used in the request has expired"})
		return
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/dms-uploads/"):
		l.receiveImage(w, r) // the upload URL takes the bytes, no version headers
		return
	case r.Header.Get("Linkedin-Version") == "":
		writeJSON(w, http.StatusBadRequest, linkedInError(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header."))
		return
	case r.Header.Get("X-Restli-Protocol-Version") != "2.0.0":
		writeJSON(w, http.StatusBadRequest, linkedInError(400, "ILLEGAL_ARGUMENT", "This API requires X-Restli-Protocol-Version: 2.0.0"))
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/rest/posts":
		l.create(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/rest/images" && r.URL.Query().Get("action") == "initializeUpload":
		l.initializeUpload(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/rest/posts" && r.URL.Query().Get("q") == "author":
		l.list(w, r)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/rest/posts/"):
		id, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/rest/posts/"))
		l.mu.Lock()
		for i, p := range l.posts {
			if p.ID == id {
				l.posts = append(l.posts[:i], l.posts[i+1:]...)
				break
			}
		}
		l.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusNotFound, linkedInError(404, "NOT_FOUND", "Not Found"))
	}
}

func (l *LinkedIn) create(w http.ResponseWriter, r *http.Request) {
	var p LinkedInPost
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		writeJSON(w, http.StatusBadRequest, linkedInError(400, "ILLEGAL_ARGUMENT", err.Error()))
		return
	}
	f, faulty := l.nextFault()
	if faulty && !f.drop {
		serveFault(w, r, f)
		return
	}
	switch {
	case p.Author != l.Author:
		writeJSON(w, http.StatusForbidden, map[string]any{"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
			"message": "Not enough permissions to access: partnerApiPostsExternal.CREATE.20251101 as " + p.Author})
		return
	case p.Content != nil && p.Content.Media != nil && !l.uploaded(p.Content.Media.ID):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": 422, "code": "UNPROCESSABLE_ENTITY",
			"message": "/content/media/id: " + p.Content.Media.ID + " is not an uploaded image"})
		return
	case p.Content != nil && p.Content.Media != nil && p.Content.Article != nil:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": 422, "message": "/content: a post has one of article or media"})
		return
	case len([]rune(p.Commentary)) > 3000:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": 422, "message": "/commentary: length must be less than or equal to 3000"})
		return
	}
	p.ID = fmt.Sprintf("urn:li:share:71000000000000%05d", l.nextID())
	p.CreatedAt = time.Now().UnixMilli()
	l.mu.Lock()
	l.posts = append(l.posts, p)
	l.mu.Unlock()
	if faulty {
		serveFault(w, r, f)
		return
	}
	w.Header().Set("x-restli-id", p.ID)
	w.WriteHeader(http.StatusCreated)
}

func (l *LinkedIn) list(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-RestLi-Method") != "FINDER" || r.URL.Query().Get("author") != l.Author {
		writeJSON(w, http.StatusBadRequest, linkedInError(400, "ILLEGAL_ARGUMENT", "finder by author needs X-RestLi-Method: FINDER and the author's URN"))
		return
	}
	l.mu.Lock()
	out := []LinkedInPost{}
	for i := len(l.posts) - 1; i >= 0 && len(out) < 100; i-- {
		out = append(out, l.posts[i])
	}
	l.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"elements": out, "paging": map[string]int{"start": 0, "count": len(out)}})
}

// initializeUpload is POST /rest/images?action=initializeUpload: it names
// the image and where to PUT its bytes.
func (l *LinkedIn) initializeUpload(w http.ResponseWriter, r *http.Request) {
	var req struct {
		InitializeUploadRequest struct {
			Owner string `json:"owner"`
		} `json:"initializeUploadRequest"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, linkedInError(400, "ILLEGAL_ARGUMENT", err.Error()))
		return
	}
	if req.InitializeUploadRequest.Owner != l.Author {
		writeJSON(w, http.StatusForbidden, map[string]any{"status": 403, "code": "ACCESS_DENIED",
			"message": "Not enough permissions to upload images as " + req.InitializeUploadRequest.Owner})
		return
	}
	n := l.nextID()
	urn := fmt.Sprintf("urn:li:image:C4D10AQ%07d", n)
	l.mu.Lock()
	l.images[urn] = nil
	l.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{
		"uploadUrlExpiresAt": time.Now().Add(24 * time.Hour).UnixMilli(),
		"uploadUrl":          fmt.Sprintf("http://%s/dms-uploads/%s", r.Host, url.PathEscape(urn)),
		"image":              urn}})
}

// receiveImage takes an image's bytes at its upload URL.
func (l *LinkedIn) receiveImage(w http.ResponseWriter, r *http.Request) {
	urn, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/dms-uploads/"))
	data, _ := io.ReadAll(io.LimitReader(r.Body, 36<<20))
	l.mu.Lock()
	_, ok := l.images[urn]
	if ok && len(data) > 0 {
		l.images[urn] = data
	}
	l.mu.Unlock()
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, linkedInError(404, "NOT_FOUND", "no upload for "+urn))
	case len(data) == 0:
		writeJSON(w, http.StatusBadRequest, linkedInError(400, "ILLEGAL_ARGUMENT", "empty upload"))
	default:
		w.WriteHeader(http.StatusCreated)
	}
}

func (l *LinkedIn) uploaded(urn string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.images[urn] != nil
}
