// Package markdown fetches living documents written in Markdown and
// converts them with Convert. A document is one of:
//
//   - a file: "# Title" (or front matter "title:"), an intro, then one
//     "## Section" per newsletter section;
//   - a folder with one *.md file per section, read in name order
//     (01-breathscape.md, 02-hardware.md, …). A file's section heading is
//     its only top-level heading when it starts with one, else its front
//     matter title, else its name ("02-hardware.md" gives "Hardware"); its
//     other headings nest below. The optional _title.md holds the title
//     (front matter or first heading) and the intro; without it the title
//     is the folder's name. Files starting with "_" or "." and subfolders
//     are not read, and a symlink to a file outside the folder is refused;
//   - an http or https URL of an internal CMS serving text/markdown or
//     text/plain.
package markdown

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// DefaultMaxBytes is the largest document read when Options.MaxBytes is 0.
const DefaultMaxBytes = 10 << 20

// Options configure a Source.
type Options struct {
	// HTTPClient fetches URLs; nil means a client with a 30 second timeout.
	HTTPClient *http.Client
	// Header is added to URL requests to HeaderHosts only, e.g.
	// Authorization for an internal CMS: never to another host, nor to one
	// a redirect leads to.
	Header http.Header
	// HeaderHosts are the hosts Header goes to: "cms.example.com" (any
	// port) or "cms.example.com:8443". Empty sends Header nowhere.
	HeaderHosts []string
	// MaxBytes limits a file, a folder's files together, or a response
	// body (default DefaultMaxBytes).
	MaxBytes int64
	// BaseDir resolves relative paths; empty means the working directory.
	BaseDir string
}

// Source fetches Markdown documents.
type Source struct {
	opts Options
}

var _ sources.Source = (*Source)(nil)

// New returns a Source with defaults filled in.
func New(o Options) *Source {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if len(o.Header) > 0 {
		c := *o.HTTPClient
		c.Transport = &hostHeader{base: c.Transport, header: o.Header, hosts: o.HeaderHosts}
		o.HTTPClient = &c
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return &Source{opts: o}
}

// Fetch reads the file, folder or URL id (see the package documentation).
// The revision is "sha256:" and the hash of a file's bytes (of a folder's
// file names and bytes); for a URL the ETag, else Last-Modified, else the
// hash of the body.
func (s *Source) Fetch(ctx context.Context, id string) (content.Document, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return content.Document{}, fmt.Errorf("read markdown: %w: no path given; use a file, a folder or an http(s) URL", sources.ErrNotFound)
	}
	if err := ctx.Err(); err != nil {
		return content.Document{}, fmt.Errorf("read markdown %s: %w", id, err)
	}
	if strings.HasPrefix(id, "http://") || strings.HasPrefix(id, "https://") {
		return s.fetchURL(ctx, id)
	}
	path := s.resolve(id)
	info, err := os.Stat(path)
	if err != nil {
		return content.Document{}, s.fileError(path, err)
	}
	if info.IsDir() {
		return s.fetchFolder(ctx, path)
	}
	data, err := s.readFile(path)
	if err != nil {
		return content.Document{}, err
	}
	doc, err := Convert(data)
	if err != nil {
		return content.Document{}, fmt.Errorf("read markdown %s: %w", path, err)
	}
	doc.Revision = hashRevision(data)
	return doc, nil
}

func (s *Source) resolve(path string) string {
	if s.opts.BaseDir == "" || filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(s.opts.BaseDir, path)
}

// readFile reads at most MaxBytes of a file.
func (s *Source) readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, s.fileError(path, err)
	}
	defer f.Close()
	data, err := readLimited(f, s.opts.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("read markdown %s: %w", path, err)
	}
	return data, nil
}

// fileError maps a file system error to the sources sentinels.
func (s *Source) fileError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		hint := ""
		if s.opts.BaseDir != "" {
			hint = fmt.Sprintf(" (relative paths are read from %s)", s.opts.BaseDir)
		}
		return fmt.Errorf("read markdown %s: %w: no such file or folder; check the path%s", path, sources.ErrNotFound, hint)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("read markdown %s: %w: the worker may not read it; fix the file's permissions", path, sources.ErrPermission)
	}
	return fmt.Errorf("read markdown %s: %w", path, err)
}

// readLimited reads r to the end, failing with sources.ErrInvalid past max
// bytes rather than holding an unbounded document in memory.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, tooLarge(max)
	}
	return data, nil
}

func tooLarge(max int64) error {
	return fmt.Errorf("%w: larger than the %s limit; split it into a folder of section files or raise the limit", sources.ErrInvalid, byteSize(max))
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func hashRevision(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
