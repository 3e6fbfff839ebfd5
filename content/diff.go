package content

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Diff limits keep a change summary readable in a preview or a status query.
const (
	maxDiffLines    = 12
	maxDiffLineRune = 160
	// maxDiffCells bounds the LCS table; beyond it the changed middle is
	// shown as all removed then all added.
	maxDiffCells = 250_000
)

// IntroKey is the key of the title-and-introduction print.
const IntroKey = "_intro"

// Prints returns what an edition remembers of each section, the title and
// introduction first. Key is the category key, or "unknown:" and the
// heading's slug; a repeated key gets "#2", "#3"… in document order.
func (p Parsed) Prints() []SectionPrint {
	seen := map[string]int{}
	out := make([]SectionPrint, 0, len(p.Sections)+1)
	// The title and intro count as a section of their own, so an edit to
	// them alone is a change too.
	if p.Title != "" || len(p.Intro) > 0 {
		intro := Section{Heading: p.Title, Blocks: p.Intro}
		text := strings.TrimSpace(p.Title + "\n" + PlainText(p.Intro))
		out = append(out, SectionPrint{Key: IntroKey, Heading: "Title and introduction", Fingerprint: SectionFingerprint(intro), Text: text})
	}
	for _, s := range p.Sections {
		key := s.Category
		if key == "" {
			slug := Slug(s.Heading)
			if slug == "" {
				slug = "section"
			}
			key = "unknown:" + slug
		}
		seen[key]++
		if n := seen[key]; n > 1 {
			key = fmt.Sprintf("%s#%d", key, n)
		}
		fp := s.Fingerprint
		if fp == "" {
			fp = SectionFingerprint(s)
		}
		out = append(out, SectionPrint{Key: key, Heading: s.Heading, Fingerprint: fp, Text: PlainText(s.Blocks)})
	}
	return out
}

// Compare lists the sections of cur that are new or changed since prev, in
// document order, then the sections of prev that are gone.
func Compare(prev []SectionPrint, cur Parsed) []SectionChange {
	before := make(map[string]SectionPrint, len(prev))
	for _, p := range prev {
		if _, dup := before[p.Key]; !dup {
			before[p.Key] = p
		}
	}
	var out []SectionChange
	present := map[string]bool{}
	for _, c := range cur.Prints() {
		present[c.Key] = true
		p, ok := before[c.Key]
		switch {
		case !ok:
			out = append(out, SectionChange{Key: c.Key, Heading: c.Heading, Change: ChangeNew, Diff: LineDiff("", c.Text)})
		case p.Fingerprint != c.Fingerprint:
			out = append(out, SectionChange{Key: c.Key, Heading: c.Heading, Change: ChangeChanged, Diff: changedDiff(p, c)})
		}
	}
	for _, p := range prev {
		if !present[p.Key] {
			present[p.Key] = true
			out = append(out, SectionChange{Key: p.Key, Heading: p.Heading, Change: ChangeRemoved, Diff: LineDiff(p.Text, "")})
		}
	}
	return out
}

func changedDiff(p, c SectionPrint) string {
	if d := LineDiff(p.Text, c.Text); d != "" {
		return d
	}
	if p.Heading != c.Heading {
		return LineDiff(p.Heading, c.Heading)
	}
	return "(same text; formatting, links or segments changed)"
}

// LineDiff is a short line diff of two texts: removed lines prefixed "- ",
// added lines "+ ", unchanged and blank lines left out. It shows at most
// 12 lines, cutting long lines and the rest of the diff with "…".
func LineDiff(a, b string) string {
	x, y := diffLines(a), diffLines(b)
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	ops := editScript(x[pre:len(x)-suf], y[pre:len(y)-suf])
	if len(ops) > maxDiffLines {
		more := len(ops) - (maxDiffLines - 1)
		ops = append(ops[:maxDiffLines-1], fmt.Sprintf("… %d more changed lines", more))
	}
	return strings.Join(ops, "\n")
}

func diffLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " \t\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// editScript is the removed and added lines turning x into y, found with a
// longest-common-subsequence table.
func editScript(x, y []string) []string {
	var ops []string
	del := func(l string) { ops = append(ops, "- "+clip(l)) }
	add := func(l string) { ops = append(ops, "+ "+clip(l)) }
	if len(x)*len(y) > maxDiffCells {
		for _, l := range x {
			del(l)
		}
		for _, l := range y {
			add(l)
		}
		return ops
	}
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j == len(y) || (i < len(x) && lcs[i+1][j] >= lcs[i][j+1]):
			del(x[i])
			i++
		default:
			add(y[j])
			j++
		}
	}
	return ops
}

func clip(line string) string {
	if utf8.RuneCountInString(line) <= maxDiffLineRune {
		return line
	}
	r := []rune(line)
	return strings.TrimRight(string(r[:maxDiffLineRune-1]), " ") + "…"
}
