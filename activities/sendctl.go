package activities

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// TestSubjectPrefix marks test sends.
const TestSubjectPrefix = "[Test] "

// maxUnsentSample caps the addresses a report lists inline.
const maxUnsentSample = 20

// ReportUnsent pages through the recipients a cancelled send did not
// reach and stores their list. Those before the cursor were handed to the
// CRM (its delivery log names them).
func (a *Activities) ReportUnsent(ctx context.Context, in activitytypes.UnsentInput) (activitytypes.UnsentReport, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	rep := activitytypes.UnsentReport{SentCursor: in.Cursor}
	groups, byZone := in.Groups, in.Groups != nil
	if !byZone {
		groups = []activitytypes.UnsentGroup{{Cursor: in.Cursor, Started: in.Started}}
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
				return rep, classifyHTTP("list recipients not sent", activitytypes.ErrTypeCRMRejected, err)
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
func (a *Activities) TestSend(ctx context.Context, in activitytypes.TestSendInput) (activitytypes.TestSendResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	to, err := a.SeedAddresses(in.To)
	if err != nil {
		return activitytypes.TestSendResult{}, nonRetryable(activitytypes.ErrTypeUnknownSeedList, err)
	}
	if in.Manifest != nil {
		_, vs, err := a.loadEdition(ctx, *in.Manifest)
		if err != nil {
			return activitytypes.TestSendResult{}, err
		}
		in.Variants = vs
	}
	if len(in.Variants) == 0 {
		return activitytypes.TestSendResult{}, nonRetryable(activitytypes.ErrTypeRender, fmt.Errorf("test send %s: the edition has no rendered email", in.NewsletterID))
	}
	var res activitytypes.TestSendResult
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
			return res, classifyHTTP("test send", activitytypes.ErrTypeCRMRejected, err)
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
