package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/ai/suggest"
)

// DefaultBudget is the token budget of one edition's suggestions.
const DefaultBudget = 20000

// Runner runs tasks against a model with a cache and a token budget.
type Runner struct {
	Model Model
	// Cache, when set, answers a request it has seen before, at no cost.
	Cache  Cache
	Logger *slog.Logger
	// Temperature of every request (part of the cache key).
	Temperature float64
	// Attempts is how often a request that failed with a retryable error
	// (408, 409, 429, 5xx, network) is tried in all, waiting as the server
	// asks. Leave it 0 (once) where something else retries, as Temporal
	// does for activities.
	Attempts int
	// MaxWait bounds one wait between attempts (default 1 minute).
	MaxWait time.Duration
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// request builds a task's request.
func (r *Runner) request(t suggest.Task) (Request, error) {
	schema, err := schemaFor(t.Kind)
	if err != nil {
		return Request{}, err
	}
	return Request{
		SchemaName: "contentgen_" + t.Kind, Schema: schema,
		System: t.System, User: t.User,
		MaxTokens: maxTokens(t.Kind), Temperature: r.Temperature,
	}, nil
}

// Estimate is the most tokens a request may cost: its prompt, counted
// generously at three bytes a token, plus its completion's bound.
func Estimate(req Request) int {
	schema, _ := json.Marshal(req.Schema.wire())
	return (len(req.System)+len(req.User)+len(schema))/3 + 32 + req.MaxTokens
}

// Do runs one task. budget is what the run may still spend: a request
// whose estimate exceeds it is not sent and Do returns ErrBudget. A reply
// that fails the schema is asked for once more; a second failure drops
// the task's suggestions with a warning, which is not an error. The
// result's Usage counts what was spent, errors included.
func (r *Runner) Do(ctx context.Context, t suggest.Task, budget int) (suggest.Result, error) {
	res := suggest.Result{Task: t.ID}
	req, err := r.request(t)
	if err != nil {
		return res, err
	}
	key := cacheKey(r.Model.Name(), req)
	if out, ok := r.fromCache(ctx, t, key); ok {
		return out, nil
	}
	var lastErr error
	for try := 1; try <= 2; try++ {
		if need := Estimate(req); need > budget-res.Usage.Total() {
			return res, fmt.Errorf("%s: %w: the request may need %d tokens and %d are left (raise AI_MAX_TOKENS_PER_EDITION to allow more)",
				t.ID, ErrBudget, need, max(budget-res.Usage.Total(), 0))
		}
		reply, err := r.call(ctx, t.ID, req)
		res.Usage = res.Usage.Add(reply.Usage)
		if err != nil {
			return res, fmt.Errorf("%s: %w", t.ID, err)
		}
		out, err := taskSuggestions(t, reply.Content)
		if err == nil {
			out.Usage = res.Usage
			r.toCache(ctx, key, reply)
			return out, nil
		}
		lastErr = err
		r.logger().Warn("model reply does not match the schema", "task", t.ID, "try", try, "err", err)
	}
	res.Warnings = append(res.Warnings, fmt.Sprintf("%s: the model's reply did not match the schema twice, so its suggestions are left out (%v)", t.ID, lastErr))
	return res, nil
}

// call sends req, trying again on retryable errors up to Attempts times.
func (r *Runner) call(ctx context.Context, task string, req Request) (Reply, error) {
	wait := time.Second
	maxWait := r.MaxWait
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	for attempt := 1; ; attempt++ {
		reply, err := r.Model.Complete(ctx, req)
		if err == nil || attempt >= r.Attempts || !Retryable(err) || ctx.Err() != nil {
			return reply, err
		}
		d := wait
		var api *APIError
		if errors.As(err, &api) && api.RetryAfter > 0 {
			d = api.RetryAfter
		}
		d = min(d, maxWait)
		r.logger().Warn("model request failed; trying again", "task", task, "attempt", attempt, "wait", d, "err", err)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return Reply{}, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

func (r *Runner) fromCache(ctx context.Context, t suggest.Task, key string) (suggest.Result, bool) {
	if r.Cache == nil {
		return suggest.Result{}, false
	}
	b, ok, err := r.Cache.Get(ctx, key)
	if err != nil {
		r.logger().Warn("read suggestion cache", "err", err)
		return suggest.Result{}, false
	}
	var c cached
	if !ok || json.Unmarshal(b, &c) != nil {
		return suggest.Result{}, false
	}
	out, err := taskSuggestions(t, c.Content)
	if err != nil {
		return suggest.Result{}, false
	}
	out.Usage = suggest.Usage{Cached: 1}
	return out, true
}

func (r *Runner) toCache(ctx context.Context, key string, reply Reply) {
	if r.Cache == nil {
		return
	}
	b, _ := json.Marshal(cached{Model: r.Model.Name(), Content: reply.Content, Usage: reply.Usage})
	if err := r.Cache.Put(ctx, key, b); err != nil {
		r.logger().Warn("write suggestion cache", "err", err)
	}
}

// Fatal reports whether err will fail every request the same way: the
// server refused the key (401, 403) or knows no such model or endpoint
// (404). Running further tasks is pointless.
func Fatal(err error) bool {
	var api *APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}

// RunAll runs every task in order within budget. A task that fails or
// does not fit the budget is reported in Warnings and the others still
// run (a cached one costs nothing); an error is returned only when the
// model cannot serve any request (see Fatal) or ctx ends.
func (r *Runner) RunAll(ctx context.Context, tasks []suggest.Task, budget int) (suggest.Suggestions, error) {
	s := suggest.Suggestions{Model: r.Model.Name(), Suggestions: []suggest.Suggestion{}, Findings: []suggest.Finding{}}
	for _, t := range tasks {
		res, err := r.Do(ctx, t, budget-s.Usage.Total())
		s.Add(res)
		switch {
		case err == nil:
		case Fatal(err), ctx.Err() != nil:
			return s, err
		case errors.Is(err, ErrBudget):
			s.Warnings = append(s.Warnings, "skipped "+err.Error())
		default:
			s.Warnings = append(s.Warnings, "failed "+err.Error())
		}
	}
	return s, nil
}
