package codec

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Payload metadata written by the codec.
const (
	// EncodingEncrypted marks a payload this codec encrypted.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID names the key a payload was encrypted with.
	MetadataKeyID = "encryption-key-id"
	// MetadataCipher names the cipher.
	MetadataCipher = "encryption-cipher"
	// CipherAES256GCM is the only cipher this codec writes or reads.
	CipherAES256GCM = "AES256-GCM"
)

// Codec is a converter.PayloadCodec that encrypts each whole payload
// (metadata and data) with AES-256-GCM under the keyring's active key. The
// key ID is authenticated data, so a payload cannot be relabelled with
// another key's ID.
type Codec struct {
	keys *Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns the encrypting codec for k.
func NewCodec(k *Keyring) converter.PayloadCodec { return &Codec{keys: k} }

// DataConverter is the SDK's default data converter with payloads
// encrypted by k. Every client and worker of a namespace must use it.
func DataConverter(k *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(k))
}

// FailureConverter encodes failure messages and stack traces through dc
// too, so an error that quotes an address is not stored in plain text.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: dc, EncodeCommonAttributes: true,
	})
}

// Encode encrypts every payload with the active key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("encrypt payload: marshal: %w", err)
		}
		id, sealed, err := c.keys.Seal(plain)
		if err != nil {
			return payloads, fmt.Errorf("encrypt payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(id),
				MetadataCipher:             []byte(CipherAES256GCM),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode decrypts payloads this codec encrypted and passes every other
// payload through unchanged, so histories written before encryption was
// turned on stay readable.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		d, err := c.decrypt(p)
		if err != nil {
			return payloads, fmt.Errorf("decrypt payload %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	if ciph := string(p.Metadata[MetadataCipher]); ciph != CipherAES256GCM {
		return nil, fmt.Errorf("cipher %q is not supported; this codec reads %s", ciph, CipherAES256GCM)
	}
	id := string(p.Metadata[MetadataKeyID])
	plain, err := c.keys.Open(id, p.Data)
	if err != nil {
		return nil, err
	}
	var out commonpb.Payload
	if err := proto.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("key %q: unmarshal decrypted payload: %w", id, err)
	}
	return &out, nil
}
