package workflows

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// ErrTypeStepFailed is the type of a run's failure when the step's own
// error carried no type (a timeout, say).
const ErrTypeStepFailed = "StepFailed"

// stepError names the step that failed and keeps the stable type of the
// activity's error (DocumentNotFound, CRMRequestRejected, …) as the type
// of the run's failure, so operators can match on it. Its message is the
// step alone: the reason stays in the cause, said once.
func stepError(op string, err error) error {
	typ := ErrTypeStepFailed
	cause := err
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) {
		cause = actErr.Unwrap()
	}
	// Only the activity's own error gives its type: an application error
	// under a timeout is an attempt's, not the step's.
	if appErr, ok := cause.(*temporal.ApplicationError); ok && appErr.Type() != "" {
		typ = appErr.Type()
	}
	return temporal.NewNonRetryableApplicationError(op, typ, err)
}

// stepErrorOn is stepError for a step on subject (a document, an
// edition): the step's message names the subject unless the reason under
// it already does, so that it is named once or twice, not again at every
// level.
func stepErrorOn(op, subject string, err error) error {
	if !strings.Contains(reason(err), subject) {
		op += " " + subject
	}
	return stepError(op, err)
}

// reason is what an error from an activity or a step says went wrong, as
// one line for the run's status: each level's own words, said once (the
// step, then the activity's message, which names the document and says
// what to do), without the annotations Temporal adds at every level
// (types, event IDs, identity).
func reason(err error) string {
	switch e := err.(type) {
	case nil:
		return ""
	case *temporal.ApplicationError:
		return join(e.Message(), reason(e.Unwrap()))
	case *temporal.TimeoutError:
		m := e.Message()
		if m == "" {
			m = "timed out"
		}
		if last := reason(e.Unwrap()); last != "" {
			m += "; last failure: " + last
		}
		return m
	case *temporal.ActivityError:
		return reason(e.Unwrap())
	case *temporal.CanceledError:
		return e.Error()
	}
	return err.Error()
}

// join puts a level's message before its cause's, unless the message
// already says it (a failure recorded whole at every level).
func join(msg, cause string) string {
	switch {
	case cause == "" || strings.Contains(msg, cause):
		return msg
	case msg == "":
		return cause
	}
	return msg + ": " + cause
}
