package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/workflows"
)

func runSuggest(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "suggest", "Render a living document locally and ask the model (AI_MODEL at OPENAI_BASE_URL) for\nsuggestions: 3 subject lines, a preheader, a summary per section, social drafts\nand a plain-language check. No Temporal needed; nothing changes by itself.",
		"AI_MODEL=llama3.1 OPENAI_BASE_URL=http://localhost:11434/v1 starter suggest --source markdown:examples/living-document.md --json")
	var l localFlags
	l.register(fs, e)
	out := fs.String("out", "", "folder to write the rendered channels and the suggestions into (created if missing)")
	asJSON := fs.Bool("json", false, "also write suggestions.json (into --out, or the current folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.AIFromEnv(func(k string) string { return e.get(k, "") })
	if err != nil {
		return err
	}
	cfg.TemplateDir = *l.templates
	if !cfg.Enabled() {
		return errors.New("AI is off: set AI_MODEL to a model's name (and OPENAI_BASE_URL, OPENAI_API_KEY for a server other than OpenAI's), e.g. AI_MODEL=llama3.1 OPENAI_BASE_URL=http://localhost:11434/v1")
	}
	if cfg.CacheDir == "" {
		// The workers' cache, when ARTIFACT_STORE_URL names their store.
		store, err := e.artifactStore(ctx, e.get("ARTIFACT_STORE_URL", app.DefaultArtifactDir))
		if err != nil {
			return err
		}
		defer store.Close()
		cfg.Store = store
	}
	runner, prompts, err := app.AI(cfg, slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	runner.Attempts = 3 // nothing else retries here
	ed, err := l.render(ctx, e)
	if err != nil {
		return err
	}
	tasks, err := prompts.Plan(ed)
	if err != nil {
		return err
	}
	s, err := runner.RunAll(ctx, tasks, cfg.Budget)
	if err != nil {
		return fmt.Errorf("suggest: %w", err)
	}
	printSuggestions(e.Stdout, s)
	if *out != "" {
		if err := writeChannels(io.Discard, *out, workflows.Preview{Edition: ed.ID, Output: ed.Output, Suggestions: &s}); err != nil {
			return err
		}
	}
	if *asJSON {
		dir := *out
		if dir == "" {
			dir = "."
		}
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		path := filepath.Join(dir, "suggestions.json")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write suggestions.json: %w", err)
		}
		fmt.Fprintln(e.Stdout, "wrote", path)
	}
	return nil
}

// printSuggestions writes every suggestion next to the original, then the
// check's findings, the usage and what was left out.
func printSuggestions(w io.Writer, s suggest.Suggestions) {
	u := s.Usage
	fmt.Fprintf(w, "model %s: %d requests, %d from cache, %d prompt + %d completion tokens\n",
		s.Model, u.Requests, u.Cached, u.PromptTokens, u.CompletionTokens)
	if len(s.Suggestions) == 0 {
		fmt.Fprintln(w, "\nno suggestions")
	}
	kind := ""
	for _, x := range s.Suggestions {
		if x.Kind != kind {
			kind = x.Kind
			fmt.Fprintln(w)
		}
		label := x.ID
		if x.Limit > 0 {
			label += fmt.Sprintf(" (%d/%d)", x.Length, x.Limit)
		}
		fmt.Fprintf(w, "%s\n  now:     %s\n  suggest: %s\n", label, indent(x.Original), indent(x.Text))
	}
	if len(s.Findings) > 0 {
		fmt.Fprintln(w, "\nplain-language check:")
		for _, f := range s.Findings {
			fmt.Fprintf(w, "  %-13s %q: %s\n", f.Kind, f.Quote, f.Note)
		}
	}
	for _, warn := range s.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n           ") }
