package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/halcytone/contentgen/platform"
)

// PageSize is how many updates the /updates page lists at a time.
const PageSize = 10

// Page template names.
const (
	pageList     = "list.html"
	pagePost     = "post.html"
	pageNotFound = "notfound.html"
	pageReport   = "report.html"
)

// parsePages parses each page together with the layout, so every page
// can define its own "title" and "content".
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{pageList, pagePost, pageNotFound, pageReport} {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// pageData is what the layout receives; Page is the page's own data.
type pageData struct {
	Site        string
	Description string
	Canonical   string
	Page        any
}

// listItem is one update on the /updates page.
type listItem struct {
	Title, Summary, Edition, Path, Date, DateISO string
}

type listPage struct {
	Items []listItem
	Older string
}

type postPage struct {
	Title, Edition, Date, DateISO string
	Body                          template.HTML
	Tags                          []string
}

func (s *Server) handleListPage(w http.ResponseWriter, r *http.Request) {
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil || before < 0 {
		before = 0
	}
	// One more than shown tells whether there is an older page.
	updates, err := s.listUpdates(r.Context(), before, PageSize+1)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var page listPage
	if len(updates) > PageSize {
		updates = updates[:PageSize]
		page.Older = "/updates?before=" + strconv.FormatInt(updates[PageSize-1].ID, 10)
	}
	for _, u := range updates {
		page.Items = append(page.Items, listItem{
			Title: u.Title, Summary: u.Summary, Edition: u.Edition, Path: "/updates/" + u.Slug,
			Date: displayDate(u), DateISO: u.PublishedAt.Format(time.RFC3339),
		})
	}
	s.render(w, r, http.StatusOK, pageList, pageData{
		Description: "News and updates from " + s.cfg.SiteName, Canonical: s.cfg.PublicURL + "/updates", Page: page,
	})
}

func (s *Server) handlePostPage(w http.ResponseWriter, r *http.Request) {
	u, found, err := s.getUpdate(r.Context(), r.PathValue("slug"))
	switch {
	case err != nil:
		s.pageError(w, r, err)
		return
	case !found:
		s.notFoundPage(w, r)
		return
	}
	// body_html was sanitised (sanitizeBody) before it was stored; it is
	// inserted as is.
	page := postPage{
		Title: u.Title, Edition: u.Edition, Date: displayDate(u), DateISO: u.PublishedAt.Format(time.RFC3339),
		Body: template.HTML(u.BodyHTML), Tags: u.Tags,
	}
	if countable(r) {
		// A failed count costs a figure, never the page.
		if err := s.recordView(r.Context(), u.ID, r); err != nil {
			s.log.WarnContext(r.Context(), "view not counted", "slug", u.Slug, "err", err)
		}
	}
	s.render(w, r, http.StatusOK, pagePost, pageData{Description: u.Summary, Canonical: u.URL, Page: page})
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, pageNotFound, pageData{Page: r.URL.Path})
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "Something went wrong on our side; please try again shortly.", http.StatusInternalServerError)
}

// render executes a page into a buffer first, so a template failure
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) {
	data.Site = s.cfg.SiteName
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.pageError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func displayDate(u platform.Update) string {
	return u.PublishedAt.Format("2 January 2006")
}
