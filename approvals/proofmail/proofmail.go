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

func (d Data) view() view {
	v := view{Data: d, DeadlineText: d.Deadline.UTC().Format("Mon 2 Jan 2006 15:04 MST")}
	for _, act := range token.Actions {
		tok, ok := d.Tokens[act]
		if !ok {
			continue
		}
		a := Action{Name: act, Label: labels[act], Command: Command(d.WorkflowID, act, d.Approver, tok)}
		if d.PublicURL != "" {
			a.URL = Link(d.PublicURL, tok)
		}
		if act == token.ActionApprove {
			a.Starter = fmt.Sprintf("starter approve --workflow-id %s --by %s --token %s", d.WorkflowID, shellQuote(d.Approver), tok)
		}
		v.Actions = append(v.Actions, a)
	}
	for _, act := range token.SendActions {
		tok, ok := d.SendTokens[act]
		if !ok {
			continue
		}
		verb := strings.TrimSuffix(act, "_send")
		v.SendControls = append(v.SendControls, Action{Name: act, Label: strings.ToUpper(verb[:1]) + verb[1:] + " the send",
			Command: fmt.Sprintf("starter send %s --workflow-id %s --by %s --token %s", verb, d.WorkflowID, shellQuote(d.Approver), tok)})
	}
	return v
}

var bodyOpen = regexp.MustCompile(`(?i)<body[^>]*>`)

// Build returns the proof message for one approver: email's subject,
// HTML and text with the approver's block on top.
func Build(d Data, email crm.Variant) (crm.Message, error) {
	v := d.view()
	var hb, tb bytes.Buffer
	if err := htmlBlock.Execute(&hb, v); err != nil {
		return crm.Message{}, fmt.Errorf("proof block: %w", err)
	}
	if err := textBlock.Execute(&tb, v); err != nil {
		return crm.Message{}, fmt.Errorf("proof block: %w", err)
	}
	// Diffs quote document text, which must never read as a merge tag.
	block, text := mergetag.Escape(hb.String()), mergetag.Escape(tb.String())
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
	return crm.Message{To: d.Approver, Subject: subject, HTML: html, Text: text + "\n" + email.Text,
		Merge: map[string]string{"email": d.Approver}}, nil
}
