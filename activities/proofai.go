package activities

import (
	"html/template"
	"regexp"
	"strings"
	texttemplate "text/template"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// The suggestions block of a proof. Suggestion text is model output:
// html/template escapes it for HTML, and the whole block is merge-tag
// escaped, so nothing in it becomes markup or a recipient's data.
var (
	proofAIHTML = template.Must(template.New("html").Parse(`<div style="font-family:sans-serif;border:2px dashed #8a6d00;background:#fffbea;padding:12px;margin:12px">
<p style="margin:0 0 8px"><strong>Suggestions from {{.Model}}</strong>: nothing changes unless an approver accepts them: press <em>Accept</em> next to one on your Approve link's page, or <code>starter approve … --accept {{.Example}}</code>.</p>
<table style="border-collapse:collapse;font-size:14px">
{{range .Suggestions}}<tr><td style="padding:4px 8px;vertical-align:top"><code>{{.ID}}</code></td><td style="padding:4px 8px"><div style="color:#666">now: {{.Original}}</div><div>suggested: {{.Text}}</div></td></tr>
{{end}}</table>
{{if .Findings}}<p style="margin:8px 0 4px"><strong>Plain-language check</strong></p><ul>
{{range .Findings}}<li>{{.Kind}}: “{{.Quote}}” — {{.Note}}</li>
{{end}}</ul>{{end}}</div>
`))
	proofAIText = texttemplate.Must(texttemplate.New("text").Parse(`SUGGESTIONS FROM {{.Model}} (nothing changes unless accepted: on your Approve link's page, or starter approve … --accept {{.Example}})
{{range .Suggestions}}
{{.ID}}
  now:       {{.Original}}
  suggested: {{.Text}}
{{end}}{{if .Findings}}
Plain-language check:
{{range .Findings}}  - {{.Kind}}: "{{.Quote}}": {{.Note}}
{{end}}{{end}}
----------------------------------------------------------------------

`))
	bodyTag = regexp.MustCompile(`(?i)<body[^>]*>`)
)

// withSuggestions puts the suggestions above the proof's email.
func withSuggestions(v crm.Variant, s *suggest.Suggestions) crm.Variant {
	if s == nil || len(s.Suggestions)+len(s.Findings) == 0 {
		return v
	}
	data := struct {
		Model       string
		Suggestions []suggest.Suggestion
		Findings    []suggest.Finding
		Example     string
	}{s.Model, s.Suggestions, s.Findings, ""}
	if len(s.Suggestions) > 0 {
		data.Example = s.Suggestions[0].ID
	}
	var h, t strings.Builder
	if err := proofAIHTML.Execute(&h, data); err != nil {
		return v
	}
	if err := proofAIText.Execute(&t, data); err != nil {
		return v
	}
	block := mergetag.Escape(h.String())
	if loc := bodyTag.FindStringIndex(v.HTML); loc != nil {
		v.HTML = v.HTML[:loc[1]] + "\n" + block + v.HTML[loc[1]:]
	} else {
		v.HTML = block + v.HTML
	}
	v.Text = mergetag.Escape(t.String()) + v.Text
	return v
}
