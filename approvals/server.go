package approvals

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/time/rate"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/approvals/proofmail"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/workflows"
)

// ContentSecurityPolicy is the Platform pages' policy: no script at all,
// inline styles, and forms that post only here.
const ContentSecurityPolicy = httpapi.PageCSP

// PreviewPath shows the full rendered email of a token's revision.
const PreviewPath = "/preview"

//go:embed templates/*.html
var pageFiles embed.FS

var pages = template.Must(template.ParseFS(pageFiles, "templates/*.html"))

// Config configures the service.
type Config struct {
	Temporal client.Client
	Keys     *token.Keyring
	// Artifacts is the store the worker keeps renders in (read only
	// here): the preview of a run on the store is read from it. Without
	// it such previews are refused with a page that says why.
	Artifacts *blobstore.Store
	Logger    *slog.Logger
	// RatePerMinute and Burst limit requests per client address
	// (defaults 30 and 10).
	RatePerMinute float64
	Burst         int
	// Now is the clock tokens are checked against (default time.Now).
	Now func() time.Time
	// Timeout bounds each call to Temporal (default 30 s).
	Timeout time.Duration
}

// Server serves the confirmation pages and executes decisions.
type Server struct {
	cfg      Config
	mu       sync.Mutex
	limiters map[string]*visitor
}

type visitor struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a Server.
func New(cfg Config) *Server {
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = 30
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, limiters: map[string]*visitor{}}
}

// Handler serves GET/POST /decide, GET /preview and GET /healthz. A POST
// to /decide with an approve token and accept=<suggestion ID> accepts
// that suggestion instead of approving; with a send-control token it
// pauses, resumes or cancels the send in flight.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+proofmail.DecidePath, s.handleConfirm)
	mux.HandleFunc("POST "+proofmail.DecidePath, s.handleDecide)
	mux.HandleFunc("POST "+SocialPath, s.handleSocial)
	mux.HandleFunc("GET "+PreviewPath, s.handlePreview)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.page(w, http.StatusNotFound, "refused", refusal{Title: "Nothing here", Message: "Open the link from your proof email."})
	})
	return s.limit(securityHeaders(mux))
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer") // the URL carries a token
		h.Set("Cache-Control", "no-store")
		h.Set("X-Robots-Tag", "noindex")
		next.ServeHTTP(w, r)
	})
}

// limit allows each client address RatePerMinute requests a minute.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if !s.allow(host) {
			w.Header().Set("Retry-After", "60")
			s.page(w, http.StatusTooManyRequests, "refused", refusal{Title: "Too many requests",
				Message: "This address sent too many requests. Wait a minute and open the link again."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) allow(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	v, ok := s.limiters[host]
	if !ok {
		if len(s.limiters) > 10000 { // forget idle clients
			for h, old := range s.limiters {
				if now.Sub(old.seen) > 10*time.Minute {
					delete(s.limiters, h)
				}
			}
		}
		v = &visitor{lim: rate.NewLimiter(rate.Limit(s.cfg.RatePerMinute/60), s.cfg.Burst)}
		s.limiters[host] = v
	}
	v.seen = now
	return v.lim.Allow()
}

// refusal is a page that says why a link does nothing and what to do.
type refusal struct {
	Kind, Title, Message, Next string
}

type confirmPage struct {
	Token, Action, Label, Approver, Edition, Subject, Deadline, PreviewURL string
	Sections                                                               []workflows.SectionSummary
	Changes                                                                []content.SectionChange
	Approved                                                               []string
	Needs                                                                  int
	CommentLabel                                                           string
	// Suggestions are the model's, each with an accept button (approve
	// links only); Notice says what the last accept did.
	Suggestions *suggestionsView
	Notice      string
	// Social lists the drafts an approver may change (approve links only).
	Social []socialRow
}

type donePage struct {
	Label, Edition, Message string
}

var actionLabels = map[string]string{
	token.ActionApprove:        "Approve",
	token.ActionRequestChanges: "Request changes",
	token.ActionReject:         "Reject",
}

func (s *Server) page(w http.ResponseWriter, code int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.cfg.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// checked is a token that passed every check a page can make without
// changing anything, with the run's status.
type checked struct {
	tok    string
	claims token.Claims
	status workflows.Status
}

// check verifies the token and reads the run's status. It writes the
// refusal page and returns false when the token cannot be used.
func (s *Server) check(ctx context.Context, w http.ResponseWriter, tok string) (checked, bool) {
	c, _, err := s.cfg.Keys.Verify(tok, s.cfg.Now())
	if err != nil {
		s.refuse(w, token.KindOf(err), c)
		return checked{}, false
	}
	st, err := Status(ctx, s.cfg.Temporal, c.WorkflowID, c.RunID)
	if err != nil {
		s.cfg.Logger.Warn("status of a token's run", "workflowId", c.WorkflowID, "err", err)
		s.refuse(w, unreachable(err), c)
		return checked{}, false
	}
	for _, d := range st.Decisions {
		if d.TokenID == c.ID() {
			s.refuse(w, workflows.ProblemUsed, c)
			return checked{}, false
		}
	}
	switch {
	case st.Outcome != "" || (st.Stage != workflows.StageAwaitingApproval && st.Stage != workflows.StageFetching && st.Stage != workflows.StageRendering):
		s.refuse(w, "closed", c)
		return checked{}, false
	case st.ContentRevision != c.Revision:
		s.refuse(w, workflows.ProblemStale, c)
		return checked{}, false
	}
	return checked{tok: tok, claims: c, status: st}, true
}

func (s *Server) refuse(w http.ResponseWriter, kind string, c token.Claims) {
	r := refusal{Kind: kind}
	code := http.StatusConflict
	switch kind {
	case token.Malformed, token.Forged:
		code, r.Title = http.StatusForbidden, "This link is not valid"
		r.Message = "It was altered, cut short or not issued by us, so it does nothing."
		r.Next = "Open the link from your newest proof email again, whole. If it still fails, ask the editor for a new proof."
	case token.Expired:
		code, r.Title = http.StatusGone, "This link has expired"
		r.Message = "The approval deadline of edition " + c.Edition + " passed at " + c.ExpiresAt().Format("Mon 2 Jan 2006 15:04 MST") + "."
		r.Next = "Ask the editor to start the edition again; a new proof will follow."
	case workflows.ProblemUsed:
		r.Title = "This link was already used"
		r.Message = "Each link works once, and your decision on edition " + c.Edition + " is already recorded."
		r.Next = "Nothing more to do. The editor sees your decision in the edition's status."
	case workflows.ProblemStale:
		r.Title = "The edition changed after this link was sent; a new proof is on its way"
		r.Message = "Edition " + c.Edition + " was edited after this proof went out, so this link no longer applies."
		r.Next = "Decide from the newest proof email, which shows what changed."
	case "unavailable":
		code, r.Title = http.StatusServiceUnavailable, "The edition cannot be reached right now"
		r.Message = "Nothing was decided: the newsletter service did not answer."
		r.Next = "Try the link again in a few minutes."
	case "closed":
		r.Title = "This edition is already decided"
		r.Message = "Edition " + c.Edition + " is no longer waiting for approval."
		r.Next = "Nothing more to do."
	default:
		r.Title = "This decision was not accepted"
		r.Message = "The edition did not accept it (" + kind + ")."
		r.Next = "Decide from the newest proof email, or ask the editor."
	}
	s.page(w, code, "refused", r)
}

// unreachable tells a run that is gone ("closed") from a service that
// did not answer ("unavailable").
func unreachable(err error) string {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "closed"
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) || strings.Contains(err.Error(), "already decided") || strings.Contains(err.Error(), "completed") {
		return "closed"
	}
	return "unavailable"
}

func (s *Server) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.Timeout)
}

// handleConfirm shows what the token decides. It never changes anything:
// mail scanners and link previewers fetch every link.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	if tok := r.URL.Query().Get("token"); s.isSendControl(tok) {
		s.handleSendConfirm(w, r, tok)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	ck, ok := s.check(ctx, w, r.URL.Query().Get("token"))
	if !ok {
		return
	}
	s.page(w, http.StatusOK, "confirm", s.confirmView(ctx, ck))
}

// confirmView is the confirmation page of a checked token.
func (s *Server) confirmView(ctx context.Context, ck checked) confirmPage {
	c, st, tok := ck.claims, ck.status, ck.tok
	p := confirmPage{Token: tok, Action: c.Action, Label: actionLabels[c.Action], Approver: c.Approver, Edition: c.Edition,
		Deadline: c.ExpiresAt().Format("Mon 2 Jan 2006 15:04 MST"), Sections: st.Sections, Changes: st.Changes,
		Approved: st.ApprovedBy, PreviewURL: strings.TrimPrefix(PreviewPath, "/") + "?token=" + tok}
	if v, err := s.cfg.Temporal.QueryWorkflow(ctx, c.WorkflowID, c.RunID, workflows.QueryPreview); err == nil {
		var pv workflows.Preview
		if v.Get(&pv) == nil {
			p.Subject = pv.Output.Email.Subject
			if pv.Rendered != nil {
				p.Subject = pv.Rendered.Subject()
			}
			if c.Action == token.ActionApprove {
				p.Suggestions = suggestionsOf(pv, st)
			}
		}
	}
	if c.Action == token.ActionApprove {
		p.Social = socialRows(st.Social)
	}
	switch c.Action {
	case token.ActionReject:
		p.CommentLabel = "Why (for the editor)"
	case token.ActionRequestChanges:
		p.CommentLabel = "What should change"
	default:
		p.CommentLabel = "Comment (optional)"
	}
	return p
}

// handleDecide executes the decision the form confirms.
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.page(w, http.StatusBadRequest, "refused", refusal{Title: "The form could not be read", Message: err.Error(), Next: "Open the link from your proof email again."})
		return
	}
	if tok := r.PostForm.Get("token"); s.isSendControl(tok) {
		s.handleSendDecide(w, r, tok)
		return
	}
	ck, ok := s.check(ctx, w, r.PostForm.Get("token"))
	if !ok {
		return
	}
	c := ck.claims
	comment := strings.TrimSpace(r.PostForm.Get("comment"))
	if r.PostForm.Has("accept") {
		s.handleAccept(ctx, w, ck, suggest.ParseAccept(strings.Join(r.PostForm["accept"], ",")), comment)
		return
	}
	if c.Action == token.ActionRequestChanges && comment == "" {
		s.page(w, http.StatusBadRequest, "refused", refusal{Title: "Say what should change",
			Message: "A request for changes needs a comment for the editor.", Next: "Go back, write what should change, and send it again."})
		return
	}
	msg, err := Decide(ctx, s.cfg.Temporal, c.WorkflowID, c.RunID, c.Action, c.Approver, ck.tok, comment)
	if err != nil {
		s.cfg.Logger.Warn("decision refused", "workflowId", c.WorkflowID, "action", c.Action, "approver", c.Approver, "err", err)
		kind := Problem(err)
		if kind == "" {
			kind = unreachable(err)
		}
		s.refuse(w, kind, c)
		return
	}
	s.cfg.Logger.Info("decision recorded", "workflowId", c.WorkflowID, "action", c.Action, "approver", c.Approver)
	s.page(w, http.StatusOK, "done", donePage{Label: actionLabels[c.Action], Edition: c.Edition, Message: msg})
}

// handlePreview shows the full email of the token's revision, no script.
// Runs on the artifact store keep the render there: the email is read by
// the digest the run names, and served only when the stored manifest is
// the revision the token is bound to. Older runs carry it in the query.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	ck, ok := s.check(ctx, w, r.URL.Query().Get("token"))
	if !ok {
		return
	}
	c := ck.claims
	v, err := s.cfg.Temporal.QueryWorkflow(ctx, c.WorkflowID, c.RunID, workflows.QueryPreview)
	var pv workflows.Preview
	if err == nil {
		err = v.Get(&pv)
	}
	if err != nil {
		s.refuse(w, "closed", c)
		return
	}
	html := pv.Output.Email.HTML
	if pv.Rendered != nil {
		if html, ok = s.storedEmail(ctx, w, c, *pv.Rendered); !ok {
			return
		}
	}
	if strings.TrimSpace(html) == "" {
		s.page(w, http.StatusConflict, "refused", refusal{Kind: "preview-empty", Title: "The edition has no preview yet",
			Message: "Edition " + c.Edition + " has not finished rendering.", Next: "Open the link again in a minute."})
		return
	}
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy+"; sandbox")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(html))
}

// storedEmail reads the default email variant of a render from the
// artifact store: the manifest by the digest the run names, checked to be
// the token's revision, then the variant by the digest the manifest names.
// The store checks every object against its digest. It writes the refusal
// page and returns false when the email cannot be shown.
func (s *Server) storedEmail(ctx context.Context, w http.ResponseWriter, c token.Claims, sum activitytypes.RenderSummary) (string, bool) {
	if s.cfg.Artifacts == nil {
		s.cfg.Logger.Error("preview of a run on the artifact store, but no store is configured: set ARTIFACT_STORE_URL (and NEWSLETTER_CODEC_KEYS) as on the worker", "workflowId", c.WorkflowID)
		s.page(w, http.StatusServiceUnavailable, "refused", refusal{Kind: "preview-unavailable", Title: "The full edition cannot be shown here",
			Message: "This service cannot read where the edition's render is kept, so it shows nothing rather than something else.",
			Next:    "Decide from the summary on the approval page, or ask the editor for the preview."})
		return "", false
	}
	var m activitytypes.RenderedEdition
	err := s.cfg.Artifacts.GetJSON(ctx, sum.Manifest, &m)
	if err == nil && m.ContentRevision != c.Revision {
		// The run moved on between the status and the preview query.
		s.cfg.Logger.Warn("preview refused", "workflowId", c.WorkflowID, "manifest", sum.Manifest.Digest,
			"revision", m.ContentRevision, "linkRevision", c.Revision)
		s.refuse(w, workflows.ProblemStale, c)
		return "", false
	}
	var email crm.Variant
	if err == nil {
		ref := m.EmailRef()
		if ref == nil {
			err = fmt.Errorf("manifest %s names no email variant %q", sum.Manifest.Digest, m.Email)
		} else {
			err = s.cfg.Artifacts.GetJSON(ctx, *ref, &email)
		}
	}
	if err != nil {
		s.cfg.Logger.Error("preview from the artifact store", "workflowId", c.WorkflowID, "store", s.cfg.Artifacts.Name(), "err", err)
		r := refusal{Kind: "preview-unavailable", Title: "The full edition cannot be shown",
			Message: "Its stored render could not be read or does not match what the edition recorded, so nothing is shown in its place.",
			Next:    "Try again in a few minutes; if it persists, tell the editor."}
		code := http.StatusServiceUnavailable
		if errors.Is(err, artifact.ErrCorrupt) || errors.Is(err, artifact.ErrSealed) {
			code, r.Kind = http.StatusConflict, "preview-mismatch"
		}
		s.page(w, code, "refused", r)
		return "", false
	}
	return email.HTML, true
}
