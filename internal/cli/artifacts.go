package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/workflows"
)

// artifactStore opens the store at rawURL with the starter's codec keys.
func (e *Env) artifactStore(ctx context.Context, rawURL string) (*blobstore.Store, error) {
	return app.ArtifactStore(ctx, rawURL, e.get("NEWSLETTER_CODEC_KEYS", ""))
}

func runArtifacts(ctx context.Context, e *Env, args []string) error {
	if len(args) > 0 && args[0] == "schedule" {
		return artifactsSchedule(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "prune" {
		return errors.New("usage: starter artifacts prune --keep-editions N [--min-age 24h] [--cache-max-age 720h] [--dry-run]\n       starter artifacts schedule --keep-editions N [--min-age 24h] [--cache-max-age 720h] [--cron \"0 3 * * SUN\"] [--delete]")
	}
	fs := flags(e, "artifacts prune", "Delete stored documents and renders of all but the newest N editions. Artifacts of runs still\nin progress (asked of Temporal) and artifacts younger than --min-age are always kept.",
		"starter artifacts prune --keep-editions 8")
	keep := fs.Int("keep-editions", 0, "how many of the newest editions keep their artifacts (required, at least 1)")
	minAge := fs.Duration("min-age", 24*time.Hour, "never delete artifacts written less than this long ago")
	cacheAge := fs.Duration("cache-max-age", blobstore.DefaultCacheMaxAge, "delete cached model replies last read or written longer ago than this")
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
	rep, err := store.Prune(ctx, blobstore.PruneOptions{KeepEditions: *keep, Protect: running, MinAge: *minAge, CacheMaxAge: *cacheAge, DryRun: *dryRun})
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
	return activities.RunningEditions(ctx, c, workflows.WorkflowName, workflows.WorkflowIDPrefix)
}

// artifactsSchedule creates (or with --delete removes) the Temporal
// Schedule that prunes the artifact store weekly on a worker.
func artifactsSchedule(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "artifacts schedule", "Create the weekly prune: a Temporal Schedule that runs PruneArtifactsWorkflow on a worker, which keeps\nthe newest N editions' artifacts, those of runs in progress and any younger than --min-age, and deletes\ncached model replies older than --cache-max-age.",
		`starter artifacts schedule --keep-editions 8 --cron "0 3 * * SUN"`)
	id := fs.String("id", workflows.PruneScheduleID, "schedule ID")
	var sf specFlags
	sf.register(fs)
	fs.Lookup("cron").DefValue, sf.cron = "0 3 * * SUN", "0 3 * * SUN"
	fs.Lookup("cron").Usage = "cron expression of the weekly prune"
	keep := fs.Int("keep-editions", 0, "how many of the newest editions keep their artifacts (required, at least 1)")
	minAge := fs.Duration("min-age", 24*time.Hour, "never delete artifacts written less than this long ago")
	cacheAge := fs.Duration("cache-max-age", blobstore.DefaultCacheMaxAge, "delete cached model replies last used longer ago than this")
	taskQueue := fs.String("task-queue", e.get("TASK_QUEUE", workflows.TaskQueue), "task queue of the workers (TASK_QUEUE)")
	del := fs.Bool("delete", false, "delete the schedule instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if *del {
		if err := c.ScheduleClient().GetHandle(ctx, *id).Delete(ctx); err != nil {
			return fmt.Errorf("delete schedule %s: %w", *id, err)
		}
		fmt.Fprintf(e.Stdout, "deleted schedule %s\n", *id)
		return nil
	}
	if *keep < 1 {
		return errors.New("artifacts schedule: --keep-editions N is required (N at least 1)")
	}
	if *minAge < 0 || *cacheAge <= 0 {
		return errors.New("artifacts schedule: --min-age must not be negative and --cache-max-age must be positive, e.g. --cache-max-age 720h")
	}
	spec, err := sf.spec()
	if err != nil {
		return err
	}
	_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   *id,
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{ID: *id, Workflow: workflows.PruneWorkflowName, TaskQueue: *taskQueue,
			Args: []any{workflows.PruneInput{KeepEditions: *keep, MinAge: workflows.Duration(*minAge), CacheMaxAge: workflows.Duration(*cacheAge)}}},
		Overlap:       enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: sf.catchup,
		Note:          fmt.Sprintf("weekly artifact store prune: keep %d editions, cached replies for %s", *keep, *cacheAge),
	})
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", *id, err)
	}
	fmt.Fprintf(e.Stdout, "created schedule %s: prune keeping %d editions and cached replies younger than %s, %q in %s\n", *id, *keep, *cacheAge, sf.cron, sf.timezone)
	return nil
}
