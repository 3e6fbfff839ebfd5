package notion

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/sources"
)

// langProperties are the names, in any case, of the page property that
// gives a page's language. Only pages in a database have properties
// besides the title.
var langProperties = []string{"language", "lang"}

// pageLang returns the page's language from its Language (or Lang)
// property, a select or text, as a canonical BCP 47 tag; "" when there is
// none. A value that is not a language tag, or a property of another
// type, is a warning and no language.
func pageLang(p *notionapi.Page) (lang string, warning string) {
	names := make([]string, 0, len(p.Properties))
	for name := range p.Properties {
		names = append(names, name)
	}
	sort.Strings(names) // one answer when two properties match
	for _, want := range langProperties {
		for _, name := range names {
			if strings.ToLower(strings.TrimSpace(name)) != want {
				continue
			}
			value, problem := propertyText(p.Properties[name])
			if problem != "" {
				return "", fmt.Sprintf("Notion page property %q %s, so the page's language is not read from it; "+
					"make it a select or text property holding one language tag such as en, pt-BR or ar", name, problem)
			}
			if strings.TrimSpace(value) == "" {
				return "", ""
			}
			tag, err := sources.LangTag(value)
			if err != nil {
				return "", fmt.Sprintf("Notion page property %q: %v; the page's language is left out", name, err)
			}
			return tag, ""
		}
	}
	return "", ""
}

// propertyText is the text of a select, multi-select of at most one
// option, or text property; else what is wrong with it.
func propertyText(prop notionapi.Property) (text, problem string) {
	switch v := prop.(type) {
	case *notionapi.SelectProperty:
		return v.Select.Name, ""
	case *notionapi.MultiSelectProperty:
		switch len(v.MultiSelect) {
		case 0:
			return "", ""
		case 1:
			return v.MultiSelect[0].Name, ""
		}
		return "", fmt.Sprintf("has %d options selected", len(v.MultiSelect))
	case *notionapi.RichTextProperty:
		var b strings.Builder
		for _, rt := range v.RichText {
			b.WriteString(rt.PlainText)
		}
		return b.String(), ""
	}
	return "", fmt.Sprintf("is a %s property", prop.GetType())
}
