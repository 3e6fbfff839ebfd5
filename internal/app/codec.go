package app

import (
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/codec"
)

// WithCodec makes the client encrypt every payload (inputs, results,
// signals, queries, heartbeat details, failure messages) with the keys in
// spec ("id:base64key,…", first active), so history holds no readable
// document text or recipient data. An empty spec leaves payloads plain.
// Worker and starter must use the same keys.
func WithCodec(opts *client.Options, spec string) error {
	if spec == "" {
		return nil
	}
	keys, err := codec.ParseKeys(spec)
	if err != nil {
		return fmt.Errorf("NEWSLETTER_CODEC_KEYS: %w", err)
	}
	dc := codec.DataConverter(keys)
	opts.DataConverter = dc
	opts.FailureConverter = codec.FailureConverter(dc)
	return nil
}
