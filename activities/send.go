package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/render"
)

// SendOptions tune the send loop.
type SendOptions struct {
	// PageSize is the recipients read per page and sent per request
	// (at most crm.MaxMessagesPerRequest; default 1000).
	PageSize int
	// Window is how many batch requests may be in flight at once (default 4).
	Window int
	// RatePerSecond caps messages handed to the CRM per second (0: no cap).
	RatePerSecond float64
	// MaxThrottle is the longest the loop waits out 429s in one attempt
	// before it fails and lets the retry policy take over (default 2m).
	MaxThrottle time.Duration
	// ContentMode is how variants reach the CRM: ContentAuto (default),
	// ContentUpload or ContentInline.
	ContentMode string
}

// Content modes: upload an edition's variants once (PUT …/content) and
// name them in batches, or carry them inline in every batch. Auto uploads
// when the CRM implements it and falls back to inline when it answers
// that it does not.
const (
	ContentAuto   = "auto"
	ContentUpload = "upload"
	ContentInline = "inline"
)

func (o SendOptions) withDefaults() SendOptions {
	if o.PageSize <= 0 || o.PageSize > crm.MaxMessagesPerRequest {
		o.PageSize = crm.MaxMessagesPerRequest
	}
	if o.Window <= 0 {
		o.Window = 4
	}
	if o.MaxThrottle <= 0 {
		o.MaxThrottle = 2 * time.Minute
	}
	if o.ContentMode == "" {
		o.ContentMode = ContentAuto
	}
	return o
}

// maxRejectedSamples caps how many rejections a result lists.
const maxRejectedSamples = 20

// addResponse counts one batch's reply into p.
func addResponse(p *activitytypes.SendProgress, r crm.NewsletterResponse) {
	p.Accepted += r.Accepted
	p.Duplicate += r.Duplicate
	p.Rejected += len(r.Rejected)
	for _, rej := range r.Rejected {
		if len(p.Reasons) < maxRejectedSamples {
			p.Reasons = append(p.Reasons, rej)
		}
	}
}

// batch is one page of recipients turned into one request.
type batch struct {
	seq        int
	key        string
	nextCursor string
	total      int
	req        crm.NewsletterRequest
	resp       crm.NewsletterResponse
	err        error
}

// SendNewsletter streams recipients from the CRM page by page and sends each
// page as one batch request, up to Window requests in flight. Progress is
// heartbeated only up to the last page whose reply — and every earlier
// page's — has arrived, so a retry resumes without gaps; pages resent after
// a crash reuse their idempotency keys, and the CRM's per-address dedupe is
// the last line.
func (a *Activities) SendNewsletter(ctx context.Context, in activitytypes.SendInput) (activitytypes.SendResult, error) {
	prog, err := startProgress(ctx, in)
	if err != nil || prog.Done {
		return prog, err
	}
	// Reading a large edition and uploading it can outlast the heartbeat
	// timeout: keep heartbeating the last progress meanwhile.
	stopBeats := keepBeating(ctx, prog)
	defer stopBeats()
	opts := a.Send.withDefaults()
	var content upload
	if in.Manifest != nil {
		// A load error names the digest and store and is returned as is,
		// so a lost artifact stays non-retryable.
		m, err := a.loadManifest(ctx, *in.Manifest)
		if err != nil {
			return activitytypes.SendResult{}, err
		}
		if content, err = a.storedUpload(ctx, *in.Manifest, m); err != nil {
			return activitytypes.SendResult{}, err
		}
	} else {
		content = variantsUpload(in.Variants)
	}
	if len(content.ids) == 0 {
		return activitytypes.SendResult{}, nonRetryable(activitytypes.ErrTypeRender, fmt.Errorf("send %s: the edition has no rendered email", in.NewsletterID))
	}
	if in.Timezones != nil {
		if _, err := a.timezoneCRM(); err != nil {
			return activitytypes.SendResult{}, err
		}
	}
	// A cancelled activity (a paused or cancelled send) stops reading at
	// once, but the batches already handed to the CRM finish: their
	// requests run on a context only a failure cancels.
	hbCtx := ctx
	base := httpapi.WithCorrelationID(ctx, in.NewsletterID)
	readCtx, cancelRead := context.WithCancel(base)
	postCtx, cancelPost := context.WithCancel(context.WithoutCancel(base))
	cancel := func() { cancelRead(); cancelPost() }
	defer cancel()

	uploaded, err := a.uploadContent(readCtx, in.NewsletterID, content, opts.ContentMode, prog)
	if err != nil {
		return prog, err
	}
	if !uploaded && in.Manifest != nil {
		// Batches carry the variants: read them from the store.
		if _, in.Variants, err = a.loadEdition(ctx, *in.Manifest); err != nil {
			return prog, err
		}
	}
	stopBeats()
	prog.ContentDigest = content.digest
	prog.ContentMode = ContentInline
	if uploaded {
		prog.ContentMode = ContentUpload
	}
	s := &sender{a: a, in: in, opts: opts, ids: content.ids, variants: indexVariants(in.Variants), throttle: newThrottle(opts), uploaded: uploaded}
	jobs := make(chan *batch, opts.Window)
	done := make(chan *batch, opts.Window)
	readDone := make(chan readOutcome, 1)
	go func() {
		n, err := s.read(readCtx, prog.Cursor, jobs)
		close(jobs)
		readDone <- readOutcome{queued: n, err: err}
	}()
	go s.dispatch(readCtx, postCtx, jobs, done)
	return s.collect(hbCtx, cancel, prog, done, readDone)
}

// startProgress is where this attempt starts: the last heartbeat of an
// earlier attempt, else the progress of an earlier, paused send.
func startProgress(ctx context.Context, in activitytypes.SendInput) (activitytypes.SendProgress, error) {
	var prog activitytypes.SendProgress
	switch {
	case activity.HasHeartbeatDetails(ctx):
		if err := activity.GetHeartbeatDetails(ctx, &prog); err != nil {
			return prog, fmt.Errorf("send %s: read heartbeat: %w", in.NewsletterID, err)
		}
	case in.Resume != nil:
		prog = *in.Resume
	default:
		return prog, nil
	}
	activity.GetLogger(ctx).Info("resuming send", "cursor", prog.Cursor, "pages", prog.Pages, "accepted", prog.Accepted)
	return prog, nil
}

// errStopped marks a batch left unsent because the send was stopped.
var errStopped = errors.New("send stopped before this batch")

// dispatch posts queued batches, up to Window at once. It decides in page
// order whether each batch goes out, so once a stop is seen no later page
// is posted: the pages sent are always a prefix and the cursor says
// exactly who was not sent.
func (s *sender) dispatch(stop, postCtx context.Context, jobs <-chan *batch, done chan<- *batch) {
	slots := make(chan struct{}, s.opts.Window)
	for b := range jobs {
		if stop.Err() == nil {
			select {
			case slots <- struct{}{}:
			case <-stop.Done():
			}
		}
		if stop.Err() != nil {
			b.err = errStopped
			done <- b
			continue
		}
		go func() {
			b.err = s.post(postCtx, b)
			<-slots
			done <- b
		}()
	}
}

// keepBeating heartbeats the attempt's last recorded progress every few
// seconds until stop is called (stop may be called more than once).
func keepBeating(ctx context.Context, last activitytypes.SendProgress) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(3 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, last)
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

func indexVariants(vs []crm.Variant) map[string]crm.Variant {
	m := make(map[string]crm.Variant, len(vs))
	for _, v := range vs {
		m[v.ID] = v
	}
	return m
}

type sender struct {
	a    *Activities
	in   activitytypes.SendInput
	opts SendOptions
	// ids are the edition's variant IDs, the default first; variants
	// holds their content when batches carry it.
	ids      []string
	variants map[string]crm.Variant
	throttle *throttle
	// uploaded: the CRM holds the variants, batches only name them.
	uploaded bool
}

// upload is an edition's content as the CRM's content endpoint takes it:
// its digest, and its variants written one at a time.
type upload struct {
	digest string
	ids    []string
	write  func(i int, w io.Writer) error
}

func variantsUpload(vs []crm.Variant) upload {
	u := upload{digest: crm.ContentDigest(vs), write: func(i int, w io.Writer) error { return crm.WriteVariant(w, vs[i]) }}
	for _, v := range vs {
		u.ids = append(u.ids, v.ID)
	}
	return u
}

// storedUpload streams the variants of a rendered edition from the store.
// They are read once first, to check each against its digest and all of
// them against the manifest's content digest, so a missing or altered
// artifact fails the send before the CRM is sent anything.
func (a *Activities) storedUpload(ctx context.Context, manifest artifact.Ref, m activitytypes.RenderedEdition) (upload, error) {
	u := upload{digest: m.ContentDigest}
	copyVariant := func(i int, w io.Writer) error {
		r, err := a.Artifacts.Open(ctx, m.Variants[i].Ref)
		if err != nil {
			return artifactError(err)
		}
		defer r.Close()
		if _, err := io.Copy(w, r); err != nil {
			return artifactError(err)
		}
		return nil
	}
	h := crm.NewContentHash()
	for i, v := range m.Variants {
		u.ids = append(u.ids, v.ID)
		if err := copyVariant(i, h.Next()); err != nil {
			return u, err
		}
	}
	if got := h.Sum(); got != m.ContentDigest {
		return u, nonRetryable(activitytypes.ErrTypeArtifact, fmt.Errorf("rendered edition %s: variants have digest %s, the manifest says %s", manifest.Digest, got, m.ContentDigest))
	}
	u.write = copyVariant
	return u, nil
}

// uploadContent puts the edition's variants at the CRM once, when the mode
// and the CRM allow; it reports whether batches may leave them out. The
// upload is idempotent by digest, so a resumed send repeats it harmlessly.
// Meanwhile it heartbeats with details, which must be what the activity's
// next attempt expects to resume from (a send's progress so far).
func (a *Activities) uploadContent(ctx context.Context, newsletterID string, u upload, mode string, details any) (bool, error) {
	up, ok := a.CRM.(ContentUploader)
	switch {
	case mode == ContentInline:
		return false, nil
	case !ok && mode == ContentUpload:
		return false, nonRetryable(activitytypes.ErrTypeCRMRejected, fmt.Errorf("send %s: CRM_CONTENT_MODE=upload, but this CRM client cannot upload content", newsletterID))
	case !ok:
		return false, nil
	}
	log := activity.GetLogger(ctx)
	if activity.IsActivity(ctx) {
		// A large edition takes a while to upload and the CRM a while to
		// take it in: the attempt tells Temporal it is alive meanwhile,
		// and the client bounds stalls.
		stop := heartbeatEvery(ctx, 10*time.Second, details)
		defer stop()
	}
	_, err := up.PutContentStream(ctx, newsletterID, u.digest, len(u.ids), u.write)
	var ae *artifact.Error
	switch {
	case err == nil:
		log.Info("CRM content mode: upload (variants sent once, batches name them)", "newsletterId", newsletterID)
		return true, nil
	case errors.As(err, &ae):
		return false, artifactError(err)
	case errors.Is(err, crmclient.ErrContentUnsupported) && mode == ContentAuto:
		log.Warn("CRM content mode: inline (the CRM has no content endpoint; every batch carries its variants)", "newsletterId", newsletterID)
		return false, nil
	}
	if se, ok := httpapi.AsStatusError(err); ok && se.Detail.Code == crm.CodeContentLocked {
		return false, nonRetryable(activitytypes.ErrTypeCRMRejected, fmt.Errorf("upload content of %s: %w; this newsletter already began sending other content, so start the new content as a new edition", newsletterID, err))
	}
	return false, classifyHTTP("upload content of "+newsletterID, activitytypes.ErrTypeCRMRejected, err)
}

// heartbeatEvery records a heartbeat with details now and every d until
// stop is called.
func heartbeatEvery(ctx context.Context, d time.Duration, details any) (stop func()) {
	activity.RecordHeartbeat(ctx, details)
	t := time.NewTicker(d)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-t.C:
				activity.RecordHeartbeat(ctx, details)
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { t.Stop(); close(done) }
}

// read pages through the recipients from cursor and queues one batch per
// non-empty page. It returns how many batches it queued.
func (s *sender) read(ctx context.Context, cursor string, jobs chan<- *batch) (int, error) {
	queued, failures := 0, 0
	for {
		if err := s.throttle.waitPause(ctx); err != nil {
			return queued, err
		}
		page, err := s.a.recipients(ctx, s.in.Audience, s.in.Timezones, cursor, s.opts.PageSize)
		if err != nil && ctx.Err() != nil {
			return queued, ctx.Err() // stopped: not a CRM failure
		}
		if err != nil {
			if s.throttle.backPressure(err) {
				continue
			}
			if failures++; !isRateLimit(err) && waitRetry(ctx, err, failures) {
				continue
			}
			return queued, classifyHTTP("read recipients", activitytypes.ErrTypeCRMRejected, err)
		}
		failures = 0
		if len(page.Recipients) > 0 {
			b := &batch{seq: queued, key: pageKey(keyScope(s.in), cursor), nextCursor: page.NextCursor, total: page.Total, req: s.request(page.Recipients)}
			select {
			case jobs <- b:
				queued++
			case <-ctx.Done():
				return queued, ctx.Err()
			}
		}
		if page.NextCursor == "" {
			return queued, nil
		}
		cursor = page.NextCursor
	}
}

// pageKey derives a batch's idempotency key from the newsletter and the
// cursor its page starts at: the same page always gets the same key, across
// attempts and worker restarts.
func pageKey(newsletterID, cursor string) string {
	if cursor == "" {
		return newsletterID + ":page:start"
	}
	sum := sha256.Sum256([]byte(cursor))
	return newsletterID + ":page:" + hex.EncodeToString(sum[:12])
}

// request builds one batch: each variant's body once, and per recipient
// only the variant name and merge values.
func (s *sender) request(rs []crm.Recipient) crm.NewsletterRequest {
	req := crm.NewsletterRequest{NewsletterID: s.in.NewsletterID, Messages: make([]crm.Message, 0, len(rs))}
	used := make(map[string]bool, 4)
	for _, r := range rs {
		id := render.VariantID(r.Segments, s.in.TargetedSegments)
		if !slices.Contains(s.ids, id) {
			id = s.ids[0]
		}
		if !used[id] && !s.uploaded {
			used[id] = true
			req.Variants = append(req.Variants, s.variants[id])
		}
		req.Messages = append(req.Messages, crm.Message{To: r.Email, Name: r.Name, Variant: id, Merge: crm.MergeValues(r)})
	}
	return req
}

// post sends one batch, waiting out 429s for the whole window.
func (s *sender) post(ctx context.Context, b *batch) error {
	if err := s.throttle.waitRate(ctx, len(b.req.Messages)); err != nil {
		return err
	}
	key, failures := b.key, 0
	for {
		if err := s.throttle.waitPause(ctx); err != nil {
			return err
		}
		resp, err := s.a.CRM.SendNewsletter(ctx, key, b.req)
		if err == nil {
			b.resp = resp
			return nil
		}
		se, ok := httpapi.AsStatusError(err)
		switch {
		case s.throttle.backPressure(err):
		case isRateLimit(err):
			return classifyHTTP("send batch", activitytypes.ErrTypeCRMRejected, err)
		case ok && se.StatusCode == 422 && key == b.key:
			// The page changed since this key was first used (a contact
			// joined or left): send it under a key that includes its
			// content; per-address dedupe keeps earlier messages single.
			key = b.key + ":" + bodyHash(b.req)
		default:
			// Same key, same body: a retry can only get the first reply.
			if failures++; !waitRetry(ctx, err, failures) {
				return classifyHTTP("send batch", activitytypes.ErrTypeCRMRejected, err)
			}
		}
	}
}

func bodyHash(req crm.NewsletterRequest) string {
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// readOutcome is how many batches the reader queued and why it stopped.
type readOutcome struct {
	queued int
	err    error
}

// collect records replies in page order and heartbeats the frontier. It
// drains every queued batch before returning, so no worker is left blocked.
// When the activity is cancelled (the send paused or cancelled), the
// batches in flight finish and the result is a cancellation carrying the
// progress, so the next send resumes at its cursor.
func (s *sender) collect(hbCtx context.Context, cancel context.CancelFunc, prog activitytypes.SendProgress, done <-chan *batch, readDone <-chan readOutcome) (activitytypes.SendResult, error) {
	pending := map[int]*batch{}
	next, received, queued := 0, 0, -1
	var firstErr error
	// stopped: the activity was cancelled; ended: a batch was not sent,
	// so the frontier stops before it.
	stopped, ended := false, false
	fail := func(err error) {
		switch {
		case hbCtx.Err() != nil && (errors.Is(err, errStopped) || errors.Is(err, context.Canceled)):
			stopped = true
		case firstErr == nil:
			firstErr = err
			cancel()
		}
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for queued < 0 || received < queued {
		select {
		case r := <-readDone:
			queued = r.queued
			if r.err != nil {
				fail(r.err)
			}
		case b := <-done:
			received++
			pending[b.seq] = b
			for b, ok := pending[next]; ok; b, ok = pending[next] {
				delete(pending, next)
				next++
				if b.err != nil {
					fail(b.err)
					ended = true
				}
				if firstErr == nil && !ended {
					addResponse(&prog, b.resp)
					prog.Pages++
					prog.Cursor = b.nextCursor
					if b.total > 0 {
						prog.Total = b.total
					}
					activity.RecordHeartbeat(hbCtx, prog)
				}
			}
		case <-tick.C:
			activity.RecordHeartbeat(hbCtx, prog)
		}
	}
	switch {
	case firstErr != nil:
		return prog, firstErr
	case stopped:
		activity.GetLogger(hbCtx).Info("send stopped after the batches in flight", "cursor", prog.Cursor, "pages", prog.Pages, "accepted", prog.Accepted)
		if temporal.IsCanceledError(context.Cause(hbCtx)) {
			return prog, temporal.NewCanceledError(prog)
		}
		return prog, hbCtx.Err()
	}
	prog.Done = true
	activity.RecordHeartbeat(hbCtx, prog)
	return prog, nil
}
