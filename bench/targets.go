package bench

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// Target is a figure a BENCH line must reach.
type Target struct {
	Name string
	// Kind is the kind of line it reads; "" means BENCH.
	Kind  string
	Field string
	// Size is the recipients (BENCH_DOC: the document bytes) of the lines
	// it applies to; 0 means every size.
	Size  int
	Limit float64
	// AtLeast is true for a floor, false for a ceiling.
	AtLeast bool
	// Where, "field=value" or "field=a|b", limits it to the lines with
	// that field.
	Where string
	// Against, "field=value", makes the target relative: each line is
	// compared with the line of the same kind, size, sink and database
	// whose field has that value, and may be at most MaxDrop below it.
	Against string
	MaxDrop float64
}

// Targets are the send's performance targets.
func Targets() []Target {
	return []Target{
		{Name: "throughput ≥ 20,000 recipients/s at 100k", Field: "recipients_per_s", Size: 100000, Limit: 20000, AtLeast: true},
		{Name: "history events ≤ 100 at every size", Field: "history_events", Limit: 100},
		{Name: "worker peak RSS ≤ 150 MB at 1M", Field: "worker_peak_rss_mb", Size: 1000000, Limit: 150},
		// Not a target of the workflow, which is done once the CRM has
		// accepted every message: how soon the CRM has built and logged
		// them all, at the same rate.
		{Name: "every message built and logged at ≥ 20,000/s at 100k", Kind: "BENCH_LOGGED", Field: "recipients_per_s", Size: 100000, Limit: 20000, AtLeast: true},
		// The SMTP targets hold with DKIM off and with Ed25519 signing
		// (RSA-2048 lines, BENCH_SMTP_DKIM=rsa or dual, are reported only).
		{Name: "SMTP steady ≥ 5,000 messages/s (DKIM off and Ed25519)", Kind: "BENCH_SMTP", Field: "steady_per_s", Limit: 5000, AtLeast: true, Where: "dkim=off|on"},
		{Name: "SMTP CPU ≤ 0.25 ms per message, CRM + worker (DKIM off and Ed25519)", Kind: "BENCH_SMTP", Field: "cpu_ms_per_msg", Limit: 0.25, Where: "dkim=off|on"},
		{Name: "SMTP DKIM (Ed25519) costs ≤ 15% of steady throughput", Kind: "BENCH_SMTP", Field: "steady_per_s", Where: "dkim=on", Against: "dkim=off", MaxDrop: 0.15},
		{Name: "SMTP CRM peak RSS ≤ 120 MB", Kind: "BENCH_SMTP", Field: "crm_peak_rss_mb", Limit: 120},
		// Tracked links answer readers at once while a send runs.
		{Name: "tracked-link redirects ≥ 5,000 clicks/s during a send", Kind: KindClicks, Field: "clicks_per_s", Limit: 5000, AtLeast: true},
		{Name: "tracked-link redirect p99 ≤ 20 ms during a send", Kind: KindClicks, Field: "p99_ms", Limit: 20},
		// The document-size sweep: history stays flat whatever the size.
		{Name: "history ≤ 131072 bytes at every document size", Kind: KindDoc, Field: "history_bytes", Limit: 131072},
		{Name: "history events ≤ 100 at every document size", Kind: KindDoc, Field: "history_events", Limit: 100},
		{Name: "no payload over 32 KB at every document size", Kind: KindDoc, Field: "max_payload_bytes", Limit: 32768},
		{Name: "fetch → awaiting approval ≤ 2 s at 100 KB", Kind: KindDoc, Field: "fetch_to_awaiting_s", Size: DocSizes[1], Limit: 2},
		{Name: "fetch → awaiting approval ≤ 15 s at 5 MB", Kind: KindDoc, Field: "fetch_to_awaiting_s", Size: DocSizes[3], Limit: 15},
		{Name: "worker peak RSS ≤ 300 MB at 5 MB", Kind: KindDoc, Field: "worker_peak_rss_mb", Size: DocSizes[3], Limit: 300},
	}
}

// Judge reads the target's field from the BENCH lines it applies to and
// says whether each met it.
func (t Target) Judge(lines []string) (measured, verdict string) {
	var got, missed []string
	for _, l := range lines {
		kind, f := Fields(l)
		sizeField := "recipients"
		if kind == KindDoc {
			sizeField = "doc_bytes"
		}
		if kind != cmp.Or(t.Kind, "BENCH") || (t.Size != 0 && !sameSize(f[sizeField], t.Size)) {
			continue
		}
		if !where(f, t.Where) {
			continue
		}
		v, err := strconv.ParseFloat(f[t.Field], 64)
		if err != nil {
			continue
		}
		if t.Against != "" {
			base, ok := t.baseline(lines, f)
			if !ok {
				continue
			}
			drop := 1 - v/base
			label := fmt.Sprintf("%.0f%% (%s vs %.0f) at %s%s", 100*drop, f[t.Field], base, f[sizeField], dbField(f["db"]))
			got = append(got, label)
			if drop > t.MaxDrop {
				missed = append(missed, fmt.Sprintf("missed by %.0f points at %s%s", 100*(drop-t.MaxDrop), f[sizeField], dbField(f["db"])))
			}
			continue
		}
		label := f[t.Field]
		if t.Size == 0 {
			label = fmt.Sprintf("%s at %s", f[t.Field], f[sizeField])
		}
		got = append(got, label)
		if t.AtLeast && v < t.Limit {
			missed = append(missed, fmt.Sprintf("missed by %.0f (%.0f%% below)", t.Limit-v, 100*(t.Limit-v)/t.Limit))
		}
		if !t.AtLeast && v > t.Limit {
			prec := 1
			if t.Limit < 10 {
				prec = 3
			}
			missed = append(missed, fmt.Sprintf("missed by %.*f (%.0f%% over)", prec, v-t.Limit, 100*(v-t.Limit)/t.Limit))
		}
	}
	switch {
	case len(got) == 0:
		return "—", "not measured"
	case len(missed) > 0:
		return strings.Join(got, ", "), "**" + strings.Join(missed, "; ") + "**"
	}
	return strings.Join(got, ", "), "met"
}

// where reports whether fields f pass the filter w ("" passes all).
func where(f map[string]string, w string) bool {
	k, vs, ok := strings.Cut(w, "=")
	if !ok {
		return true
	}
	for v := range strings.SplitSeq(vs, "|") {
		if f[k] == v {
			return true
		}
	}
	return false
}

// baseline finds the value of t.Field on the line that f is compared
// with: same kind, size, sink and database, and t.Against.
func (t Target) baseline(lines []string, f map[string]string) (float64, bool) {
	for _, l := range lines {
		kind, g := Fields(l)
		if kind != cmp.Or(t.Kind, "BENCH") || !where(g, t.Against) {
			continue
		}
		if g["recipients"] != f["recipients"] || g["sink"] != f["sink"] || g["db"] != f["db"] {
			continue
		}
		v, err := strconv.ParseFloat(g[t.Field], 64)
		if err != nil || v <= 0 {
			continue
		}
		return v, true
	}
	return 0, false
}

// KindClicks is the kind of the tracked-link lines.
const KindClicks = "BENCH_CLICKS"

// KindDoc is the kind of the document-size sweep's lines.
const KindDoc = "BENCH_DOC"

// DocSizes are the document sizes of the sweep: 2 KB, 100 KB, 1 MB, 5 MB.
var DocSizes = []int{2 << 10, 100 << 10, 1 << 20, 5 << 20}

// sameSize matches a line's size to a target's; generated documents come
// within a few KB of the size asked for.
func sameSize(field string, size int) bool {
	n, err := strconv.Atoi(field)
	if err != nil {
		return false
	}
	d := n - size
	return d >= -size/20-1024 && d <= size/20+1024
}
