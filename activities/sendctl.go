package activities

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// TestSubjectPrefix marks test sends.
const TestSubjectPrefix = "[Test] "

// maxUnsentSample caps the addresses a report lists inline.
const maxUnsentSample = 20

// UnsentInput asks who a cancelled send did not reach: the recipients
// from Cursor on (everyone when nothing was sent).
type UnsentInput struct {
	NewsletterID string   `json:"newsletter_id"`
	Edition      string   `json:"edition"`
	Audience     []string `json:"audience,omitempty"`
	Cursor       string   `json:"cursor,omitempty"`
	// Started: some pages were sent, so Cursor is where the rest begins.
	Started bool `json:"started,omitempty"`
	// Groups, for a send by time zone, are the groups not sent in full,
	// each from its own cursor; Cursor and Started are then unused.
	Groups []UnsentGroup `json:"groups,omitempty"`
}

// UnsentGroup is a time-zone group a cancelled send did not finish.
type UnsentGroup struct {
	Timezones []string `json:"timezones"`
	Cursor    string   `json:"cursor,omitempty"`
	Started   bool     `json:"started,omitempty"`
}

// UnsentReport says who a cancelled send did not reach: how many, the
// first few, and the whole list (CSV: email,name; and timezone for a send
// by time zone) in the artifact store.
type UnsentReport struct {
	Count  int           `json:"count"`
	Sample []string      `json:"sample,omitempty"`
	List   *artifact.Ref `json:"list,omitempty"`
	// SentCursor is the page cursor up to which recipients were sent.
	SentCursor string `json:"sent_cursor,omitempty"`
}

// ReportUnsent pages through the recipients a cancelled send did not
// reach and stores their list. Those before the cursor were handed to the
// CRM (its delivery log names them).
func (a *Activities) ReportUnsent(ctx context.Context, in UnsentInput) (UnsentReport, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	rep := UnsentReport{SentCursor: in.Cursor}
	groups, byZone := in.Groups, in.Groups != nil
	if !byZone {
		groups = []UnsentGroup{{Cursor: in.Cursor, Started: in.Started}}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"email", "name"}
	if byZone {
		header = append(header, crm.AttrTimezone)
	}
	_ = w.Write(header)
	for _, g := range groups {
		if g.Started && g.Cursor == "" {
			continue // the last page was sent: nobody is left
		}
		zones := g.Timezones
		if byZone && zones == nil {
			zones = []string{}
		}
		cursor := g.Cursor
		for {
			page, err := a.recipients(ctx, in.Audience, zones, cursor, a.Send.withDefaults().PageSize)
			if err != nil {
				return rep, classifyHTTP("list recipients not sent", ErrTypeCRMRejected, err)
			}
			for _, r := range page.Recipients {
				rep.Count++
				if len(rep.Sample) < maxUnsentSample {
					rep.Sample = append(rep.Sample, r.Email)
				}
				row := []string{r.Email, r.Name}
				if byZone {
					row = append(row, r.Attributes[crm.AttrTimezone])
				}
				_ = w.Write(row)
			}
			activity.RecordHeartbeat(ctx, rep.Count)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
	}
	w.Flush()
	if a.Artifacts != nil && rep.Count > 0 {
		ref, err := a.Artifacts.Put(ctx, in.Edition, "text/csv", buf.Bytes())
		if err != nil {
			return rep, artifactError(err)
		}
		rep.List = &ref
	}
	return rep, nil
}

// TestSendInput sends an edition's rendered variants to test addresses.
type TestSendInput struct {
	// NewsletterID is the test send's own ID at the CRM, never the
	// edition's, so a test send is never deduplicated against the send.
	NewsletterID string        `json:"newsletter_id"`
	Manifest     *artifact.Ref `json:"manifest,omitempty"`
	Variants     []crm.Variant `json:"variants,omitempty"`
	// To holds addresses and names of seed lists (SeedLists).
	To []string `json:"to"`
}

// TestSendResult says who the test went to.
type TestSendResult struct {
	SentTo   []string        `json:"sent_to"`
	Messages int             `json:"messages"`
	Rejected []crm.Rejection `json:"rejected,omitempty"`
}

// ErrTypeUnknownSeedList refuses a test send to a list the worker does
// not know.
const ErrTypeUnknownSeedList = "UnknownSeedList"

// SeedAddresses expands seed-list names in to into their addresses,
// keeping addresses as they are and dropping repeats.
func (a *Activities) SeedAddresses(to []string) ([]string, error) {
	var out []string
	add := func(addr string) {
		addr = strings.ToLower(strings.TrimSpace(addr))
		if addr != "" && !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	for _, t := range to {
		t = strings.TrimSpace(t)
		if strings.Contains(t, "@") {
			add(t)
			continue
		}
		list, ok := a.SeedLists[strings.ToLower(t)]
		if !ok {
			known := make([]string, 0, len(a.SeedLists))
			for k := range a.SeedLists {
				known = append(known, k)
			}
			slices.Sort(known)
			return nil, fmt.Errorf("unknown seed list %q: the worker knows %s; define lists in SEED_LISTS (name=addr|addr;name2=addr)", t, orNoLists(known))
		}
		for _, addr := range list {
			add(addr)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("a test send needs at least one address or seed list")
	}
	return out, nil
}

func orNoLists(names []string) string {
	if len(names) == 0 {
		return "no seed lists"
	}
	return strings.Join(names, ", ")
}

// TestSend sends every rendered variant to each test address, subject
// marked [Test]. Each variant goes under its own newsletter ID
// (NewsletterID-<variant>), so an address gets every variant.
func (a *Activities) TestSend(ctx context.Context, in TestSendInput) (TestSendResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	to, err := a.SeedAddresses(in.To)
	if err != nil {
		return TestSendResult{}, nonRetryable(ErrTypeUnknownSeedList, err)
	}
	if in.Manifest != nil {
		_, vs, err := a.loadEdition(ctx, *in.Manifest)
		if err != nil {
			return TestSendResult{}, err
		}
		in.Variants = vs
	}
	if len(in.Variants) == 0 {
		return TestSendResult{}, nonRetryable(ErrTypeRender, fmt.Errorf("test send %s: the edition has no rendered email", in.NewsletterID))
	}
	var res TestSendResult
	rejected := map[string]bool{}
	for _, v := range in.Variants {
		v.Subject = TestSubjectPrefix + v.Subject
		if len(in.Variants) > 1 {
			v.Subject += " (" + v.ID + ")"
		}
		id := in.NewsletterID + "-" + v.ID
		req := crm.NewsletterRequest{NewsletterID: id, Variants: []crm.Variant{v}}
		for _, addr := range to {
			req.Messages = append(req.Messages, crm.Message{To: addr, Variant: v.ID, Merge: crm.MergeValues(crm.Recipient{Email: addr})})
		}
		resp, err := a.CRM.SendNewsletter(ctx, id+":test", req)
		if err != nil {
			return res, classifyHTTP("test send", ErrTypeCRMRejected, err)
		}
		res.Messages += resp.Accepted + resp.Duplicate
		for _, r := range resp.Rejected {
			rejected[strings.ToLower(r.To)] = true
			res.Rejected = append(res.Rejected, r)
		}
	}
	for _, addr := range to {
		if !rejected[addr] {
			res.SentTo = append(res.SentTo, addr)
		}
	}
	return res, nil
}
