package x

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"github.com/halcytone/contentgen/social"
)

// upload sends img through X's media upload (one request for an image),
// then its alt text, and returns the media ID a post attaches.
func (c *Client) upload(ctx context.Context, img social.Image) (string, error) {
	var out struct {
		Data struct {
			ID       string `json:"id"`
			MediaKey string `json:"media_key"`
		} `json:"data"`
	}
	newReq := func() (*http.Request, error) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("media_category", "tweet_image")
		_ = mw.WriteField("media_type", img.ContentType)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="media"; filename="image"`)
		h.Set("Content-Type", img.ContentType)
		part, err := mw.CreatePart(h)
		if err != nil {
			return nil, err
		}
		if _, err := part.Write(img.Data); err != nil {
			return nil, err
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.BaseURL+"/2/media/upload", &b)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Accept", "application/json")
		return req, nil
	}
	if err := c.send(ctx, "upload image", newReq, &out); err != nil {
		return "", err
	}
	if out.Data.ID == "" {
		return "", &social.Error{Network: network, Op: "upload image", Kind: social.KindUnavailable, Message: "reply has no media id"}
	}
	if img.Alt != "" {
		alt := map[string]any{"id": out.Data.ID, "metadata": map[string]any{"alt_text": map[string]string{"text": truncate(img.Alt, 1000)}}}
		if err := c.call(ctx, "set image alt text", http.MethodPost, "/2/media/metadata", alt, nil); err != nil {
			return "", err
		}
	}
	return out.Data.ID, nil
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
