package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// MaxTargetedSegments is how many segments sections may be limited to in
// one edition: each combination is its own email, so six make 64.
const MaxTargetedSegments = 6

// DefaultVariant is the ID of the email for recipients in no targeted
// segment.
const DefaultVariant = "default"

// maxVariantID keeps IDs within what the CRM accepts.
const maxVariantID = 100

// VariantID names the email variant a recipient gets: the recipient's
// segments that some section targets, sorted and joined ("seg-beta+pro"),
// or DefaultVariant when there are none. Segments compare case-insensitively.
func VariantID(recipientSegments, targeted []string) string {
	want := content.NormalizeSegments(targeted)
	var in []string
	for _, s := range content.NormalizeSegments(recipientSegments) {
		if _, ok := slices.BinarySearch(want, s); ok {
			in = append(in, s)
		}
	}
	return variantID(in)
}

// variantID names the variant for a sorted, normalised segment set.
func variantID(segs []string) string {
	if len(segs) == 0 {
		return DefaultVariant
	}
	esc := make([]string, len(segs))
	for i, s := range segs {
		// '+' separates segments, so a '+' inside a name is encoded.
		esc[i] = strings.NewReplacer("%", "%25", "+", "%2B").Replace(s)
	}
	id := "seg-" + strings.Join(esc, "+")
	if len(id) > maxVariantID {
		sum := sha256.Sum256([]byte(id))
		id = "seg-" + hex.EncodeToString(sum[:12])
	}
	return id
}

// targetedSegments is the sorted union of every section's segments.
func targetedSegments(p content.Parsed) ([]string, error) {
	var all []string
	for _, s := range p.Sections {
		all = append(all, s.Segments...)
	}
	t := content.NormalizeSegments(all)
	if len(t) > MaxTargetedSegments {
		return nil, fmt.Errorf("sections target %d segments (%s); at most %d can be combined, because every combination is its own email: limit sections to fewer segments or group them into one CRM segment",
			len(t), strings.Join(t, ", "), MaxTargetedSegments)
	}
	if len(t) == 0 {
		return nil, nil
	}
	return t, nil
}

// segmentSets lists every subset of targeted: the empty set first, then
// by size, each in order of targeted.
func segmentSets(targeted []string) [][]string {
	n := len(targeted)
	masks := make([]int, 1<<n)
	for m := range masks {
		masks[m] = m
	}
	slices.SortStableFunc(masks, func(a, b int) int {
		if c := bits.OnesCount(uint(a)) - bits.OnesCount(uint(b)); c != 0 {
			return c
		}
		return slices.Compare(maskSet(a, targeted), maskSet(b, targeted))
	})
	sets := make([][]string, len(masks))
	for i, m := range masks {
		sets[i] = maskSet(m, targeted)
	}
	return sets
}

func maskSet(m int, targeted []string) []string {
	var set []string
	for i, s := range targeted {
		if m&(1<<i) != 0 {
			set = append(set, s)
		}
	}
	return set
}

// sectionsFor returns the sections a recipient in segs sees: every
// untargeted section and each targeted one that names one of segs.
func sectionsFor(sections []renderedSection, segs []string) []int {
	var idx []int
	for i, s := range sections {
		if len(s.segments) == 0 || intersects(s.segments, segs) {
			idx = append(idx, i)
		}
	}
	return idx
}

func intersects(a, b []string) bool {
	for _, s := range a {
		if slices.Contains(b, s) {
			return true
		}
	}
	return false
}

// emailOnly lists the sections limited to some segments.
func emailOnly(d *document) []EmailOnlySection {
	var out []EmailOnlySection
	for _, s := range d.sections {
		if len(s.segments) > 0 {
			out = append(out, EmailOnlySection{Heading: s.heading, Segments: s.segments})
		}
	}
	return out
}
