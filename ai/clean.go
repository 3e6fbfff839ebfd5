package ai

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Model text is never trusted as markup. Clean reduces it to plain text:
// script-like elements are removed with their content, other tags and
// comments are removed, Markdown links keep their text (and their URL when
// it is http or https), and javascript:, vbscript: and data: URLs are
// removed. What remains goes through the same escaping as document text
// wherever it is used (HTML escaping, merge-tag escaping in email), so
// "{{email}}" stays literal text and never reaches a recipient's data.
var (
	dangerousElements = func() []*regexp.Regexp {
		var res []*regexp.Regexp
		for _, tag := range []string{"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript"} {
			res = append(res, regexp.MustCompile(`(?is)<\s*`+tag+`\b.*?(?:<\s*/\s*`+tag+`\s*>|$)`))
		}
		return res
	}()
	htmlComment = regexp.MustCompile(`(?s)<!--.*?(?:-->|$)`)
	htmlTag     = regexp.MustCompile(`</?\s*[a-zA-Z!][^<>]*>`)
	mdLink      = regexp.MustCompile(`!?\[([^\]\n]*)\]\(((?:[^()\n]|\([^()\n]*\))*)\)`)
	badScheme   = regexp.MustCompile(`(?i)\b(?:javascript|vbscript|data|livescript)\s*:[^\s"'<>]*`)
	spaces      = regexp.MustCompile(`[ \t]+`)
	blankLines  = regexp.MustCompile(`\n{3,}`)
)

// Clean returns model text as plain text, keeping line breaks.
func Clean(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t', r == '\r', unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d':
			return -1 // control and invisible format characters (ZWJ stays for emoji)
		}
		return r
	}, s)
	for _, re := range dangerousElements {
		s = re.ReplaceAllString(s, "")
	}
	s = htmlComment.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		text, link := strings.TrimSpace(sub[1]), strings.TrimSpace(sub[2])
		if safeLink(link) && !strings.Contains(text, link) {
			return strings.TrimSpace(text + " " + link)
		}
		return text
	})
	s = htmlTag.ReplaceAllString(s, "")
	s = badScheme.ReplaceAllString(s, "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaces.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// CleanLine is Clean on one line: line breaks become spaces.
func CleanLine(s string) string {
	return strings.Join(strings.Fields(Clean(s)), " ")
}

func safeLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
