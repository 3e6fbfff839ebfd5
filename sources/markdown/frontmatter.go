package markdown

import (
	"bytes"
	"fmt"
	"strings"
)

// frontMatter is what a leading "---" block said.
type frontMatter struct {
	size     int // bytes of src the block takes, 0 without one
	title    string
	warnings []string
}

// readFrontMatter reads a leading block of "key: value" lines between
// "---" lines. Only title is used; nested YAML is not parsed. Text that is
// not key: value lines is not front matter but Markdown (a thematic break).
func readFrontMatter(src []byte) frontMatter {
	first, rest, ok := cutLine(src)
	if !ok || strings.TrimRight(first, " \t") != "---" {
		return frontMatter{}
	}
	var fm frontMatter
	consumed := len(src) - len(rest)
	for len(rest) > 0 {
		line, next, _ := cutLine(rest)
		consumed += len(rest) - len(next)
		rest = next
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "---" || trimmed == "...":
			fm.size = consumed
			return fm
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case line[0] == ' ' || line[0] == '\t' || strings.HasPrefix(trimmed, "- "):
			// a nested value of the previous key
		default:
			key, value, ok := strings.Cut(trimmed, ":")
			key = strings.TrimSpace(key)
			if !ok || key == "" || strings.ContainsAny(key, " \t") {
				return frontMatter{}
			}
			if strings.EqualFold(key, "title") {
				fm.title = unquote(strings.TrimSpace(value))
			} else {
				fm.warnings = append(fm.warnings, fmt.Sprintf("front matter %q is ignored; only title is read", key))
			}
		}
	}
	return frontMatter{} // never closed: not front matter
}

// cutLine splits off the first line, without its line ending.
func cutLine(b []byte) (line string, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return strings.TrimSuffix(string(b), "\r"), nil, len(b) > 0
	}
	return strings.TrimSuffix(string(b[:i]), "\r"), b[i+1:], true
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}
