// Package inline builds content.Inline runs the way every source needs them:
// line feeds as hard-break runs, neighbouring runs of equal formatting merged,
// and blank edges trimmed.
package inline

import (
	"strings"
	"unicode"

	"github.com/halcytone/contentgen/content"
)

// Break returns the run for a hard line break.
func Break() content.Inline { return content.Inline{Text: "\n"} }

// IsBreak reports whether r is a hard line break.
func IsBreak(r content.Inline) bool { return r == Break() }

// Append appends text formatted like style to runs. Each "\n" in text becomes
// a Break run; text formatted like the last run is merged into it.
func Append(runs []content.Inline, text string, style content.Inline) []content.Inline {
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			runs = append(runs, Break())
		}
		if line == "" {
			continue
		}
		style.Text = line
		runs = add(runs, style)
	}
	return runs
}

// Concat appends runs b to runs a, merging at the seam.
func Concat(a, b []content.Inline) []content.Inline {
	for _, r := range b {
		if IsBreak(r) {
			a = append(a, r)
			continue
		}
		a = add(a, r)
	}
	return a
}

func add(runs []content.Inline, r content.Inline) []content.Inline {
	if n := len(runs); n > 0 && !IsBreak(runs[n-1]) && sameFormat(runs[n-1], r) {
		runs[n-1].Text += r.Text
		return runs
	}
	return append(runs, r)
}

func sameFormat(a, b content.Inline) bool {
	a.Text, b.Text = "", ""
	return a == b
}

// Trim removes white space and line breaks at both ends of runs, dropping
// runs left empty. The result shares no memory with runs.
func Trim(runs []content.Inline) []content.Inline {
	out := append([]content.Inline(nil), runs...)
	for len(out) > 0 {
		out[0].Text = strings.TrimLeftFunc(out[0].Text, unicode.IsSpace)
		if out[0].Text != "" {
			break
		}
		out = out[1:]
	}
	for len(out) > 0 {
		last := len(out) - 1
		out[last].Text = strings.TrimRightFunc(out[last].Text, unicode.IsSpace)
		if out[last].Text != "" {
			break
		}
		out = out[:last]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Plain returns trimmed, unformatted runs for text.
func Plain(text string) []content.Inline {
	return Trim(Append(nil, text, content.Inline{}))
}
