// Package templates holds the built-in channel templates of an edition,
// embedded in the binary. The render package parses them; a folder of files
// with the same names overrides them one by one.
//
// Each template receives a render.View (see that type for its fields).
// html/template parses the .html.tmpl files; text/template parses the rest.
package templates

import (
	"embed"
	"io/fs"
)

// Template file names.
const (
	EmailHTML    = "email.html.tmpl"
	EmailText    = "email.txt.tmpl"
	EmailSubject = "email.subject.tmpl"
	WebHTML      = "web.html.tmpl"
	WebMarkdown  = "web.md.tmpl"
	// Social defines one template per platform: "x", "bluesky",
	// "mastodon" and "linkedin".
	Social = "social.tmpl"
)

//go:embed *.tmpl
var files embed.FS

// FS returns the built-in templates.
func FS() fs.FS { return files }

// Names lists every template file, in a stable order.
func Names() []string {
	return []string{EmailSubject, EmailHTML, EmailText, WebHTML, WebMarkdown, Social}
}
