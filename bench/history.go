package bench

import (
	"context"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
)

// HistoryStats measures a run's history: what the artifact store keeps
// flat whatever the document's size.
type HistoryStats struct {
	Events int
	// Bytes is the encoded size of every event.
	Bytes int
	// MaxPayload is the largest workflow or activity input or result, or
	// signal payload, and MaxPayloadEvent the event type it came from.
	MaxPayload      int
	MaxPayloadEvent string
	History         *historypb.History
}

// MeasureHistory reads the whole history of run id and measures it.
func MeasureHistory(ctx context.Context, c client.Client, id string) (HistoryStats, error) {
	var st HistoryStats
	st.History = &historypb.History{}
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return st, fmt.Errorf("history of %s: %w", id, err)
		}
		st.History.Events = append(st.History.Events, ev)
		st.Events++
		st.Bytes += proto.Size(ev)
		if n := payloadSize(ev); n > st.MaxPayload {
			st.MaxPayload, st.MaxPayloadEvent = n, ev.GetEventType().String()
		}
	}
	return st, nil
}

func payloadSize(ev *historypb.HistoryEvent) int {
	var p *commonpb.Payloads
	switch {
	case ev.GetWorkflowExecutionStartedEventAttributes() != nil:
		p = ev.GetWorkflowExecutionStartedEventAttributes().GetInput()
	case ev.GetWorkflowExecutionCompletedEventAttributes() != nil:
		p = ev.GetWorkflowExecutionCompletedEventAttributes().GetResult()
	case ev.GetActivityTaskScheduledEventAttributes() != nil:
		p = ev.GetActivityTaskScheduledEventAttributes().GetInput()
	case ev.GetActivityTaskCompletedEventAttributes() != nil:
		p = ev.GetActivityTaskCompletedEventAttributes().GetResult()
	case ev.GetWorkflowExecutionSignaledEventAttributes() != nil:
		p = ev.GetWorkflowExecutionSignaledEventAttributes().GetInput()
	case ev.GetWorkflowExecutionUpdateAcceptedEventAttributes() != nil:
		p = ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs()
	case ev.GetWorkflowExecutionUpdateCompletedEventAttributes() != nil:
		p = ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetOutcome().GetSuccess()
	}
	if p == nil {
		return 0
	}
	return proto.Size(p)
}
