package server

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// AttrSection marks the element holding one section of an edition; the
// renderer sets it to the section's category. Links inside it are counted
// for that section. The CRM removes it from what it sends.
const AttrSection = "data-section"

// Merge fields the CRM fills itself when tracking: the recipient part of a
// link token and the send time of an open pixel. They are not ordinary
// merge values: a message's own merge values cannot set them.
const (
	fieldTrackRecipient = "_hcg.track.recipient"
	fieldTrackSent      = "_hcg.track.sent"
)

// foundLink is a link of a variant's HTML that tracking rewrites.
type foundLink struct {
	url, category string
}

// rewriteHTML scans src for the links tracking rewrites: <a href> with an
// absolute http(s) URL and no merge tag (so never the unsubscribe link, nor
// mailto: or tel:), each with the category of the section it is in. It
// returns src with every section marker removed and, when href is not nil,
// the n-th link's href replaced by href(n); nothing else changes byte for
// byte. sections are the categories of the sections, in order, once each.
func rewriteHTML(src, unsubscribePrefix string, href func(n int) string) (out string, links []foundLink, sections []string) {
	type open struct {
		tag      string
		depth    int
		category string
	}
	var stack []open
	var b strings.Builder
	b.Grow(len(src) + len(src)/8)
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			b.Write(z.Raw())
			continue
		}
		// Reading attributes may unescape them in the tokenizer's buffer.
		raw := string(z.Raw())
		name, hasAttr := z.TagName()
		if n := len(stack); n > 0 && string(name) == stack[n-1].tag {
			switch {
			case tt == html.StartTagToken && !hasAttr:
				stack[n-1].depth++
			case tt == html.EndTagToken:
				if stack[n-1].depth--; stack[n-1].depth == 0 {
					stack = stack[:n-1]
				}
			}
		}
		if !hasAttr || tt == html.EndTagToken {
			b.WriteString(raw)
			continue
		}
		tok := html.Token{Type: tt, Data: string(name)}
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			tok.Attr = append(tok.Attr, html.Attribute{Key: string(k), Val: string(v)})
		}
		changed, pushed := false, false
		for i := 0; i < len(tok.Attr); i++ {
			if tok.Attr[i].Key != AttrSection {
				continue
			}
			if tt == html.StartTagToken && !pushed {
				category := strings.TrimSpace(tok.Attr[i].Val)
				stack = append(stack, open{tag: tok.Data, depth: 1, category: category})
				pushed = true
				if category != "" && !slices.Contains(sections, category) {
					sections = append(sections, category)
				}
			}
			tok.Attr = append(tok.Attr[:i], tok.Attr[i+1:]...)
			i--
			changed = true
		}
		if n := len(stack); n > 0 && !pushed && tt == html.StartTagToken && tok.Data == stack[n-1].tag {
			stack[n-1].depth++
		}
		if tok.Data == "a" {
			for i := range tok.Attr {
				a := &tok.Attr[i]
				if a.Key != "href" || !trackable(a.Val, unsubscribePrefix) {
					continue
				}
				l := foundLink{url: strings.TrimSpace(a.Val)}
				if len(stack) > 0 {
					l.category = stack[len(stack)-1].category
				}
				if href != nil {
					a.Val = href(len(links))
					changed = true
				}
				links = append(links, l)
				break
			}
		}
		if changed {
			b.WriteString(tok.String())
		} else {
			b.WriteString(raw)
		}
	}
	return b.String(), links, sections
}

// trackable reports whether a link may be rewritten: an absolute http or
// https URL with a host, no merge tag, and not this CRM's unsubscribe page.
func trackable(v, unsubscribePrefix string) bool {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "{{") || len(v) > 4096 {
		return false
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return unsubscribePrefix == "" || !strings.HasPrefix(v, unsubscribePrefix)
}

// trackVariant returns a variant's HTML and text as they are sent:
// section markers removed and, when tracking is on, links rewritten to
// this CRM's /r/ endpoint (with a recipient slot in individual mode), the
// same URLs in the text part rewritten to the same tracked links, and the
// open pixel added. Links are registered once per variant; this runs once
// per variant per process (prepared bodies are cached).
func (s *Server) trackVariant(ctx context.Context, newsletterID, variantKey, html, text string) (string, string, error) {
	if !s.cfg.Tracking.on() {
		if !strings.Contains(html, AttrSection) {
			return html, text, nil
		}
		out, _, _ := rewriteHTML(html, "", nil)
		return out, text, nil
	}
	unsub := s.cfg.PublicURL + "/unsubscribe"
	_, found, sections := rewriteHTML(html, unsub, nil)
	ids, err := s.registerLinks(ctx, newsletterID, variantKey, found)
	if err != nil {
		return "", "", err
	}
	if err := s.registerSections(ctx, newsletterID, sections); err != nil {
		return "", "", err
	}
	suffix, pixelSuffix := "", ""
	if s.cfg.Tracking.Mode == TrackingIndividual {
		// Links that name the recipient end with the send time too, so a
		// click within seconds of it is known for a link scanner's. In
		// aggregate mode every recipient of a variant gets the same links.
		pixelSuffix = "." + mergetag.Tag(fieldTrackRecipient)
		suffix = pixelSuffix + "." + mergetag.Tag(fieldTrackSent)
	}
	tracked := func(n int) string {
		return s.cfg.PublicURL + PathClick + linkToken(s.signer, newsletterID, variantKey, ids[n]) + suffix
	}
	out, _, _ := rewriteHTML(html, unsub, tracked)
	byURL := make(map[string]string, len(found))
	for i, l := range found {
		if _, ok := byURL[l.url]; !ok {
			byURL[l.url] = tracked(i)
		}
	}
	text = rewriteText(text, byURL)
	if s.cfg.Tracking.Opens {
		pixel := `<img src="` + s.cfg.PublicURL + PathOpen + linkToken(s.signer, newsletterID, variantKey, ids[-1]) + pixelSuffix +
			"/" + mergetag.Tag(fieldTrackSent) + `" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;">`
		if i := strings.LastIndex(strings.ToLower(out), "</body>"); i >= 0 {
			out = out[:i] + pixel + out[i:]
		} else {
			out += pixel
		}
	}
	return out, text, nil
}

// rewriteText replaces every URL of the plain text that is a key of
// tracked by its value. A URL ends at white space, a quote, a bracket or
// an angle bracket; trailing punctuation is not part of it.
func rewriteText(text string, tracked map[string]string) string {
	if len(tracked) == 0 || !strings.Contains(text, "http") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "http")
		if i < 0 {
			break
		}
		if !strings.HasPrefix(text[i:], "http://") && !strings.HasPrefix(text[i:], "https://") {
			b.WriteString(text[:i+4])
			text = text[i+4:]
			continue
		}
		end := i + strings.IndexFunc(text[i:], func(r rune) bool {
			return r <= ' ' || strings.ContainsRune(`"'<>()[]{}`, r)
		})
		if end < i {
			end = len(text)
		}
		u := strings.TrimRight(text[i:end], ".,;:!?")
		b.WriteString(text[:i])
		if t, ok := tracked[u]; ok {
			b.WriteString(t)
		} else {
			b.WriteString(u)
		}
		text = text[i+len(u):]
	}
	b.WriteString(text)
	return b.String()
}

// registerLinks records a variant's links (and, with opens, its pixel as
// position -1) and returns their IDs by position. Registering again is
// harmless: positions are unique per variant.
func (s *Server) registerLinks(ctx context.Context, newsletterID, variantKey string, found []foundLink) (map[int]int64, error) {
	type row struct {
		pos           int
		url, category string
	}
	rows := make([]row, 0, len(found)+1)
	if s.cfg.Tracking.Opens {
		rows = append(rows, row{pos: -1})
	}
	for i, l := range found {
		rows = append(rows, row{pos: i, url: l.url, category: l.category})
	}
	now := nowMillis()
	const cols = 6
	for start := 0; start < len(rows); start += insertChunk {
		chunk := rows[start:min(start+insertChunk, len(rows))]
		args := make([]any, 0, len(chunk)*cols)
		for _, r := range chunk {
			args = append(args, newsletterID, variantKey, r.pos, r.url, r.category, now)
		}
		_, err := s.db.ExecContext(ctx, `INSERT INTO links (newsletter_id, variant_key, position, url, category, created_at) VALUES `+
			valueRows(s.db.Dialect, len(chunk), cols)+` ON CONFLICT (variant_key, position) DO NOTHING`, args...)
		if err != nil {
			return nil, fmt.Errorf("register links of variant %s: %w", variantKey, err)
		}
	}
	ids := make(map[int]int64, len(rows))
	err := s.scanRows(ctx, `SELECT position, id FROM links WHERE variant_key = $1`, []any{variantKey}, func(r *sql.Rows) error {
		var pos int
		var id int64
		if err := r.Scan(&pos, &id); err != nil {
			return err
		}
		ids[pos] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read links of variant %s: %w", variantKey, err)
	}
	for _, r := range rows {
		if ids[r.pos] == 0 {
			return nil, fmt.Errorf("link %d of variant %s was not registered", r.pos, variantKey)
		}
	}
	return ids, nil
}

// registerSections records the sections of a newsletter's variant; the
// first variant to name a section sets its place.
func (s *Server) registerSections(ctx context.Context, newsletterID string, sections []string) error {
	if len(sections) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(sections))
	for i, c := range sections {
		args = append(args, newsletterID, c, i)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO newsletter_sections (newsletter_id, category, position) VALUES `+
		valueRows(s.db.Dialect, len(sections), 3)+` ON CONFLICT (newsletter_id, category) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("register sections of newsletter %s: %w", newsletterID, err)
	}
	return nil
}
