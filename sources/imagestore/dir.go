package imagestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultMaxBytes bounds one copied file when DirStore.MaxBytes is zero.
const DefaultMaxBytes = 10 << 20

// safeContentTypes are the only media types DirStore ever stores: raster
// images, which cannot carry script. SVG, HTML, XML and PDF can, and
// served from the store's origin would run it.
func safeContentTypes() []string {
	return []string{"image/png", "image/jpeg", "image/gif", "image/webp"}
}

// DirStore downloads files into Dir, a folder served at BaseURL. Copies are
// named by the caller's name plus a hash of their bytes, so an unchanged
// image keeps its URL across fetches and a changed one gets a new URL.
type DirStore struct {
	Dir     string
	BaseURL string
	// HTTPClient downloads the files; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// MaxBytes bounds one file; 0 means DefaultMaxBytes.
	MaxBytes int64
	// ContentTypes narrows the accepted media types, e.g. "image/png", or
	// prefixes ending in "/" such as "image/"; empty means PNG, JPEG, GIF
	// and WebP. Nothing outside those four is ever stored, whatever this
	// says.
	ContentTypes []string
}

var _ Store = DirStore{}

// Store implements Store.
func (d DirStore) Store(ctx context.Context, sourceURL, name string) (string, error) {
	if d.Dir == "" || d.BaseURL == "" {
		return "", errors.New("image store: Dir and BaseURL must both be set (IMAGE_STORE_DIR, IMAGE_BASE_URL)")
	}
	data, mediaType, err := d.download(ctx, sourceURL)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	file := safeName(name) + "-" + hex.EncodeToString(sum[:8]) + extension(mediaType)
	if err := writeFile(d.Dir, file, data); err != nil {
		return "", err
	}
	return strings.TrimRight(d.BaseURL, "/") + "/" + url.PathEscape(file), nil
}

func (d DirStore) download(ctx context.Context, sourceURL string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sourceURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("download image: %w", err)
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("download image: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("download image: %s answered %s", req.URL.Host, resp.Status)
	}
	limit := d.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("download image: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, "", fmt.Errorf("download image: larger than the image store's limit of %d bytes", limit)
	}
	mediaType := mediaTypeOf(resp.Header.Get("Content-Type"), data)
	if !d.accepts(mediaType, data) {
		return nil, "", fmt.Errorf("download image: content type %q is not one the image store accepts", mediaType)
	}
	return data, mediaType, nil
}

// mediaTypeOf trusts a specific Content-Type and sniffs a generic one.
func mediaTypeOf(header string, data []byte) string {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		return sniff(data)
	}
	return strings.ToLower(mt)
}

// sniff is the media type the bytes themselves show.
func sniff(data []byte) string {
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	return strings.ToLower(mt)
}

// accepts reports whether a file of mediaType with these bytes may be
// stored: a safe type the bytes really are (a script labelled image/png is
// refused), and one ContentTypes allows.
func (d DirStore) accepts(mediaType string, data []byte) bool {
	if !slices.Contains(safeContentTypes(), mediaType) || sniff(data) != mediaType {
		return false
	}
	allowed := d.ContentTypes
	if len(allowed) == 0 {
		return true
	}
	return slices.ContainsFunc(allowed, func(a string) bool {
		a = strings.ToLower(a)
		return a == mediaType || (strings.HasSuffix(a, "/") && strings.HasPrefix(mediaType, a))
	})
}

func extension(mediaType string) string {
	switch mediaType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "application/pdf":
		return ".pdf"
	}
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// safeName keeps letters, digits, '-', '_' and '.' of name so it is a plain
// file name, never a path.
func safeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), "._")
	if len(s) > 100 {
		s = s[:100]
	}
	if s == "" {
		s = "image"
	}
	return s
}

// writeFile writes data atomically; an existing file of the same name
// already holds the same bytes, as names carry a content hash.
func writeFile(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("image store: %w", err)
	}
	path := filepath.Join(dir, name)
	if existing, err := os.ReadFile(path); err == nil && bytes.Equal(existing, data) {
		return nil
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("image store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("image store: write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("image store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("image store: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("image store: %w", err)
	}
	return nil
}
