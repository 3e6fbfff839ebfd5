// Package watchhook receives push notifications that a living document
// changed — Notion webhooks and Google Drive channel notifications —
// verifies them, and asks the document's watcher to check it at once (the
// check signal). The watcher still reads the revision itself and still
// waits for its quiet period; a notification only saves it the wait for
// its next timer. Secrets stay here: the signal carries who sent it and
// the event type, nothing else.
package watchhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/notion"
	"github.com/halcytone/contentgen/workflows"
)

// Paths the handler serves.
const (
	NotionPath = "/hooks/notion"
	DrivePath  = "/hooks/google-drive"
)

// Headers of the notifications.
const (
	HeaderNotionSignature = "X-Notion-Signature"
	HeaderChannelToken    = "X-Goog-Channel-Token"
	HeaderResourceState   = "X-Goog-Resource-State"
	HeaderResourceURI     = "X-Goog-Resource-URI"
)

// maxBody bounds a notification body; Notion's events are a few KB.
const maxBody = 1 << 20

// Temporal is what the handler needs of the Temporal client.
type Temporal interface {
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
	ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
}

// Config configures the handler. A source whose secret is empty is
// refused (503), apart from Notion's one-time verification request.
type Config struct {
	Temporal Temporal
	// NotionVerificationToken is the token Notion sent when the webhook
	// subscription was created; it keys the HMAC-SHA256 of each event body
	// in X-Notion-Signature.
	NotionVerificationToken string
	// DriveChannelToken is the token given when the Drive channel was
	// created (changes.watch or files.watch); Google repeats it in
	// X-Goog-Channel-Token.
	DriveChannelToken string
	Logger            *slog.Logger
	// Timeout bounds the Temporal calls of one notification (default 10 s).
	Timeout time.Duration
}

// Handler serves NotionPath and DrivePath.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST "+NotionPath, h.notion)
	h.mux.HandleFunc("POST "+DrivePath, h.drive)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// notionEvent is the part of a Notion webhook event the handler reads.
type notionEvent struct {
	Type   string `json:"type"`
	Entity struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"entity"`
	VerificationToken string `json:"verification_token"`
}

var printableToken = regexp.MustCompile(`^[A-Za-z0-9_\-]{8,200}$`)

func (h *Handler) notion(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "body unreadable or over 1 MiB", http.StatusBadRequest)
		return
	}
	sig := r.Header.Get(HeaderNotionSignature)
	if sig == "" {
		var ev notionEvent
		if json.Unmarshal(body, &ev) == nil && printableToken.MatchString(ev.VerificationToken) {
			// Notion's one-time handshake: the operator needs the token to
			// finish the subscription and to configure this service.
			h.cfg.Logger.Warn("Notion webhook verification request: paste this token in the integration's webhook settings and set WATCH_NOTION_VERIFICATION_TOKEN to it",
				"verificationToken", ev.VerificationToken)
			w.WriteHeader(http.StatusOK)
			return
		}
		h.refuse(w, r, http.StatusUnauthorized, "no "+HeaderNotionSignature+" header")
		return
	}
	if h.cfg.NotionVerificationToken == "" {
		h.refuse(w, r, http.StatusServiceUnavailable, "Notion webhooks are not configured here: set WATCH_NOTION_VERIFICATION_TOKEN")
		return
	}
	if !validNotionSignature(h.cfg.NotionVerificationToken, body, sig) {
		h.refuse(w, r, http.StatusUnauthorized, "bad "+HeaderNotionSignature)
		return
	}
	var ev notionEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "event is not JSON", http.StatusBadRequest)
		return
	}
	if ev.Entity.Type != "page" || !strings.HasPrefix(ev.Type, "page.") {
		w.WriteHeader(http.StatusNoContent) // not about a page's content
		return
	}
	id, err := notion.PageID(ev.Entity.ID)
	if err != nil {
		http.Error(w, "entity.id is not a page ID", http.StatusBadRequest)
		return
	}
	watcher := workflows.WatchID(sources.KindNotion + ":" + id)
	h.poke(w, r, []string{watcher}, "notion", ev.Type)
}

// NotionSignature is the X-Notion-Signature of body under token.
func NotionSignature(token string, body []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func validNotionSignature(token string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	mac, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	want := hmac.New(sha256.New, []byte(token))
	want.Write(body)
	return hmac.Equal(mac, want.Sum(nil))
}

var driveFileURI = regexp.MustCompile(`/drive/v\d+/files/([A-Za-z0-9_-]+)`)

func (h *Handler) drive(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	if h.cfg.DriveChannelToken == "" {
		h.refuse(w, r, http.StatusServiceUnavailable, "Drive notifications are not configured here: set WATCH_DRIVE_CHANNEL_TOKEN")
		return
	}
	got := r.Header.Get(HeaderChannelToken)
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.cfg.DriveChannelToken)) != 1 {
		h.refuse(w, r, http.StatusUnauthorized, "bad "+HeaderChannelToken)
		return
	}
	state := r.Header.Get(HeaderResourceState)
	switch state {
	case "sync": // the channel was just created
		w.WriteHeader(http.StatusOK)
		return
	case "remove", "trash":
		// The watcher's next check reports the document gone; no hurry.
	}
	// files.watch names the file; changes.watch only says the drive
	// changed, so every Docs watcher checks (one small request each).
	var watchers []string
	if m := driveFileURI.FindStringSubmatch(r.Header.Get(HeaderResourceURI)); m != nil {
		watchers = []string{workflows.WatchID(sources.KindGDocs + ":" + m[1])}
	} else {
		var err error
		if watchers, err = h.docsWatchers(r.Context()); err != nil {
			h.cfg.Logger.Error("list Google Docs watchers", "err", err)
			http.Error(w, "could not list the watchers; Google will retry", http.StatusServiceUnavailable)
			return
		}
	}
	h.poke(w, r, watchers, "google-drive", state)
}

// docsWatchers lists the running watchers of Google Docs documents.
func (h *Handler) docsWatchers(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	query := fmt.Sprintf("WorkflowType = %q AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH %q",
		workflows.WatcherWorkflowName, workflows.WatchIDPrefix+sources.KindGDocs+":")
	var ids []string
	var token []byte
	for {
		resp, err := h.cfg.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, ex := range resp.GetExecutions() {
			ids = append(ids, ex.GetExecution().GetWorkflowId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return ids, nil
		}
	}
}

// poke signals each watcher to check now. A document nobody watches is
// not an error for the sender (it would only retry).
func (h *Handler) poke(w http.ResponseWriter, r *http.Request, watchers []string, by, event string) {
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.Timeout)
	defer cancel()
	poked := 0
	for _, id := range watchers {
		err := h.cfg.Temporal.SignalWorkflow(ctx, id, "", workflows.SignalWatchCheck, workflows.WatchPoke{By: by, Reason: event})
		var nf *serviceerror.NotFound
		switch {
		case err == nil:
			poked++
		case errors.As(err, &nf):
			h.cfg.Logger.Info("push notification for a document nobody watches", "watcher", id, "event", event)
		default:
			h.cfg.Logger.Error("poke watcher", "watcher", id, "event", event, "err", err)
			http.Error(w, "could not reach the watcher; retry", http.StatusServiceUnavailable)
			return
		}
	}
	h.cfg.Logger.Info("push notification", "from", by, "event", event, "watchersPoked", poked)
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, why string) {
	h.cfg.Logger.Warn("push notification refused", "path", r.URL.Path, "remote", r.RemoteAddr, "why", why)
	http.Error(w, why, code)
}
