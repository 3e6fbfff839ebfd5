package linkedin

import (
	"bytes"
	"context"
	"net/http"

	"github.com/halcytone/contentgen/social"
)

// upload puts img through the Images API: initializeUpload names an
// image URN and an upload URL, and the bytes go to that URL with the
// same token. It returns the URN a post's media content carries.
func (c *Client) upload(ctx context.Context, img social.Image) (string, error) {
	const op = "upload image"
	rep, err := c.do(ctx, op, http.MethodPost, "/rest/images?action=initializeUpload", "",
		map[string]any{"initializeUploadRequest": map[string]string{"owner": c.o.Author}})
	if err != nil {
		return "", err
	}
	var out struct {
		Value struct {
			UploadURL string `json:"uploadUrl"`
			Image     string `json:"image"`
		} `json:"value"`
	}
	if err := rep.Decode(network, op, &out); err != nil {
		return "", err
	}
	if out.Value.UploadURL == "" || out.Value.Image == "" {
		return "", &social.Error{Network: network, Op: op, Kind: social.KindUnavailable, Status: rep.Status, Message: "reply has no uploadUrl or image URN"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, out.Value.UploadURL, bytes.NewReader(img.Data))
	if err != nil {
		return "", &social.Error{Network: network, Op: op, Kind: social.KindRejected, Message: "upload URL " + out.Value.UploadURL + ": " + err.Error(), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.o.Token)
	req.Header.Set("Content-Type", img.ContentType)
	put, err := social.Do(c.hc, req, network, op)
	if err != nil {
		return "", err
	}
	if !put.OK() {
		return "", c.replyError(op, put)
	}
	return out.Value.Image, nil
}
