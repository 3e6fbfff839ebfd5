package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// Sources of feedback, as recorded in delivery_feedback.source.
const (
	sourceDSN      = "dsn"
	sourceARF      = "arf"
	sourceSES      = "ses"
	sourceSendGrid = "sendgrid"
	sourcePostmark = "postmark"
)

// DefaultSoftBounceLimit is how many soft bounces suppress an address when
// Config.SoftBounceLimit is 0.
const DefaultSoftBounceLimit = 3

// bounceLocal is the local part of every return path: bounces+<token>.
const bounceLocal = "bounces"

// feedback is one bounce or complaint event about one recipient. It names
// the delivery as precisely as its source allows: a VERP token or the
// original Message-ID (both checked against the newsletter), else the
// newsletter and address, else the address alone (its latest delivery).
type feedback struct {
	kind         string // crm.FeedbackHardBounce, …
	source       string
	eventID      string // unique at its source, so redeliveries count once
	address      string
	deliveryID   int64  // from a VERP token, with its signature
	token        string // the token's signature (verpSig)
	untrusted    bool   // from anyone (inbound mail): only a valid token counts
	messageID    string // the original Message-ID, without angle brackets
	newsletterID string
	detail       string
}

// newsletterTag is a short digest of a newsletter ID. Message-IDs and
// return paths carry it beside the delivery ID, so a bounce is matched to
// a delivery only when both agree.
func newsletterTag(newsletterID string) string {
	h := sha256.Sum256([]byte(newsletterID))
	return hex.EncodeToString(h[:6])
}

func (j *job) newsletterTag() string {
	if j.tag == "" {
		j.tag = newsletterTag(j.newsletterID)
	}
	return j.tag
}

// returnPath is the envelope sender of a delivery (VERP): bounces come
// back to an address that names the delivery, whatever the bounce says.
// The token is signed with the CRM's own key, so nobody can make a bounce
// for a delivery that is not theirs.
func (s *Server) returnPath(j *job) string {
	return bounceLocal + "+" + strconv.FormatInt(j.id, 10) + "-" + s.verpSig(j.id, j.newsletterID) + "@" + s.bounceDomain
}

// verpSig signs a delivery ID and its newsletter: 16 hex digits of an
// HMAC-SHA256 with the key in crm_secrets.
func (s *Server) verpSig(id int64, newsletterID string) string {
	m := hmac.New(sha256.New, s.verpKey)
	var b [20]byte
	m.Write(strconv.AppendInt(b[:0], id, 10))
	m.Write([]byte{0})
	m.Write([]byte(newsletterID))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:8])
}

// parseReturnPath reads the delivery ID and signature of a return path
// made by returnPath; ok is false for any other address.
func parseReturnPath(addr string) (id int64, sig string, ok bool) {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	local, _, found := strings.Cut(addr, "@")
	token, isVERP := strings.CutPrefix(strings.ToLower(local), bounceLocal+"+")
	if !found || !isVERP {
		return 0, "", false
	}
	idPart, sig, found := strings.Cut(token, "-")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if !found || err != nil || id <= 0 || len(sig) != 16 {
		return 0, "", false
	}
	return id, sig, true
}

// parseMessageID reads the delivery ID and newsletter tag of a Message-ID
// made by messageID ("<id>.<tag>@domain", brackets optional).
func parseMessageID(mid string) (id int64, tag string, ok bool) {
	mid = strings.Trim(strings.TrimSpace(mid), "<>")
	local, _, found := strings.Cut(mid, "@")
	idPart, tag, dot := strings.Cut(local, ".")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if !found || !dot || err != nil || id <= 0 || len(tag) != 12 {
		return 0, "", false
	}
	return id, tag, true
}

// feedbackResult counts what recordFeedback did with a set of events.
type feedbackResult struct {
	Recorded   int `json:"recorded"`
	Duplicate  int `json:"duplicate"`
	Unmatched  int `json:"unmatched"`
	Suppressed int `json:"suppressed"`
}

// recordFeedback records events in one transaction: each in the feedback
// table (once per source and event ID), its delivery marked bounced or
// complained, and its address suppressed when the event calls for it.
func (s *Server) recordFeedback(ctx context.Context, events []feedback) (feedbackResult, error) {
	var res feedbackResult
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("record feedback: %w", err)
	}
	defer tx.Rollback()
	for _, ev := range events {
		d, err := s.matchDelivery(ctx, tx, &ev)
		if err != nil {
			return res, err
		}
		if ev.address == "" {
			res.Unmatched++
			s.log.Warn("feedback for no known delivery", "source", ev.source, "kind", ev.kind, "messageId", ev.messageID, "eventId", ev.eventID)
			continue
		}
		if d.id == 0 {
			res.Unmatched++ // recorded and honoured, but no delivery to mark
		}
		var fid int64
		err = tx.QueryRowContext(ctx, `INSERT INTO delivery_feedback (delivery_id, newsletter_id, address, kind, source, event_id, detail, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source, event_id) DO NOTHING RETURNING id`,
			sql.NullInt64{Int64: d.id, Valid: d.id != 0}, d.newsletter, ev.address, ev.kind, ev.source, ev.eventID, clip(ev.detail, 2000), nowMillis()).Scan(&fid)
		if errors.Is(err, sql.ErrNoRows) {
			res.Duplicate++
			continue
		}
		if err != nil {
			return res, fmt.Errorf("record feedback: %w", err)
		}
		res.Recorded++
		if d.id != 0 {
			if err := markDelivery(ctx, tx, d.id, ev); err != nil {
				return res, err
			}
		}
		suppressed, err := s.suppressFor(ctx, tx, ev, d.newsletter)
		if err != nil {
			return res, err
		}
		if suppressed {
			res.Suppressed++
		}
		s.log.Info("feedback recorded", "source", ev.source, "kind", ev.kind, "to", ev.address, "deliveryId", d.id,
			"newsletterId", d.newsletter, "suppressed", suppressed)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("record feedback: commit: %w", err)
	}
	return res, nil
}

type matched struct {
	id         int64
	newsletter string
}

// matchDelivery finds the delivery ev is about and sets ev.address to its
// address; with no delivery found, ev.address stays what the event said.
func (s *Server) matchDelivery(ctx context.Context, tx *sql.Tx, ev *feedback) (matched, error) {
	ev.address = strings.ToLower(strings.TrimSpace(ev.address))
	if ev.deliveryID != 0 {
		m, addr, err := deliveryByID(ctx, tx, ev.deliveryID)
		if err != nil {
			return m, err
		}
		if m.id != 0 && hmac.Equal([]byte(s.verpSig(m.id, m.newsletter)), []byte(ev.token)) {
			ev.address = addr
			return m, nil
		}
	}
	if ev.untrusted {
		// Mail from anyone: without a valid token it may name any
		// address, so it names none.
		ev.address = ""
		return matched{}, nil
	}
	if id, tag, ok := parseMessageID(ev.messageID); ok {
		m, addr, err := deliveryByID(ctx, tx, id)
		if err != nil {
			return m, err
		}
		if m.id != 0 && newsletterTag(m.newsletter) == tag {
			ev.address = addr
			return m, nil
		}
	}
	var m matched
	if ev.address == "" {
		return m, nil
	}
	// Without a token, the newsletter the event names, else the latest of
	// the last newsletters that went to the address.
	query := `SELECT id, newsletter_id FROM deliveries WHERE address = $1 AND newsletter_id = $2`
	args := []any{ev.address, ev.newsletterID}
	if ev.newsletterID == "" {
		query = `SELECT id, newsletter_id FROM deliveries WHERE address = $1 AND newsletter_id IN
			(SELECT id FROM newsletters ORDER BY first_seen DESC LIMIT 20) AND sent_at IS NOT NULL ORDER BY sent_at DESC, id DESC LIMIT 1`
		args = args[:1]
	}
	err := tx.QueryRowContext(ctx, query, args...).Scan(&m.id, &m.newsletter)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("match feedback: %w", err)
	}
	return m, nil
}

func deliveryByID(ctx context.Context, tx *sql.Tx, id int64) (matched, string, error) {
	var m matched
	var addr string
	err := tx.QueryRowContext(ctx, `SELECT id, newsletter_id, address FROM deliveries WHERE id = $1`, id).Scan(&m.id, &m.newsletter, &addr)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return m, "", fmt.Errorf("match feedback: %w", err)
	}
	return m, addr, nil
}

// markDelivery sets a delivery's status from feedback: a bounce marks a
// sent message bounced; a complaint marks it complained, which a later
// bounce does not undo.
func markDelivery(ctx context.Context, tx *sql.Tx, id int64, ev feedback) error {
	status, from := crm.DeliveryBounced, []any{crm.DeliverySent, crm.DeliverySent}
	if ev.kind == crm.FeedbackComplaint {
		status, from = crm.DeliveryComplained, []any{crm.DeliverySent, crm.DeliveryBounced}
	}
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, error = $2 WHERE id = $3 AND status IN ($4, $5)`,
		append([]any{status, clip(ev.kind+": "+ev.detail, 1000), id}, from...)...)
	if err != nil {
		return fmt.Errorf("mark delivery %d %s: %w", id, status, err)
	}
	return nil
}

// suppressFor suppresses ev's address when ev is a hard bounce or a
// complaint, or a soft bounce reaching the limit.
func (s *Server) suppressFor(ctx context.Context, tx *sql.Tx, ev feedback, newsletter string) (bool, error) {
	reason := crm.SuppressedHardBounce
	switch ev.kind {
	case crm.FeedbackComplaint:
		reason = crm.SuppressedComplaint
	case crm.FeedbackSoftBounce:
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_feedback WHERE address = $1 AND kind = $2`,
			ev.address, crm.FeedbackSoftBounce).Scan(&n); err != nil {
			return false, fmt.Errorf("count soft bounces: %w", err)
		}
		if n < s.cfg.SoftBounceLimit {
			return false, nil
		}
		reason = crm.SuppressedSoftBounces
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO suppressions (address, reason, detail, newsletter_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address) DO NOTHING`, ev.address, reason, clip(ev.detail, 1000), newsletter, nowMillis())
	if err != nil {
		return false, fmt.Errorf("suppress %s: %w", ev.address, err)
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// suppressedSQL reads which of the addresses $1 (an inList) are on the
// suppression list.
func suppressedSQL(dialect string) string {
	return `SELECT address FROM suppressions WHERE ` + inList(dialect, "address", "$1", "text")
}

// suppressed returns the addresses among addrs on the suppression list,
// running the statement of suppressedSQL.
func suppressed(ctx context.Context, stmt *sql.Stmt, dialect string, addrs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(addrs) == 0 {
		return out, nil
	}
	rows, err := stmt.QueryContext(ctx, stringList(dialect, addrs))
	if err != nil {
		return nil, fmt.Errorf("look up suppressions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("look up suppressions: %w", err)
		}
		out[a] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up suppressions: %w", err)
	}
	return out, nil
}

// countFeedback counts a newsletter's feedback events by kind.
func (s *Server) countFeedback(ctx context.Context, page *crm.DeliveriesPage) error {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, COUNT(*) FROM delivery_feedback WHERE newsletter_id = $1 GROUP BY kind`, page.NewsletterID)
	if err != nil {
		return fmt.Errorf("count feedback: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return fmt.Errorf("count feedback: %w", err)
		}
		if page.Feedback == nil {
			page.Feedback = map[string]int{}
		}
		page.Feedback[kind] = n
	}
	return rows.Err()
}

// clip shortens s to at most n bytes of whole characters.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// loadSecret returns the named secret of crm_secrets, creating it (32
// random bytes) on first use. CRM processes sharing a database share it.
func loadSecret(ctx context.Context, db *sqldb.DB, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	if _, err := db.ExecContext(ctx, `INSERT INTO crm_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(fresh), nowMillis()); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var v string
	if err := db.QueryRowContext(ctx, `SELECT value FROM crm_secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return hex.DecodeString(v)
}
