package server

import (
	"context"
	"slices"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

// A claim returns each delivery with its contact's state as it is when
// the claim runs, not as it was when the request was accepted: a contact
// who unsubscribed or an address suppressed since is seen, and a subscribed
// contact's unsubscribe token comes along.
func TestClaimReadsContactStateAtClaim(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newTestServer(t, b.open(t), nil)
			ctx := context.Background()
			importCSV(t, s, "email,name\nstays@example.com,Stays\nleaves@example.com,Leaves\nbounces@example.com,Bounces\n")
			req := batch("n1", "stays@example.com", "leaves@example.com", "bounces@example.com", "stranger@example.com")
			req.Messages[0].Merge = map[string]string{"name": "Stays", "attr.city": "Oslo"}
			if resp := postBatch(t, s, "k1", req); resp.Accepted != 4 {
				t.Fatalf("accepted %d, want 4: %+v", resp.Accepted, resp)
			}
			tokens := map[string]string{}
			rows, err := s.db.Query(`SELECT email, unsubscribe_token FROM contacts`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var email, token string
				if err := rows.Scan(&email, &token); err != nil {
					t.Fatal(err)
				}
				tokens[email] = token
			}
			rows.Close()
			if _, err := s.Unsubscribe(ctx, tokens["leaves@example.com"]); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.Exec(`INSERT INTO suppressions (address, reason, detail, newsletter_id, created_at) VALUES ($1, 'hard_bounce', '', '', 0)`,
				"bounces@example.com"); err != nil {
				t.Fatal(err)
			}

			jobs, err := s.claim(ctx, 10)
			if err != nil || len(jobs) != 4 {
				t.Fatalf("claimed %d, %v; want 4", len(jobs), err)
			}
			if !slices.IsSortedFunc(jobs, func(a, b *job) int { return int(a.id - b.id) }) {
				t.Error("claimed deliveries are not in queue order")
			}
			byAddr := map[string]*job{}
			for _, j := range jobs {
				byAddr[j.address] = j
				if j.newsletterID != "n1" || j.tag != newsletterTag("n1") || !j.variantKey.Valid || j.leaseUntil.IsZero() {
					t.Errorf("%s: newsletter %q tag %q variant %v lease %v", j.address, j.newsletterID, j.tag, j.variantKey, j.leaseUntil)
				}
			}
			stays := byAddr["stays@example.com"]
			if stays.unsubscribed || stays.suppressed != "" || stays.token.String != tokens["stays@example.com"] || !stays.token.Valid {
				t.Errorf("subscribed contact: unsubscribed %t suppressed %q token %v, want its token %q", stays.unsubscribed, stays.suppressed, stays.token, tokens["stays@example.com"])
			}
			if stays.merge["name"] != "Stays" || stays.merge["attr.city"] != "Oslo" {
				t.Errorf("merge values %v", stays.merge)
			}
			if j := byAddr["leaves@example.com"]; !j.unsubscribed {
				t.Error("a contact who unsubscribed after the request was accepted is not seen as unsubscribed")
			}
			if j := byAddr["bounces@example.com"]; j.suppressed != "hard_bounce" || j.unsubscribed {
				t.Errorf("address suppressed after acceptance: suppressed %q unsubscribed %t, want hard_bounce", j.suppressed, j.unsubscribed)
			}
			if j := byAddr["stranger@example.com"]; j.token.Valid || j.unsubscribed || j.suppressed != "" {
				t.Errorf("address without a contact: token %v unsubscribed %t suppressed %q", j.token, j.unsubscribed, j.suppressed)
			}

			// Delivered, the two are failed with their reasons and the
			// others logged.
			for _, j := range jobs {
				_ = s.deliver(ctx, j, nil)
			}
			if err := s.record(ctx, jobs); err != nil {
				t.Fatal(err)
			}
			counts, _ := allDeliveries(t, s, "n1")
			if counts[crm.DeliveryLogged] != 2 || counts[crm.DeliveryFailed] != 2 {
				t.Errorf("delivery log counts %v, want 2 logged and 2 failed", counts)
			}
		})
	}
}
