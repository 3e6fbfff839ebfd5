package server

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// DefaultDeliveriesPage is the page size when a request names none.
const DefaultDeliveriesPage = 500

func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) {
	// Read strictly, as the recipients list is: a misspelt filter would
	// otherwise list every delivery of the newsletter.
	q, err := strictQuery(r.URL.RawQuery, []string{"newsletter_id", "status", "cursor", "limit"})
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_query", "query", "%v", err)
		return
	}
	id := q.Get("newsletter_id")
	if strings.TrimSpace(id) == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_request", "newsletter_id",
			"newsletter_id is required: name the newsletter whose deliveries to list, e.g. ?newsletter_id=2026-W48")
		return
	}
	status := q.Get("status")
	switch status {
	case "", crm.DeliveryQueued, crm.DeliverySent, crm.DeliveryFailed, crm.DeliveryLogged, crm.DeliveryBounced, crm.DeliveryComplained:
	default:
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_request", "status",
			"status %q is not a delivery status: use queued, sent, failed, logged, bounced or complained, or leave status out for all", status)
		return
	}
	limit, ok := parseLimit(w, q.Get("limit"), DefaultDeliveriesPage, crm.MaxDeliveriesPage)
	if !ok {
		return
	}
	after, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_cursor", "cursor", "%v", err)
		return
	}
	page, err := s.deliveries(r.Context(), id, status, after, limit)
	if err != nil {
		s.serverError(w, r, "list deliveries", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, page)
}

// deliveries returns the counts by status of a newsletter's deliveries and
// the rows after ID after (optionally of one status), at most limit.
func (s *Server) deliveries(ctx context.Context, newsletterID, status string, after int64, limit int) (crm.DeliveriesPage, error) {
	page := crm.DeliveriesPage{NewsletterID: newsletterID, Counts: map[string]int{}, Deliveries: []crm.Delivery{}}
	if err := s.countDeliveries(ctx, &page); err != nil {
		return page, err
	}
	if err := s.countFeedback(ctx, &page); err != nil {
		return page, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.address, d.contact_id, v.variant_id, d.status, d.smtp_message_id,
		d.error, d.attempts, d.created_at, d.sent_at
		FROM deliveries d LEFT JOIN variants v ON v.key = d.variant_key
		WHERE d.newsletter_id = $1 AND d.id > $2 AND ($3 = '' OR d.status = $4) ORDER BY d.id LIMIT $5`,
		newsletterID, after, status, status, limit+1)
	if err != nil {
		return page, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(page.Deliveries) == limit {
			page.NextCursor = encodeCursor(page.Deliveries[limit-1].ID)
			break
		}
		var d crm.Delivery
		var contact sql.NullInt64
		var variant sql.NullString
		var created int64
		var sent sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Address, &contact, &variant, &d.Status, &d.SMTPMessageID,
			&d.Error, &d.Attempts, &created, &sent); err != nil {
			return page, fmt.Errorf("read delivery: %w", err)
		}
		if contact.Valid {
			d.ContactID = strconv.FormatInt(contact.Int64, 10)
		}
		d.Variant = variant.String
		d.CreatedAt = fromMillis(created)
		if sent.Valid {
			t := fromMillis(sent.Int64)
			d.SentAt = &t
		}
		page.Deliveries = append(page.Deliveries, d)
	}
	return page, rows.Err()
}

func (s *Server) countDeliveries(ctx context.Context, page *crm.DeliveriesPage) error {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM deliveries WHERE newsletter_id = $1 GROUP BY status`, page.NewsletterID)
	if err != nil {
		return fmt.Errorf("count deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return fmt.Errorf("count deliveries: %w", err)
		}
		page.Counts[status] = n
		page.Total += n
	}
	return rows.Err()
}
