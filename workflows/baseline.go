package workflows

import "go.temporal.io/sdk/workflow"

// Every workflow.GetVersion a run calls for the first time costs two
// history events (a marker and an upsert of TemporalChangeVersion). A run
// of NewsletterWorkflow used to call one per change it takes, seven on the
// way to sent. A run started with changeBaseline at versionBaseline1
// records one marker instead and takes every change below at the version
// pinned there; runs started before replay the per-change markers they
// recorded, since a change ID never recorded reads as DefaultVersion on
// replay.
//
// A later change to the workflow gets a change ID of its own (not in the
// table) or a new baseline version with its own table; it never moves a
// pinned version, since runs started with the baseline rely on it.
const (
	changeBaseline   = "newsletter-baseline"
	versionBaseline1 = 1
)

// baseline1 is the version of each change a run takes under baseline 1.
var baseline1 = map[string]workflow.Version{
	changeArtifacts:        versionArtifacts,
	changeDetectInRender:   versionPrepareInOne,
	versionSignedApprovals: 1,
	versionSendControl:     1,
	changeLastEdition:      1,
	versionSuggestions:     2,
	socialVersion:          1,
	versionSocialEdits:     1,
}

// version is workflow.GetVersion for changeID, answered by the run's
// baseline when the baseline pins it.
func (r *run) version(ctx workflow.Context, changeID string, maxSupported workflow.Version) workflow.Version {
	if r.baseline >= versionBaseline1 {
		if v, ok := baseline1[changeID]; ok {
			return v
		}
	}
	return workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, maxSupported)
}
