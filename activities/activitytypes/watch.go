package activitytypes

// ErrTypeEditionClosed: the edition's run already ended and may not run
// again; a watcher records it and waits for the next change.
const ErrTypeEditionClosed = "EditionClosed"

// RevisionInput names the document whose revision to check.
type RevisionInput struct {
	Source string `json:"source"`
}

// RevisionResult is the document's current revision.
type RevisionResult struct {
	Revision string `json:"revision"`
}

// RefreshEditionInput names the edition's run to refresh, and how to start
// it when there is none.
type RefreshEditionInput struct {
	Edition      string `json:"edition"`
	WorkflowID   string `json:"workflow_id"`
	WorkflowType string `json:"workflow_type"`
	TaskQueue    string `json:"task_queue"`
	// Args is the run's input. It reaches the activity as decoded JSON
	// and goes on to the run as the same JSON.
	Args   any    `json:"args"`
	Signal string `json:"signal"`
	// SignalArg is the signal's payload.
	SignalArg any `json:"signal_arg,omitempty"`
	// SearchAttributes are keyword attributes set on a run this starts.
	SearchAttributes map[string]string `json:"search_attributes,omitempty"`
	// EditionAttribute is the keyword attribute that names a run's
	// edition, to find a run a schedule started under another ID.
	EditionAttribute string `json:"edition_attribute,omitempty"`
}

// RefreshEditionResult says which run got the change.
type RefreshEditionResult struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id,omitempty"`
	// Action is "refreshed" (a run was in progress) or "started".
	Action string `json:"action"`
}
