package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// DefaultRecipientsPage is the page size when a request names none.
const DefaultRecipientsPage = 500

func (s *Server) handleRecipients(w http.ResponseWriter, r *http.Request) {
	// The query is read strictly: a pair dropped as unreadable, or a
	// misspelt parameter, would otherwise widen the list to every contact.
	q, err := recipientsQuery(r.URL.RawQuery)
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_query", "query", "%v", err)
		return
	}
	limit, ok := parseLimit(w, q.Get("limit"), DefaultRecipientsPage, crm.MaxRecipientsPage)
	if !ok {
		return
	}
	after, total, err := decodeRecipientsCursor(q.Get("cursor"))
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_cursor", "cursor", "%v", err)
		return
	}
	var rq crm.RecipientQuery
	for _, seg := range q["segment"] {
		rq.Segments = append(rq.Segments, strings.TrimSpace(seg))
	}
	if tzs, ok := q[crm.ParamTimezone]; ok {
		rq.Timezones = make([]string, 0, len(tzs))
		for _, tz := range tzs {
			rq.Timezones = append(rq.Timezones, strings.TrimSpace(tz))
		}
	}
	page, err := s.recipientsPage(r.Context(), rq, after, total, limit)
	if err != nil {
		s.serverError(w, r, "list recipients", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, page)
}

// recipientsQuery parses the query of GET /api/v1/recipients, refusing
// what it cannot read whole (see strictQuery) and a blank segment. A blank
// timezone selects contacts without one.
func recipientsQuery(raw string) (url.Values, error) {
	q, err := strictQuery(raw, []string{"segment", crm.ParamTimezone, "cursor", "limit"}, "segment", crm.ParamTimezone)
	if err != nil {
		return nil, err
	}
	for _, v := range q["segment"] {
		if strings.TrimSpace(v) == "" {
			return nil, errors.New("segment is blank; name a segment, or leave segment out for every subscribed contact")
		}
	}
	return q, nil
}

// strictQuery parses a list endpoint's query, refusing what it cannot
// read whole: a malformed pair, a parameter other than params (in the
// order the errors list them), or one given twice that is not repeatable.
// A lenient reading would drop or ignore them and answer a different
// question than the one asked.
func strictQuery(raw string, params []string, repeatable ...string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("query %q cannot be read: %v; percent-encode values and separate pairs with '&'", raw, err)
	}
	names := strings.Join(params[:len(params)-1], ", ") + " and " + params[len(params)-1]
	for k, vs := range q {
		switch {
		case !slices.Contains(params, k):
			return nil, fmt.Errorf("unknown parameter %q; the parameters are %s", k, names)
		case len(vs) > 1 && !slices.Contains(repeatable, k):
			return nil, fmt.Errorf("parameter %s is given %d times; give it once", k, len(vs))
		}
	}
	return q, nil
}

// parseLimit reads a page size: empty gives def, above most is refused.
func parseLimit(w http.ResponseWriter, v string, def, most int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_limit", "limit", "limit must be a number from 1 to %d, not %q", most, v)
		return 0, false
	}
	return n, true
}

// Cursors are opaque to clients; they hold the last ID of the page.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

// Recipient cursors also carry the total the first page counted, so that
// later pages need not count again: counting is a pass over every contact,
// which on each page of a million-contact list would make a send quadratic.
func encodeRecipientsCursor(id int64, total int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10) + ";total:" + strconv.Itoa(total)))
}

// decodeRecipientsCursor returns the last ID and the total of a recipients
// cursor; total is -1 when the cursor carries none (the first page).
func decodeRecipientsCursor(c string) (int64, int, error) {
	if c == "" {
		return 0, -1, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	idPart, totalPart, hasTotal := strings.Cut(string(raw), ";total:")
	id, ok := parseCursorID(idPart)
	total := -1
	if hasTotal {
		n, err := strconv.Atoi(totalPart)
		ok = ok && err == nil && n >= 0
		total = n
	}
	if err != nil || !ok {
		return 0, -1, badCursor(c)
	}
	return id, total, nil
}

func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	id, ok := parseCursorID(string(raw))
	if err != nil || !ok {
		return 0, badCursor(c)
	}
	return id, nil
}

func parseCursorID(s string) (int64, bool) {
	v, ok := strings.CutPrefix(s, "id:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id >= 0
}

func badCursor(c string) error {
	return fmt.Errorf("cursor %q is not one this server returned; start again without a cursor", c)
}

// subscribedFilter returns the WHERE clause selecting subscribed contacts
// in any of segments (all when none), with args numbered from $1.
func subscribedFilter(segments []string) (string, []any) {
	where := "c.subscribed AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.address = c.email)"
	if len(segments) == 0 {
		return where, nil
	}
	ph, args := placeholders(1, segments)
	return where + " AND c.id IN (SELECT contact_id FROM contact_segments WHERE segment IN (" + ph + "))", args
}

// timezoneExpr is a contact's timezone attribute, "" when it has none.
func (s *Server) timezoneExpr() string {
	if s.db.Dialect == sqldb.Postgres {
		return "COALESCE(c.attributes::jsonb ->> '" + crm.AttrTimezone + "', '')"
	}
	return "COALESCE(CAST(json_extract(c.attributes, '$." + crm.AttrTimezone + "') AS TEXT), '')"
}

// queryFilter is subscribedFilter narrowed to q's time zones, if any.
func (s *Server) queryFilter(q crm.RecipientQuery) (string, []any) {
	where, args := subscribedFilter(q.Segments)
	if q.Timezones == nil {
		return where, args
	}
	if len(q.Timezones) == 0 {
		return where + " AND 1 = 0", args
	}
	ph, tzArgs := placeholders(len(args)+1, q.Timezones)
	return where + " AND " + s.timezoneExpr() + " IN (" + ph + ")", append(args, tzArgs...)
}

// recipients returns the page after ID after, counting the total.
func (s *Server) recipients(ctx context.Context, segments []string, after int64, limit int) (crm.RecipientsPage, error) {
	return s.recipientsPage(ctx, crm.RecipientQuery{Segments: segments}, after, -1, limit)
}

// recipientsPage returns the page after ID after; total, when not
// negative, is the count an earlier page made.
func (s *Server) recipientsPage(ctx context.Context, q crm.RecipientQuery, after int64, total, limit int) (crm.RecipientsPage, error) {
	page := crm.RecipientsPage{Recipients: []crm.Recipient{}, Total: total}
	where, args := s.queryFilter(q)
	// Counted first: with SQLite's single connection no query may run
	// while rows are open.
	if total < 0 {
		err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM contacts c WHERE "+where, args...).Scan(&page.Total)
		if err != nil {
			return page, fmt.Errorf("count recipients: %w", err)
		}
	}
	n := len(args)
	query := fmt.Sprintf(`SELECT c.id, c.email, c.name, c.segments, c.attributes, c.unsubscribe_token
		FROM contacts c WHERE %s AND c.id > $%d ORDER BY c.id LIMIT $%d`, where, n+1, n+2)
	rows, err := s.db.QueryContext(ctx, query, append(args, after, limit+1)...)
	if err != nil {
		return page, fmt.Errorf("query recipients: %w", err)
	}
	defer rows.Close()
	var id, lastID int64
	for rows.Next() {
		var rc crm.Recipient
		var segs, attrs, token string
		if err := rows.Scan(&id, &rc.Email, &rc.Name, &segs, &attrs, &token); err != nil {
			return page, fmt.Errorf("read recipient: %w", err)
		}
		if len(page.Recipients) == limit {
			// The extra row only tells that another page exists.
			page.NextCursor = encodeRecipientsCursor(lastID, page.Total)
			break
		}
		lastID = id
		rc.ID = strconv.FormatInt(id, 10)
		if err := unmarshalContactFields(segs, attrs, &rc); err != nil {
			return page, err
		}
		rc.UnsubscribeURL = s.unsubscribeURL(token)
		page.Recipients = append(page.Recipients, rc)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("read recipients: %w", err)
	}
	return page, nil
}

// unmarshalContactFields reads a contact's stored segments (a JSON array
// of strings) and attributes (a flat JSON object of strings, read like
// merge values by decodeMerge).
func unmarshalContactFields(segs, attrs string, rc *crm.Recipient) error {
	var err error
	if rc.Segments, err = decodeStrings(segs); err != nil {
		return fmt.Errorf("contact %s segments: %w", rc.Email, err)
	}
	if rc.Attributes, err = decodeMerge(attrs); err != nil {
		return fmt.Errorf("contact %s attributes: %w", rc.Email, err)
	}
	return nil
}

// decodeStrings reads a JSON array of strings. As in decodeMerge, the
// common case, no escapes or spaces, is read without encoding/json.
func decodeStrings(s string) ([]string, error) {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && strings.IndexByte(s, '\\') < 0 {
		body := s[1 : len(s)-1]
		out := make([]string, 0, strings.Count(body, ",")+1)
		for body != "" {
			if len(body) < 2 || body[0] != '"' {
				break
			}
			end := strings.IndexByte(body[1:], '"') + 1
			if end == 0 {
				break
			}
			out = append(out, body[1:end])
			body = body[end+1:]
			if body == "" {
				return out, nil
			}
			if body[0] != ',' || len(body) == 1 {
				break
			}
			body = body[1:]
		}
		if body == "" {
			return out, nil
		}
	}
	var out []string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

func (s *Server) unsubscribeURL(token string) string {
	return s.cfg.PublicURL + crm.PathUnsubscribe + "?token=" + url.QueryEscape(token)
}

// placeholders returns "$first, $first+1, …" for vals and vals as args.
func placeholders[T any](first int, vals []T) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vals))
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
		args[i] = v
	}
	return b.String(), args
}

func (s *Server) handleRecipientTimezones(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil {
		for k, vs := range q {
			if k != "segment" {
				err = fmt.Errorf("unknown parameter %q; the only parameter is segment", k)
			}
			for _, v := range vs {
				if strings.TrimSpace(v) == "" {
					err = errors.New("segment is blank; name a segment, or leave segment out for every subscribed contact")
				}
			}
		}
	}
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_query", "query", "%v", err)
		return
	}
	var segments []string
	for _, seg := range q["segment"] {
		segments = append(segments, strings.TrimSpace(seg))
	}
	reply, err := s.recipientTimezones(r.Context(), segments)
	if err != nil {
		s.serverError(w, r, "list recipient time zones", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, reply)
}

// recipientTimezones counts the recipients of segments by their timezone
// attribute, as stored.
func (s *Server) recipientTimezones(ctx context.Context, segments []string) (crm.TimezonesReply, error) {
	reply := crm.TimezonesReply{Timezones: []crm.TimezoneCount{}}
	where, args := subscribedFilter(segments)
	tz := s.timezoneExpr()
	rows, err := s.db.QueryContext(ctx, "SELECT "+tz+" AS tz, COUNT(*) FROM contacts c WHERE "+where+" GROUP BY tz ORDER BY tz", args...)
	if err != nil {
		return reply, fmt.Errorf("count recipients by time zone: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c crm.TimezoneCount
		if err := rows.Scan(&c.Timezone, &c.Count); err != nil {
			return reply, fmt.Errorf("read time-zone count: %w", err)
		}
		reply.Timezones = append(reply.Timezones, c)
		reply.Total += c.Count
	}
	return reply, rows.Err()
}
