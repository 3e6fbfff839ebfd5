package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
)

const tzContacts = `email,name,segments,timezone
lon1@example.com,L1,beta,Europe/London
lon2@example.com,L2,,Europe/London
ny@example.com,NY,beta,America/New_York
tok@example.com,TK,,Asia/Tokyo
none@example.com,NO,beta,
bad@example.com,BD,,Mars/Olympus
`

// The time zones of recipients are counted as stored, and the recipients
// query narrows to a union of zones, "" meaning none; on both databases,
// through the client.
func TestRecipientTimezones(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			s := newTestServer(t, db, nil)
			if _, err := db.Exec(`DELETE FROM idempotency_keys; DELETE FROM deliveries; DELETE FROM variants;
				DELETE FROM newsletters; DELETE FROM contact_segments; DELETE FROM contacts`); err != nil {
				t.Fatal(err)
			}
			importCSV(t, s, tzContacts)
			ts := httptest.NewServer(s.Handler())
			t.Cleanup(ts.Close)
			c := crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: testKey})
			ctx := context.Background()
			reply, err := c.RecipientTimezones(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []crm.TimezoneCount{{Timezone: "", Count: 1}, {Timezone: "America/New_York", Count: 1}, {Timezone: "Asia/Tokyo", Count: 1},
				{Timezone: "Europe/London", Count: 2}, {Timezone: "Mars/Olympus", Count: 1}}
			if !slices.Equal(reply.Timezones, want) || reply.Total != 6 {
				t.Errorf("time zones %+v total %d, want %+v total 6", reply.Timezones, reply.Total, want)
			}
			beta, err := c.RecipientTimezones(ctx, []string{"beta"})
			if err != nil || beta.Total != 3 || len(beta.Timezones) != 3 {
				t.Errorf("beta time zones %+v, %v; want 3 zones of 3", beta, err)
			}
			emailsIn := func(q crm.RecipientQuery) []string {
				t.Helper()
				var out []string
				cursor := ""
				for {
					page, err := c.RecipientsIn(ctx, q, cursor, 1)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page.Recipients {
						out = append(out, r.Email)
					}
					if cursor = page.NextCursor; cursor == "" {
						slices.Sort(out)
						return out
					}
				}
			}
			for _, tt := range []struct {
				q    crm.RecipientQuery
				want string
			}{
				{crm.RecipientQuery{Timezones: []string{"Europe/London"}}, "lon1 lon2"},
				{crm.RecipientQuery{Timezones: []string{"", "Mars/Olympus", "Asia/Tokyo"}}, "bad none tok"},
				{crm.RecipientQuery{Segments: []string{"beta"}, Timezones: []string{"Europe/London", ""}}, "lon1 none"},
				{crm.RecipientQuery{Timezones: []string{"Europe/Paris"}}, ""},
			} {
				got := strings.Join(emailsIn(tt.q), " ")
				got = strings.ReplaceAll(got, "@example.com", "")
				if got != tt.want {
					t.Errorf("recipients of %+v: %q, want %q", tt.q, got, tt.want)
				}
			}
		})
	}
}

// A CRM without the time-zone endpoint is told apart, so a sender refuses
// time-zone windows instead of sending everyone with each group.
func TestClientSeesMissingTimezones(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == crm.PathRecipientTimezones {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	c := crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: testKey})
	if _, err := c.RecipientTimezones(context.Background(), nil); !errors.Is(err, crmclient.ErrTimezonesUnsupported) {
		t.Fatalf("err = %v, want ErrTimezonesUnsupported", err)
	}
	rec := call(h, http.MethodGet, crm.PathRecipientTimezones+"?city=Oslo", testKey, nil, "")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "unknown parameter") {
		t.Errorf("unknown parameter: %d %s", rec.Code, rec.Body)
	}
}
