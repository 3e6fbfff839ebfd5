package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/workflows"
)

// postAtList is the repeatable --post-at network=time flag.
type postAtList []workflows.ScheduledPost

func (l *postAtList) String() string {
	parts := make([]string, 0, len(*l))
	for _, p := range *l {
		parts = append(parts, p.Network+"="+p.At.Format(time.RFC3339))
	}
	return strings.Join(parts, ",")
}

func (l *postAtList) Set(v string) error {
	network, at, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want network=time, e.g. mastodon=2026-12-01T10:00:00+01:00")
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(at))
	if err != nil {
		return fmt.Errorf("time %q: want RFC 3339 with a zone, e.g. 2026-12-01T10:00:00+01:00", at)
	}
	*l = append(*l, workflows.ScheduledPost{Network: strings.TrimSpace(network), At: t})
	return nil
}

func (f *inputFlags) postAtNetworks() []string {
	out := make([]string, 0, len(f.postAt))
	for _, p := range f.postAt {
		out = append(out, p.Network)
	}
	return out
}

// socialCommands are the subcommands of starter social.
var socialCommands = []command{
	{"edit", "change an edition's social posts at approval, with your approve token", runSocialEdit},
	{"delete", "delete an edition's post on one network", runSocialDelete},
	{"login", "log in to mastodon, bluesky, x or linkedin and store the credentials the worker reads", runSocialLogin},
}

func runSocial(ctx context.Context, e *Env, args []string) error {
	if len(args) > 0 {
		for _, c := range socialCommands {
			if c.name == args[0] {
				return c.run(ctx, e, args[1:])
			}
		}
	}
	fmt.Fprintln(e.Stderr, "Usage: starter social <command> [flags]\n\nCommands:")
	for _, c := range socialCommands {
		fmt.Fprintf(e.Stderr, "  %-8s %s\n", c.name, c.summary)
	}
	if len(args) == 0 {
		return fmt.Errorf("social: name a command: %s", socialNames())
	}
	return fmt.Errorf("social: unknown command %q: use %s", args[0], socialNames())
}

func socialNames() string {
	names := make([]string, len(socialCommands))
	for i, c := range socialCommands {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func runSocialDelete(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "social delete", "Delete an edition's post on one network, as the worker (which holds the credentials); the deletion is a workflow run of its own, recording who, when and why.",
		"starter social delete --edition 2026-W48 --network bluesky --by ana@example.com --reason \"wrong date\"")
	var t target
	t.register(fs)
	network := fs.String("network", "", "network whose post to delete: mastodon, bluesky, x or linkedin")
	by := fs.String("by", e.get("USER", ""), "who deletes it (default $USER)")
	reason := fs.String("reason", "", "why, for the audit trail")
	taskQueue := fs.String("task-queue", e.get("TASK_QUEUE", workflows.TaskQueue), "task queue (TASK_QUEUE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *network == "" {
		return fmt.Errorf("--network is required: mastodon, bluesky, x or linkedin")
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	runID, st, err := t.status(ctx, c)
	if err != nil {
		return err
	}
	var post activitytypes.SocialPost
	for _, p := range st.Posts {
		if p.Network == *network {
			post = p
		}
	}
	if post.ID == "" {
		return fmt.Errorf("edition %s has no %s post to delete (see 'starter status --edition %s')", st.Edition, *network, st.Edition)
	}
	in := activitytypes.SocialDeleteInput{Edition: st.Edition, WorkflowID: runID, Network: *network, ID: post.ID, URL: post.URL, By: *by, Reason: *reason}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.SocialDeleteWorkflowID(st.Edition, *network), TaskQueue: *taskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, workflows.SocialDeleteWorkflowName, in)
	if err != nil {
		return fmt.Errorf("delete %s post of %s: %w", *network, st.Edition, err)
	}
	var res workflows.SocialDeleteResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("delete %s post of %s: %w", *network, st.Edition, err)
	}
	fmt.Fprintf(e.Stdout, "deleted %s post %s (%s); recorded in %s\n", *network, post.ID, post.URL, run.GetID())
	return nil
}

func printPosts(w io.Writer, posts []activitytypes.SocialPost) {
	for _, p := range posts {
		fmt.Fprintf(w, "  %-8s %-9s", p.Network, p.Status)
		switch {
		case p.URL != "":
			fmt.Fprintf(w, " %s", p.URL)
		case p.Status == activitytypes.SocialPending:
			fmt.Fprintf(w, " at %s", p.At.Format(time.RFC3339))
		}
		if p.Error != "" {
			fmt.Fprintf(w, " %s", p.Error)
		} else if p.Note != "" {
			fmt.Fprintf(w, " (%s)", p.Note)
		}
		fmt.Fprintln(w)
	}
}

// withDeletions marks the posts deleted by hand and adds each deletion to
// the audit trail, from the deletion runs' results: a run that had closed
// when its post was deleted could not record it itself.
func withDeletions(ctx context.Context, c client.Client, st workflows.Status) workflows.Status {
	posts := slices.Clone(st.Posts)
	for i, p := range posts {
		if p.ID == "" || p.Status == activitytypes.SocialDeleted {
			continue
		}
		id := workflows.SocialDeleteWorkflowID(st.Edition, p.Network)
		desc, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			continue
		}
		var del workflows.SocialDeleteResult
		if err := c.GetWorkflow(ctx, id, "").Get(ctx, &del); err == nil && del.ID == p.ID {
			posts[i].Status, posts[i].Note, posts[i].At = del.Status, del.Note, del.At
			st.Decisions = append(slices.Clip(st.Decisions), del.Deleted().Decision())
		}
	}
	st.Posts = posts
	return st
}
