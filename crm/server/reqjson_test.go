package server

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// hostileStrings are values whose JSON needs every kind of escape, or
// that encoding/json rewrites.
var hostileStrings = []string{
	"", "plain", "Knuth & Co <R>", `quote " backslash \ slash /`, "line\nbreak\r\ttab\b\f", "nul\x00del\x7f",
	"Zoë Ünal 東京 🎉", "sep\u2028\u2029", "bad \xff\xfe utf-8", ".leading dot", strings.Repeat("long ", 500),
}

// sameAsStrict checks that decodeNewsletterRequest reads body exactly as
// httpapi.DecodeStrict does, value and error alike.
func sameAsStrict(t *testing.T, body []byte) {
	t.Helper()
	var fast, strict crm.NewsletterRequest
	fastErr := decodeNewsletterRequest(body, &fast)
	strictErr := httpapi.DecodeStrict(body, &strict)
	if !reflect.DeepEqual(fastErr, strictErr) {
		t.Fatalf("body %.300q:\nerror %+v\nstrict %+v", body, fastErr, strictErr)
	}
	if !reflect.DeepEqual(fast, strict) {
		t.Fatalf("body %.300q:\ndecoded %+v\nstrict  %+v", body, fast, strict)
	}
}

func randomRequest(r *rand.Rand) crm.NewsletterRequest {
	s := func() string { return hostileStrings[r.IntN(len(hostileStrings))] }
	m := func() map[string]string {
		if r.IntN(4) == 0 {
			return nil
		}
		out := map[string]string{}
		for range r.IntN(4) {
			out[s()] = s()
		}
		return out
	}
	req := crm.NewsletterRequest{NewsletterID: s()}
	for range r.IntN(3) {
		req.Variants = append(req.Variants, crm.Variant{ID: s(), Subject: s(), Preheader: s(), HTML: s(), Text: s(), Fallbacks: m()})
	}
	for range r.IntN(5) {
		req.Messages = append(req.Messages, crm.Message{To: s(), Name: s(), Variant: s(), Merge: m(), Subject: s(), HTML: s(), Text: s()})
	}
	return req
}

func TestDecodeNewsletterRequestAsStrict(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		body, err := json.Marshal(randomRequest(r))
		if err != nil {
			t.Fatal(err)
		}
		sameAsStrict(t, body)
		// The same request with white space between every token.
		indented, _ := json.MarshalIndent(json.RawMessage(body), "", "  ")
		sameAsStrict(t, indented)
	}
	for _, body := range []string{
		`{"newsletter_id":"n1","messages":[{"to":"a@example.com","variant":"v1","merge":{"name":"A"}}]}`,
		` {"newsletter_id" : "n1" , "messages" : [ ] , "variants" : [ ] } ` + "\n",
		`{}`, `[]`, `null`, ``, `{`, `{"newsletter_id":"n1"`, `{"newsletter_id":"n1"}x`, `{"newsletter_id":"n1"}{}`,
		`{"newsletter_id":"n1",}`, `{"newsletter_id":"n1" "messages":[]}`, `{"newsletter_id":1}`, `{"newsletter_id":null}`,
		`{"Newsletter_ID":"n1"}`, `{"newsletter\u005fid":"n1"}`, `{"unknown":"x"}`, `{"newsletter_id":"n1","newsletter_id":"n2"}`,
		`{"messages":[{"to":"a","merge":{"k":"1","k":"2"}}]}`, `{"messages":[{"to":"a","merge":{"k":1}}]}`,
		`{"messages":[{"to":"a","merge":null}]}`, `{"messages":[{"to":"a","To":"b"}]}`, `{"messages":[{"to":"a","extra":true}]}`,
		`{"messages":[{"to":"\ud83c\udf89"}]}`, `{"messages":[{"to":"\ud83c"}]}`, `{"messages":[{"to":"\u00e9\u0026\u003c"}]}`,
		`{"messages":[{"to":"\x"}]}`, `{"messages":[{"to":"\u12"}]}`, `{"messages":[{"to":"tab	raw"}]}`,
		`{"messages":[{"to":"a"},]}`, `{"messages":[,{"to":"a"}]}`, `{"messages":{"to":"a"}}`, `{"variants":[{"id":"v","fallbacks":{"a":"b"}}]}`,
		`{"variants":[{"id":"v","fallbacks":{"a":"b"},"fallbacks":{}}]}`, "\ufeff{}", `{"newsletter_id":"n1"} ` + "\t\r\n",
	} {
		sameAsStrict(t, []byte(body))
	}
}

func FuzzDecodeNewsletterRequest(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		body, _ := json.Marshal(randomRequest(r))
		f.Add(body)
	}
	f.Add([]byte(`{"messages":[{"to":"\ud83c\udf89","merge":{"a":"\u0026"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { sameAsStrict(t, body) })
}

// BenchmarkDecodeNewsletterRequest measures reading a full request of
// crm.MaxMessagesPerRequest messages shaped like a send's.
func BenchmarkDecodeNewsletterRequest(b *testing.B) {
	req := crm.NewsletterRequest{NewsletterID: "2026-W48", Variants: []crm.Variant{testVariant}}
	for i := range crm.MaxMessagesPerRequest {
		req.Messages = append(req.Messages, crm.Message{To: fmt.Sprintf("reader%07d@bench.example", i), Name: "Ada Lovelace", Variant: "v1",
			Merge: map[string]string{"name": "Ada Lovelace", "first_name": "Ada", "email": fmt.Sprintf("reader%07d@bench.example", i),
				"unsubscribe_url": "https://crm.example.com/unsubscribe?token=abcdefghijklmnop", "attr.city": "Oslo", "attr.company": "Knuth & Co"}})
	}
	body, _ := json.Marshal(req)
	for _, bc := range []struct {
		name   string
		decode func([]byte, *crm.NewsletterRequest) *httpapi.ErrorDetail
	}{{"strict", func(b []byte, r *crm.NewsletterRequest) *httpapi.ErrorDetail { return httpapi.DecodeStrict(b, r) }}, {"fast", decodeNewsletterRequest}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var r crm.NewsletterRequest
				if d := bc.decode(body, &r); d != nil {
					b.Fatal(d)
				}
			}
		})
	}
}
