package workflows

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
)

// TestHistoryCarriesReferences: the preview and status answer with
// references and small summaries, and the references read back.
func TestHistoryCarriesReferences(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	v, err := h.env.QueryWorkflow(QueryPreview)
	if err != nil {
		t.Fatal(err)
	}
	var p Preview
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	st := h.status(t)
	if p.Rendered == nil || p.Document == nil || p.Output.Email.HTML != "" {
		t.Fatalf("preview %+v: want references, not the channels", p)
	}
	if st.Rendered != p.Rendered.Manifest.Hex() || st.ContentRevision != p.Rendered.ContentRevision || st.ContentRevision == "" {
		t.Errorf("status rendered %q content %q; preview manifest %s content %q", st.Rendered, st.ContentRevision, p.Rendered.Manifest.Digest, p.Rendered.ContentRevision)
	}
	out, err := activities.LoadOutput(t.Context(), h.store, p.Rendered.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Email.HTML, "Guided sessions now sync") || out.Web.HTML == "" || len(out.Social) == 0 {
		t.Errorf("stored channels incomplete: email %d bytes, web %d bytes, %d social", len(out.Email.HTML), len(out.Web.HTML), len(out.Social))
	}
	if res.Send.ContentDigest != p.Rendered.ContentDigest || res.Send.ContentMode != activities.ContentInline {
		t.Errorf("send %+v: want the rendered content %s, inline (the fake CRM has no content endpoint)", res.Send, p.Rendered.ContentDigest)
	}
}

// TestArtifactLostBeforeSendFailsClearly deletes or alters the rendered
// email while the edition awaits approval: the run fails naming the digest
// and the store, and nothing reaches the recipients.
func TestArtifactLostBeforeSendFailsClearly(t *testing.T) {
	for _, damage := range []string{"deleted", "corrupted"} {
		t.Run(damage, func(t *testing.T) {
			h := newHarness(t)
			// Every stored object is damaged while the edition awaits
			// approval; the callback does only file work, so the workflow
			// is not held up.
			damaged := map[string]bool{}
			h.env.RegisterDelayedCallback(func() {
				dir := filepath.Join(h.storeDir, "sha256")
				entries, err := os.ReadDir(dir)
				if err != nil {
					t.Error(err)
					return
				}
				for _, e := range entries {
					path := filepath.Join(dir, e.Name())
					if damage == "deleted" {
						err = os.Remove(path)
					} else {
						err = os.WriteFile(path, []byte(`{"id":"all","subject":"Something else entirely"}`), 0o644)
					}
					if err != nil {
						t.Error(err)
					}
					damaged["sha256:"+e.Name()] = true
				}
			}, 30*time.Second)
			h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
			h.env.ExecuteWorkflow(WorkflowName, input())
			err := h.env.GetWorkflowError()
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.Type() != activitytypes.ErrTypeArtifact {
				t.Fatalf("workflow error %v, want type %s", err, activitytypes.ErrTypeArtifact)
			}
			named := false
			for d := range damaged {
				named = named || strings.Contains(err.Error(), d)
			}
			if !named || !strings.Contains(err.Error(), "file://"+h.storeDir) {
				t.Errorf("error %q names no damaged artifact of store file://%s", err, h.storeDir)
			}
			if got := h.crm.Delivered(WorkflowID("2026-W48")); len(got) != 0 {
				t.Errorf("sent to %v with a lost artifact", got)
			}
		})
	}
}
