package server

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Charts are plain SVG written here, inline in the page: no script, no
// fonts or files fetched, text a screen reader reads (a title and a
// description per chart), and every figure also in a table beside it.

// chartAccent is the bar colour (the pages' accent); highlighted bars use
// chartHighlight.
const (
	chartAccent    = "#2f6f7e"
	chartHighlight = "#b54708"
	chartWidth     = 640
)

// bar is one labelled value of a chart.
type bar struct {
	Label     string
	Value     int
	Highlight bool
}

func maxValue(bars []bar) int {
	m := 0
	for _, b := range bars {
		m = max(m, b.Value)
	}
	return m
}

func svgOpen(sb *strings.Builder, id, title, desc string, height int) {
	fmt.Fprintf(sb, `<svg class="chart" id="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" preserveAspectRatio="xMinYMin meet">`,
		id, chartWidth, height, chartWidth, height, id, id)
	fmt.Fprintf(sb, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, html.EscapeString(title), id, html.EscapeString(desc))
}

func fill(b bar) string {
	if b.Highlight {
		return chartHighlight
	}
	return chartAccent
}

// barChart draws horizontal bars, one row per bar, labels on the left and
// values at the end of each bar.
func barChart(id, title string, bars []bar) template.HTML {
	const row, top, labelW, valueW = 30, 8, 170, 60
	height := top*2 + row*max(len(bars), 1)
	var sb strings.Builder
	svgOpen(&sb, id, title, describe(bars), height)
	if len(bars) == 0 {
		fmt.Fprintf(&sb, `<text x="0" y="%d" fill="currentColor" font-size="14">Nothing counted yet</text>`, top+18)
	}
	scale := float64(chartWidth-labelW-valueW) / float64(max(maxValue(bars), 1))
	for i, b := range bars {
		y := top + i*row
		w := int(float64(b.Value) * scale)
		if b.Value > 0 {
			w = max(w, 2)
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" fill="currentColor" font-size="13">%s</text>`, labelW-8, y+19, html.EscapeString(truncate(b.Label, 22)))
		fmt.Fprintf(&sb, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"></rect>`, labelW, y+5, w, row-10, fill(b))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" fill="currentColor" font-size="13">%d</text>`, labelW+w+6, y+19, b.Value)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// columnChart draws vertical columns over labelled days, values above.
func columnChart(id, title string, bars []bar) template.HTML {
	const height, top, bottom = 220, 22, 28
	var sb strings.Builder
	svgOpen(&sb, id, title, describe(bars), height)
	plot := height - top - bottom
	fmt.Fprintf(&sb, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="currentColor" stroke-opacity="0.3"></line>`, top+plot, chartWidth, top+plot)
	if len(bars) == 0 {
		fmt.Fprintf(&sb, `<text x="0" y="%d" fill="currentColor" font-size="14">Nothing counted yet</text>`, top+plot/2)
	}
	slot := chartWidth / max(len(bars), 1)
	scale := float64(plot) / float64(max(maxValue(bars), 1))
	for i, b := range bars {
		h := int(float64(b.Value) * scale)
		if b.Value > 0 {
			h = max(h, 2)
		}
		w := min(slot*2/3, 72)
		x := i*slot + (slot-w)/2
		fmt.Fprintf(&sb, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"></rect>`, x, top+plot-h, w, h, fill(b))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="middle" fill="currentColor" font-size="13">%d</text>`, x+w/2, top+plot-h-6, b.Value)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="middle" fill="currentColor" font-size="12">%s</text>`, x+w/2, height-8, html.EscapeString(truncate(b.Label, 12)))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// describe is a chart's text alternative: every label with its value.
func describe(bars []bar) string {
	if len(bars) == 0 {
		return "Nothing counted yet."
	}
	parts := make([]string, len(bars))
	for i, b := range bars {
		parts[i] = fmt.Sprintf("%s: %d", b.Label, b.Value)
	}
	return strings.Join(parts, "; ") + "."
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
