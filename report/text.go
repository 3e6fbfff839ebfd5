package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/report/lastedition"
)

// WriteText prints e for people: the email figures, clicks by section, by
// link and by day, and the web reads.
func WriteText(w io.Writer, e Edition) {
	fmt.Fprintf(w, "Edition %s (%s)\n", e.Edition, e.NewsletterID)
	if !e.HasEmail() {
		fmt.Fprintf(w, "email figures unavailable: %s\n", e.EmailUnavailable)
	} else {
		fmt.Fprintf(w, "delivered %d  bounced %d  complained %d  unsubscribed %d\n", e.Delivered, e.Bounced, e.Complained, e.Unsubscribed)
		unique := fmt.Sprintf("unique %d", e.UniqueClicks)
		if !e.UniqueCounted() {
			unique = UniqueNotCounted
		}
		fmt.Fprintf(w, "clicks %d (%s)  machine clicks %d (link scanners, counted apart)  opens %d (estimated; %d machine opens counted apart)",
			e.ClicksTotal, unique, e.MachineClicks, e.OpensEstimated, e.MachineOpens)
		if e.Tracking != "" {
			fmt.Fprintf(w, "  tracking %s", e.Tracking)
		}
		fmt.Fprintln(w)
		if len(e.Sections) > 0 {
			fmt.Fprintln(w, "clicks by section:")
			for _, s := range e.Sections {
				if e.UniqueCounted() {
					fmt.Fprintf(w, "  %-24s %6d  (unique %d)\n", lastedition.SectionName(s.Category), s.Clicks, s.UniqueClicks)
				} else {
					fmt.Fprintf(w, "  %-24s %6d\n", lastedition.SectionName(s.Category), s.Clicks)
				}
			}
		}
		if len(e.Links) > 0 {
			fmt.Fprintln(w, "clicks by link:")
			for _, l := range e.Links {
				fmt.Fprintf(w, "  %6d  %-14s %s\n", l.Clicks, lastedition.SectionName(l.Category), l.URL)
			}
		}
		if len(e.Segments) > 0 {
			fmt.Fprintln(w, "by segment:")
			fmt.Fprintf(w, "  %-24s %9s %8s %10s %12s %7s\n", "segment", "delivered", "bounced", "complained", "unsubscribed", "clicks")
			for _, sg := range e.Segments {
				clicks := strconv.Itoa(sg.Clicks)
				if !e.UniqueCounted() {
					clicks = "-"
				}
				fmt.Fprintf(w, "  %-24s %9d %8d %10d %12d %7s\n", sg.Segment, sg.Delivered, sg.Bounced, sg.Complained, sg.Unsubscribed, clicks)
			}
			if !e.UniqueCounted() {
				fmt.Fprintln(w, "  (clicks per segment need individual tracking)")
			}
		}
		if len(e.ClicksByDay) > 0 {
			var days []string
			for _, d := range e.ClicksByDay {
				days = append(days, fmt.Sprintf("%s %d", d.Day, d.Count))
			}
			fmt.Fprintf(w, "clicks by day: %s\n", strings.Join(days, ", "))
		}
	}
	if !e.HasWeb() {
		fmt.Fprintf(w, "web views unavailable: %s\n", e.WebUnavailable)
		return
	}
	fmt.Fprintf(w, "web views %d (unique visitors %d)\n", e.WebViews, e.WebUnique)
	for _, d := range e.WebViewsByDay {
		fmt.Fprintf(w, "  %s %6d views  %6d unique\n", d.Day, d.Views, d.UniqueVisitors)
	}
}
