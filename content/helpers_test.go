package content

func h(level int, text string) Block {
	return Block{Kind: KindHeading, Level: level, Inlines: []Inline{{Text: text}}}
}

func para(text string) Block {
	return Block{Kind: KindParagraph, Inlines: []Inline{{Text: text}}}
}

func runs(ins ...Inline) Block {
	return Block{Kind: KindParagraph, Inlines: ins}
}

func doc(blocks ...Block) Document {
	return Document{Blocks: blocks}
}

// weekly is a typical living document: a title heading, an intro and the
// four sections as second-level headings.
func weekly() Document {
	return Document{Revision: "r1", Source: "markdown:weekly.md", Blocks: []Block{
		h(1, "Halcytone Weekly"),
		para("Hello breathers."),
		h(2, "Breathscape"),
		para("Sleep mode is live."),
		h(2, "Hardware"),
		para("Firmware 2.1 ships Monday."),
		h(2, "Tips"),
		para("Breathe out longer than in."),
		h(2, "Vision"),
		para("Calm, measured."),
	}}
}

func headings(p Parsed) []string {
	var out []string
	for _, s := range p.Sections {
		out = append(out, s.Heading)
	}
	return out
}

func categories(p Parsed) []string {
	var out []string
	for _, s := range p.Sections {
		out = append(out, s.Category)
	}
	return out
}
