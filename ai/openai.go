package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/internal/retryafter"
)

// Options configures the OpenAI-compatible client.
type Options struct {
	// BaseURL is the API root, e.g. "https://api.openai.com/v1" or a local
	// "http://localhost:11434/v1" (Ollama), llama.cpp or vLLM server.
	BaseURL string
	// APIKey is sent as a bearer token; local servers often need none.
	APIKey string
	// Model names the model, e.g. "gpt-4o-mini".
	Model string
	// HTTPClient defaults to one with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each request (default 2 minutes).
	Timeout time.Duration
}

// DefaultBaseURL is used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

// OpenAI is a Model served by any OpenAI-compatible Chat Completions API.
// It never retries by itself: callers (Temporal, or Runner.Attempts) do.
type OpenAI struct {
	client openai.Client
	model  string
}

var _ Model = (*OpenAI)(nil)

// NewOpenAI returns a client for o.Model at o.BaseURL.
func NewOpenAI(o Options) (*OpenAI, error) {
	if strings.TrimSpace(o.Model) == "" {
		return nil, errors.New("ai: no model: set AI_MODEL to the model's name, e.g. gpt-4o-mini or llama3.1")
	}
	base := o.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ai: OPENAI_BASE_URL %q is not an http(s) URL; use e.g. %s or http://localhost:11434/v1", base, DefaultBaseURL)
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: o.Timeout}
	}
	opts := []option.RequestOption{
		option.WithBaseURL(base),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
		option.WithRequestTimeout(o.Timeout),
	}
	// A key is required by the SDK's request builder; local servers ignore it.
	key := o.APIKey
	if key == "" {
		key = "none"
	}
	opts = append(opts, option.WithAPIKey(key))
	return &OpenAI{client: openai.NewClient(opts...), model: o.Model}, nil
}

// Name returns the model's name.
func (c *OpenAI) Name() string { return c.model }

// Complete sends one Chat Completions request with a json_schema response
// format and returns the message content and usage.
func (c *OpenAI) Complete(ctx context.Context, req Request) (Reply, error) {
	params := openai.ChatCompletionNewParams{
		Model: shared.ChatModel(c.model),
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(req.System),
			openai.UserMessage(req.User),
		},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   req.SchemaName,
					Schema: req.Schema.wire(),
					Strict: openai.Bool(true),
				},
			},
		},
		Temperature: openai.Float(req.Temperature),
	}
	if req.MaxTokens > 0 {
		params.MaxCompletionTokens = openai.Int(int64(req.MaxTokens))
	}
	// The middleware keeps the status and headers, so an error body that
	// is not OpenAI's JSON still yields an APIError with its status.
	var last *http.Response
	keep := option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		res, err := next(r)
		last = res
		return res, err
	})
	res, err := c.client.Chat.Completions.New(ctx, params, keep)
	if err != nil {
		return Reply{}, apiError(err, last)
	}
	if len(res.Choices) == 0 {
		return Reply{}, fmt.Errorf("%w: the reply has no choices", ErrSchema)
	}
	ch := res.Choices[0]
	if ch.Message.Refusal != "" {
		return Reply{}, fmt.Errorf("%w: the model refused: %s", ErrSchema, ch.Message.Refusal)
	}
	return Reply{
		Content: ch.Message.Content,
		Usage: suggest.Usage{
			PromptTokens:     int(res.Usage.PromptTokens),
			CompletionTokens: int(res.Usage.CompletionTokens),
			Requests:         1,
		},
	}, nil
}

// apiError maps the SDK's error, or a non-2xx response, to an APIError;
// other errors (network, context) are wrapped as they are.
func apiError(err error, res *http.Response) error {
	var e *openai.Error
	switch {
	case errors.As(err, &e):
		out := &APIError{Status: e.StatusCode, Message: e.Message}
		if e.Response != nil {
			out.RetryAfter = retryAfter(e.Response.Header, time.Now())
		}
		return out
	case res != nil && res.StatusCode >= 400:
		return &APIError{Status: res.StatusCode, RetryAfter: retryAfter(res.Header, time.Now())}
	}
	return fmt.Errorf("model request: %w", err)
}

// retryAfter reads Retry-After-Ms (OpenAI's), then Retry-After.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	d, _ := retryafter.Header(h, now)
	return d
}
