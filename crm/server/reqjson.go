package server

import (
	"strconv"
	"unicode/utf8"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// decodeNewsletterRequest decodes a newsletter request as
// httpapi.DecodeStrict does. Requests as clients write them, with the
// fields spelt as documented and no nulls, are read by hand: encoding/json
// costs more than the rest of accepting a message. Anything else, an error
// above all, goes to DecodeStrict, so the result and every error are the
// same.
func decodeNewsletterRequest(body []byte, req *crm.NewsletterRequest) *httpapi.ErrorDetail {
	p := reqParser{src: string(body)}
	if r, ok := p.request(); ok {
		*req = r
		return nil
	}
	*req = crm.NewsletterRequest{}
	return httpapi.DecodeStrict(body, req)
}

// reqParser reads the common shape of a newsletter request; every method
// reports false for anything it does not handle. Strings without escapes
// are slices of src, which is copied from the body once.
type reqParser struct {
	src string
	i   int
}

func (p *reqParser) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (p *reqParser) next(c byte) bool {
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string. It refuses what encoding/json would refuse or
// rewrite: control characters, invalid UTF-8 and escaped surrogates.
func (p *reqParser) str() (string, bool) {
	if !p.next('"') {
		return "", false
	}
	start := p.i
	var buf []byte // set once an escape is met
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			s := p.src[start:p.i]
			if buf != nil {
				s = string(append(buf, s...))
			}
			p.i++
			return s, true
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(p.src[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			p.i += size
		case c == '\\':
			buf = append(buf, p.src[start:p.i]...)
			if p.i+1 >= len(p.src) {
				return "", false
			}
			e := p.src[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				if p.i+4 > len(p.src) {
					return "", false
				}
				n, err := strconv.ParseUint(p.src[p.i:p.i+4], 16, 16)
				if err != nil || n >= 0xD800 && n < 0xE000 {
					return "", false
				}
				buf = utf8.AppendRune(buf, rune(n))
				p.i += 4
			default:
				return "", false
			}
			start = p.i
		default:
			p.i++
		}
	}
	return "", false
}

// object reads an object, calling field for each key once its colon is
// read. A key given twice is refused: encoding/json merges some repeated
// fields rather than replacing them.
func (p *reqParser) object(field func(key string) bool) bool {
	if !p.next('{') {
		return false
	}
	if p.next('}') {
		return true
	}
	var keys [8]string
	seen := keys[:0]
	for {
		key, ok := p.str()
		if !ok || !p.next(':') {
			return false
		}
		for _, k := range seen {
			if k == key {
				return false
			}
		}
		seen = append(seen, key)
		if !field(key) {
			return false
		}
		if p.next('}') {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

// array reads an array, calling elem for each element.
func (p *reqParser) array(elem func() bool) bool {
	if !p.next('[') {
		return false
	}
	if p.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if p.next(']') {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

// strMap reads an object of strings; keys are not repeated (see object).
func (p *reqParser) strMap() (map[string]string, bool) {
	m := map[string]string{}
	ok := p.object(func(key string) bool {
		v, ok := p.str()
		m[key] = v
		return ok
	})
	return m, ok
}

// into reads a string into dst.
func (p *reqParser) into(dst *string) bool {
	var ok bool
	*dst, ok = p.str()
	return ok
}

func (p *reqParser) request() (crm.NewsletterRequest, bool) {
	var r crm.NewsletterRequest
	ok := p.object(func(key string) bool {
		switch key {
		case "newsletter_id":
			return p.into(&r.NewsletterID)
		case "variants":
			r.Variants = []crm.Variant{}
			return p.array(func() bool {
				v, ok := p.variant()
				r.Variants = append(r.Variants, v)
				return ok
			})
		case "messages":
			r.Messages = []crm.Message{}
			return p.array(func() bool {
				m, ok := p.message()
				r.Messages = append(r.Messages, m)
				return ok
			})
		}
		return false
	})
	p.ws()
	return r, ok && p.i == len(p.src)
}

func (p *reqParser) variant() (crm.Variant, bool) {
	var v crm.Variant
	ok := p.object(func(key string) bool {
		switch key {
		case "id":
			return p.into(&v.ID)
		case "subject":
			return p.into(&v.Subject)
		case "preheader":
			return p.into(&v.Preheader)
		case "html":
			return p.into(&v.HTML)
		case "text":
			return p.into(&v.Text)
		case "fallbacks":
			var ok bool
			v.Fallbacks, ok = p.strMap()
			return ok
		}
		return false
	})
	return v, ok
}

func (p *reqParser) message() (crm.Message, bool) {
	var m crm.Message
	ok := p.object(func(key string) bool {
		switch key {
		case "to":
			return p.into(&m.To)
		case "name":
			return p.into(&m.Name)
		case "variant":
			return p.into(&m.Variant)
		case "merge":
			var ok bool
			m.Merge, ok = p.strMap()
			return ok
		case "subject":
			return p.into(&m.Subject)
		case "html":
			return p.into(&m.HTML)
		case "text":
			return p.into(&m.Text)
		}
		return false
	})
	return m, ok
}
