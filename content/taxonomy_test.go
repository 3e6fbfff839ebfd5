package content

import (
	"strings"
	"testing"
)

func TestDefaultTaxonomyIsValid(t *testing.T) {
	tax := DefaultTaxonomy()
	if err := tax.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tax.Names(), ","); got != "Breathscape,Hardware,Tips,Vision" {
		t.Errorf("names %s", got)
	}
}

func TestMatch(t *testing.T) {
	tax := DefaultTaxonomy()
	tests := []struct {
		heading, want string
	}{
		{"Breathscape", "breathscape"},
		{"BREATHSCAPE APP", "breathscape"},
		{"✨ Product updates ✨", "breathscape"},
		{"Device", "hardware"},
		{"3) Devices:", "hardware"},
		{"How to", "tips"},
		{"how-to", "tips"},
		{"Tips & Tricks", "tips"},
		{"What's Next", "vision"},
		{"Whats next", "vision"},
		{"vision", "vision"},
		{"Visions", ""},
		{"Tips 2", ""},
		{"", ""},
		{"🚀", ""},
	}
	for _, tt := range tests {
		got, ok := tax.Match(tt.heading)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.heading, got, ok, tt.want)
		}
	}
}

func TestParseTaxonomy(t *testing.T) {
	in := `{"categories":[
		{"key":"tips","name":"Tips","synonyms":["Quick wins"]},
		{"key":"events","synonyms":["Meetups"]}
	]}`
	tax, err := ParseTaxonomy(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Categories) != 2 || tax.Categories[1].Name != "events" {
		t.Fatalf("taxonomy %+v", tax)
	}
	if key, _ := tax.Match("Meetups!"); key != "events" {
		t.Errorf("Meetups matched %q", key)
	}
	if key, _ := tax.Match("Quick Wins"); key != "tips" {
		t.Errorf("Quick Wins matched %q", key)
	}
}

func TestParseTaxonomyErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"not JSON", `categories: []`, []string{"invalid taxonomy JSON", `{"categories":[`}},
		{"unknown field", `{"categories":[{"key":"tips","synonym":["x"]}]}`, []string{`unknown field "synonym"`}},
		{"two values", `{"categories":[{"key":"a"}]} {}`, []string{"single object"}},
		{"no categories", `{"categories":[]}`, []string{"no categories"}},
		{"empty key", `{"categories":[{"name":"Tips"}]}`, []string{`category 1 ("Tips"): key is empty`}},
		{"bad key", `{"categories":[{"key":"Tips Tricks"}]}`, []string{`"tips-tricks"`}},
		{"duplicate key", `{"categories":[{"key":"tips"},{"key":"tips","name":"More tips"}]}`, []string{`category "tips": the key is used twice`}},
		{
			"synonym shared by two categories",
			`{"categories":[{"key":"tips","synonyms":["How-to"]},{"key":"guides","synonyms":["how to"]}]}`,
			[]string{`category "guides": "how to" also names category "tips"`},
		},
		{"name without letters", `{"categories":[{"key":"tips","synonyms":["🚀"]}]}`, []string{"has no letters or digits"}},
		{
			"every problem is reported",
			`{"categories":[{"key":""},{"key":"a"},{"key":"a"}]}`,
			[]string{"key is empty", "used twice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTaxonomy(strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
