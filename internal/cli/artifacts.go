package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/workflows"
)

// artifactStore opens the store at rawURL with the starter's codec keys.
func (e *Env) artifactStore(ctx context.Context, rawURL string) (*artifact.Store, error) {
	return app.ArtifactStore(ctx, rawURL, e.get("NEWSLETTER_CODEC_KEYS", ""))
}

func runArtifacts(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] != "prune" {
		return errors.New("usage: starter artifacts prune --keep-editions N [--min-age 24h] [--cache-max-age 720h] [--dry-run]")
	}
	fs := flags(e, "artifacts prune", "Delete stored documents and renders of all but the newest N editions. Artifacts of runs still\nin progress (asked of Temporal) and artifacts younger than --min-age are always kept.",
		"starter artifacts prune --keep-editions 8")
	keep := fs.Int("keep-editions", 0, "how many of the newest editions keep their artifacts (required, at least 1)")
	minAge := fs.Duration("min-age", 24*time.Hour, "never delete artifacts written less than this long ago")
	cacheAge := fs.Duration("cache-max-age", artifact.DefaultCacheMaxAge, "delete cached model replies written longer ago than this")
	dryRun := fs.Bool("dry-run", false, "report what would be deleted, delete nothing")
	storeURL := fs.String("artifact-store", e.get("ARTIFACT_STORE_URL", app.DefaultArtifactDir), "artifact store the worker writes to (ARTIFACT_STORE_URL)")
	offline := fs.Bool("no-temporal", false, "do not ask Temporal which runs are in progress; rely on --min-age alone")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *keep < 1 {
		return errors.New("artifacts prune: --keep-editions N is required (N at least 1)")
	}
	var running []string
	if !*offline {
		var err error
		if running, err = e.runningEditions(ctx); err != nil {
			return fmt.Errorf("artifacts prune: find runs in progress (or pass --no-temporal): %w", err)
		}
	}
	store, err := e.artifactStore(ctx, *storeURL)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.Prune(ctx, artifact.PruneOptions{KeepEditions: *keep, Protect: running, MinAge: *minAge, CacheMaxAge: *cacheAge, DryRun: *dryRun})
	if err != nil {
		return err
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintln(e.Stdout, string(out))
	return nil
}

// runningEditions lists the editions of newsletter runs still open.
func (e *Env) runningEditions(ctx context.Context) ([]string, error) {
	c, err := e.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var eds []string
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:         fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.WorkflowName),
			NextPageToken: token,
		})
		if err != nil {
			return nil, err
		}
		for _, ex := range resp.GetExecutions() {
			if ex.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				id := ex.GetExecution().GetWorkflowId()
				if len(id) > len(workflows.WorkflowIDPrefix) {
					eds = append(eds, id[len(workflows.WorkflowIDPrefix):])
				}
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return eds, nil
		}
	}
}
