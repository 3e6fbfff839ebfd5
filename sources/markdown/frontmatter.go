package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// frontMatter is what a leading "---" block said.
type frontMatter struct {
	size     int // bytes of src the block takes, 0 without one
	title    string
	lang     string
	dir      string
	warnings []string
}

// readFrontMatter reads a leading YAML block between "---" and a closing
// "---" or "..." line. Only title, lang and dir are used; other keys are
// reported. A
// block whose first line is not a "key:" line is Markdown, not front
// matter (a thematic break over a setext heading); a block that starts
// like front matter but is not valid YAML is left out with a warning
// naming the file line YAML stopped at.
func readFrontMatter(src []byte) frontMatter {
	first, rest, ok := cutLine(src)
	if !ok || strings.TrimRight(first, " \t") != "---" {
		return frontMatter{}
	}
	start := len(src) - len(rest)
	consumed := start
	var firstKey string
	for len(rest) > 0 {
		line, next, _ := cutLine(rest)
		end := consumed
		consumed += len(rest) - len(next)
		rest = next
		trimmed := strings.TrimSpace(line)
		if trimmed == "---" || trimmed == "..." {
			if !looksLikeKey(firstKey) {
				return frontMatter{}
			}
			fm := frontMatter{size: consumed}
			fm.decode(src[start:end])
			return fm
		}
		if firstKey == "" && trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			firstKey = trimmed
		}
	}
	return frontMatter{} // never closed: not front matter
}

// keyLine matches a YAML mapping key: plain, or quoted with ' or ".
var keyLine = regexp.MustCompile(`^("[^"]*"|'[^']*'|[^\s:#"'][^:#]*?)\s*:(\s|$)`)

func looksLikeKey(line string) bool { return keyLine.MatchString(line) }

// decode reads the YAML between the delimiters; its first line is line 2
// of the file.
func (fm *frontMatter) decode(yml []byte) {
	var root yaml.Node
	if err := yaml.Unmarshal(yml, &root); err != nil {
		fm.title = looseTitle(yml)
		kept := "it is ignored"
		if fm.title != "" {
			kept = "only its title line is read, as written"
		}
		fm.warnings = append(fm.warnings, fmt.Sprintf("front matter is not valid YAML, so %s: %s; quote values "+
			"that hold \": \" (title: \"Weekly: 48\") or remove the block between the --- lines", kept, fileLines(err, 1)))
		return
	}
	if len(root.Content) == 0 {
		return
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		fm.warnings = append(fm.warnings, fmt.Sprintf("line %d: front matter is not a list of \"key: value\" lines, so it is ignored", m.Line+1))
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := strings.ToLower(k.Value)
		if key != "title" && key != "lang" && key != "dir" {
			fm.warnings = append(fm.warnings, fmt.Sprintf("line %d: front matter %q is ignored; only title, lang and dir are read", k.Line+1, k.Value))
			continue
		}
		if v.Kind != yaml.ScalarNode {
			fm.warnings = append(fm.warnings, fmt.Sprintf("line %d: front matter %s is not text, so it is ignored; write %s: …", v.Line+1, key, key))
			continue
		}
		switch key {
		case "lang":
			fm.lang = strings.TrimSpace(v.Value)
		case "dir":
			fm.dir = strings.TrimSpace(v.Value)
		default:
			fm.title = strings.TrimSpace(v.Value)
		}
	}
}

// looseTitle reads an unindented "title: …" line as written, so a title
// that YAML refuses ("title: Weekly: 48") is still the title.
func looseTitle(yml []byte) string {
	for _, line := range strings.Split(string(yml), "\n") {
		key, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if ok && strings.EqualFold(key, "title") {
			return unquote(strings.TrimSpace(value))
		}
	}
	return ""
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// yamlLine finds the "line N" of a YAML error message.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// fileLines rewrites the YAML line numbers in err's message as file lines,
// offset by the lines before the YAML.
func fileLines(err error, offset int) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	if !yamlLine.MatchString(msg) {
		msg = "line 1: " + msg // YAML leaves out the number of its first line
	}
	return yamlLine.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "line "))
		return "line " + strconv.Itoa(n+offset)
	})
}

// cutLine splits off the first line, without its line ending.
func cutLine(b []byte) (line string, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return strings.TrimSuffix(string(b), "\r"), nil, len(b) > 0
	}
	return strings.TrimSuffix(string(b[:i]), "\r"), b[i+1:], true
}
