package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

const storeContacts = `email,name,segments,city
a@example.com,Ann A,beta,Oslo
b@example.com,Bob B,pro;investors,
c@example.com,Cy C,,Rome
d@example.com,Di D,beta|pro,
e@example.com,Ed E,investors,Lima
f@example.com,Fay F,other,
`

// The same store tests run on SQLite and on PostgreSQL.
func TestStore(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *Server)
	}{
		{"import upserts and never resubscribes", testImportUpsert},
		{"recipients pages by segment union", testRecipientsPaging},
		{"deliveries dedupe per newsletter and address", testDedupe},
		{"dispatch logs every delivery once", testDispatchLog},
		{"claims exclude one another and release", testClaims},
		{"concurrent overlapping batches", testConcurrentBatches},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					s := newTestServer(t, db, nil)
					if _, err := db.Exec(`DELETE FROM idempotency_keys; DELETE FROM deliveries; DELETE FROM variants;
						DELETE FROM newsletters; DELETE FROM contact_segments; DELETE FROM contacts`); err != nil {
						t.Fatal(err)
					}
					tt.run(t, s)
				})
			}
		})
	}
}

func recipients(t *testing.T, s *Server, segments []string, limit int) []crm.Recipient {
	t.Helper()
	var all []crm.Recipient
	var after int64
	for pages := 0; ; pages++ {
		page, err := s.recipients(context.Background(), segments, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Recipients) > limit || pages > 100 {
			t.Fatalf("page of %d for limit %d (page %d)", len(page.Recipients), limit, pages)
		}
		all = append(all, page.Recipients...)
		if page.NextCursor == "" {
			if page.Total != len(all) {
				t.Errorf("total %d, but pages held %d recipients", page.Total, len(all))
			}
			return all
		}
		if after, _, err = decodeRecipientsCursor(page.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
}

func emails(rs []crm.Recipient) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Email)
	}
	return out
}

func testImportUpsert(t *testing.T, s *Server) {
	if res := importCSV(t, s, storeContacts); res.Imported != 6 || res.Updated != 0 || res.Skipped != 0 {
		t.Fatalf("first import: %+v", res)
	}
	var token string
	if err := s.db.QueryRow(`SELECT unsubscribe_token FROM contacts WHERE email = 'b@example.com'`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unsubscribe(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	res := importCSV(t, s, "email,name,segments,city,plan\nB@example.com,Bob Brown,beta,Kyiv,pro\na@example.com,Ann Ames,pro,,\n")
	if res.Imported != 0 || res.Updated != 2 {
		t.Fatalf("re-import: %+v", res)
	}
	all := recipients(t, s, nil, 100)
	if got := emails(all); slices.Contains(got, "b@example.com") {
		t.Errorf("re-import resubscribed b@example.com: %v", got)
	}
	a := all[0]
	if a.Email != "a@example.com" || a.Name != "Ann Ames" || !slices.Equal(a.Segments, []string{"pro"}) || len(a.Attributes) != 0 {
		t.Errorf("a@example.com not updated: %+v", a)
	}
	if got := emails(recipients(t, s, []string{"beta"}, 10)); !slices.Equal(got, []string{"d@example.com"}) {
		t.Errorf("beta after re-import = %v, want only d (a moved to pro, b unsubscribed)", got)
	}
}

func testRecipientsPaging(t *testing.T, s *Server) {
	importCSV(t, s, storeContacts)
	tests := []struct {
		segments []string
		want     []string
	}{
		{nil, []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com"}},
		{[]string{"beta"}, []string{"a@example.com", "d@example.com"}},
		{[]string{"beta", "investors"}, []string{"a@example.com", "b@example.com", "d@example.com", "e@example.com"}},
		{[]string{"pro", "beta"}, []string{"a@example.com", "b@example.com", "d@example.com"}},
		{[]string{"nobody"}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 1000} {
			got := recipients(t, s, tt.segments, limit)
			if !slices.Equal(emails(got), tt.want) {
				t.Errorf("segments %v limit %d = %v, want %v", tt.segments, limit, emails(got), tt.want)
			}
			for _, r := range got {
				if r.UnsubscribeURL == "" || r.ID == "" {
					t.Errorf("recipient without ID or unsubscribe URL: %+v", r)
				}
			}
		}
	}
	if e := recipients(t, s, []string{"investors"}, 5)[1]; e.Attributes["city"] != "Lima" || e.Name != "Ed E" {
		t.Errorf("e@example.com = %+v", e)
	}
}

// postBatch posts req with key and returns the reply.
func postBatch(t testing.TB, s *Server, key string, req crm.NewsletterRequest) crm.NewsletterResponse {
	t.Helper()
	body, _ := json.Marshal(req)
	rec := call(s.Handler(), http.MethodPost, crm.PathNewsletter, testKey, map[string]string{httpapi.HeaderIdempotencyKey: key}, string(body))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST newsletter: %d %s", rec.Code, rec.Body)
	}
	var resp crm.NewsletterResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

var testVariant = crm.Variant{ID: "v1", Subject: "Hello {{first_name}}", HTML: "<p>Hi {{name}}</p>", Text: "Hi {{name}}"}

func batch(newsletter string, to ...string) crm.NewsletterRequest {
	req := crm.NewsletterRequest{NewsletterID: newsletter, Variants: []crm.Variant{testVariant}}
	for _, addr := range to {
		req.Messages = append(req.Messages, crm.Message{To: addr, Variant: "v1"})
	}
	return req
}

func statuses(r crm.NewsletterResponse) []string {
	var out []string
	for _, m := range r.Results {
		out = append(out, m.Status)
	}
	return out
}

func testDedupe(t *testing.T, s *Server) {
	importCSV(t, s, storeContacts)
	first := postBatch(t, s, "k1", batch("n1", "a@example.com", "b@example.com", "x@example.net"))
	second := postBatch(t, s, "k2", batch("n1", "B@Example.com", "c@example.com", "c@example.com"))
	other := postBatch(t, s, "k3", batch("n2", "a@example.com"))
	acc, dup := crm.StatusAccepted, crm.StatusDuplicate
	if got := statuses(first); !slices.Equal(got, []string{acc, acc, acc}) {
		t.Errorf("first batch = %v", got)
	}
	if got := statuses(second); !slices.Equal(got, []string{dup, acc, dup}) || second.Accepted != 1 || second.Duplicate != 2 {
		t.Errorf("second batch = %v (%+v)", got, second)
	}
	if other.Accepted != 1 {
		t.Errorf("another newsletter to the same address was not accepted: %+v", other)
	}
	counts := rowCounts(t, s.db)
	if counts["deliveries"] != 5 || counts["variants"] != 2 || counts["newsletters"] != 2 {
		t.Errorf("rows = %v, want 5 deliveries, 2 variants (one per newsletter), 2 newsletters", counts)
	}
}

func testDispatchLog(t *testing.T, s *Server) {
	importCSV(t, s, storeContacts)
	var to []string
	for i := range 23 {
		to = append(to, fmt.Sprintf("reader%02d@example.net", i))
	}
	postBatch(t, s, "k1", batch("n1", to[:15]...))
	postBatch(t, s, "k2", batch("n1", to[10:]...))
	flush(t, s)
	counts, rows := allDeliveries(t, s, "n1")
	if counts[crm.DeliveryLogged] != 23 || len(counts) != 1 || len(rows) != 23 {
		t.Fatalf("counts %v, %d rows; want 23 logged", counts, len(rows))
	}
	seen := map[string]bool{}
	for _, d := range rows {
		if seen[d.Address] || d.SMTPMessageID == "" || d.SentAt == nil || d.Attempts != 1 || d.Variant != "v1" {
			t.Errorf("delivery %+v (seen before: %v)", d, seen[d.Address])
		}
		seen[d.Address] = true
	}
}

func testClaims(t *testing.T, s *Server) {
	postBatch(t, s, "k1", batch("n1", "a@example.net", "b@example.net", "c@example.net"))
	ctx := context.Background()
	first, err := s.claim(ctx, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("claim 2: %d, %v", len(first), err)
	}
	second, err := s.claim(ctx, 10)
	if err != nil || len(second) != 1 || second[0].address != "c@example.net" {
		t.Fatalf("second claim got %d jobs, want the one unclaimed (%v)", len(second), err)
	}
	if again, _ := s.claim(ctx, 10); len(again) != 0 {
		t.Fatalf("claimed %d rows already claimed", len(again))
	}
	for _, j := range first {
		j.out = outcome{kind: outRelease}
	}
	if err := s.record(ctx, first); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.claim(ctx, 10); len(back) != 2 {
		t.Fatalf("released rows not claimable again: got %d", len(back))
	}
}

func testConcurrentBatches(t *testing.T, s *Server) {
	addrs := addresses(1000)
	const batches = 4
	replies := make(chan crm.NewsletterResponse, batches)
	errs := make(chan string, batches)
	for i := range batches {
		order := slices.Clone(addrs)
		rand.New(rand.NewPCG(uint64(i), 7)).Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		go func() {
			body, _ := json.Marshal(batch("n1", order...))
			rec := call(s.Handler(), http.MethodPost, crm.PathNewsletter, testKey,
				map[string]string{httpapi.HeaderIdempotencyKey: fmt.Sprint("k", i)}, string(body))
			var resp crm.NewsletterResponse
			if rec.Code != http.StatusAccepted || json.Unmarshal(rec.Body.Bytes(), &resp) != nil {
				errs <- fmt.Sprintf("batch %d: %d %s", i, rec.Code, rec.Body)
				return
			}
			replies <- resp
		}()
	}
	accepted, duplicate := 0, 0
	for range batches {
		select {
		case e := <-errs:
			t.Error(e)
		case r := <-replies:
			accepted += r.Accepted
			duplicate += r.Duplicate
		}
	}
	if accepted != len(addrs) || duplicate != (batches-1)*len(addrs) {
		t.Errorf("accepted %d, duplicate %d; want %d and %d", accepted, duplicate, len(addrs), (batches-1)*len(addrs))
	}
}
