package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

type mastodonApp struct {
	ClientID, ClientSecret, RedirectURI, Scopes string
}

// serveOAuth answers Mastodon's app registration and OAuth 2.0
// authorization-code endpoints; it reports whether r was one of them.
// The authorize page consents at once, as the account's owner would by
// pressing Authorize.
func (m *Mastodon) serveOAuth(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/apps":
		m.registerApp(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/oauth/authorize":
		m.authorize(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/token":
		m.exchange(w, r)
	default:
		return false
	}
	return true
}

func (m *Mastodon) registerApp(w http.ResponseWriter, r *http.Request) {
	name, redirect, scopes := r.FormValue("client_name"), r.FormValue("redirect_uris"), r.FormValue("scopes")
	if name == "" || redirect == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: Application name can't be blank, Redirect URI can't be blank"})
		return
	}
	n := m.nextID()
	app := mastodonApp{ClientID: fmt.Sprintf("client-%d", n), ClientSecret: fmt.Sprintf("secret-%d", n), RedirectURI: redirect, Scopes: scopes}
	m.mu.Lock()
	if m.apps == nil {
		m.apps, m.codes, m.issued = map[string]mastodonApp{}, map[string]string{}, map[string]bool{}
	}
	m.apps[app.ClientID] = app
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": fmt.Sprint(n), "name": name, "redirect_uri": redirect,
		"client_id": app.ClientID, "client_secret": app.ClientSecret, "scopes": strings.Fields(scopes)})
}

func (m *Mastodon) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m.mu.Lock()
	app, ok := m.apps[q.Get("client_id")]
	m.mu.Unlock()
	switch {
	case !ok:
		http.Error(w, "Client authentication failed due to unknown client", http.StatusUnauthorized)
		return
	case q.Get("redirect_uri") != app.RedirectURI || q.Get("response_type") != "code":
		http.Error(w, "The redirect uri included is not valid.", http.StatusBadRequest)
		return
	}
	code := fmt.Sprintf("code-%d", m.nextID())
	m.mu.Lock()
	m.codes[code] = app.ClientID
	m.mu.Unlock()
	to, _ := url.Parse(app.RedirectURI)
	v := to.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	to.RawQuery = v.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (m *Mastodon) exchange(w http.ResponseWriter, r *http.Request) {
	code, id := r.FormValue("code"), r.FormValue("client_id")
	m.mu.Lock()
	app, ok := m.apps[id]
	owner, known := m.codes[code]
	if known {
		delete(m.codes, code) // a code is good once
	}
	m.mu.Unlock()
	switch {
	case r.FormValue("grant_type") != "authorization_code":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	case !ok || r.FormValue("client_secret") != app.ClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."})
		return
	case !known || owner != id || r.FormValue("redirect_uri") != app.RedirectURI:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
		return
	}
	tok := fmt.Sprintf("mastodon-token-%d", m.nextID())
	m.mu.Lock()
	m.issued[tok] = true
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "scope": app.Scopes, "created_at": 1764460800})
}
