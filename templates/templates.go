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
	// EmailStyles defines the email's inline styles, one template per
	// kind of element (text/template).
	EmailStyles = "email.styles.tmpl"
	WebHTML     = "web.html.tmpl"
	WebMarkdown = "web.md.tmpl"
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
	return []string{EmailStyles, EmailSubject, EmailHTML, EmailText, WebHTML, WebMarkdown, Social}
}

// Prompt templates for suggestions, in the ai/ folder (text/template; each
// defines "system" and "user" and receives ai.PromptView). A folder that
// overrides templates overrides these from its own ai/ subfolder.
const (
	AIEmail   = "email.tmpl"
	AISummary = "summary.tmpl"
	AISocial  = "social.tmpl"
	AICheck   = "check.tmpl"
	// AIDir is the folder of the prompt templates.
	AIDir = "ai"
)

//go:embed ai/*.tmpl
var aiFiles embed.FS

// AIFS returns the built-in prompt templates, at the root of the FS.
func AIFS() fs.FS {
	sub, err := fs.Sub(aiFiles, AIDir)
	if err != nil {
		panic(err) // the folder is embedded above
	}
	return sub
}

// AINames lists every prompt template file, in a stable order.
func AINames() []string { return []string{AIEmail, AISummary, AISocial, AICheck} }
