package activities_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// recordingCRM is the real CRM client, keeping the variants it sent.
type recordingCRM struct {
	*crmclient.Client
	sent []crm.Variant
}

func (r *recordingCRM) PutContentStream(ctx context.Context, newsletterID, digest string, n int, next func(int, io.Writer) error) (crm.ContentResponse, error) {
	var body bytes.Buffer
	if err := crm.WriteContentRequest(&body, digest, n, next); err != nil {
		return crm.ContentResponse{}, err
	}
	var req crm.ContentRequest
	if err := json.Unmarshal(body.Bytes(), &req); err != nil {
		return crm.ContentResponse{}, err
	}
	r.sent = append(r.sent, req.Variants...)
	return r.Client.PutContent(ctx, newsletterID, req.Variants)
}

func (r *recordingCRM) SendNewsletter(ctx context.Context, key string, req crm.NewsletterRequest) (crm.NewsletterResponse, error) {
	r.sent = append(r.sent, req.Variants...)
	return r.Client.SendNewsletter(ctx, key, req)
}

// referenceCRM serves the reference CRM, signing with dkim when set.
func referenceCRM(t *testing.T, from string, dkim *crmserver.DKIMConfig) *recordingCRM {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := crmserver.New(crmserver.Config{DB: db, Keys: httpapi.NewKeys("k"), From: from, DKIM: dkim,
		Delivery: crmserver.DeliveryConfig{Mode: crmserver.ModeLog}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &recordingCRM{Client: crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: "k", Timeout: 10 * time.Second})}
}

func ed25519KeyFile(t *testing.T) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The proof warns when the CRM signs nothing with DKIM, or signs for a
// domain DMARC will not align with the sender's; the CRM says so through
// GET /api/v1/sender, which carries no key.
func TestProofWarnsAboutDKIM(t *testing.T) {
	key := ed25519KeyFile(t)
	cases := []struct {
		name string
		dkim *crmserver.DKIMConfig
		want string
	}{
		{"no key", nil, "signs no email with DKIM for example.com"},
		{"other domain", &crmserver.DKIMConfig{Domain: "mailer.net", Selector: "s1", KeyFile: key}, "not aligned with the sender domain example.com"},
		{"aligned", &crmserver.DKIMConfig{Domain: "example.com", Selector: "s1", KeyFile: key}, ""},
		{"subdomain", &crmserver.DKIMConfig{Domain: "news.example.com", Selector: "s1", KeyFile: key}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := referenceCRM(t, "Halcytone <news@example.com>", tc.dkim)
			acts := &activities.Activities{CRM: c}
			in := activitytypes.ProofInput{NewsletterID: "newsletter-2026-W49-proof-0", Approvers: []string{"ana@example.com"},
				Email:    crm.Variant{ID: "all", Subject: "Weekly", HTML: "<html><body><p>Edition</p></body></html>", Text: "Edition"},
				Warnings: []string{"Gmail clips this email"}}
			var res activitytypes.ProofResult
			if err := runActivity(t, acts, acts.SendProof, in, &res); err != nil {
				t.Fatal(err)
			}
			if len(c.sent) != 1 || len(res.SentTo) != 1 {
				t.Fatalf("%d variants sent, proof to %v", len(c.sent), res.SentTo)
			}
			v := c.sent[0]
			if !strings.Contains(v.Text, "Gmail clips this email") {
				t.Errorf("the run's own warning is missing:\n%s", v.Text)
			}
			for _, part := range []string{v.Text, v.HTML} {
				if got := strings.Contains(part, "DKIM"); got != (tc.want != "") || tc.want != "" && !strings.Contains(part, tc.want) {
					t.Errorf("proof part:\n%s\nwant a DKIM warning %q", part, tc.want)
				}
			}
		})
	}
}
