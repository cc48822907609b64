package mergefield

import (
	"errors"
	"fmt"
)

// ErrUnknownField is wrapped by Compile when the resolver does not know a
// field the template uses.
var ErrUnknownField = errors.New("field not in input")

// ProblemKind classifies a row-level problem; its String is the reason
// family the render stage rejects the row with.
type ProblemKind uint8

const (
	// ProblemNone means the row rendered.
	ProblemNone ProblemKind = iota
	// ProblemMissing means a required field is missing or blank.
	ProblemMissing
	// ProblemInvalid means a value could not be filtered (a date that is not one).
	ProblemInvalid
)

// String returns "", "missing_merge_field" or "invalid_merge_field".
func (k ProblemKind) String() string {
	switch k {
	case ProblemMissing:
		return "missing_merge_field"
	case ProblemInvalid:
		return "invalid_merge_field"
	}
	return ""
}

// Problem is why a row could not be rendered; the zero Problem means it was.
type Problem struct {
	Kind  ProblemKind // ProblemNone when the row rendered
	Field string      // the field at fault; shared with the Template, not allocated
}

// OK reports whether the row rendered.
func (p Problem) OK() bool { return p.Kind == ProblemNone }

// String returns the reject reason, e.g. "missing_merge_field:first_name",
// or "" for no problem. It allocates; the hot path uses Kind and Field.
func (p Problem) String() string {
	if p.Kind == ProblemNone {
		return ""
	}
	return p.Kind.String() + ":" + p.Field
}

// Program is a Template bound to a row layout. It is immutable and safe for
// concurrent use.
type Program struct {
	t    *Template
	html bool
	ops  []op
}

type op struct {
	lit      []byte   // literal text when idx < 0
	idx      int      // index into the row's fields, or -1
	name     string   // field name
	filters  []filter // in order
	required bool     // a blank value is a Problem
}

// NameIndex returns a resolver for Compile that maps names[i] to i, as for
// an input header. The first occurrence of a repeated name wins.
func NameIndex(names []string) func(name string) (int, bool) {
	m := make(map[string]int, len(names))
	for i, n := range names {
		if _, dup := m[n]; !dup {
			m[n] = i
		}
	}
	return func(name string) (int, bool) {
		i, ok := m[name]
		return i, ok
	}
}

// Compile binds t's field names to row indexes with resolve, which returns
// the index of a field in the rows later passed to Append, or false when
// rows do not carry it. A field the resolver does not know is an error
// wrapping ErrUnknownField, naming the field and where the template first
// uses it; check Template.Fields first to report all of them.
func Compile(t *Template, resolve func(name string) (int, bool)) (*Program, error) {
	p := &Program{t: t, html: t.kind == HTML, ops: make([]op, 0, len(t.nodes))}
	for _, n := range t.nodes {
		if n.field == "" {
			p.ops = append(p.ops, op{lit: n.lit, idx: -1})
			continue
		}
		idx, ok := resolve(n.field)
		if !ok || idx < 0 {
			return nil, fmt.Errorf("template %s:%d:%d: field %q: %w", t.name, n.line, n.col, n.field, ErrUnknownField)
		}
		p.ops = append(p.ops, op{idx: idx, name: n.field, filters: n.filters, required: !n.hasDefault})
	}
	return p, nil
}

// Template returns the template p was compiled from.
func (p *Program) Template() *Template { return p.t }

// Append renders one row, appending to dst, and returns the extended slice.
// fields[i] is the value of the field the resolver mapped to i; an index
// beyond len(fields) counts as missing. On a Problem it returns dst cut back
// to its original length. Append does not retain dst or fields and does not
// allocate once dst has enough capacity (except for date values with a
// non-UTC offset, which need a time.Location).
func (p *Program) Append(dst []byte, fields [][]byte) ([]byte, Problem) {
	orig := len(dst)
	for i := range p.ops {
		o := &p.ops[i]
		if o.idx < 0 {
			dst = append(dst, o.lit...)
			continue
		}
		var v []byte
		if o.idx < len(fields) {
			v = fields[o.idx]
		}
		if o.required && isBlank(v) {
			return dst[:orig], Problem{Kind: ProblemMissing, Field: o.name}
		}
		if len(o.filters) == 0 {
			if p.html {
				dst = appendHTMLEscaped(dst, v)
			} else {
				dst = append(dst, v...)
			}
			continue
		}
		var ok bool
		if dst, ok = applyFilters(dst, v, o.filters, p.html); !ok {
			return dst[:orig], Problem{Kind: ProblemInvalid, Field: o.name}
		}
	}
	return dst, Problem{}
}

// applyFilters appends v run through fs (and HTML-escaped if html) to dst.
// The first filter reads v and appends its output to dst; each later one
// appends its output after the current value and copies it back, so nothing
// is allocated once dst is big enough, and a single filter copies nothing.
func applyFilters(dst, v []byte, fs []filter, html bool) ([]byte, bool) {
	start := len(dst)
	cur := v // the value so far: v, then dst[start:] once a filter has run
	for i := range fs {
		f := &fs[i]
		mark := len(dst)
		switch f.kind {
		case filterDefault:
			if isBlank(cur) {
				cur = f.arg
			}
			dst = append(dst[:start], cur...) // in place when cur is dst[start:]
			cur = dst[start:]
			continue
		case filterUpper:
			dst = appendUpper(dst, cur)
		case filterLower:
			dst = appendLower(dst, cur)
		case filterTitle:
			dst = appendTitle(dst, cur)
		case filterTrim:
			dst = append(dst[:start], trimSpace(cur)...)
			cur = dst[start:]
			continue
		case filterDate:
			if isBlank(cur) {
				dst = append(dst[:start], cur...)
				cur = dst[start:]
				continue
			}
			t, ok := parseDate(trimSpace(cur))
			if !ok {
				return dst[:start], false
			}
			dst = t.AppendFormat(dst, f.layout)
		}
		if mark > start { // cur is dst[start:mark]: move the output over it
			n := copy(dst[start:], dst[mark:])
			dst = dst[:start+n]
		}
		cur = dst[start:]
	}
	if len(fs) == 0 {
		dst = append(dst, v...)
	}
	if html && needsHTMLEscape(dst[start:]) {
		mark := len(dst)
		dst = appendHTMLEscaped(dst, dst[start:mark])
		n := copy(dst[start:], dst[mark:])
		dst = dst[:start+n]
	}
	return dst, true
}
