package server

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/httpapi"
)

// Limits on identifiers, so they fit headers and indexes.
const (
	maxNewsletterID = 200
	maxVariantID    = 100
)

func invalid(field, format string, args ...any) *httpapi.ErrorDetail {
	return &httpapi.ErrorDetail{Code: "invalid_request", Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// validateNewsletter checks a request's shape. Addresses that do not parse
// are not an error here: they are rejected one by one in the reply.
// uploaded holds the variant IDs of the newsletter's uploaded content.
func validateNewsletter(req *crm.NewsletterRequest, uploaded map[string]string) *httpapi.ErrorDetail {
	if d := checkID("newsletter_id", req.NewsletterID, maxNewsletterID); d != nil {
		return d
	}
	switch n := len(req.Messages); {
	case n == 0:
		return invalid("messages", "at least one message is required")
	case n > crm.MaxMessagesPerRequest:
		d := invalid("messages", "%d messages in one request; the most is %d, so split the batch", n, crm.MaxMessagesPerRequest)
		d.Code = "too_many_messages"
		return d
	}
	variants, d := validateVariants(req.Variants)
	if d != nil {
		return d
	}
	for id := range uploaded {
		if _, inline := variants[id]; !inline {
			variants[id] = true
		}
	}
	for i, m := range req.Messages {
		if d := checkMessage(fmt.Sprintf("messages[%d]", i), m, variants); d != nil {
			return d
		}
	}
	return nil
}

// validateVariants checks variants and returns their IDs.
func validateVariants(vs []crm.Variant) (map[string]bool, *httpapi.ErrorDetail) {
	variants := make(map[string]bool, len(vs))
	for i, v := range vs {
		field := fmt.Sprintf("variants[%d]", i)
		if d := checkID(field+".id", v.ID, maxVariantID); d != nil {
			return nil, d
		}
		if variants[v.ID] {
			return nil, invalid(field+".id", "variant %q appears twice; variant IDs must be unique", v.ID)
		}
		variants[v.ID] = true
		if d := checkContent(field, v.Subject, v.HTML, v.Text); d != nil {
			return nil, d
		}
		for k := range v.Fallbacks {
			if !mergetag.ValidField(k) {
				return nil, invalid(field+".fallbacks", "%q is not a merge field name (letters, digits, '_', '.', '-')", k)
			}
		}
	}
	return variants, nil
}

func checkID(field, id string, most int) *httpapi.ErrorDetail {
	switch {
	case id == "":
		return invalid(field, "is required")
	case len(id) > most:
		return invalid(field, "is %d bytes; the most is %d", len(id), most)
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return invalid(field, "must not contain control characters")
	}
	return nil
}

func checkContent(field, subject, html, text string) *httpapi.ErrorDetail {
	if strings.TrimSpace(subject) == "" {
		return invalid(field+".subject", "is required")
	}
	if html == "" && text == "" {
		return invalid(field+".html", "a message needs an html or a text body")
	}
	return nil
}

func checkMessage(field string, m crm.Message, variants map[string]bool) *httpapi.ErrorDetail {
	if strings.TrimSpace(m.To) == "" {
		return invalid(field+".to", "is required")
	}
	own := m.Subject != "" || m.HTML != "" || m.Text != ""
	switch {
	case m.Variant != "" && own:
		return invalid(field+".variant", "a message names a variant or carries its own subject/html/text, not both")
	case m.Variant != "" && !variants[m.Variant]:
		d := invalid(field+".variant", "names variant %q, which is neither in this request's variants nor in the newsletter's uploaded content (PUT %s)", m.Variant, crm.PathNewsletterContent)
		d.Code = crm.CodeUnknownVariant
		return d
	case m.Variant == "":
		return checkContent(field, m.Subject, m.HTML, m.Text)
	}
	return nil
}

// headerSafe reports whether v can be a header value: no line break or
// other control character that would end the header and start another.
func headerSafe(v string) bool { return strings.IndexFunc(v, unicode.IsControl) < 0 }

// normalAddress returns the lower-cased bare address of to, or false when
// to is not exactly one address without a display name.
func normalAddress(to string) (string, bool) {
	to = strings.TrimSpace(to)
	a, err := mail.ParseAddress(to)
	if err != nil || a.Address != to {
		return "", false
	}
	return strings.ToLower(a.Address), true
}
