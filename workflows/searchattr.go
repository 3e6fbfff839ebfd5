package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Custom search attributes, so operators can list runs by stage in the
// Web UI: NewsletterStatus="awaiting_approval".
const (
	SearchAttrStatus  = "NewsletterStatus"
	SearchAttrEdition = "NewsletterEdition"
)

// Search attribute keys.
var (
	StatusKey  = temporal.NewSearchAttributeKeyKeyword(SearchAttrStatus)
	EditionKey = temporal.NewSearchAttributeKeyKeyword(SearchAttrEdition)
)

// upsertSearchAttributes records the stage on the run. Runs started
// without NewsletterStatus (a namespace where it is not registered) skip
// this, so a missing attribute never fails a workflow task.
func upsertSearchAttributes(ctx workflow.Context, stage, edition string) {
	if _, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(StatusKey); !ok {
		return
	}
	err := workflow.UpsertTypedSearchAttributes(ctx, StatusKey.ValueSet(stage), EditionKey.ValueSet(edition))
	if err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "err", err)
	}
}
