package render

import (
	"net/url"
	"strings"
	"unicode"
)

// linkURL returns raw, trimmed, when it is a link readers may follow:
// http, https or mailto. Anything else (javascript:, data:, relative paths)
// returns "" and the link text renders as plain text.
func linkURL(raw string) string { return safeURL(raw, true) }

// imageURL returns raw, trimmed, when it is an http or https URL.
func imageURL(raw string) string { return safeURL(raw, false) }

func safeURL(raw string, mailto bool) string {
	u := strings.TrimSpace(raw)
	if u == "" || strings.IndexFunc(u, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		if p.Host == "" {
			return ""
		}
		return u
	case "mailto":
		if mailto && p.Opaque != "" {
			return u
		}
	}
	return ""
}

// isCommonTLD reports whether tld is a generic top-level domain after
// which X links a bare domain ("example.com") with no scheme. Two-letter
// country domains link only when a path follows ("t.co/abc"), as in
// twitter-text.
func isCommonTLD(tld string) bool {
	switch tld {
	case "com", "net", "org", "info", "biz", "edu", "gov", "app", "dev", "xyz",
		"online", "site", "tech", "store", "blog", "health", "shop", "news":
		return true
	}
	return false
}

// findURLs returns the byte spans of the links in text: every http:// or
// https:// URL, and when bare is set also domains without a scheme as X
// links them.
func findURLs(text string, bare bool) [][2]int {
	var spans [][2]int
	for i := 0; i < len(text); {
		if i > 0 && !urlMayStartAfter(text[i-1]) {
			i++
			continue
		}
		if end := urlAt(text[i:], bare); end > 0 {
			spans = append(spans, [2]int{i, i + end})
			i += end
			continue
		}
		i++
	}
	return spans
}

// urlMayStartAfter reports whether a link may begin right after byte c:
// not inside a word, an address ("a@b.com") or another URL.
func urlMayStartAfter(c byte) bool {
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '@' || c == '.' || c == '/' || c == '-' || c == '_' || c == '#' || c == '$' || c >= 0x80)
}

// urlAt returns the length of the link at the start of s, or 0.
func urlAt(s string, bare bool) int {
	scheme := 0
	if s[0] == 'h' || s[0] == 'H' {
		switch lower := strings.ToLower(s[:min(len(s), 8)]); {
		case strings.HasPrefix(lower, "https://"):
			scheme = len("https://")
		case strings.HasPrefix(lower, "http://"):
			scheme = len("http://")
		}
	}
	if scheme == 0 && !bare {
		return 0
	}
	host := scheme
	for host < len(s) && isHostByte(s[host]) {
		host++
	}
	domain := strings.TrimRight(s[scheme:host], ".-")
	host = scheme + len(domain)
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 {
		return 0
	}
	tld := strings.ToLower(domain[dot+1:])
	end := host + urlTail(s[host:])
	switch {
	case scheme > 0 && (len(tld) < 2 || !isLetters(tld)):
		return 0
	case scheme == 0 && !isCommonTLD(tld) && !(len(tld) == 2 && isLetters(tld) && end > host && s[host] == '/'):
		return 0
	}
	return end
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

func isLetters(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// urlTail returns the length of the port, path, query and fragment at the
// start of s: printable ASCII up to a space, without trailing punctuation
// or an unbalanced closing parenthesis.
func urlTail(s string) int {
	if s == "" || !strings.ContainsRune(":/?#", rune(s[0])) {
		return 0
	}
	n := 0
	for n < len(s) && s[n] > ' ' && s[n] < 0x7F && !strings.ContainsRune(`<>"{}|\^`+"`", rune(s[n])) {
		n++
	}
	for n > 0 {
		c := s[n-1]
		if strings.IndexByte(".,;:!?'*", c) >= 0 ||
			c == ')' && strings.Count(s[:n], "(") < strings.Count(s[:n], ")") {
			n--
			continue
		}
		break
	}
	return n
}
