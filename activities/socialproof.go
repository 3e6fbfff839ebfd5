package activities

import (
	"html/template"
	"strings"
	texttemplate "text/template"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/social"
)

// XLinkNote tells approvers what a link post costs on X.
const XLinkNote = "X charges more for posts that contain links on its pay-per-use API plan; this post links to the update."

// socialProof is one network's draft as the proof shows it.
type socialProof struct {
	activitytypes.SocialPlan
	Name, State, Note string
}

var (
	proofSocialHTML = template.Must(template.New("html").Parse(`<div style="font-family:sans-serif;border:1px solid #9fb7bf;background:#f4f9fa;padding:12px;margin:12px;font-size:14px">
<p style="margin:0 0 8px"><strong>Social posts</strong>: each goes out after the update is published. Change or turn one off from the Approve link before approving.</p>
{{range .}}<div style="margin:8px 0;padding:8px;border-top:1px solid #d6e2e6"><strong>{{.Name}}</strong> · {{.State}} · {{.Length}}/{{.Limit}}{{with .Why}} · {{.}}{{end}}
<div style="white-space:pre-wrap;margin-top:4px">{{.Text}}</div>{{with .ImageAlt}}<div style="color:#666">image: {{.}}</div>{{end}}{{with .Note}}<div style="color:#8a4b00;margin-top:4px">{{.}}</div>{{end}}</div>
{{end}}</div>
`))
	proofSocialText = texttemplate.Must(texttemplate.New("text").Parse(`SOCIAL POSTS (each goes out after the update is published; change or turn one off from the Approve link before approving)
{{range .}}
{{.Name}}: {{.State}} ({{.Length}}/{{.Limit}}){{with .Why}}, {{.}}{{end}}
{{.Text}}{{with .Note}}
NOTE: {{.}}{{end}}
{{end}}
----------------------------------------------------------------------

`))
)

// withSocial puts the social drafts, and whether each will post, above
// the proof's email. configured reports the networks the worker holds
// credentials for: the others stay drafts whatever the plan says.
func withSocial(v crm.Variant, plans []activitytypes.SocialPlan, configured func(string) bool) crm.Variant {
	if len(plans) == 0 {
		return v
	}
	rows := make([]socialProof, 0, len(plans))
	for _, p := range plans {
		row := socialProof{SocialPlan: p, Name: activitytypes.NetworkName(p.Network), State: "stays a draft"}
		switch {
		case p.Post && !configured(p.Network):
			row.State, row.Note = "stays a draft", "the worker has no credentials for "+row.Name+": set "+social.Variables(p.Network)
		case p.Post:
			row.State = "will post"
			if p.Network == social.X {
				row.Note = XLinkNote
			}
		}
		rows = append(rows, row)
	}
	var h, t strings.Builder
	if proofSocialHTML.Execute(&h, rows) != nil || proofSocialText.Execute(&t, rows) != nil {
		return v
	}
	// Drafts quote document text, which must never read as a merge tag.
	block := mergetag.Escape(h.String())
	if loc := bodyTag.FindStringIndex(v.HTML); loc != nil {
		v.HTML = v.HTML[:loc[1]] + "\n" + block + v.HTML[loc[1]:]
	} else {
		v.HTML = block + v.HTML
	}
	v.Text = mergetag.Escape(t.String()) + v.Text
	return v
}
