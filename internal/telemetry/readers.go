package telemetry

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Metrics of what readers do with an edition, counted by the CRM as they
// happen. The Prometheus exporter adds _total: newsletter_clicks_total
// {newsletter, kind}, newsletter_opens_total{newsletter, kind} and
// newsletter_unsubscribes_total{newsletter}.
const (
	MetricClicks       = "newsletter_clicks"
	MetricOpens        = "newsletter_opens"
	MetricUnsubscribes = "newsletter_unsubscribes"

	// TagNewsletter is the newsletter ID (the run's workflow ID, e.g.
	// newsletter-2026-W49).
	TagNewsletter = "newsletter"
	// KindHuman and KindMachine are the TagKind values of clicks and
	// opens: machine opens are privacy proxies' prefetches and loads right
	// after sending; machine clicks are link scanners'.
	KindHuman   = "human"
	KindMachine = "machine"
)

// ReaderMetrics counts clicks, opens and unsubscribes per newsletter on a
// meter provider (the CRM's Prometheus one).
type ReaderMetrics struct {
	clicks, opens, unsubscribes metric.Int64Counter
	// clickOpts caches each newsletter's attribute sets (human, machine):
	// clicks come by the thousand a second.
	clickOpts sync.Map
}

// NewReaderMetrics makes the counters on mp.
func NewReaderMetrics(mp metric.MeterProvider) (*ReaderMetrics, error) {
	m := mp.Meter("github.com/halcytone/contentgen/crm")
	var r ReaderMetrics
	var err error
	if r.clicks, err = m.Int64Counter(MetricClicks, metric.WithDescription("Clicks on tracked links of a newsletter")); err != nil {
		return nil, fmt.Errorf("telemetry: %s: %w", MetricClicks, err)
	}
	if r.opens, err = m.Int64Counter(MetricOpens, metric.WithDescription("Loads of a newsletter's open pixel, by kind (human or machine); estimates")); err != nil {
		return nil, fmt.Errorf("telemetry: %s: %w", MetricOpens, err)
	}
	if r.unsubscribes, err = m.Int64Counter(MetricUnsubscribes, metric.WithDescription("Unsubscribes, counted against the newsletter last sent to the contact")); err != nil {
		return nil, fmt.Errorf("telemetry: %s: %w", MetricUnsubscribes, err)
	}
	return &r, nil
}

// Click counts one click on a link of newsletter, by kind (a reader's or
// a link scanner's).
func (r *ReaderMetrics) Click(newsletter string, machine bool) {
	v, ok := r.clickOpts.Load(newsletter)
	if !ok {
		v, _ = r.clickOpts.LoadOrStore(newsletter, &[2]metric.AddOption{
			metric.WithAttributeSet(attribute.NewSet(attribute.String(TagNewsletter, newsletter), attribute.String(TagKind, KindHuman))),
			metric.WithAttributeSet(attribute.NewSet(attribute.String(TagNewsletter, newsletter), attribute.String(TagKind, KindMachine))),
		})
	}
	opt := v.(*[2]metric.AddOption)[0]
	if machine {
		opt = v.(*[2]metric.AddOption)[1]
	}
	r.clicks.Add(context.Background(), 1, opt)
}

// Open counts one load of newsletter's open pixel.
func (r *ReaderMetrics) Open(newsletter string, machine bool) {
	kind := KindHuman
	if machine {
		kind = KindMachine
	}
	r.opens.Add(context.Background(), 1, metric.WithAttributes(attribute.String(TagNewsletter, newsletter), attribute.String(TagKind, kind)))
}

// Unsubscribe counts one unsubscribe against newsletter ("" when the
// contact was sent none).
func (r *ReaderMetrics) Unsubscribe(newsletter string) {
	r.unsubscribes.Add(context.Background(), 1, metric.WithAttributes(attribute.String(TagNewsletter, newsletter)))
}
