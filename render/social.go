package render

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// socialDrafts writes one post per platform from the title and the
// highlights of the sections, each within the platform's limit and
// always carrying the link to the web update.
func (r *Renderer) socialDrafts(d *document) ([]SocialDraft, error) {
	drafts := make([]SocialDraft, 0, len(Platforms()))
	for _, p := range Platforms() {
		text, err := r.fitSocial(d.socialView(p))
		if err != nil {
			return nil, err
		}
		drafts = append(drafts, SocialDraft{Platform: p, Text: text, Length: Count(p, text), Limit: Limit(p),
			Image: d.image, ImageAlt: d.imageAlt})
	}
	return drafts, nil
}

func (d *document) socialView(platform string) SocialView {
	v := SocialView{
		Platform: platform, Title: d.title, Edition: d.ed.ID, DateText: d.dateText,
		Summary: d.introSummary, URL: d.url, Limit: Limit(platform),
	}
	for _, i := range d.public() {
		s := d.sections[i]
		if s.lead == "" {
			continue
		}
		text := s.lead
		if platform != LinkedIn {
			text = firstSentence(text)
		}
		v.Highlights = append(v.Highlights, Highlight{Heading: s.heading, Text: text})
		if h := hashtag(s.key); h != "" && !slices.Contains(v.Hashtags, h) {
			v.Hashtags = append(v.Hashtags, h)
		}
	}
	v.Stats = append(v.Stats, d.stats...)
	return v
}

// minPartialWords is the fewest words a shortened highlight keeps; less
// reads as a stub.
const minPartialWords = 4

// fitSocial renders the post with as many highlights as fit, then the
// next one shortened if enough of it fits; when even the bare post is too
// long its text is cut, the link kept.
func (r *Renderer) fitSocial(v SocialView) (string, error) {
	limit, all := v.Limit, v.Highlights
	fits := func(s string) bool { return Count(v.Platform, s) <= limit }
	post := func(hs []Highlight) (string, error) {
		v.Highlights = hs
		s, err := r.social.run(v.Platform, v, commonFuncs())
		return withLink(tidyPost(s), v.URL), err
	}
	n := len(all)
	for ; n >= 0; n-- {
		s, err := post(all[:n])
		if err != nil {
			return "", err
		}
		if !fits(s) {
			continue
		}
		if n < len(all) {
			if p, ok := r.partial(post, all[:n], all[n], fits); ok {
				return p, nil
			}
		}
		return s, nil
	}
	bare, err := post(nil)
	if err != nil {
		return "", err
	}
	return cutPost(bare, v.URL, fits)
}

// partial adds next, cut short at a word, to the highlights in hs.
func (r *Renderer) partial(post func([]Highlight) (string, error), hs []Highlight, next Highlight, fits func(string) bool) (string, bool) {
	words := strings.Fields(next.Text)
	var best string
	lo, hi := minPartialWords, len(words)-1
	for lo <= hi { // the largest count of words that fits
		mid := (lo + hi) / 2
		h := next
		h.Text = ellipsis(strings.Join(words[:mid], " "))
		s, err := post(append(hs[:len(hs):len(hs)], h))
		if err == nil && fits(s) {
			best, lo = s, mid+1
		} else {
			hi = mid - 1
		}
	}
	return best, best != ""
}

// cutPost shortens a post whose template text alone is too long: the text
// without the link is cut to fit, then the link follows.
func cutPost(post, url string, fits func(string) bool) (string, error) {
	body := strings.TrimSpace(strings.Replace(post, url, "", 1))
	cut := fitPrefix(body, func(s string) bool { return fits(s + "\n\n" + url) })
	if cut == "" {
		if !fits(url) {
			return "", fmt.Errorf("the web update's URL %s alone is longer than a post may be; use a shorter web base URL", url)
		}
		return url, nil
	}
	return cut + "\n\n" + url, nil
}

// withLink appends the link to a post whose template left it out.
func withLink(post, url string) string {
	if strings.Contains(post, url) {
		return post
	}
	return strings.TrimSpace(post + "\n\n" + url)
}

// tidyPost trims spaces at line ends and keeps at most one blank line in a
// row, so templates can be written readably.
func tidyPost(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return regexp.MustCompile(`\n{3,}`).ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
}
