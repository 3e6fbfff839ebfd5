package ai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Schema is a JSON Schema in the subset structured outputs accept:
// objects with required properties and no others, arrays with item
// counts, strings with a maximum length or an enum.
type Schema map[string]any

// object is a schema of an object whose every property is required.
func object(props map[string]Schema) Schema {
	req := make([]string, 0, len(props))
	p := make(map[string]any, len(props))
	for k, v := range props {
		req = append(req, k)
		p[k] = v
	}
	slices.Sort(req)
	return Schema{"type": "object", "properties": p, "required": req, "additionalProperties": false}
}

func str(maxLen int) Schema {
	s := Schema{"type": "string"}
	if maxLen > 0 {
		s["maxLength"] = maxLen
	}
	return s
}

func enum(values ...string) Schema { return Schema{"type": "string", "enum": values} }

func array(items Schema, minItems, maxItems int) Schema {
	return Schema{"type": "array", "items": items, "minItems": minItems, "maxItems": maxItems}
}

// Validate decodes content and checks it against s, returning the first
// violation with its JSON path.
func (s Schema) Validate(content string) error {
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%w: not JSON: %v", ErrSchema, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: text after the JSON value", ErrSchema)
	}
	if err := s.check("$", v); err != nil {
		return fmt.Errorf("%w: %v", ErrSchema, err)
	}
	return nil
}

// Decode validates content against s, then unmarshals it into dst.
func (s Schema) Decode(content string, dst any) error {
	if err := s.Validate(content); err != nil {
		return err
	}
	if err := json.NewDecoder(bytes.NewReader([]byte(content))).Decode(dst); err != nil {
		return fmt.Errorf("%w: %v", ErrSchema, err)
	}
	return nil
}

func (s Schema) check(path string, v any) error {
	switch s["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object", path)
		}
		props, _ := s["properties"].(map[string]any)
		for _, k := range s["required"].([]string) {
			if _, ok := obj[k]; !ok {
				return fmt.Errorf("%s: missing %q", path, k)
			}
		}
		for k, val := range obj {
			ps, ok := props[k].(Schema)
			if !ok {
				return fmt.Errorf("%s: unexpected property %q", path, k)
			}
			if err := ps.check(path+"."+k, val); err != nil {
				return err
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array", path)
		}
		if lo, _ := s["minItems"].(int); len(arr) < lo {
			return fmt.Errorf("%s: %d items, want at least %d", path, len(arr), lo)
		}
		if hi, ok := s["maxItems"].(int); ok && len(arr) > hi {
			return fmt.Errorf("%s: %d items, want at most %d", path, len(arr), hi)
		}
		items := s["items"].(Schema)
		for i, el := range arr {
			if err := items.check(fmt.Sprintf("%s[%d]", path, i), el); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string", path)
		}
		if strings.TrimSpace(str) == "" {
			return fmt.Errorf("%s: empty", path)
		}
		if n, ok := s["maxLength"].(int); ok && utf8.RuneCountInString(str) > n {
			return fmt.Errorf("%s: %d characters, want at most %d", path, utf8.RuneCountInString(str), n)
		}
		if vals, ok := s["enum"].([]string); ok && !slices.Contains(vals, str) {
			return fmt.Errorf("%s: %q is not one of %s", path, str, strings.Join(vals, ", "))
		}
	default:
		return fmt.Errorf("%s: schema has unknown type %v", path, s["type"])
	}
	return nil
}

// wire is s as sent to the server: without maxLength, which strict
// structured outputs refuse. Lengths are still checked on the reply.
func (s Schema) wire() Schema {
	out := make(Schema, len(s))
	for k, v := range s {
		switch v := v.(type) {
		case Schema:
			out[k] = v.wire()
		case map[string]any:
			m := make(map[string]any, len(v))
			for pk, pv := range v {
				if ps, ok := pv.(Schema); ok {
					pv = ps.wire()
				}
				m[pk] = pv
			}
			out[k] = m
		default:
			if k != "maxLength" {
				out[k] = v
			}
		}
	}
	return out
}
