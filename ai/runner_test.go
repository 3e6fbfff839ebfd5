package ai

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/ai/suggest"
)

func TestRunAllThroughOpenAIClient(t *testing.T) {
	fake, m := fakeModel(t, "sk-test")
	tasks := testTasks(t)
	r := &Runner{Model: m}
	s, err := r.RunAll(context.Background(), tasks, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"subject:1", "subject:2", "subject:3", "preheader",
		"summary.breathscape", "summary.hardware", "summary.tips", "summary.vision",
		"social.x", "social.bluesky", "social.mastodon", "social.linkedin"}
	if got := s.IDs(); !slices.Equal(got, want) {
		t.Errorf("suggestion IDs\n got %v\nwant %v", got, want)
	}
	if len(s.Findings) != 1 || s.Findings[0].Kind != suggest.FindingJargon {
		t.Errorf("findings = %+v, want the fake's one jargon finding", s.Findings)
	}
	reqs := fake.Requests()
	if len(reqs) != len(tasks) || s.Usage.Requests != len(tasks) {
		t.Errorf("%d requests reached the server, usage says %d; want one per task (%d)", len(reqs), s.Usage.Requests, len(tasks))
	}
	if s.Usage.PromptTokens == 0 || s.Usage.CompletionTokens == 0 {
		t.Errorf("usage %+v: the server's usage was not read", s.Usage)
	}
	for _, q := range reqs {
		if q.Model != "test-model" || q.Auth != "Bearer sk-test" || !strings.HasPrefix(q.SchemaName, "contentgen_") {
			t.Errorf("request %+v: want model test-model, the key as bearer token and a contentgen_ schema", q)
		}
		if !q.Strict || !strings.Contains(string(q.Schema), `"additionalProperties":false`) || strings.Contains(string(q.Schema), "maxLength") {
			t.Errorf("%s: schema sent %s (strict %v); want strict, closed objects, no maxLength", q.SchemaName, q.Schema, q.Strict)
		}
		if !strings.Contains(q.User, beginDocument+"\n") || !strings.Contains(q.User, "\n"+endDocument) {
			t.Errorf("%s: document text is not fenced:\n%s", q.SchemaName, q.User)
		}
	}
	x, _ := s.Find("social.x")
	if x.Length > x.Limit || !strings.Contains(x.Text, "https://halcytone.example/updates/") || x.Original == "" {
		t.Errorf("social.x = %+v: want within its limit, carrying the link, next to the original", x)
	}
	sub, _ := s.Find("subject:2")
	if sub.Original == "" || sub.Text == sub.Original {
		t.Errorf("subject:2 = %+v: want the current subject as original", sub)
	}
}

func TestMalformedReplyIsAskedOnceMoreThenDropped(t *testing.T) {
	fake, m := fakeModel(t, "")
	task := taskByID(t, testTasks(t), TaskEmail)
	r := &Runner{Model: m}

	fake.Push(aifake.Step{Content: `{"subjects": ["only one"], "preheader": "p"}`}, aifake.Step{Content: `not json at all`})
	res, err := r.Do(context.Background(), task, DefaultBudget)
	if err != nil {
		t.Fatalf("a reply failing the schema twice must drop the suggestions, not fail: %v", err)
	}
	if len(res.Suggestions) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "did not match the schema") {
		t.Errorf("result %+v: want no suggestions and one warning", res)
	}
	if n := len(fake.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 (one retry)", n)
	}
	if res.Usage.Requests != 2 {
		t.Errorf("usage %+v: both requests cost tokens and must be counted", res.Usage)
	}

	fake.Push(aifake.Step{Content: `{"subjects": ["a", "b", "c"], "preheader": "p", "extra": 1}`})
	res, err = r.Do(context.Background(), task, DefaultBudget)
	if err != nil || len(res.Suggestions) != 4 || len(res.Warnings) != 0 {
		t.Errorf("bad then good reply: result %+v, %v; want the second reply's 4 suggestions", res, err)
	}
}

func Test429HonoursRetryAfter(t *testing.T) {
	fake, m := fakeModel(t, "")
	task := taskByID(t, testTasks(t), TaskCheck)
	limited := aifake.Step{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"1"}}, Message: "Rate limit reached"}

	// Alone (as in an activity, where Temporal retries): one request, an
	// error that says retry and when.
	fake.Push(limited)
	_, err := (&Runner{Model: m}).Do(context.Background(), task, DefaultBudget)
	var api *APIError
	if !errors.As(err, &api) || api.Status != 429 || api.RetryAfter != time.Second || !api.Retryable() {
		t.Fatalf("err = %v (%+v); want a retryable 429 asking to wait 1s", err, api)
	}
	if !strings.Contains(err.Error(), "Rate limit reached") {
		t.Errorf("err %q does not carry the server's message", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests: the client must not retry by itself", n)
	}

	// With attempts (starter suggest): waits as asked, then succeeds.
	fake.Push(limited)
	start := time.Now()
	res, err := (&Runner{Model: m, Attempts: 3}).Do(context.Background(), task, DefaultBudget)
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("result %+v, %v; want the findings after the wait", res, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %v; the server asked for 1s", waited)
	}
}

func Test500ThenSuccess(t *testing.T) {
	fake, m := fakeModel(t, "")
	task := taskByID(t, testTasks(t), "summary.tips")
	fake.Push(aifake.Step{Status: http.StatusInternalServerError, Body: "upstream crashed", Header: http.Header{"Retry-After-Ms": {"10"}}})
	res, err := (&Runner{Model: m, Attempts: 2}).Do(context.Background(), task, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Suggestions) != 1 || res.Suggestions[0].ID != "summary.tips" || res.Suggestions[0].Target != "Tips" {
		t.Errorf("suggestions %+v, want summary.tips", res.Suggestions)
	}
	if n := len(fake.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	// A 500 whose body is not OpenAI's JSON still reads as a 500.
	fake.Push(aifake.Step{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"})
	_, err = (&Runner{Model: m}).Do(context.Background(), task, DefaultBudget)
	var api *APIError
	if !errors.As(err, &api) || api.Status != http.StatusBadGateway || !Retryable(err) {
		t.Errorf("err = %v, want a retryable 502", err)
	}
}

func Test401IsNotRetriedAndSaysWhatToFix(t *testing.T) {
	fake, url := newFake(t, "sk-right")
	m, err := NewOpenAI(Options{BaseURL: url, APIKey: "sk-wrong", Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := (&Runner{Model: m, Attempts: 5}).RunAll(context.Background(), testTasks(t), DefaultBudget)
	if err == nil || !Fatal(err) || Retryable(err) {
		t.Fatalf("err = %v; want a fatal, non-retryable error", err)
	}
	for _, want := range []string{"401", "OPENAI_API_KEY", "Incorrect API key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "sk-wrong") {
		t.Errorf("error %q shows the key", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests: a 401 must stop the run at once", n)
	}
	if len(s.Suggestions) != 0 {
		t.Errorf("suggestions %v after a 401", s.IDs())
	}
}

func TestBudgetExhaustedMidRun(t *testing.T) {
	fake, m := fakeModel(t, "")
	tasks := testTasks(t)
	r := &Runner{Model: m}
	estimate := func(id string) int {
		req, err := r.request(taskByID(t, tasks, id))
		if err != nil {
			t.Fatal(err)
		}
		return Estimate(req)
	}
	// Room for the email and the first summary; the social drafts and the
	// check each need more than what can be left.
	budget := estimate(TaskEmail) + estimate("summary.breathscape")
	s, err := r.RunAll(context.Background(), tasks, budget)
	if err != nil {
		t.Fatal(err)
	}
	if s.Usage.Total() > budget {
		t.Errorf("spent %d tokens of a budget of %d", s.Usage.Total(), budget)
	}
	for _, id := range []string{"subject:1", "preheader", "summary.breathscape"} {
		if _, ok := s.Find(id); !ok {
			t.Errorf("%s missing: it fit the budget", id)
		}
	}
	if _, ok := s.Find("social.x"); ok || len(s.Findings) != 0 {
		t.Errorf("the social drafts or the check ran past the budget: %v %v", s.IDs(), s.Findings)
	}
	skipped := 0
	for _, w := range s.Warnings {
		if strings.Contains(w, "token budget exhausted") && strings.Contains(w, "AI_MAX_TOKENS_PER_EDITION") {
			skipped++
		}
	}
	if skipped < 2 || len(fake.Requests()) != s.Usage.Requests {
		t.Errorf("warnings %q, %d requests: want the skipped tasks reported and no request sent for them", s.Warnings, len(fake.Requests()))
	}

	// No budget at all: nothing leaves the machine.
	before := len(fake.Requests())
	if _, err := r.Do(context.Background(), tasks[0], 0); !errors.Is(err, ErrBudget) {
		t.Errorf("err = %v, want ErrBudget", err)
	}
	if len(fake.Requests()) != before {
		t.Error("a request was sent with no budget left")
	}
}

func TestCachedRunMakesNoRequest(t *testing.T) {
	fake, m := fakeModel(t, "")
	cache := DirCache{Dir: t.TempDir()}
	ed := testEdition(t)
	prompts, err := LoadPrompts("")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := prompts.Plan(ed)
	if err != nil {
		t.Fatal(err)
	}
	first, err := (&Runner{Model: m, Cache: cache}).RunAll(context.Background(), tasks, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	sent := len(fake.Requests())

	// Another runner (another worker) with the same folder.
	second, err := (&Runner{Model: m, Cache: cache}).RunAll(context.Background(), tasks, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Requests()); n != sent {
		t.Errorf("the cached run sent %d requests", n-sent)
	}
	if second.Usage.Requests != 0 || second.Usage.Total() != 0 || second.Usage.Cached != len(tasks) {
		t.Errorf("cached usage %+v, want %d cached and no tokens", second.Usage, len(tasks))
	}
	if !slices.Equal(first.IDs(), second.IDs()) {
		t.Errorf("cached suggestions %v differ from %v", second.IDs(), first.IDs())
	}

	// An edit to one section asks again only for what reads it: its
	// summary and the whole-document tasks.
	for i, s := range ed.Parsed.Sections {
		if s.Category == "tips" {
			ed.Parsed.Sections[i].Blocks = ed.Parsed.Sections[i].Blocks[:1]
		}
	}
	tasks, err = prompts.Plan(ed)
	if err != nil {
		t.Fatal(err)
	}
	third, err := (&Runner{Model: m, Cache: cache}).RunAll(context.Background(), tasks, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	for _, q := range fake.Requests()[sent:] {
		asked = append(asked, strings.TrimPrefix(q.SchemaName, "contentgen_"))
	}
	if want := []string{"email", "summary", "social", "check"}; !slices.Equal(asked, want) {
		t.Errorf("after editing Tips the run asked for %v, want %v", asked, want)
	}
	if third.Usage.Cached != 3 {
		t.Errorf("usage %+v: the three unchanged summaries should come from the cache", third.Usage)
	}
}

func TestCacheKeyCoversModelParametersAndPrompt(t *testing.T) {
	base := Request{SchemaName: "s", Schema: object(map[string]Schema{"a": str(1)}), System: "sys", User: "user", MaxTokens: 10}
	k := cacheKey("m", base)
	variants := map[string]func(*Request){
		"user":        func(r *Request) { r.User = "other" },
		"system":      func(r *Request) { r.System = "other" },
		"max tokens":  func(r *Request) { r.MaxTokens = 11 },
		"temperature": func(r *Request) { r.Temperature = 0.5 },
		"schema":      func(r *Request) { r.Schema = object(map[string]Schema{"b": str(1)}) },
	}
	for name, change := range variants {
		r := base
		change(&r)
		if cacheKey("m", r) == k {
			t.Errorf("changing the %s keeps the cache key", name)
		}
	}
	if cacheKey("other-model", base) == k {
		t.Error("changing the model keeps the cache key")
	}
	if cacheKey("m", base) != k || len(k) != 64 {
		t.Errorf("key %q is not a stable SHA-256", k)
	}
}
