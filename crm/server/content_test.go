package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
)

// TestContentUploadedOnceThenNamed uploads a newsletter's variants once and
// sends batches that only name them; the mail carries the uploaded content
// with each recipient's merge values.
func TestContentUploadedOnceThenNamed(t *testing.T) {
	sink, port := startSink(t)
	s, client, _ := smtpServer(t, port, nil)
	importCSV(t, s, "email,name,segments,city\nann@example.com,Ann Lee,beta,Oslo\nbo@example.com,Bo Jones,beta,\n")
	ctx := context.Background()
	other := mergeVariant
	other.ID, other.Subject = "all", "News for everyone"
	variants := []crm.Variant{mergeVariant, other}

	first, err := client.PutContent(ctx, "2026-W48", variants)
	if err != nil {
		t.Fatal(err)
	}
	if first.Digest != crm.ContentDigest(variants) || strings.Join(first.Variants, ",") != "beta,all" {
		t.Fatalf("put content = %+v", first)
	}
	if again, err := client.PutContent(ctx, "2026-W48", variants); err != nil || again.Digest != first.Digest {
		t.Fatalf("same content again: %+v, %v", again, err)
	}
	// Before anything is queued the content may still change.
	edited := []crm.Variant{mergeVariant, other}
	edited[1].Subject = "News for all of you"
	if _, err := client.PutContent(ctx, "2026-W48", edited); err != nil {
		t.Fatalf("replace before sending: %v", err)
	}

	page, err := client.Recipients(ctx, []string{"beta"}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	req := crm.NewsletterRequest{NewsletterID: "2026-W48"}
	for _, r := range page.Recipients {
		req.Messages = append(req.Messages, crm.Message{To: r.Email, Name: r.Name, Variant: "beta", Merge: crm.MergeValues(r)})
	}
	req.Messages = append(req.Messages, crm.Message{To: "someone@example.net", Variant: "all"})
	resp, err := client.SendNewsletter(ctx, "k1", req)
	if err != nil || resp.Accepted != len(req.Messages) {
		t.Fatalf("batch naming uploaded variants: %+v, %v", resp, err)
	}
	flush(t, s)
	subjects := map[string]string{}
	for _, m := range sink.messages() {
		p := parseMail(t, m.data)
		subjects[m.to[0]] = p.subject
	}
	if subjects["ann@example.com"] != "News for Ann" || subjects["someone@example.net"] != "News for all of you" {
		t.Fatalf("subjects %v: want the uploaded variants, merged", subjects)
	}

	// Sending began: the same digest is still accepted, another is refused.
	if _, err := client.PutContent(ctx, "2026-W48", edited); err != nil {
		t.Fatalf("same digest after sending began: %v", err)
	}
	_, err = client.PutContent(ctx, "2026-W48", variants)
	se, ok := httpapi.AsStatusError(err)
	if !ok || se.StatusCode != http.StatusConflict || se.Detail.Code != crm.CodeContentLocked {
		t.Fatalf("other digest after sending began: %v, want 409 %s", err, crm.CodeContentLocked)
	}
	got, err := client.Content(ctx, "2026-W48")
	if err != nil || got.Digest != crm.ContentDigest(edited) {
		t.Fatalf("content = %+v, %v; want digest %s", got, err, crm.ContentDigest(edited))
	}
}

func TestContentRefusals(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	ok := `{"id":"all","subject":"Hi","html":"<p>hi</p>","text":"hi"}`
	digest := crm.ContentDigest([]crm.Variant{{ID: "all", Subject: "Hi", HTML: "<p>hi</p>", Text: "hi"}})
	cases := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"digest mismatch", "/api/v1/newsletters/n1/content", `{"digest":"sha256:00","variants":[` + ok + `]}`, 400, crm.CodeDigestMismatch},
		{"no variants", "/api/v1/newsletters/n1/content", `{"digest":"` + digest + `","variants":[]}`, 400, "invalid_request"},
		{"no subject", "/api/v1/newsletters/n1/content", `{"digest":"x","variants":[{"id":"all","html":"x"}]}`, 400, "invalid_request"},
		{"unknown field", "/api/v1/newsletters/n1/content", `{"digest":"x","variants":[],"extra":1}`, 400, "unknown_field"},
		{"stored", "/api/v1/newsletters/n1/content", `{"digest":"` + digest + `","variants":[` + ok + `]}`, 201, ""},
		{"again", "/api/v1/newsletters/n1/content", `{"digest":"` + digest + `","variants":[` + ok + `]}`, 200, ""},
	}
	for _, c := range cases {
		rec := call(h, http.MethodPut, c.path, testKey, map[string]string{"Content-Type": "application/json"}, c.body)
		if rec.Code != c.status || (c.code != "" && !strings.Contains(rec.Body.String(), `"code":"`+c.code+`"`)) {
			t.Errorf("%s: %d %s, want %d %s", c.name, rec.Code, rec.Body, c.status, c.code)
		}
	}
	// A batch naming a variant that is neither inline nor uploaded.
	rec := call(h, http.MethodPost, crm.PathNewsletter, testKey, map[string]string{"Idempotency-Key": "k", "Content-Type": "application/json"},
		`{"newsletter_id":"n2","messages":[{"to":"a@example.com","variant":"all"}]}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), crm.CodeUnknownVariant) {
		t.Errorf("unknown variant: %d %s", rec.Code, rec.Body)
	}
}

// TestClientSeesMissingContentEndpoint: a CRM that implements only the
// inline form answers 404, which the client reports as unsupported.
func TestClientSeesMissingContentEndpoint(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/content") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	c := crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: testKey})
	_, err := c.PutContent(context.Background(), "n1", []crm.Variant{mergeVariant})
	if !errors.Is(err, crmclient.ErrContentUnsupported) {
		t.Fatalf("err = %v, want ErrContentUnsupported", err)
	}
}
