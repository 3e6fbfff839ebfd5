package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/codec"
)

// DefaultArtifactDir is where the file store lives when ARTIFACT_STORE_URL
// is not set, relative to the working directory.
const DefaultArtifactDir = ".data/artifacts"

// ArtifactStore opens the artifact store at rawURL: a gocloud.dev/blob URL
// (file:///abs/dir, s3://bucket?region=…, gs://bucket, azblob://container)
// or a plain folder path; empty is DefaultArtifactDir. A non-empty
// codecKeys (NEWSLETTER_CODEC_KEYS) encrypts every artifact.
func ArtifactStore(ctx context.Context, rawURL, codecKeys string) (*blobstore.Store, error) {
	if rawURL == "" {
		rawURL = DefaultArtifactDir
	}
	if !strings.Contains(rawURL, "://") {
		abs, err := filepath.Abs(rawURL)
		if err != nil {
			return nil, fmt.Errorf("ARTIFACT_STORE_URL %q: %w", rawURL, err)
		}
		rawURL = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	var keys *codec.Keyring
	if codecKeys != "" {
		var err error
		if keys, err = codec.ParseKeys(codecKeys); err != nil {
			return nil, fmt.Errorf("NEWSLETTER_CODEC_KEYS: %w", err)
		}
	}
	s, err := blobstore.Open(ctx, rawURL, keys)
	if err != nil {
		return nil, fmt.Errorf("ARTIFACT_STORE_URL: %w", err)
	}
	return s, nil
}

// CheckContentMode validates CRM_CONTENT_MODE.
func CheckContentMode(mode string) error {
	switch mode {
	case "", activities.ContentAuto, activities.ContentUpload, activities.ContentInline:
		return nil
	}
	return fmt.Errorf("CRM_CONTENT_MODE %q: use auto (upload when the CRM implements it), upload or inline", mode)
}
