package server

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

func TestRecipientsCursor(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name      string
		cursor    string
		wantID    int64
		wantTotal int
		wantErr   bool
	}{
		{"first page", "", 0, -1, false},
		{"round trip", encodeRecipientsCursor(42, 1000), 42, 1000, false},
		{"without a total", enc("id:7"), 7, -1, false},
		{"negative total", enc("id:7;total:-1"), 0, -1, true},
		{"total not a number", enc("id:7;total:x"), 0, -1, true},
		{"no id", enc("total:3"), 0, -1, true},
		{"not base64", "%%%", 0, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, total, err := decodeRecipientsCursor(tt.cursor)
			if (err != nil) != tt.wantErr || id != tt.wantID || total != tt.wantTotal {
				t.Errorf("decode(%q) = %d, %d, %v; want %d, %d, error %v", tt.cursor, id, total, err, tt.wantID, tt.wantTotal, tt.wantErr)
			}
		})
	}
}

// Later pages report the total the first page counted, without counting.
func TestRecipientsTotalCountedOnce(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	ctx := context.Background()
	if _, err := s.InsertContacts(ctx, GenerateContacts(0, 5)); err != nil {
		t.Fatal(err)
	}
	first, err := s.recipientsPage(ctx, crm.RecipientQuery{}, 0, -1, 2)
	if err != nil || first.Total != 5 || first.NextCursor == "" {
		t.Fatalf("first page: total %d, cursor %q, %v; want 5 and a cursor", first.Total, first.NextCursor, err)
	}
	if _, err := s.InsertContacts(ctx, GenerateContacts(5, 3)); err != nil {
		t.Fatal(err)
	}
	after, total, err := decodeRecipientsCursor(first.NextCursor)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.recipientsPage(ctx, crm.RecipientQuery{}, after, total, 2)
	if err != nil || second.Total != 5 || len(second.Recipients) != 2 {
		t.Fatalf("second page: total %d, %d recipients, %v; want the first page's total 5", second.Total, len(second.Recipients), err)
	}
	if fresh, err := s.recipientsPage(ctx, crm.RecipientQuery{}, 0, -1, 2); err != nil || fresh.Total != 8 {
		t.Errorf("a new listing counts again: total %d, %v; want 8", fresh.Total, err)
	}
}
