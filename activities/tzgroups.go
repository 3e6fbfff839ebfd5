package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
)

// TimezoneCRM is a CRM that counts recipients by time zone and reads the
// recipients of some zones only (crmclient.Client implements it; the CRM
// behind it may not, which RecipientTimezones tells).
type TimezoneCRM interface {
	RecipientTimezones(ctx context.Context, segments []string) (crm.TimezonesReply, error)
	RecipientsIn(ctx context.Context, q crm.RecipientQuery, cursor string, limit int) (crm.RecipientsPage, error)
}

// ListSendGroups asks the CRM for the time zones of the edition's
// recipients and groups the zones by the instant the local send time falls
// on in each; zones sharing an instant form one group.
func (a *Activities) ListSendGroups(ctx context.Context, in activitytypes.SendGroupsInput) (activitytypes.SendGroupsResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	var res activitytypes.SendGroupsResult
	local, err := time.Parse(activitytypes.LocalClock, in.Local)
	if err != nil {
		return res, nonRetryable("InvalidInput", fmt.Errorf("time-zone groups of %s: local send time %q: %w", in.NewsletterID, in.Local, err))
	}
	tc, err := a.timezoneCRM()
	if err != nil {
		return res, err
	}
	reply, err := tc.RecipientTimezones(ctx, in.Audience)
	if errors.Is(err, crmclient.ErrTimezonesUnsupported) {
		return res, nonRetryable(activitytypes.ErrTypeNoTimezones, err)
	}
	if err != nil {
		return res, classifyHTTP("list recipient time zones", activitytypes.ErrTypeCRMRejected, err)
	}
	byAt := map[int64]*activitytypes.SendGroup{}
	add := func(at time.Time, tz string, n int, def bool) {
		g, ok := byAt[at.Unix()]
		if !ok {
			g = &activitytypes.SendGroup{At: at.UTC()}
			byAt[at.Unix()] = g
		}
		g.Timezones = append(g.Timezones, tz)
		g.Recipients += n
		g.Default = g.Default || def
	}
	for _, c := range reply.Timezones {
		if c.Count == 0 {
			continue
		}
		if c.Timezone == "" {
			res.NoTimezone += c.Count
			add(in.At, "", c.Count, true)
			continue
		}
		loc, ok := zone(c.Timezone)
		if !ok {
			res.Invalid = append(res.Invalid, c)
			add(in.At, c.Timezone, c.Count, true)
			continue
		}
		at := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0, loc)
		add(at, c.Timezone, c.Count, false)
	}
	for _, g := range byAt {
		slices.Sort(g.Timezones)
		res.Groups = append(res.Groups, *g)
	}
	slices.SortFunc(res.Groups, func(x, y activitytypes.SendGroup) int { return x.At.Compare(y.At) })
	return res, nil
}

// zone loads an IANA time zone by name; "Local" and names that are not
// in the time-zone database are not one.
func zone(name string) (*time.Location, bool) {
	if name == "Local" || strings.TrimSpace(name) != name {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

func (a *Activities) timezoneCRM() (TimezoneCRM, error) {
	tc, ok := a.CRM.(TimezoneCRM)
	if !ok {
		return nil, nonRetryable(activitytypes.ErrTypeNoTimezones, fmt.Errorf("this worker's CRM client cannot read recipients by time zone; turn time-zone send windows off for this edition"))
	}
	return tc, nil
}

// recipients reads one page of the audience, narrowed to timezones when
// they are given.
func (a *Activities) recipients(ctx context.Context, audience, timezones []string, cursor string, limit int) (crm.RecipientsPage, error) {
	switch {
	case timezones == nil:
		return a.CRM.Recipients(ctx, audience, cursor, limit)
	case len(timezones) == 0:
		return crm.RecipientsPage{}, nil // no zone selects nobody, never everyone
	}
	tc, err := a.timezoneCRM()
	if err != nil {
		return crm.RecipientsPage{}, err
	}
	return tc.RecipientsIn(ctx, crm.RecipientQuery{Segments: audience, Timezones: timezones}, cursor, limit)
}

// keyScope is what a send's idempotency keys derive from: the newsletter
// ID, and for one time-zone group its zones too, so the pages of two
// groups never share a key.
func keyScope(in activitytypes.SendInput) string {
	if in.Timezones == nil {
		return in.NewsletterID
	}
	sum := sha256.Sum256([]byte(strings.Join(in.Timezones, "\n")))
	return in.NewsletterID + ":tz:" + hex.EncodeToString(sum[:8])
}
