package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

func TestReadContacts(t *testing.T) {
	tests := []struct {
		name     string
		csv      string
		wantRows []contactRow
		wantErrs []string
	}{
		{
			name: "segments, attributes, BOM and case",
			csv:  "\ufeffEmail,Name,Segments,City,plan\n Ann@Example.com ,Ann Lee, pro; beta|pro ,Oslo,\n",
			wantRows: []contactRow{{line: 2, email: "ann@example.com", name: "Ann Lee",
				segments: []string{"beta", "pro"}, attributes: map[string]string{"city": "Oslo"}}},
		},
		{
			name: "email column alone, in any position",
			csv:  "city,email\nRome,cy@example.org\n",
			wantRows: []contactRow{{line: 2, email: "cy@example.org", segments: []string{},
				attributes: map[string]string{"city": "Rome"}}},
		},
		{
			name: "bad rows are reported with their line",
			csv: "email,name,segments\nok@example.com,Ok,\nnot-an-email,X,\nshort@example.com\n" +
				"OK@example.com,Again,\nctl@example.com,C,\"a\x01b\"\n",
			wantRows: []contactRow{{line: 2, email: "ok@example.com", name: "Ok", segments: []string{}, attributes: map[string]string{}}},
			wantErrs: []string{
				`line 3: email "not-an-email" is not a valid address`,
				"line 4: 1 fields, but the header has 3",
				"line 5: ok@example.com already appears on line 2",
				`line 6: segment "a\x01b" must be at most 100 characters without control characters`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := readContacts(strings.NewReader(tt.csv))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(rows, tt.wantRows, sameRow) {
				t.Errorf("rows = %+v, want %+v", rows, tt.wantRows)
			}
			if !slices.Equal(errs, tt.wantErrs) {
				t.Errorf("errors = %q, want %q", errs, tt.wantErrs)
			}
		})
	}
}

func sameRow(a, b contactRow) bool {
	ja, _ := json.Marshal([]any{a.line, a.email, a.name, a.segments, a.attributes})
	jb, _ := json.Marshal([]any{b.line, b.email, b.name, b.segments, b.attributes})
	return string(ja) == string(jb)
}

func TestReadContactsBadHeader(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"empty file", "", "the file is empty"},
		{"no email column", "name,segments\nAnn,beta\n", "no email column"},
		{"repeated column", "email,city,City\n", `"city" appears twice`},
		{"attribute name with a space", "email,home town\n", `"home town": attribute names`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readContacts(strings.NewReader(tt.csv))
			if !errors.Is(err, ErrBadCSV) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrBadCSV containing %q", err, tt.want)
			}
		})
	}
}

func TestExampleContactsImport(t *testing.T) {
	data, err := os.ReadFile("../../examples/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, openSQLite(t), nil)
	if res := importCSV(t, s, string(data)); res.Imported < 10 || res.Skipped != 0 || len(res.Errors) != 0 {
		t.Fatalf("import: %+v", res)
	}
	for _, seg := range []string{"beta", "pro", "investors"} {
		if rs := recipients(t, s, []string{seg}, 100); len(rs) < 2 {
			t.Errorf("segment %s has %d contacts", seg, len(rs))
		}
	}
}

func TestImportEndpoint(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    crm.ImportResult
	}{
		{"imports", "text/csv; charset=utf-8", "email,name\na@example.com,A\nbad,B\n", http.StatusOK,
			crm.ImportResult{Imported: 1, Skipped: 1, Errors: []string{`line 3: email "bad" is not a valid address`}}},
		{"updates", "text/csv", "email,name\na@example.com,A2\n", http.StatusOK, crm.ImportResult{Updated: 1}},
		{"not CSV", "application/json", `{"email":"a@example.com"}`, http.StatusUnsupportedMediaType, crm.ImportResult{}},
		{"bad header", "text/csv", "name\nA\n", http.StatusBadRequest, crm.ImportResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(h, http.MethodPost, crm.PathContacts, testKey, map[string]string{"Content-Type": tt.contentType}, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d %s", rec.Code, rec.Body)
			}
			if rec.Code != http.StatusOK {
				if errorOf(t, rec.Body.Bytes()).Message == "" {
					t.Error("error without a message")
				}
				return
			}
			var got crm.ImportResult
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Imported != tt.want.Imported || got.Updated != tt.want.Updated || got.Skipped != tt.want.Skipped || !slices.Equal(got.Errors, tt.want.Errors) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUnsubscribePages(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	importCSV(t, s, "email,name\nann@example.com,Ann\n")
	link := recipients(t, s, nil, 10)[0].UnsubscribeURL
	target := strings.TrimPrefix(link, "https://crm.example.com")

	page := call(h, http.MethodGet, target, "", nil, "")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `<form method="post"`) ||
		!strings.Contains(page.Body.String(), "ann@example.com") {
		t.Fatalf("confirmation page %d:\n%s", page.Code, page.Body)
	}
	if n := len(recipients(t, s, nil, 10)); n != 1 {
		t.Fatal("GET alone unsubscribed the contact")
	}
	for range 2 { // repeating the POST is harmless
		if rec := call(h, http.MethodPost, target, "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			"List-Unsubscribe=One-Click"); rec.Code != http.StatusOK {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
	}
	if n := len(recipients(t, s, nil, 10)); n != 0 {
		t.Error("contact still listed after unsubscribing")
	}
	if again := call(h, http.MethodGet, target, "", nil, ""); !strings.Contains(again.Body.String(), "Already unsubscribed") {
		t.Errorf("page after unsubscribing:\n%s", again.Body)
	}
	for _, bad := range []string{crm.PathUnsubscribe, crm.PathUnsubscribe + "?token=nope"} {
		if rec := call(h, http.MethodGet, bad, "", nil, ""); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, rec.Code)
		}
	}
}
