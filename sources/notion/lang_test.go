package notion

import (
	"strings"
	"testing"
)

// databasePageID is a page in a database whose Language property is the
// select option "pt-br".
const databasePageID = "5a1e7b2c-3d4e-4f60-8a9b-0c1d2e3f4a5b"

// TestLanguageFromPageProperty: a database page's Language select gives
// the document's language, canonical.
func TestLanguageFromPageProperty(t *testing.T) {
	f := newFakeNotion(t)
	doc := fetch(t, f.options(), databasePageID)
	if doc.Lang != "pt-BR" || doc.Title != "Boletim Halcytone 48" {
		t.Errorf("lang %q, title %q; want pt-BR from the Language property, Boletim Halcytone 48", doc.Lang, doc.Title)
	}
	if len(doc.Warnings) != 0 {
		t.Errorf("warnings %q, want none", doc.Warnings)
	}
	// A page outside a database has no language: the reference's or the
	// default applies.
	if doc := fetch(t, f.options(), weeklyID); doc.Lang != "" {
		t.Errorf("page without properties: lang %q, want none", doc.Lang)
	}
}

// TestLanguagePropertyKinds reads the property as Notion sends it: a
// select, a text or a multi-select, named Language or lang in any case;
// a value that is not a language tag is a warning naming the property.
func TestLanguagePropertyKinds(t *testing.T) {
	blocks := []byte(`{"object":"list","results":[],"next_cursor":null,"has_more":false}`)
	page := func(props string) []byte {
		return []byte(`{"object":"page","id":"` + databasePageID + `","last_edited_time":"2026-11-25T08:05:00.000Z",
			"parent":{"type":"database_id","database_id":"2f6c9a1e-7b3d-4e8f-9a0b-1c2d3e4f5a6b"},
			"properties":{"Name":{"id":"title","type":"title","title":[{"type":"text","text":{"content":"Weekly"},"plain_text":"Weekly"}]},` + props + `}}`)
	}
	text := func(s string) string {
		return `[{"type":"text","text":{"content":"` + s + `","link":null},"plain_text":"` + s + `","href":null}]`
	}
	for _, tt := range []struct {
		name, props, lang, warning string
	}{
		{"select", `"Language":{"id":"a","type":"select","select":{"id":"o1","name":"ar","color":"blue"}}`, "ar", ""},
		{"empty select", `"Language":{"id":"a","type":"select","select":null}`, "", ""},
		{"text named lang", `"lang":{"id":"a","type":"rich_text","rich_text":` + text(" fr_CA ") + `}`, "fr-CA", ""},
		{"one option of a multi-select", `"LANGUAGE":{"id":"a","type":"multi_select","multi_select":[{"id":"o1","name":"de","color":"red"}]}`, "de", ""},
		{"two options", `"Language":{"id":"a","type":"multi_select","multi_select":[{"id":"o1","name":"de"},{"id":"o2","name":"en"}]}`, "", `"Language" has 2 options selected`},
		{"a name, not a tag", `"Language":{"id":"a","type":"select","select":{"id":"o1","name":"Português","color":"blue"}}`, "", `"Language": language "Português" is not a BCP 47 language tag: use one such as en, pt-BR or ar`},
		{"a number", `"Language":{"id":"a","type":"number","number":7}`, "", `"Language" is a number property`},
		{"another property", `"Languages spoken":{"id":"a","type":"rich_text","rich_text":` + text("en") + `}`, "", ""},
	} {
		doc, err := ConvertJSON(page(tt.props), blocks)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if doc.Lang != tt.lang {
			t.Errorf("%s: lang %q, want %q", tt.name, doc.Lang, tt.lang)
		}
		warned := strings.Join(doc.Warnings, "\n")
		if tt.warning == "" && warned != "" || !strings.Contains(warned, tt.warning) {
			t.Errorf("%s: warnings %q, want %q", tt.name, warned, tt.warning)
		}
	}
}
