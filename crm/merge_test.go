package crm_test

import (
	"maps"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

func TestMergeValues(t *testing.T) {
	tests := []struct {
		name string
		in   crm.Recipient
		want map[string]string
	}{
		{"full", crm.Recipient{Email: "ann@example.com", Name: "  Ann  Marie Lee ", UnsubscribeURL: "https://crm/u?t=1",
			Attributes: map[string]string{"city": "Oslo", "plan": ""}},
			map[string]string{"name": "Ann  Marie Lee", "first_name": "Ann", "email": "ann@example.com",
				"unsubscribe_url": "https://crm/u?t=1", "attr.city": "Oslo"}},
		{"no name", crm.Recipient{Email: "x@example.com"}, map[string]string{"email": "x@example.com"}},
		{"empty", crm.Recipient{}, map[string]string{}},
	}
	for _, tt := range tests {
		if got := crm.MergeValues(tt.in); !maps.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
