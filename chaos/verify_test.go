package chaos

import (
	"context"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/workflows"
)

// check is what the delivery log says about one send.
type check struct {
	recipients, rows      int
	lost, duplicated      int
	unexpected, notLogged int
}

// verify waits for the CRM to deliver everything it queued, reads the whole
// delivery log of newsletter id and checks every generated recipient is in
// it exactly once and that the run's own counts match the log. Duplicate
// replies in the run's counts are re-sends the CRM's per-address dedupe
// absorbed; they are counted with the accepted ones.
func (r *rig) verify(id string, res workflows.Result) check {
	t := r.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := r.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	c := check{recipients: r.recipients}
	cursor := ""
	for {
		page, err := r.crmDirect.Deliveries(ctx, id, "", cursor, crm.MaxDeliveriesPage)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Deliveries {
			seen[strings.ToLower(d.Address)]++
			c.rows++
			if d.Status != crm.DeliveryLogged {
				c.notLogged++
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	want := map[string]bool{}
	for _, sc := range crmserver.GenerateContacts(0, r.recipients) {
		want[sc.Email] = true
		switch n := seen[sc.Email]; {
		case n == 0:
			c.lost++
		case n > 1:
			c.duplicated += n - 1
		}
	}
	for addr := range seen {
		if !want[addr] {
			c.unexpected++
		}
	}
	record(c)
	if c.lost != 0 || c.duplicated != 0 || c.unexpected != 0 || c.notLogged != 0 {
		t.Errorf("delivery log of %s: %d lost, %d duplicated, %d unexpected, %d not logged of %d recipients",
			id, c.lost, c.duplicated, c.unexpected, c.notLogged, r.recipients)
	}
	s := res.Send
	if res.Outcome != workflows.OutcomeSent || !s.Done || s.Rejected != 0 || s.Accepted+s.Duplicate != c.rows {
		t.Errorf("run %s: outcome %q, send %+v; want sent, done, accepted+duplicate == %d log rows", id, res.Outcome, s, c.rows)
	}
	t.Logf("%s: %d rows for %d recipients; run counted %d accepted, %d duplicate (re-sends the CRM absorbed)",
		id, c.rows, r.recipients, s.Accepted, s.Duplicate)
	return c
}
