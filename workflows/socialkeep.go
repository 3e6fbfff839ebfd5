package workflows

import (
	"fmt"
	"maps"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/render"
)

// versionSocialKeep guards carrying approvers' social edits into the
// render of a refresh: runs recorded before it render a refresh from the
// document alone. It is asked only by runs with edits to carry.
const versionSocialKeep = "social-edits-kept"

// keep records edits now in the edition, made by the decision at (an
// index in status.Decisions) on the render whose update is at url.
func (s *socialEditState) keep(edits []SocialEdit, at int, url string) {
	k := &s.kept
	k.URL = url
	for _, e := range edits {
		if text := strings.TrimSpace(e.Text); text != "" {
			k.Text = setIn(k.Text, e.Network, text)
			s.textAt = setIn(s.textAt, e.Network, at)
		}
		if e.Post != nil {
			k.Posting = setIn(k.Posting, e.Network, *e.Post)
			s.postAt = setIn(s.postAt, e.Network, at)
		}
	}
}

// replaced forgets the edited text of network: an accepted suggestion
// took its place.
func (s *socialEditState) replaced(network string) {
	delete(s.kept.Text, network)
	delete(s.textAt, network)
}

func setIn[V any](m map[string]V, k string, v V) map[string]V {
	if m == nil {
		m = map[string]V{}
	}
	m[k] = v
	return m
}

// carrySocial is the edits a refresh's render is to carry over, or nil
// when there are none or the run renders refreshes from the document
// alone.
func (r *run) carrySocial(ctx workflow.Context) *render.SocialEdits {
	if r.socialEdit.kept.IsZero() || r.version(ctx, versionSocialKeep, 1) == workflow.DefaultVersion {
		return nil
	}
	e := r.socialEdit.kept
	e.Text, e.Posting = maps.Clone(e.Text), maps.Clone(e.Posting)
	return &e
}

// carried takes in a refresh's render of the edits carried over: those
// that fit stay; each left out is marked on the decision that made it and
// reported in status and in the new proof, with the reason.
func (r *run) carried(out activitytypes.RenderSummary) {
	s := &r.socialEdit
	s.notes = nil
	kept, dropped := out.SocialKept, out.SocialDropped
	if kept == nil {
		// Rendered by a worker that does not carry edits: none are in.
		const why = "the worker that rendered this version cannot carry edits over a refresh"
		for _, p := range render.Platforms() {
			if text, ok := s.kept.Text[p]; ok {
				dropped = append(dropped, render.DroppedEdit{Platform: p, Text: text, Reason: why})
			}
			if post, ok := s.kept.Posting[p]; ok {
				r.dropEdit(s.postAt, p, "choice to "+map[bool]string{true: "post", false: "keep a draft"}[post], why)
			}
		}
		kept = &render.SocialEdits{}
	}
	for _, d := range dropped {
		r.dropEdit(s.textAt, d.Platform, "text", d.Reason)
	}
	s.kept = *kept
	// Edits are only ever made to the platforms' drafts.
	for _, p := range render.Platforms() {
		if _, ok := s.kept.Text[p]; !ok {
			delete(s.textAt, p)
		}
		if _, ok := s.kept.Posting[p]; !ok {
			delete(s.postAt, p)
		}
	}
}

// dropEdit reports that a refresh left out the edit of network's what,
// made by the decision at[network], and why.
func (r *run) dropEdit(at map[string]int, network, what, why string) {
	name, by := activitytypes.NetworkName(network), "an approver"
	if i, ok := at[network]; ok && i < len(r.status.Decisions) {
		d := &r.status.Decisions[i]
		by = d.By
		mark := fmt.Sprintf("refresh %d: %s %s left out: %s", r.status.Refreshes, network, what, why)
		if d.Dropped != "" {
			mark = d.Dropped + "; " + mark
		}
		d.Dropped = mark
	}
	note := fmt.Sprintf("the %s post's %s from %s is left out of this version: %s; the post follows the run's settings again, choose again if need be", name, what, by, why)
	if what == "text" {
		note = fmt.Sprintf("the %s post %s edited is left out of this version: %s; the draft is as the edition renders it, edit it again if need be", name, by, why)
	}
	r.socialEdit.notes = append(r.socialEdit.notes, note)
	r.status.Warnings = append(r.status.Warnings, note)
}
