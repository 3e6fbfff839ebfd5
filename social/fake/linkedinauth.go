package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// serveOAuth answers LinkedIn's OAuth 2.0 authorization-code endpoints
// (on www.linkedin.com for the real service) and the OpenID userinfo; it
// reports whether r was one of them. The consent page consents at once,
// as the member would by pressing Allow.
func (l *LinkedIn) serveOAuth(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/oauth/v2/authorization":
		l.authorize(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/v2/accessToken":
		l.exchange(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v2/userinfo":
		l.mu.Lock()
		ok := l.issued[bearer(r)] || bearer(r) == l.Token
		l.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"})
			return true
		}
		sub := "member1"
		if id, ok := strings.CutPrefix(l.Author, "urn:li:person:"); ok {
			sub = id
		}
		writeJSON(w, http.StatusOK, map[string]any{"sub": sub, "name": "Halcytone Editor", "email_verified": true})
	default:
		return false
	}
	return true
}

func (l *LinkedIn) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != l.ClientID || q.Get("redirect_uri") == "" || q.Get("state") == "" {
		http.Error(w, "Bummer, something went wrong: response_type=code, a known client_id, redirect_uri and state are required.", http.StatusBadRequest)
		return
	}
	code := fmt.Sprintf("li-code-%d", l.nextID())
	l.mu.Lock()
	if l.codes == nil {
		l.codes, l.issued = map[string]string{}, map[string]bool{}
	}
	l.codes[code] = q.Get("redirect_uri")
	l.mu.Unlock()
	to, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := to.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	to.RawQuery = v.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (l *LinkedIn) exchange(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("code")
	l.mu.Lock()
	redirect, ok := l.codes[code]
	delete(l.codes, code)
	l.mu.Unlock()
	switch {
	case r.FormValue("grant_type") != "authorization_code":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type must be authorization_code"})
		return
	case r.FormValue("client_id") != l.ClientID || r.FormValue("client_secret") != l.ClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"})
		return
	case !ok || redirect != r.FormValue("redirect_uri"):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired."})
		return
	}
	tok := fmt.Sprintf("li-token-%d", l.nextID())
	l.mu.Lock()
	l.issued[tok] = true
	l.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": 5184000, "scope": "openid,profile,w_member_social", "token_type": "Bearer"})
}
