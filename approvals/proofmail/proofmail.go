// Package proofmail builds the proof email each approver receives: the
// rendered edition with a block on top holding that approver's own
// approve, request-changes and reject links (or, without a public URL,
// ready-to-paste commands carrying the signed token) and what changed
// since the approver last approved. It is pure code.
package proofmail

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// SubjectPrefix marks proof emails; reminders carry ReminderPrefix too.
const (
	SubjectPrefix  = "[Proof] "
	ReminderPrefix = "[Reminder] "
)

// DecidePath is the approvals service's page for a token: GET shows what
// is decided, POST decides.
const DecidePath = "/decide"

//go:embed *.tmpl
var files embed.FS

var (
	htmlBlock = htmltemplate.Must(htmltemplate.ParseFS(files, "block.html.tmpl"))
	textBlock = texttemplate.Must(texttemplate.New("block.txt.tmpl").ParseFS(files, "block.txt.tmpl"))
)

// Data is one approver's block.
type Data struct {
	Edition    string
	WorkflowID string
	Approver   string
	Deadline   time.Time
	Reminder   bool
	// Tokens maps each action to this approver's token for it.
	Tokens map[string]string
	// PublicURL is the approvals service's base URL; empty shows commands only.
	PublicURL string
	// ApprovedEarlier: a change voided this approver's approval, and
	// ChangesSince says what changed since.
	ApprovedEarlier bool
	ChangesSince    []content.SectionChange
	// Changes since the last edition.
	Changes []content.SectionChange
	// SendTokens maps each send control (pause_send, resume_send,
	// cancel_send) to this approver's token for it, for use once the
	// edition is approved.
	SendTokens map[string]string
}

// Action is one decision an approver can take, as the block shows it.
type Action struct {
	Name, Label, URL, Command, Starter string
	// Href is the link's href attribute: written whole, so a merge tag in
	// it is not URL-encoded.
	Href htmltemplate.HTMLAttr
}

type view struct {
	Data
	Actions      []Action
	SendControls []Action
	DeadlineText string
}

var labels = map[string]string{
	token.ActionApprove:        "Approve",
	token.ActionRequestChanges: "Request changes",
	token.ActionReject:         "Reject",
}

// Link is the approvals service's URL for tok under base.
func Link(base, tok string) string {
	return strings.TrimRight(base, "/") + DecidePath + "?token=" + tok
}

// Command is the temporal CLI line that takes action with tok.
func Command(workflowID, action, by, tok string) string {
	payload := map[string]string{"by": by, "token": tok}
	switch action {
	case token.ActionReject:
		payload["reason"] = "why"
	case token.ActionRequestChanges:
		payload["comment"] = "what to change"
	}
	in, _ := json.Marshal(payload)
	return fmt.Sprintf("temporal workflow signal --workflow-id %s --name %s --input %s", workflowID, action, shellQuote(string(in)))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Merge fields of a proof: each approver's address, and per action the
// approver's link, command and (for approve) starter line.
const (
	FieldApprover = "proof_approver"
	fieldPrefix   = "proof_"
)

func actionField(action, part string) string { return fieldPrefix + action + "_" + part }

// actions are the actions d has tokens for, or all when it has none.
func (d Data) actions() []string {
	var out []string
	for _, act := range token.Actions {
		if _, ok := d.Tokens[act]; ok || len(d.Tokens) == 0 {
			out = append(out, act)
		}
	}
	return out
}

// view is the block's data with merge tags where the approver's own
// values go; document text is escaped so it never reads as a tag.
func (d Data) view() view {
	v := view{Data: d, DeadlineText: d.Deadline.UTC().Format("Mon 2 Jan 2006 15:04 MST")}
	v.Approver = mergetag.Tag(FieldApprover)
	v.Edition = mergetag.Escape(d.Edition)
	v.ChangesSince = nil
	for _, c := range d.ChangesSince {
		c.Heading, c.Diff = mergetag.Escape(c.Heading), mergetag.Escape(c.Diff)
		v.ChangesSince = append(v.ChangesSince, c)
	}
	for _, act := range d.actions() {
		a := Action{Name: act, Label: labels[act], Command: mergetag.Tag(actionField(act, "command"))}
		if d.PublicURL != "" {
			a.URL = mergetag.Tag(actionField(act, "url"))
			a.Href = htmltemplate.HTMLAttr(`href="` + a.URL + `"`)
		}
		if act == token.ActionApprove {
			a.Starter = mergetag.Tag(actionField(act, "starter"))
		}
		v.Actions = append(v.Actions, a)
	}
	for _, act := range token.SendActions {
		if _, ok := d.SendTokens[act]; !ok {
			continue
		}
		verb := strings.TrimSuffix(act, "_send")
		a := Action{Name: act, Label: strings.ToUpper(verb[:1]) + verb[1:] + " the send", Command: mergetag.Tag(actionField(act, "command"))}
		if d.PublicURL != "" {
			a.URL = mergetag.Tag(actionField(act, "url"))
			a.Href = htmltemplate.HTMLAttr(`href="` + a.URL + `"`)
		}
		v.SendControls = append(v.SendControls, a)
	}
	return v
}

// Merge is d.Approver's merge values for the proof Variant: the address,
// and the links and commands carrying the approver's own tokens.
func Merge(d Data) map[string]string {
	m := map[string]string{"email": d.Approver, FieldApprover: d.Approver}
	for _, act := range token.SendActions {
		if tok, ok := d.SendTokens[act]; ok {
			verb := strings.TrimSuffix(act, "_send")
			m[actionField(act, "command")] = fmt.Sprintf("starter send %s --workflow-id %s --by %s --token %s", verb, d.WorkflowID, shellQuote(d.Approver), tok)
			if d.PublicURL != "" {
				m[actionField(act, "url")] = Link(d.PublicURL, tok)
			}
		}
	}
	for _, act := range d.actions() {
		tok := d.Tokens[act]
		m[actionField(act, "command")] = Command(d.WorkflowID, act, d.Approver, tok)
		if d.PublicURL != "" {
			m[actionField(act, "url")] = Link(d.PublicURL, tok)
		}
		if act == token.ActionApprove {
			m[actionField(act, "starter")] = fmt.Sprintf("starter approve --workflow-id %s --by %s --token %s", d.WorkflowID, shellQuote(d.Approver), tok)
		}
	}
	return m
}

var bodyOpen = regexp.MustCompile(`(?i)<body[^>]*>`)

// Variant returns the proof email with id for every approver whose block
// reads the same but for their own values: email's subject, HTML and text
// with the block on top, merge tags where each approver's address, links
// and commands go (see Merge). Approvers share its body, so a proof of a
// large edition is sent once, whatever the number of approvers; d's
// Approver and Tokens are not used but for which actions the block shows.
func Variant(d Data, email crm.Variant, id string) (crm.Variant, error) {
	v := d.view()
	var hb, tb bytes.Buffer
	if err := htmlBlock.Execute(&hb, v); err != nil {
		return crm.Variant{}, fmt.Errorf("proof block: %w", err)
	}
	if err := textBlock.Execute(&tb, v); err != nil {
		return crm.Variant{}, fmt.Errorf("proof block: %w", err)
	}
	block, text := hb.String(), tb.String()
	html := email.HTML
	if loc := bodyOpen.FindStringIndex(html); loc != nil {
		html = html[:loc[1]] + block + html[loc[1]:]
	} else {
		html = block + html
	}
	subject := SubjectPrefix + email.Subject
	if d.Reminder {
		subject = ReminderPrefix + subject
	}
	return crm.Variant{ID: id, Subject: subject, Preheader: email.Preheader, HTML: html, Text: text + "\n" + email.Text, Fallbacks: email.Fallbacks}, nil
}

// Key says which approvers can share a proof Variant: those whose blocks
// differ only in their own values.
func Key(d Data) string {
	var sends []string
	for _, act := range token.SendActions {
		if _, ok := d.SendTokens[act]; ok {
			sends = append(sends, act)
		}
	}
	b, _ := json.Marshal(struct {
		Earlier bool
		Since   []content.SectionChange
		Actions []string
		Sends   []string
	}{d.ApprovedEarlier, d.ChangesSince, d.actions(), sends})
	return string(b)
}

// Build returns the proof message for one approver as a message carrying
// its own subject, HTML and text: Variant with Merge substituted.
func Build(d Data, email crm.Variant) (crm.Message, error) {
	v, err := Variant(d, email, "")
	if err != nil {
		return crm.Message{}, err
	}
	var htmlPairs, textPairs []string
	for field, value := range Merge(d) {
		if field == "email" {
			continue
		}
		htmlPairs = append(htmlPairs, mergetag.Tag(field), htmltemplate.HTMLEscapeString(value))
		textPairs = append(textPairs, mergetag.Tag(field), value)
	}
	hr, tr := strings.NewReplacer(htmlPairs...), strings.NewReplacer(textPairs...)
	return crm.Message{To: d.Approver, Subject: v.Subject, HTML: hr.Replace(v.HTML), Text: tr.Replace(v.Text),
		Merge: map[string]string{"email": d.Approver}}, nil
}
