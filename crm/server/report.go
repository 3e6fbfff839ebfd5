package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// reportDays is how many days of clicks a report shows from the first send.
const reportDays = 7

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("newsletter_id")
	if d := checkID("newsletter_id", id, maxNewsletterID); d != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *d})
		return
	}
	rep, err := s.Report(r.Context(), id)
	switch {
	case errors.Is(err, errUnknownNewsletter):
		httpapi.WriteError(w, http.StatusNotFound, "not_found", "newsletter_id", "newsletter %s is unknown to this CRM: nothing was sent or uploaded under that ID", id)
	case err != nil:
		s.serverError(w, r, "newsletter report", err)
	default:
		httpapi.WriteJSON(w, http.StatusOK, rep)
	}
}

var errUnknownNewsletter = errors.New("unknown newsletter")

// Report counts what a newsletter achieved: deliveries by outcome,
// unsubscribes attributed to it, clicks and opens. Counts still held in
// memory are written first, so a report sees every click made before it.
func (s *Server) Report(ctx context.Context, newsletterID string) (crm.Report, error) {
	rep := crm.Report{NewsletterID: newsletterID, Tracking: s.cfg.Tracking.Mode, GeneratedAt: time.Now().UTC(),
		Sections: []crm.SectionClicks{}, Links: []crm.LinkClicks{}, ClicksByDay: []crm.DayCount{}}
	var firstSeen int64
	err := s.db.QueryRowContext(ctx, `SELECT first_seen FROM newsletters WHERE id = $1`, newsletterID).Scan(&firstSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return rep, fmt.Errorf("report %s: %w", newsletterID, errUnknownNewsletter)
	}
	if err != nil {
		return rep, fmt.Errorf("report %s: %w", newsletterID, err)
	}
	if s.tally != nil {
		if err := s.tally.flush(ctx); err != nil {
			return rep, fmt.Errorf("report %s: write pending clicks: %w", newsletterID, err)
		}
	}
	for _, step := range []func(context.Context, *crm.Report) error{
		s.reportDeliveries, s.reportUnsubscribes, s.reportLinks, s.reportUniques, s.reportOpens,
		func(ctx context.Context, rep *crm.Report) error { return s.reportDaily(ctx, rep, firstSeen) },
		s.reportSegments,
	} {
		if err := step(ctx, &rep); err != nil {
			return rep, fmt.Errorf("report %s: %w", newsletterID, err)
		}
	}
	return rep, nil
}

// scanRows runs query and calls each for every row.
func (s *Server) scanRows(ctx context.Context, query string, args []any, each func(*sql.Rows) error) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Server) reportDeliveries(ctx context.Context, rep *crm.Report) error {
	return s.scanRows(ctx, `SELECT status, COUNT(*) FROM deliveries WHERE newsletter_id = $1 GROUP BY status`,
		[]any{rep.NewsletterID}, func(rows *sql.Rows) error {
			var status string
			var n int
			if err := rows.Scan(&status, &n); err != nil {
				return fmt.Errorf("count deliveries: %w", err)
			}
			switch status {
			case crm.DeliverySent, crm.DeliveryLogged:
				rep.Delivered += n
			case crm.DeliveryBounced:
				rep.Bounced += n
			case crm.DeliveryComplained:
				rep.Complained += n
			}
			return nil
		})
}

// unsubscribedFrom selects the deliveries of newsletter $1 whose contact
// unsubscribed ($2: false) after receiving it and before receiving any
// later newsletter: the unsubscribes that newsletter is answerable for.
// join adds tables.
func unsubscribedFrom(join string) string {
	return `FROM deliveries d JOIN contacts c ON c.id = d.contact_id ` + join + `
	WHERE d.newsletter_id = $1 AND d.sent_at IS NOT NULL AND c.subscribed = $2 AND c.unsubscribed_at >= d.sent_at
	AND NOT EXISTS (SELECT 1 FROM deliveries l WHERE l.contact_id = d.contact_id AND l.newsletter_id <> d.newsletter_id
		AND l.sent_at > d.sent_at AND l.sent_at <= c.unsubscribed_at)`
}

func (s *Server) reportUnsubscribes(ctx context.Context, rep *crm.Report) error {
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) `+unsubscribedFrom(""), rep.NewsletterID, false).Scan(&rep.Unsubscribed)
	if err != nil {
		return fmt.Errorf("count unsubscribes: %w", err)
	}
	return nil
}

// reportLinks counts readers' clicks per link and per section, and link
// scanners' clicks apart. Every section of the newsletter is listed, with
// 0 clicks when nobody clicked it or it has no link.
func (s *Server) reportLinks(ctx context.Context, rep *crm.Report) error {
	sections := map[string]int{}
	addSection := func(category string) {
		if _, ok := sections[category]; !ok {
			rep.Sections = append(rep.Sections, crm.SectionClicks{Category: category})
			sections[category] = 0
		}
	}
	err := s.scanRows(ctx, `SELECT category FROM newsletter_sections WHERE newsletter_id = $1 ORDER BY position, category`,
		[]any{rep.NewsletterID}, func(rows *sql.Rows) error {
			var c string
			if err := rows.Scan(&c); err != nil {
				return fmt.Errorf("read sections: %w", err)
			}
			addSection(c)
			return nil
		})
	if err != nil {
		return err
	}
	err = s.scanRows(ctx, `SELECT l.url, l.category, COALESCE(SUM(c.clicks), 0) FROM links l
		LEFT JOIN link_clicks c ON c.link_id = l.id
		WHERE l.newsletter_id = $1 AND l.position >= 0 GROUP BY l.url, l.category ORDER BY l.url, l.category`,
		[]any{rep.NewsletterID}, func(rows *sql.Rows) error {
			var l crm.LinkClicks
			if err := rows.Scan(&l.URL, &l.Category, &l.Clicks); err != nil {
				return fmt.Errorf("count link clicks: %w", err)
			}
			rep.Links = append(rep.Links, l)
			rep.ClicksTotal += l.Clicks
			if l.Category != "" {
				addSection(l.Category)
				sections[l.Category] += l.Clicks
			}
			return nil
		})
	if err != nil {
		return err
	}
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(c.clicks), 0) FROM link_machine_clicks c JOIN links l ON l.id = c.link_id
		WHERE l.newsletter_id = $1`, rep.NewsletterID).Scan(&rep.MachineClicks)
	if err != nil {
		return fmt.Errorf("count machine clicks: %w", err)
	}
	for i := range rep.Sections {
		rep.Sections[i].Clicks = sections[rep.Sections[i].Category]
	}
	sort.SliceStable(rep.Links, func(i, j int) bool { return rep.Links[i].Clicks > rep.Links[j].Clicks })
	sort.SliceStable(rep.Sections, func(i, j int) bool { return rep.Sections[i].Clicks > rep.Sections[j].Clicks })
	return nil
}

// reportUniques counts distinct clickers: recipients with individual
// tracking, else daily visitors (see the visitors table).
func (s *Server) reportUniques(ctx context.Context, rep *crm.Report) error {
	unique := map[string]int{}
	query := `SELECT scope, COUNT(*) FROM visitors WHERE newsletter_id = $1 GROUP BY scope`
	if s.cfg.Tracking.Mode == TrackingIndividual {
		query = `SELECT l.category, COUNT(DISTINCT r.delivery_id) FROM recipient_clicks r JOIN links l ON l.id = r.link_id
			WHERE l.newsletter_id = $1 AND r.machine = $2 GROUP BY l.category`
	}
	args := []any{rep.NewsletterID}
	if s.cfg.Tracking.Mode == TrackingIndividual {
		args = append(args, false)
	}
	err := s.scanRows(ctx, query, args, func(rows *sql.Rows) error {
		var scope string
		var n int
		if err := rows.Scan(&scope, &n); err != nil {
			return fmt.Errorf("count unique clicks: %w", err)
		}
		unique[scope] = n
		return nil
	})
	if err != nil {
		return err
	}
	if s.cfg.Tracking.Mode == TrackingIndividual {
		err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT r.delivery_id) FROM recipient_clicks r JOIN links l ON l.id = r.link_id
			WHERE l.newsletter_id = $1 AND r.machine = $2`, rep.NewsletterID, false).Scan(&rep.UniqueClicks)
		if err != nil {
			return fmt.Errorf("count unique clicks: %w", err)
		}
		for i := range rep.Sections {
			rep.Sections[i].UniqueClicks = unique[rep.Sections[i].Category]
		}
		return nil
	}
	rep.UniqueClicks = unique[scopeClick]
	for i := range rep.Sections {
		rep.Sections[i].UniqueClicks = unique[scopeClick+":"+rep.Sections[i].Category]
	}
	return nil
}

// reportOpens: OpensEstimated counts people (distinct recipients with
// individual tracking, else distinct daily visitors) whose mail client
// loaded the pixel; MachineOpens counts the loads set apart as machine
// opens.
func (s *Server) reportOpens(ctx context.Context, rep *crm.Report) error {
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(opens), 0) FROM open_counts WHERE newsletter_id = $1 AND machine = $2`,
		rep.NewsletterID, true).Scan(&rep.MachineOpens); err != nil {
		return fmt.Errorf("count machine opens: %w", err)
	}
	q := `SELECT COUNT(*) FROM visitors WHERE newsletter_id = $1 AND scope = $2`
	arg := any(scopeOpen)
	if s.cfg.Tracking.Mode == TrackingIndividual {
		q = `SELECT COUNT(DISTINCT o.delivery_id) FROM recipient_opens o JOIN deliveries d ON d.id = o.delivery_id
			WHERE d.newsletter_id = $1 AND o.machine = $2`
		arg = false
	}
	if err := s.db.QueryRowContext(ctx, q, rep.NewsletterID, arg).Scan(&rep.OpensEstimated); err != nil {
		return fmt.Errorf("count opens: %w", err)
	}
	return nil
}

// reportDaily counts clicks per UTC day for the first reportDays days from
// the first send (or from when the newsletter was first seen).
func (s *Server) reportDaily(ctx context.Context, rep *crm.Report, firstSeen int64) error {
	var first sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(sent_at) FROM deliveries WHERE newsletter_id = $1`, rep.NewsletterID).Scan(&first); err != nil {
		return fmt.Errorf("first send: %w", err)
	}
	start := fromMillis(firstSeen)
	if first.Valid {
		start = fromMillis(first.Int64)
	}
	byDay := map[string]int{}
	err := s.scanRows(ctx, `SELECT c.day, SUM(c.clicks) FROM link_clicks c JOIN links l ON l.id = c.link_id
		WHERE l.newsletter_id = $1 GROUP BY c.day`, []any{rep.NewsletterID}, func(rows *sql.Rows) error {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			return fmt.Errorf("count clicks by day: %w", err)
		}
		byDay[day] = n
		return nil
	})
	if err != nil {
		return err
	}
	for i := range reportDays {
		day := utcDay(start.AddDate(0, 0, i))
		rep.ClicksByDay = append(rep.ClicksByDay, crm.DayCount{Day: day, Count: byDay[day]})
	}
	return nil
}

// reportSegments counts outcomes per segment the recipients are in now.
// Clicks per segment need individual tracking: without it no click is
// tied to a recipient, so none to a segment.
func (s *Server) reportSegments(ctx context.Context, rep *crm.Report) error {
	bySeg := map[string]*crm.SegmentCount{}
	seg := func(name string) *crm.SegmentCount {
		if c, ok := bySeg[name]; ok {
			return c
		}
		c := &crm.SegmentCount{Segment: name}
		bySeg[name] = c
		return c
	}
	err := s.scanRows(ctx, `SELECT cs.segment, d.status, COUNT(*) FROM deliveries d JOIN contact_segments cs ON cs.contact_id = d.contact_id
		WHERE d.newsletter_id = $1 GROUP BY cs.segment, d.status`, []any{rep.NewsletterID}, func(rows *sql.Rows) error {
		var name, status string
		var n int
		if err := rows.Scan(&name, &status, &n); err != nil {
			return fmt.Errorf("count deliveries by segment: %w", err)
		}
		c := seg(name)
		switch status {
		case crm.DeliverySent, crm.DeliveryLogged:
			c.Delivered += n
		case crm.DeliveryBounced:
			c.Bounced += n
		case crm.DeliveryComplained:
			c.Complained += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = s.scanRows(ctx, `SELECT cs.segment, COUNT(*) `+
		unsubscribedFrom(`JOIN contact_segments cs ON cs.contact_id = d.contact_id`)+` GROUP BY cs.segment`,
		[]any{rep.NewsletterID, false}, func(rows *sql.Rows) error {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				return fmt.Errorf("count unsubscribes by segment: %w", err)
			}
			seg(name).Unsubscribed = n
			return nil
		})
	if err != nil {
		return err
	}
	if s.cfg.Tracking.Mode == TrackingIndividual {
		err = s.scanRows(ctx, `SELECT cs.segment, COUNT(*) FROM recipient_clicks r JOIN deliveries d ON d.id = r.delivery_id
			JOIN contact_segments cs ON cs.contact_id = d.contact_id WHERE d.newsletter_id = $1 AND r.machine = $2 GROUP BY cs.segment`,
			[]any{rep.NewsletterID, false}, func(rows *sql.Rows) error {
				var name string
				var n int
				if err := rows.Scan(&name, &n); err != nil {
					return fmt.Errorf("count clicks by segment: %w", err)
				}
				seg(name).Clicks = n
				return nil
			})
		if err != nil {
			return err
		}
	}
	for _, c := range bySeg {
		rep.Segments = append(rep.Segments, *c)
	}
	sort.Slice(rep.Segments, func(i, j int) bool { return rep.Segments[i].Segment < rep.Segments[j].Segment })
	return nil
}

func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }
