package activitytypes

import (
	"github.com/halcytone/contentgen/report/lastedition"
)

// LastEditionInput names the edition whose proof is being prepared.
type LastEditionInput struct {
	Edition string `json:"edition"`
}

// LastEditionResult is the summary of the edition before, or why there
// is none. It holds figures and names only.
type LastEditionResult struct {
	Summary *lastedition.Summary `json:"summary,omitempty"`
	Note    string               `json:"note,omitempty"`
}
