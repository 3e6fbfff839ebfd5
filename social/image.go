package social

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
)

// DefaultMaxImage bounds a downloaded image: Mastodon accepts 16 MB, but a
// post's picture needs far less.
const DefaultMaxImage = 8 << 20

// ImageFetcher downloads a post's image from its public URL (the image
// store's, or the document's own).
type ImageFetcher struct {
	HTTP     *http.Client
	MaxBytes int64
}

// FetchImage downloads url as an image with alt text.
func (f ImageFetcher) FetchImage(ctx context.Context, url, alt string) (*Image, error) {
	limit := f.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxImage
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", url, err)
	}
	resp, err := HTTPClient(f.HTTP).Do(req)
	if ue := (*neturl.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // the URL is named once, here
	}
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("image %s: HTTP %d", url, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", url, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("image %s is larger than %d bytes", url, limit)
	}
	ct := resp.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "image/") {
		ct = http.DetectContentType(data)
	}
	if !strings.HasPrefix(ct, "image/") {
		return nil, fmt.Errorf("image %s is %s, not an image", url, ct)
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	return &Image{Data: data, ContentType: ct, Alt: alt}, nil
}
