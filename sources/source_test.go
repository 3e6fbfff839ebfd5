package sources

import (
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestParseRefLanguage(t *testing.T) {
	for in, want := range map[string]Ref{
		"gdocs:1AbC":                           {Kind: KindGDocs, ID: "1AbC"},
		"gdocs:1AbC;lang=pt-br":                {Kind: KindGDocs, ID: "1AbC", Lang: "pt-BR"},
		" notion:0f3c;lang=ar ":                {Kind: KindNotion, ID: "0f3c", Lang: "ar"},
		"markdown:https://cms/a.md;lang=fr_CA": {Kind: KindMarkdown, ID: "https://cms/a.md", Lang: "fr-CA"},
	} {
		got, err := ParseRef(in)
		if err != nil || got != want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", in, got, err, want)
			continue
		}
		// String reads back as the same reference.
		if again, err := ParseRef(got.String()); err != nil || again != got {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", got.String(), again, err, got)
		}
	}
	for in, says := range map[string]string{
		"gdocs:1AbC;lang=":        "language is empty",
		"gdocs:1AbC;lang=English": `"English" is not a BCP 47 language tag`,
		"notion:0f3c;lang=xx":     `"xx" is not a BCP 47 language tag`,
		"gdocs:1AbC;lang=und":     "names no language",
		"gdocs:;lang=en":          "want kind:id",
	} {
		_, err := ParseRef(in)
		if err == nil || !strings.Contains(err.Error(), says) || !strings.Contains(err.Error(), "pt-BR") && !strings.Contains(err.Error(), "kind:id") {
			t.Errorf("ParseRef(%q) err = %v, want it to say %q and what to write", in, err, says)
		}
	}
}

type langSource struct{ lang string }

func (s langSource) Fetch(_ context.Context, id string) (content.Document, error) {
	if strings.Contains(id, "lang") {
		return content.Document{}, ErrNotFound
	}
	return content.Document{Title: id, Lang: s.lang}, nil
}

// The reference's language is the document's when the document names
// none; a language the document names wins.
func TestRegistryFetchGivesTheReferencesLanguage(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ docLang, ref, want string }{
		{"", "gdocs:1AbC;lang=pt-BR", "pt-BR"},
		{"", "gdocs:1AbC", ""},
		{"de", "gdocs:1AbC;lang=pt-BR", "de"},
	} {
		ref, err := ParseRef(tt.ref)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Registry{KindGDocs: langSource{tt.docLang}}.Fetch(ctx, ref)
		if err != nil {
			t.Fatalf("fetch %s: %v", tt.ref, err)
		}
		if doc.Lang != tt.want || doc.Source != "gdocs:1AbC" {
			t.Errorf("document %q from %s: lang %q, source %q; want lang %q, source gdocs:1AbC", tt.docLang, tt.ref, doc.Lang, doc.Source, tt.want)
		}
	}
}
