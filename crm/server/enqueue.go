package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// Rejection reasons in a newsletter reply.
const (
	ReasonInvalidAddress = "invalid address"
	ReasonUnsubscribed   = "unsubscribed"
	// ReasonSuppressed: the address bounced hard, complained, or bounced
	// softly too often (see the suppression list).
	ReasonSuppressed = "suppressed: the address bounced or complained before"
	// ReasonHeaderValue: a merge value written into a header holds a line
	// break or another control character, which would add header lines.
	ReasonHeaderValue = "merge value unsubscribe_url holds a line break or control character; header values must be one line"
)

// insertChunk is how many deliveries one INSERT statement carries.
const insertChunk = 100

// enqueue writes the request's variants and deliveries and its stored reply
// in one transaction, and returns that reply. Variants the request names
// but does not carry are those of uploaded, the newsletter's content.
func (s *Server) enqueue(ctx context.Context, key string, req *crm.NewsletterRequest, uploaded map[string]string) (int, []byte, error) {
	// What needs no database is done before the transaction: on SQLite
	// it holds the one connection, which the dispatcher shares.
	resp, todo := screen(req)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	now := nowMillis()
	if _, err := inTx(ctx, tx, s.stmts.newsletter).ExecContext(ctx, req.NewsletterID, now); err != nil {
		return 0, nil, fmt.Errorf("record newsletter: %w", err)
	}
	variantKeys, err := s.storeVariants(ctx, tx, req, now)
	if err != nil {
		return 0, nil, err
	}
	for id, k := range uploaded {
		if _, inline := variantKeys[id]; !inline {
			variantKeys[id] = k
		}
	}
	resp, err = s.classify(ctx, tx, req, resp, todo, variantKeys, now)
	if err != nil {
		return 0, nil, err
	}
	reply, err := json.Marshal(resp)
	if err != nil {
		return 0, nil, fmt.Errorf("encode reply: %w", err)
	}
	if err := s.finishKey(ctx, tx, key, http.StatusAccepted, reply); err != nil {
		return 0, nil, err
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, fmt.Errorf("commit: %w", err)
	}
	s.log.InfoContext(ctx, "newsletter batch queued", "newsletterId", req.NewsletterID, "accepted", resp.Accepted,
		"duplicate", resp.Duplicate, "rejected", len(resp.Rejected))
	return http.StatusAccepted, reply, nil
}

// variantKey identifies a variant's content within its newsletter, so a
// variant repeated by many batches is stored once.
func variantKey(newsletterID string, v crm.Variant) string {
	b, _ := json.Marshal(v) // a struct of strings always encodes
	h := sha256.New()
	h.Write([]byte(newsletterID))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Statements of a newsletter request.
const (
	newsletterSQL = `INSERT INTO newsletters (id, first_seen) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`
	variantSQL    = `INSERT INTO variants (key, newsletter_id, variant_id, subject, preheader, html_body, text_body, fallbacks, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) DO NOTHING`
)

func (s *Server) storeVariants(ctx context.Context, tx *sql.Tx, req *crm.NewsletterRequest, now int64) (map[string]string, error) {
	keys := make(map[string]string, len(req.Variants))
	for _, v := range req.Variants {
		keys[v.ID] = variantKey(req.NewsletterID, v)
	}
	// Stored in key order, for the same reason deliveries are sorted.
	vs := slices.Clone(req.Variants)
	slices.SortFunc(vs, func(a, b crm.Variant) int { return strings.Compare(keys[a.ID], keys[b.ID]) })
	insert := inTx(ctx, tx, s.stmts.variant)
	for _, v := range vs {
		k := keys[v.ID]
		fallbacks, _ := json.Marshal(nonNil(v.Fallbacks))
		_, err := insert.ExecContext(ctx, k, req.NewsletterID, v.ID, v.Subject, v.Preheader, v.HTML, v.Text, string(fallbacks), now)
		if err != nil {
			return nil, fmt.Errorf("store variant %s: %w", v.ID, err)
		}
	}
	return keys, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// pending is a message that passed the per-message checks, with its
// delivery's values as they are stored.
type pending struct {
	index   int
	address string
	contact sql.NullInt64
	name    string
	merge   string
}

// screen runs the checks of each message that need no database: a
// message with an invalid address or header value is rejected, one whose
// address came earlier in the batch is a duplicate. The others are
// returned, their delivery's values encoded.
func screen(req *crm.NewsletterRequest) (crm.NewsletterResponse, []pending) {
	resp := crm.NewsletterResponse{Rejected: []crm.Rejection{}, Results: make([]crm.MessageResult, len(req.Messages))}
	seen := make(map[string]bool, len(req.Messages))
	todo := make([]pending, 0, len(req.Messages))
	for i, m := range req.Messages {
		resp.Results[i] = crm.MessageResult{To: m.To}
		addr, ok := normalAddress(m.To)
		switch {
		case !ok:
			resp.Results[i].Status, resp.Results[i].Reason = crm.StatusRejected, ReasonInvalidAddress
		case !headerSafe(m.Merge[mergetag.FieldUnsubscribeURL]):
			resp.Results[i].Status, resp.Results[i].Reason = crm.StatusRejected, ReasonHeaderValue
		case seen[addr]:
			resp.Results[i].Status = crm.StatusDuplicate
		default:
			seen[addr] = true
			todo = append(todo, pending{index: i, address: addr, name: strings.TrimSpace(m.Name), merge: encodeFlat(m.Merge)})
		}
	}
	return resp, todo
}

// classify decides the result of each message screen let through,
// inserting the accepted ones.
func (s *Server) classify(ctx context.Context, tx *sql.Tx, req *crm.NewsletterRequest, resp crm.NewsletterResponse, todo []pending, variantKeys map[string]string, now int64) (crm.NewsletterResponse, error) {
	addrs := make([]string, len(todo))
	for i, p := range todo {
		addrs[i] = p.address
	}
	contacts, err := lookupContacts(ctx, inTx(ctx, tx, s.stmts.contacts), s.db.Dialect, addrs)
	if err != nil {
		return resp, err
	}
	blocked, err := suppressed(ctx, inTx(ctx, tx, s.stmts.suppressed), s.db.Dialect, addrs)
	if err != nil {
		return resp, err
	}
	insert := todo[:0]
	for _, p := range todo {
		c, known := contacts[p.address]
		if known && !c.subscribed {
			resp.Results[p.index].Status, resp.Results[p.index].Reason = crm.StatusRejected, ReasonUnsubscribed
			continue
		}
		if blocked[p.address] {
			resp.Results[p.index].Status, resp.Results[p.index].Reason = crm.StatusRejected, ReasonSuppressed
			continue
		}
		if known {
			p.contact = sql.NullInt64{Int64: c.id, Valid: true}
		}
		insert = append(insert, p)
	}
	// Concurrent batches insert in one order (by address), so on PostgreSQL
	// they wait for each other instead of deadlocking.
	slices.SortFunc(insert, func(a, b pending) int { return strings.Compare(a.address, b.address) })
	inserted, err := s.insertDeliveries(ctx, tx, req, variantKeys, insert, now)
	if err != nil {
		return resp, err
	}
	for _, p := range insert {
		resp.Results[p.index].Status = crm.StatusDuplicate
		if inserted[p.address] {
			resp.Results[p.index].Status = crm.StatusAccepted
		}
	}
	for _, r := range resp.Results {
		switch r.Status {
		case crm.StatusAccepted:
			resp.Accepted++
		case crm.StatusDuplicate:
			resp.Duplicate++
		case crm.StatusRejected:
			resp.Rejected = append(resp.Rejected, crm.Rejection{To: r.To, Reason: r.Reason})
		}
	}
	return resp, nil
}

type contactState struct {
	id         int64
	subscribed bool
}

// contactsSQL reads the contacts whose addresses are $1 (an inList).
func contactsSQL(dialect string) string {
	return `SELECT id, email, subscribed FROM contacts WHERE ` + inList(dialect, "email", "$1", "text")
}

// lookupContacts runs the statement of contactsSQL for addrs.
func lookupContacts(ctx context.Context, stmt *sql.Stmt, dialect string, addrs []string) (map[string]contactState, error) {
	out := make(map[string]contactState, len(addrs))
	if len(addrs) == 0 {
		return out, nil
	}
	rows, err := stmt.QueryContext(ctx, stringList(dialect, addrs))
	if err != nil {
		return nil, fmt.Errorf("look up contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c contactState
		var email string
		if err := rows.Scan(&c.id, &email, &c.subscribed); err != nil {
			return nil, fmt.Errorf("look up contacts: %w", err)
		}
		out[email] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up contacts: %w", err)
	}
	return out, nil
}

const deliveryColumns = 12

// insertDeliveries queues one delivery per pending message unless this
// newsletter already has one for the address; it returns the addresses
// that were new. Full chunks go through the prepared statement; a shorter
// last chunk is parsed on its own.
func (s *Server) insertDeliveries(ctx context.Context, tx *sql.Tx, req *crm.NewsletterRequest, variantKeys map[string]string, ps []pending, now int64) (map[string]bool, error) {
	inserted := make(map[string]bool, len(ps))
	var full *sql.Stmt
	args := make([]any, 0, min(len(ps), insertChunk)*deliveryColumns)
	for start := 0; start < len(ps); start += insertChunk {
		chunk := ps[start:min(start+insertChunk, len(ps))]
		args = args[:0]
		for _, p := range chunk {
			args = appendDeliveryRow(args, req, variantKeys, p, now)
		}
		var rows *sql.Rows
		var err error
		if len(chunk) == insertChunk {
			if full == nil {
				full = inTx(ctx, tx, s.stmts.deliveries)
			}
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, insertDeliveriesSQL(s.db.Dialect, len(chunk)), args...)
		}
		if err != nil {
			return nil, fmt.Errorf("queue deliveries: %w", err)
		}
		if err := readInserted(rows, inserted); err != nil {
			return nil, err
		}
	}
	return inserted, nil
}

func appendDeliveryRow(args []any, req *crm.NewsletterRequest, variantKeys map[string]string, p pending, now int64) []any {
	m := req.Messages[p.index]
	var vkey any
	if m.Variant != "" {
		vkey = variantKeys[m.Variant]
	}
	return append(args, req.NewsletterID, p.address, p.contact, p.name, vkey, p.merge,
		m.Subject, m.HTML, m.Text, crm.DeliveryQueued, now, now)
}

// insertDeliveriesSQL inserts rows deliveries of deliveryColumns values
// each and returns the addresses inserted.
func insertDeliveriesSQL(dialect string, rows int) string {
	return `INSERT INTO deliveries (newsletter_id, address, contact_id, name, variant_key, merge,
		own_subject, own_html, own_text, status, next_attempt_at, created_at) VALUES ` + valueRows(dialect, rows, deliveryColumns) + `
		ON CONFLICT (newsletter_id, address) DO NOTHING RETURNING address`
}

// readInserted adds the addresses rows returns to inserted and closes rows.
func readInserted(rows *sql.Rows, inserted map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var addr string
		if err := rows.Scan(&addr); err != nil {
			return fmt.Errorf("queue deliveries: %w", err)
		}
		inserted[addr] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("queue deliveries: %w", err)
	}
	return nil
}

// encodeFlat writes a flat map of strings (merge values, contact
// attributes) as a JSON object with sorted keys, as encoding/json does
// but leaving &, < and > unescaped: the common case then has no escapes,
// and decodeMerge reads it without encoding/json. Maps with a key or
// value that needs escaping go through encoding/json.
func encodeFlat(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		if !plainJSON(k) || !plainJSON(v) {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(m) // a map of strings always encodes
			return strings.TrimSuffix(b.String(), "\n")
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":"`)
		b.WriteString(m[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// plainJSON reports whether encoding/json, not escaping for HTML, writes
// s between quotes as it is: valid UTF-8 without control characters,
// quotes, backslashes, U+2028 or U+2029.
func plainJSON(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\':
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.Contains(s, "\u2028") && !strings.Contains(s, "\u2029")
}
