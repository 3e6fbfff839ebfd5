package content

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// DefaultTaxonomy is the product's four newsletter sections and the names
// editors commonly give them.
func DefaultTaxonomy() Taxonomy {
	return Taxonomy{Categories: []Category{
		{Key: "breathscape", Name: "Breathscape", Synonyms: []string{"App", "Breathscape App", "Product Updates", "App Updates"}},
		{Key: "hardware", Name: "Hardware", Synonyms: []string{"Devices", "Device", "Hardware Updates"}},
		{Key: "tips", Name: "Tips", Synonyms: []string{"Tips & Tricks", "Tips and Tricks", "Breathing Tips", "How-to"}},
		{Key: "vision", Name: "Vision", Synonyms: []string{"Roadmap", "Looking Ahead", "What's Next"}},
	}}
}

// ParseTaxonomy reads a taxonomy from JSON such as
//
//	{"categories": [{"key": "tips", "name": "Tips", "synonyms": ["Tips & Tricks"]}]}
//
// A category without a name is named by its key.
func ParseTaxonomy(r io.Reader) (Taxonomy, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var t Taxonomy
	if err := dec.Decode(&t); err != nil {
		return Taxonomy{}, fmt.Errorf(`invalid taxonomy JSON: %w; want {"categories":[{"key":"tips","name":"Tips","synonyms":["Tips & Tricks"]}]}`, err)
	}
	if dec.More() {
		return Taxonomy{}, errors.New("invalid taxonomy JSON: more than one value; the file must hold a single object")
	}
	for i, c := range t.Categories {
		if strings.TrimSpace(c.Name) == "" {
			t.Categories[i].Name = c.Key
		}
	}
	if err := t.Validate(); err != nil {
		return Taxonomy{}, err
	}
	return t, nil
}

// Validate reports every problem that would make a heading ambiguous or a
// category unaddressable: no categories, an empty or malformed key, a
// duplicate key, or one name used by two categories.
func (t Taxonomy) Validate() error {
	if len(t.Categories) == 0 {
		return errors.New("taxonomy lists no categories; add at least one {\"key\":…,\"name\":…}")
	}
	var errs []error
	keys := map[string]bool{}
	owner := map[string]string{} // normalized name -> category key
	for i, c := range t.Categories {
		switch {
		case c.Key == "":
			errs = append(errs, fmt.Errorf("category %d (%q): key is empty; give it a short lowercase key such as \"tips\"", i+1, c.Name))
			continue
		case Slug(c.Key) != c.Key:
			errs = append(errs, fmt.Errorf("category %q: key must be lowercase letters, digits and hyphens, e.g. %q", c.Key, Slug(c.Key)))
		case keys[c.Key]:
			errs = append(errs, fmt.Errorf("category %q: the key is used twice; keys must be unique", c.Key))
			continue
		}
		keys[c.Key] = true
		for _, name := range c.names() {
			norm := matchName(name)
			if norm == "" {
				errs = append(errs, fmt.Errorf("category %q: name %q has no letters or digits and can never match a heading", c.Key, name))
				continue
			}
			if other, ok := owner[norm]; ok && other != c.Key {
				errs = append(errs, fmt.Errorf("category %q: %q also names category %q; a heading must name one category, so remove it from one of them", c.Key, name, other))
				continue
			}
			owner[norm] = c.Key
		}
	}
	return errors.Join(errs...)
}

// Match returns the key of the category a heading names, comparing
// case-insensitively and ignoring punctuation, emoji and a leading number.
func (t Taxonomy) Match(heading string) (key string, ok bool) {
	key, ok = t.index()[matchName(heading)]
	return key, ok
}

// Names lists the categories' display names in order.
func (t Taxonomy) Names() []string {
	names := make([]string, 0, len(t.Categories))
	for _, c := range t.Categories {
		names = append(names, c.Name)
	}
	return names
}

func (t Taxonomy) index() map[string]string {
	idx := map[string]string{}
	for _, c := range t.Categories {
		for _, name := range c.names() {
			if norm := matchName(name); norm != "" {
				if _, taken := idx[norm]; !taken {
					idx[norm] = c.Key
				}
			}
		}
	}
	return idx
}

func (c Category) names() []string {
	return append([]string{c.Key, c.Name}, c.Synonyms...)
}

// matchName reduces a heading or category name to lowercase words of
// letters and digits: "🚀 1. Tips & Tricks!" becomes "tips tricks".
// Apostrophes vanish inside words so "What's" equals "Whats".
func matchName(s string) string {
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’' || unicode.Is(unicode.Mn, r):
			// part of a word
		default:
			flush()
		}
	}
	flush()
	// A leading "1." or "02)" numbers the section; it is not its name.
	for len(words) > 1 && len(words[0]) <= 3 && isDigits(words[0]) {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
