package crm

import (
	"strings"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// MergeValues returns the merge fields of r (see crm/mergetag): name,
// first_name, email, unsubscribe_url and attr.<key> for each attribute.
// Empty values are left out so a variant's fallbacks apply.
func MergeValues(r Recipient) map[string]string {
	m := make(map[string]string, 4+len(r.Attributes))
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			m[k] = v
		}
	}
	set(mergetag.FieldName, r.Name)
	set(mergetag.FieldFirstName, FirstName(r.Name))
	set(mergetag.FieldEmail, r.Email)
	set(mergetag.FieldUnsubscribeURL, r.UnsubscribeURL)
	for k, v := range r.Attributes {
		set(mergetag.AttrPrefix+k, v)
	}
	return m
}

// FirstName is the first word of a full name.
func FirstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}
