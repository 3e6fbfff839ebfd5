package gdocs

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const testToken = "ya29.c.fake-access-token"

// testKey is generated once: RSA key generation is slow.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// reply is one scripted answer of a fake endpoint.
type reply struct {
	status int
	file   string // under testdata/
	header http.Header
}

// fakeGoogle is an OAuth token endpoint and a Docs API endpoint on one
// loopback server.
type fakeGoogle struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	docs   []reply // scripted answers to documents.get, before the fixtures
	tokens []reply // scripted answers to the token endpoint
	// seen counts requests by path.
	seen map[string]int
	// revisions overrides a document's revisionId in partial responses
	// ("" as for an account without edit access).
	revisions map[string]string
}

func newFakeGoogle(t *testing.T) *fakeGoogle {
	f := &fakeGoogle{t: t, seen: map[string]int{}, revisions: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /v1/documents/{id}", f.document)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGoogle) next(queue *[]reply) (reply, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(*queue) == 0 {
		return reply{}, false
	}
	r := (*queue)[0]
	*queue = (*queue)[1:]
	return r, true
}

func (f *fakeGoogle) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[path]
}

func (f *fakeGoogle) serve(w http.ResponseWriter, r reply) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(r.status)
	b, err := os.ReadFile(filepath.Join("testdata", r.file))
	if err != nil {
		f.t.Errorf("fake google: %v", err)
	}
	_, _ = w.Write(b)
}

// token checks the JWT-bearer grant a service account sends, signed with
// testKey, and answers like oauth2.googleapis.com/token.
func (f *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen[r.URL.Path]++
	f.mu.Unlock()
	if rep, ok := f.next(&f.tokens); ok {
		f.serve(w, rep)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		f.serve(w, reply{status: http.StatusBadRequest, file: "errors/invalid_grant.json"})
		return
	}
	claims, ok := verifyJWT(r.PostForm.Get("assertion"))
	if !ok {
		f.serve(w, reply{status: http.StatusBadRequest, file: "errors/invalid_grant.json"})
		return
	}
	if claims["scope"] != "https://www.googleapis.com/auth/documents.readonly" || claims["aud"] != f.srv.URL+"/token" ||
		claims["iss"] != "newsletter@halcytone-content.iam.gserviceaccount.com" {
		f.t.Errorf("token request claims %v: want the documents.readonly scope, the token_uri audience and the key's email", claims)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": testToken, "expires_in": 3599, "token_type": "Bearer"})
}

func verifyJWT(assertion string) (map[string]any, bool) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&testKey().PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	return claims, json.Unmarshal(payload, &claims) == nil
}

// document answers documents.get from testdata/<fixture>.json, where the
// fixture is named by the documentId it holds.
func (f *fakeGoogle) document(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen[r.URL.Path]++
	f.mu.Unlock()
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		f.t.Errorf("documents.get Authorization = %q, want the token from the token endpoint", got)
	}
	q := r.URL.Query()
	fields := q.Get("fields")
	if fields == "" && (q.Get("includeTabsContent") != "true" || q.Get("suggestionsViewMode") != "PREVIEW_WITHOUT_SUGGESTIONS") {
		f.t.Errorf("documents.get query %v: want includeTabsContent=true and suggestionsViewMode=PREVIEW_WITHOUT_SUGGESTIONS", q)
	}
	if rep, ok := f.next(&f.docs); ok {
		f.serve(w, rep)
		return
	}
	if fields != "" {
		f.partial(w, r.PathValue("id"), fields)
		return
	}
	fixture, ok := map[string]string{
		"1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE":  "weekly.json",
		"1LegacyBodyOnlyDoc_aB3cD5eF7gH9iJ1kL3mN5oP": "legacy.json",
	}[r.PathValue("id")]
	if !ok {
		f.serve(w, reply{status: http.StatusNotFound, file: "errors/not_found.json"})
		return
	}
	f.serve(w, reply{status: http.StatusOK, file: fixture})
}

// serviceAccountFile writes a service-account key file whose token_uri is
// the fake's token endpoint, signed by key.
func (f *fakeGoogle) serviceAccountFile(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  "halcytone-content",
		"private_key_id":              "3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                "newsletter@halcytone-content.iam.gserviceaccount.com",
		"client_id":                   "109876543210987654321",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   f.srv.URL + "/token",
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"client_x509_cert_url":        "https://www.googleapis.com/robot/v1/metadata/x509/newsletter%40halcytone-content.iam.gserviceaccount.com",
		"universe_domain":             "googleapis.com",
	}, "", "  ")
	path := filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// options returns Options for a Source talking to the fake.
func (f *fakeGoogle) options(t *testing.T) Options {
	return Options{CredentialsFile: f.serviceAccountFile(t, testKey()), Endpoint: f.srv.URL}
}

// partial answers documents.get?fields=…, as Google's partial responses
// do: only the named top-level fields of the document, those it has.
func (f *fakeGoogle) partial(w http.ResponseWriter, id, fields string) {
	f.mu.Lock()
	rev, ok := f.revisions[id]
	f.mu.Unlock()
	var doc map[string]any
	if ok {
		doc = map[string]any{"documentId": id, "revisionId": rev}
	} else {
		fixture, known := map[string]string{
			"1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE":  "weekly.json",
			"1LegacyBodyOnlyDoc_aB3cD5eF7gH9iJ1kL3mN5oP": "legacy.json",
		}[id]
		if !known {
			f.serve(w, reply{status: http.StatusNotFound, file: "errors/not_found.json"})
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", fixture))
		if err != nil || json.Unmarshal(b, &doc) != nil {
			f.t.Fatalf("fixture %s: %v", fixture, err)
		}
	}
	out := map[string]any{}
	for _, name := range strings.Split(fields, ",") {
		if v, ok := doc[strings.TrimSpace(name)]; ok && v != "" {
			out[strings.TrimSpace(name)] = v
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(out)
}
