package codec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/halcytone/contentgen/codec"
	"github.com/halcytone/contentgen/internal/devserver"
)

type sendInput struct{ To string }

// sendWorkflow passes its input to an activity that fails once with an
// error quoting the address, so history holds an input, an activity
// argument and result, a failure and a workflow result.
func sendWorkflow(ctx workflow.Context, in sendInput) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 3},
	})
	var out string
	err := workflow.ExecuteActivity(ctx, sendActivity, in).Get(ctx, &out)
	return out, err
}

func sendActivity(ctx context.Context, in sendInput) (string, error) {
	if activity.GetInfo(ctx).Attempt == 1 {
		return "", fmt.Errorf("mailbox of %s is full", in.To)
	}
	return "sent to " + in.To, nil
}

func TestHistoryIsEncryptedOnDevServer(t *testing.T) {
	srv, plain := devserver.Start(t, devserver.Options{})
	keys := mustKeys(t, "k1:"+keyB64(1))
	dc := codec.DataConverter(keys)
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: "default",
		DataConverter: dc, FailureConverter: codec.FailureConverter(dc)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const queue = "codec-test"
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(sendWorkflow)
	w.RegisterActivity(sendActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "newsletter-codec-test", TaskQueue: queue}, sendWorkflow, sendInput{To: secret})
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "sent to "+secret {
		t.Fatalf("workflow result %q, %v", out, err)
	}

	payloads := plainHistoryPayloads(ctx, t, plain, run)
	if len(payloads) < 4 {
		t.Fatalf("found %d payloads in history, want input, activity input, activity result, failure, result", len(payloads))
	}
	for i, p := range payloads {
		if enc := string(p.Metadata["encoding"]); enc != codec.EncodingEncrypted {
			t.Errorf("payload %d has encoding %q, want %s", i, enc, codec.EncodingEncrypted)
		}
	}
	var plainOut string
	if err := plain.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, &plainOut); err == nil {
		t.Errorf("a client without the keys read the result %q", plainOut)
	}

	hs := httptest.NewServer(codec.Handler(codec.NewCodec(keys), codec.HandlerOptions{AuthToken: testToken}))
	defer hs.Close()
	decoded, err := remote(hs.URL, "Bearer "+testToken).Decode(payloads)
	if err != nil {
		t.Fatalf("decode history through the codec server: %v", err)
	}
	var found int
	for _, p := range decoded {
		if bytes.Contains(p.Data, []byte(secret)) {
			found++
		}
	}
	if found < 4 { // workflow input, activity input, failure message, results
		t.Errorf("the codec server revealed the address in %d payloads, want at least 4", found)
	}
}

// plainHistoryPayloads reads history without the keys, fails the test if
// any event contains the secret, and returns every payload in it.
func plainHistoryPayloads(ctx context.Context, t *testing.T, plain client.Client, run client.WorkflowRun) []*commonpb.Payload {
	t.Helper()
	var payloads []*commonpb.Payload
	iter := plain.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("event %d (%s) stores %q in plain text", ev.EventId, ev.EventType, secret)
		}
		collectPayloads(ev.ProtoReflect(), &payloads)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("reading history timed out")
	}
	return payloads
}

// collectPayloads appends every Payload inside m, at any depth.
func collectPayloads(m protoreflect.Message, out *[]*commonpb.Payload) {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		*out = append(*out, p)
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					collectPayloads(mv.Message(), out)
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				for i := range v.List().Len() {
					collectPayloads(v.List().Get(i).Message(), out)
				}
			}
		case fd.Message() != nil:
			collectPayloads(v.Message(), out)
		}
		return true
	})
}
