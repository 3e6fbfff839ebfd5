package gdocs

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/credentials"
	"cloud.google.com/go/auth/httptransport"
	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/sources"
)

// authFix tells an operator how to give the worker access.
const authFix = "set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key file and share the document with its client_email"

// loadCredentials reads the service-account key, or detects Application
// Default Credentials when no file is configured. Credentials are built
// here rather than by option.WithAuthCredentialsFile so that tokens come
// from the key's token_uri by the OAuth JWT flow and requests still run over
// Options.HTTPClient's transport. It returns the account's email when known.
func loadCredentials(o Options) (*auth.Credentials, string, error) {
	detect := &credentials.DetectOptions{Scopes: []string{docs.DocumentsReadonlyScope}}
	if o.HTTPClient != nil {
		detect.Client = o.HTTPClient
	}
	if o.CredentialsFile == "" {
		creds, err := credentials.DetectDefault(detect)
		if err != nil {
			return nil, "", fmt.Errorf("google docs credentials: %w: %s: %w", sources.ErrAuth, authFix, err)
		}
		return creds, "", nil
	}
	b, err := os.ReadFile(o.CredentialsFile)
	if err != nil {
		return nil, "", fmt.Errorf("google docs credentials: %w: read %s: %w; %s", sources.ErrAuth, o.CredentialsFile, err, authFix)
	}
	var key struct {
		ClientEmail string `json:"client_email"`
	}
	if err := json.Unmarshal(b, &key); err != nil {
		return nil, "", fmt.Errorf("google docs credentials: %w: %s is not a JSON key file (%w); %s",
			sources.ErrAuth, o.CredentialsFile, err, authFix)
	}
	creds, err := credentials.NewCredentialsFromJSON(credentials.ServiceAccount, b, detect)
	if err != nil {
		return nil, "", fmt.Errorf("google docs credentials: %w: %s is not a usable service-account key (%w); %s",
			sources.ErrAuth, o.CredentialsFile, err, authFix)
	}
	return creds, key.ClientEmail, nil
}

// authClient returns an HTTP client adding the credentials' tokens to
// requests sent through base.
func authClient(creds *auth.Credentials, base http.RoundTripper) (*http.Client, error) {
	client, err := httptransport.NewClient(&httptransport.Options{
		Credentials:      creds,
		BaseRoundTripper: base,
	})
	if err != nil {
		return nil, fmt.Errorf("google docs client: %w", err)
	}
	return client, nil
}
