// Package fakes holds hand-written in-memory fakes of the activities'
// dependencies, for workflow and activity tests.
package fakes

import (
	"context"
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/sources"
)

var (
	_ activities.Fetcher  = (*Fetcher)(nil)
	_ activities.CRM      = (*CRM)(nil)
	_ activities.Platform = (*Platform)(nil)
)

// Fetcher serves documents by reference string; each fetch takes the next
// of the documents listed for a reference (the last one repeats), so a
// test can change the document between fetches.
type Fetcher struct {
	mu    sync.Mutex
	Docs  map[string][]content.Document
	Err   error
	calls map[string]int
}

// Fetch implements activities.Fetcher.
func (f *Fetcher) Fetch(_ context.Context, ref sources.Ref) (content.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return content.Document{}, f.Err
	}
	docs := f.Docs[ref.String()]
	if len(docs) == 0 {
		return content.Document{}, fmt.Errorf("fetch %s: %w", ref, sources.ErrNotFound)
	}
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	i := min(f.calls[ref.String()], len(docs)-1)
	f.calls[ref.String()]++
	doc := docs[i]
	doc.Source = ref.String()
	return doc, nil
}

// CRM is an in-memory CRM: a list of recipients, and a delivery log with
// the per-(newsletter, address) dedupe and idempotent replies of the real
// contract.
type CRM struct {
	mu         sync.Mutex
	recipients []crm.Recipient
	// Fail, when set, is called before each send; a non-nil error is
	// returned instead of sending.
	Fail      func(call int, req crm.NewsletterRequest) error
	calls     int
	replies   map[string]crm.NewsletterResponse
	delivered map[string]map[string]int // newsletter → address → times
	Requests  []crm.NewsletterRequest
	Keys      []string
}

// NewCRM returns a CRM holding rs.
func NewCRM(rs ...crm.Recipient) *CRM {
	return &CRM{recipients: rs, replies: map[string]crm.NewsletterResponse{}, delivered: map[string]map[string]int{}}
}

// Recipients implements activities.CRM: cursor is the index of the next
// recipient.
func (c *CRM) Recipients(_ context.Context, segments []string, cursor string, limit int) (crm.RecipientsPage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var match []crm.Recipient
	for _, r := range c.recipients {
		if inAny(r.Segments, segments) {
			match = append(match, r)
		}
	}
	start := 0
	if cursor != "" {
		start, _ = strconv.Atoi(cursor)
	}
	end := min(start+limit, len(match))
	page := crm.RecipientsPage{Recipients: append([]crm.Recipient(nil), match[start:end]...), Total: len(match)}
	if end < len(match) {
		page.NextCursor = strconv.Itoa(end)
	}
	return page, nil
}

func inAny(have, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}

// SendNewsletter implements activities.CRM.
func (c *CRM) SendNewsletter(_ context.Context, key string, req crm.NewsletterRequest) (crm.NewsletterResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.Fail != nil {
		if err := c.Fail(c.calls, req); err != nil {
			return crm.NewsletterResponse{}, err
		}
	}
	if r, ok := c.replies[key]; ok {
		return r, nil
	}
	c.Requests = append(c.Requests, req)
	c.Keys = append(c.Keys, key)
	log := c.delivered[req.NewsletterID]
	if log == nil {
		log = map[string]int{}
		c.delivered[req.NewsletterID] = log
	}
	var resp crm.NewsletterResponse
	for _, m := range req.Messages {
		addr := strings.ToLower(m.To)
		log[addr]++
		if log[addr] > 1 {
			resp.Duplicate++
			continue
		}
		resp.Accepted++
	}
	resp.Rejected = []crm.Rejection{}
	c.replies[key] = resp
	return resp, nil
}

// Delivered returns, for a newsletter, each address and how many times a
// message for it reached the CRM (duplicates included), sorted.
func (c *CRM) Delivered(newsletterID string) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.delivered[newsletterID] {
		out[k] = v
	}
	return out
}

// Newsletters lists newsletter IDs that received messages, sorted.
func (c *CRM) Newsletters() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for id := range c.delivered {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Platform is an in-memory Platform.
type Platform struct {
	mu       sync.Mutex
	Updates  []platform.Update
	StatList []platform.Stat
	StatsErr error
	Fail     func(call int) error
	calls    int
}

// CreateUpdate implements activities.Platform; the same slug returns the
// existing update.
func (p *Platform) CreateUpdate(_ context.Context, _ string, req platform.UpdateRequest) (platform.CreateResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.Fail != nil {
		if err := p.Fail(p.calls); err != nil {
			return platform.CreateResponse{}, err
		}
	}
	for _, u := range p.Updates {
		if u.Slug == req.Slug {
			return platform.CreateResponse{ID: u.ID, Slug: u.Slug, URL: u.URL}, nil
		}
	}
	u := platform.Update{ID: int64(len(p.Updates) + 1), Slug: req.Slug, URL: "https://example.com/updates/" + req.Slug,
		Title: req.Title, Edition: req.Edition, SourceRevision: req.SourceRevision, Sections: req.Sections, BodyHTML: req.BodyHTML}
	p.Updates = append(p.Updates, u)
	return platform.CreateResponse{ID: u.ID, Slug: u.Slug, URL: u.URL}, nil
}

// LatestUpdate implements activities.Platform.
func (p *Platform) LatestUpdate(context.Context) (platform.Update, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.Updates) == 0 {
		return platform.Update{}, false, nil
	}
	return p.Updates[len(p.Updates)-1], true, nil
}

// Stats implements activities.Platform.
func (p *Platform) Stats(context.Context) ([]platform.Stat, error) {
	return p.StatList, p.StatsErr
}

// Published returns a copy of the published updates.
func (p *Platform) Published() []platform.Update {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]platform.Update(nil), p.Updates...)
}

// Resolve returns m as the CRM delivers it: when it names a variant of
// req, that variant's subject, HTML and text with m's merge values (and
// the variant's fallbacks) substituted, HTML-escaped in the HTML part.
func Resolve(req crm.NewsletterRequest, m crm.Message) crm.Message {
	for _, v := range req.Variants {
		if m.Variant == "" || v.ID != m.Variant {
			continue
		}
		lookup := func(f string) (string, bool) { x, ok := m.Merge[f]; return x, ok }
		fallback := func(f string) (string, bool) { x, ok := v.Fallbacks[f]; return x, ok }
		m.Subject = mergetag.Merge(v.Subject, lookup, fallback, nil)
		m.HTML = mergetag.Merge(v.HTML, lookup, fallback, html.EscapeString)
		m.Text = mergetag.Merge(v.Text, lookup, fallback, nil)
	}
	return m
}
