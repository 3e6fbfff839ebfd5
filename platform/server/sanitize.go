package server

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// bodyPolicy is what an update's body_html may hold: the semantic HTML the
// renderer's web channel writes (sections with anchors and classes,
// figures, tables, code, lists, links), never script, event handlers,
// javascript: URLs, forms, frames or styles beyond an image's size. The
// renderer already escapes document text; this is defence in depth for
// any publisher of the contract.
func bodyPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[A-Za-z0-9_ +#-]*$`)).Globally()
	p.AllowAttrs("aria-hidden").Matching(regexp.MustCompile(`^(true|false)$`)).Globally()
	p.AllowAttrs("data-edition").Matching(regexp.MustCompile(`^[A-Za-z0-9_.-]*$`)).OnElements("article")
	p.AllowElements("article", "section", "aside", "figure", "figcaption", "time")
	p.AllowAttrs("datetime").OnElements("time")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^(lazy|eager)$`)).OnElements("img")
	p.AllowStyles("max-width", "height").OnElements("img")
	return p
}

// sanitizeBody returns body_html with everything bodyPolicy does not
// allow removed.
func (s *Server) sanitizeBody(html string) string { return s.bodyPolicy.Sanitize(html) }
