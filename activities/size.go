package activities

import (
	"encoding/json"
	"fmt"

	"github.com/halcytone/contentgen/activities/activitytypes"
)

// MaxPayloadBytes is the largest activity result the workflow accepts. The
// Temporal server refuses payloads over 2 MiB by default and warns from
// 256 KiB; failing here gives the editor a clear message instead of a run
// stuck on a rejected workflow task.
const MaxPayloadBytes = 1536 << 10

func checkSize(what string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	if len(b) > MaxPayloadBytes {
		return nonRetryable(activitytypes.ErrTypeTooLarge, fmt.Errorf("%s is %d KiB, over the %d KiB limit of a workflow payload: %w; shorten the document or split it into several editions",
			what, len(b)>>10, MaxPayloadBytes>>10, errTooLarge))
	}
	return nil
}
