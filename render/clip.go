package render

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// GmailClipBytes is the size of HTML above which Gmail clips a message,
// hiding the rest (the unsubscribe link included) behind "View entire
// message".
const GmailClipBytes = 102 << 10

// clipSections is how many of the largest sections a clip warning names.
const clipSections = 3

// clipWarning says why an email variant will be clipped by Gmail, naming
// its largest sections, or "" when it fits.
func clipWarning(v *View, htmlBytes int) string {
	if htmlBytes <= GmailClipBytes {
		return ""
	}
	type sized struct {
		heading string
		bytes   int
	}
	secs := make([]sized, 0, len(v.Sections))
	for _, s := range v.Sections {
		secs = append(secs, sized{s.Heading, len(s.Heading) + len(s.HTML)})
	}
	slices.SortStableFunc(secs, func(a, b sized) int { return cmp.Compare(b.bytes, a.bytes) })
	parts := make([]string, 0, clipSections)
	for _, s := range secs[:min(clipSections, len(secs))] {
		parts = append(parts, fmt.Sprintf("%s (%s)", s.heading, kb(s.bytes)))
	}
	name := "email"
	if v.Variant != "" {
		name = "email variant " + v.Variant
	}
	w := fmt.Sprintf("%s is %s of HTML; Gmail clips messages over %s and hides the rest, unsubscribe link included, behind \"View entire message\"",
		name, kb(htmlBytes), kb(GmailClipBytes))
	if len(parts) > 0 {
		w += "; largest sections: " + strings.Join(parts, ", ")
	}
	return w
}

func kb(n int) string { return fmt.Sprintf("%d KB", (n+1023)>>10) }
