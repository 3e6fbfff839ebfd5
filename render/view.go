package render

import (
	"html/template"
	"time"
)

// View is what the email and web templates receive (see the templates
// package). In email views every piece of document text has already been
// through mergetag.Escape, so it can never read as a merge tag; HTML
// escaping is the template's (html/template does it), Markdown escaping
// too (the md function).
type View struct {
	// Channel is "email" or "web".
	Channel string
	// Lang is the document's language tag ("en" when it names none) and
	// Dir its direction, "rtl" when its text starts in a right-to-left
	// script, else "ltr": for <html lang dir>.
	Lang  string
	Dir   string
	Title string
	// Edition is the edition ID, e.g. "2026-W48".
	Edition string
	Date    time.Time
	// DateText is the date for readers ("23 November 2026"), DateISO for
	// machines ("2026-11-23"); both are empty when the edition has no date.
	DateText string
	DateISO  string
	// Summary is at most 200 characters from the intro or the first
	// paragraph; Preheader is the inbox preview, a shorter cut of it.
	Summary   string
	Preheader string
	// WebURL is where the web update is published.
	WebURL   string
	Intro    Body
	Sections []SectionView
	// Stats is the "by the numbers" block; empty leaves it out.
	Stats []StatView
	// Tags are the category keys of the sections present.
	Tags []string
	// Variant and Segments name the email variant and the segments it is
	// for (none for the default variant). Empty on the web.
	Variant  string
	Segments []string
}

// Body is a piece of the document rendered for the channel: HTML with
// inline styles for email and plain semantic tags for the web, Text
// wrapped at 72 columns (email), Markdown (web).
type Body struct {
	HTML     template.HTML
	Text     string
	Markdown string
}

// SectionView is one section of the document.
type SectionView struct {
	// Key is the category key ("breathscape"), empty when the heading
	// matched none.
	Key     string
	Heading string
	// Anchor is a fragment ID unique within the document.
	Anchor   string
	Segments []string
	Body
}

// StatView is one usage figure, formatted: Value "12,400", Unit "min",
// Figure "12,400 min" (or "42%"), Text "12,400 min of breathing".
type StatView struct {
	Label  string
	Value  string
	Unit   string
	Figure string
	Text   string
}

// SocialView is what each social template receives.
type SocialView struct {
	Platform string
	Title    string
	Edition  string
	DateText string
	// Summary is the intro, cut to 200 characters; empty when the
	// document has none (the highlights then say it all).
	Summary string
	// URL is the web update every post links to.
	URL string
	// Highlights are the sections worth a line, in document order; the
	// renderer drops and shortens them until the post fits.
	Highlights []Highlight
	Stats      []StatView
	// Hashtags come from the categories present ("#Breathscape").
	Hashtags []string
	Limit    int
}

// Highlight is one section in a social post: its heading and a sentence
// (on LinkedIn, the first paragraph).
type Highlight struct {
	Heading string
	Text    string
}
