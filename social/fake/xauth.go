package fake

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
)

// xGrant is an authorisation code waiting for its exchange.
type xGrant struct {
	redirect, challenge string
}

// authorize is X's consent page, GET /i/oauth2/authorize (on x.com for
// the real service): it consents at once, as the user would, and
// redirects with a code bound to the PKCE challenge.
func (x *X) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("client_id") != x.ClientID:
		http.Error(w, "Something went wrong: the app is not known.", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("redirect_uri") == "" || q.Get("state") == "":
		http.Error(w, "Something went wrong: response_type=code, redirect_uri and state are required.", http.StatusBadRequest)
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		http.Error(w, "Something went wrong: a PKCE code_challenge with code_challenge_method=S256 is required.", http.StatusBadRequest)
		return
	}
	code := fmt.Sprintf("x-code-%d", x.nextID())
	x.mu.Lock()
	if x.grants == nil {
		x.grants = map[string]xGrant{}
	}
	x.grants[code] = xGrant{redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
	x.mu.Unlock()
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

// exchangeCode is the token endpoint's authorization_code grant: the code
// is good once, for its redirect URI and the verifier of its challenge.
func (x *X) exchangeCode(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("code")
	x.mu.Lock()
	g, ok := x.grants[code]
	delete(x.grants, code)
	x.mu.Unlock()
	sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
	switch {
	case !ok || g.redirect != r.FormValue("redirect_uri"):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Value passed for the code verifier did not match the code challenge."})
		return
	}
	x.issue(w)
}
