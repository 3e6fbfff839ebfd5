// Package testdocs generates living documents of a chosen size, shaped
// like examples/living-document.md (the four sections, Hardware limited to
// the beta segment, lists, tables, quotes and links), for size tests and
// benchmarks.
package testdocs

import (
	"fmt"
	"strings"
)

var sections = []string{"## 🌬️ Breathscape", "## Hardware [for: beta]", "## Tips", "## Vision"}

// Markdown returns a document of about size bytes (at least one entry per
// section). The same size always gives the same document; rev changes
// one sentence, as an editor's edit would.
func Markdown(size int, rev int) []byte {
	var b strings.Builder
	b.Grow(size + 4096)
	fmt.Fprintf(&b, "---\ntitle: Halcytone Weekly — Living Document\n---\n\n")
	fmt.Fprintf(&b, "Hello from the Halcytone team! This is revision %d of the living document.\n\n", rev)
	per := max(1, (size-b.Len())/len(sections))
	for _, heading := range sections {
		b.WriteString(heading + "\n\n")
		start := b.Len()
		for i := 0; i == 0 || b.Len()-start < per; i++ {
			entry(&b, heading, i)
		}
	}
	return []byte(b.String())
}

// entry writes one update of about 1 KB.
func entry(b *strings.Builder, heading string, i int) {
	name := strings.Fields(strings.TrimPrefix(heading, "## "))[0]
	fmt.Fprintf(b, "### %s update %d\n\n", name, i+1)
	fmt.Fprintf(b, "Release **%d.%d** brings *steadier pacing* and fewer interruptions. Read the [notes](https://halcytone.example/notes/%d) "+
		"or reply to this email with what to build next; a sentence with {{curly}} text stays text.\n\n", i/10+1, i%10, i)
	fmt.Fprintf(b, "- Sleep mode preset %d with a %d-second exhale\n- Session history sync, batch %d\n  - nested detail for batch %d\n\n", i, 4+i%5, i, i)
	fmt.Fprintf(b, "| Channel | Version | Battery life |\n|---------|---------|--------------|\n| Stable | 1.%d.2 | %d days |\n| Beta | **1.%d.0-beta** | %d days |\n\n",
		i%9, 5+i%3, i%9+1, 7+i%3)
	fmt.Fprintf(b, "> Keep the sensor on its charger during update %d; it takes about %d minutes.\n\n", i, 3+i%4)
}
