package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// ErrTypeStepFailed is the type of a run's failure when the step's own
// error carried no type (a timeout, say).
const ErrTypeStepFailed = "StepFailed"

// stepError names the step that failed and keeps the stable type of the
// activity's error (DocumentNotFound, CRMRequestRejected, …) as the type
// of the run's failure, so operators can match on it.
func stepError(op string, err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return temporal.NewNonRetryableApplicationError(op+": "+appErr.Message(), appErr.Type(), err)
	}
	return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrTypeStepFailed, err)
}
