package hostile

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	nethtml "golang.org/x/net/html"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// Elements that run code, load other documents or submit data; no
// channel's markup may hold one.
var activeElements = map[string]bool{
	"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "base": true, "form": true, "svg": true, "math": true, "template": true,
}

// Attributes whose value is a URL a reader's client loads or follows.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "srcset": true, "action": true, "formaction": true, "background": true,
	"poster": true, "cite": true, "data": true, "codebase": true, "xlink:href": true, "longdesc": true,
}

// markupProblems parses s as a browser would and reports active elements,
// event-handler attributes, URLs other than http, https, mailto or a merge
// tag, and script in style attributes.
func markupProblems(s string) []string {
	var problems []string
	if i := strings.Index(strings.ToLower(s), "<script"); i >= 0 {
		problems = append(problems, fmt.Sprintf("raw <script at byte %d", i))
	}
	doc, err := nethtml.Parse(strings.NewReader(s))
	if err != nil {
		return append(problems, "markup does not parse: "+err.Error())
	}
	for n := range doc.Descendants() {
		if n.Type != nethtml.ElementNode {
			continue
		}
		if activeElements[n.Data] {
			problems = append(problems, fmt.Sprintf("<%s> element", n.Data))
		}
		for _, a := range n.Attr {
			if p := attributeProblem(n.Data, a); p != "" {
				problems = append(problems, p)
			}
		}
	}
	return problems
}

func attributeProblem(elem string, a nethtml.Attribute) string {
	name := strings.ToLower(a.Key)
	if a.Namespace != "" {
		name = a.Namespace + ":" + name
	}
	value := strings.ToLower(a.Val)
	switch {
	case strings.HasPrefix(name, "on"):
		return fmt.Sprintf("<%s %s=…> event handler", elem, name)
	case name == "style" && (strings.Contains(value, "javascript:") || strings.Contains(value, "expression(")):
		return fmt.Sprintf("<%s style=%q> runs script", elem, a.Val)
	case name == "http-equiv" && value == "refresh":
		return fmt.Sprintf("<%s http-equiv=refresh> redirects", elem)
	case urlAttributes[name] && !safeURL(a.Val):
		return fmt.Sprintf("<%s %s=%q>: not an http, https or mailto URL", elem, name, a.Val)
	}
	return ""
}

// safeURL reports whether a URL attribute's value is one readers may load:
// http(s) with a host, mailto, or a merge tag the CRM fills in.
func safeURL(v string) bool {
	v = strings.TrimSpace(v)
	if f, ok := strings.CutPrefix(v, "{{"); ok {
		f, ok = strings.CutSuffix(f, "}}")
		return ok && mergetag.ValidField(f) && f != mergetag.Open
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return u.Opaque != ""
	}
	return false
}

// htmlText is markup with its character references decoded, for finding
// document text in it.
func htmlText(s string) string {
	// <wbr> only lets a long word break: readers see the text around it
	// joined. Document text cannot hold one, as its "<" is escaped.
	return html.UnescapeString(strings.ReplaceAll(s, "<wbr>", ""))
}

// markdownText is Markdown as its readers see it: rendered, then decoded.
func markdownText(md string) string { return htmlText(markdownHTML(md)) }
