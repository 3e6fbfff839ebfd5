package server

import (
	"encoding/json"
	"maps"
	"testing"
)

// decodeMerge reads what deliveries store exactly as encoding/json does.
func TestDecodeMerge(t *testing.T) {
	for _, m := range []map[string]string{
		{},
		{"name": "Zoë Reader", "first_name": "Zoë", "email": "z@example.com"},
		{"attr.city": `Oslo "North"`, "x": `back\slash`, "html": "<b>&</b>", "ctl": "a\r\nb\tc", "empty": ""},
		{"unsubscribe_url": "https://crm.example.com/unsubscribe?token=a%2Fb", "u": "\u2028 line sep"},
	} {
		b, _ := json.Marshal(m)
		got, err := decodeMerge(string(b))
		if err != nil || !maps.Equal(got, m) {
			t.Errorf("decodeMerge(%s) = %v, %v; want %v", b, got, err, m)
		}
	}
	for _, bad := range []string{"", "{", `{"a":1}`, `{"a":"b"`, `["a"]`} {
		if _, err := decodeMerge(bad); err == nil {
			t.Errorf("decodeMerge(%q) accepted", bad)
		}
	}
}
