package mergefield

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// PURLField is the field name of the personalized URL tag, {{purl}}; the
// caller supplies its value like any other field's.
const PURLField = "purl"

// Kind says how rendered values are escaped.
type Kind uint8

const (
	// Text templates render values verbatim.
	Text Kind = iota
	// HTML templates HTML-escape every rendered value.
	HTML
)

// String returns "text" or "html".
func (k Kind) String() string {
	if k == HTML {
		return "html"
	}
	return "text"
}

// KindOf returns HTML for names ending in .html or .htm (any case) and Text
// for all others.
func KindOf(name string) Kind {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm":
		return HTML
	}
	return Text
}

// SyntaxError reports a template that cannot be parsed.
type SyntaxError struct {
	Template string // template name as given to Parse
	Line     int    // 1-based line
	Col      int    // 1-based column, in bytes
	Msg      string // what is wrong, without position
}

// Error reads like: template front.html:3:14: unknown filter "shout".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("template %s:%d:%d: %s", e.Template, e.Line, e.Col, e.Msg)
}

// Field is one field a template uses.
type Field struct {
	Name string // field name, [a-z0-9_]+
	// Required is true when some tag uses the field without a default, so a
	// row whose value is blank is a Problem.
	Required bool
}

// Template is a parsed template. It is immutable and safe for concurrent use.
type Template struct {
	name   string
	kind   Kind
	nodes  []node
	fields []Field
}

// node is a literal run (field == "") or a tag.
type node struct {
	lit        []byte
	field      string
	line, col  int
	filters    []filter
	hasDefault bool
}

type filterKind uint8

const (
	filterUpper filterKind = iota + 1
	filterLower
	filterTitle
	filterTrim
	filterDate
	filterDefault
)

type filterSpec struct {
	kind     filterKind
	takesArg bool
	needsArg bool
}

var filterSpecs = map[string]filterSpec{
	"upper":   {kind: filterUpper},
	"lower":   {kind: filterLower},
	"title":   {kind: filterTitle},
	"trim":    {kind: filterTrim},
	"date":    {kind: filterDate, takesArg: true, needsArg: true},
	"default": {kind: filterDefault, takesArg: true, needsArg: true},
}

type filter struct {
	kind   filterKind
	arg    []byte // default text
	layout string // date layout
}

// Name returns the name the template was parsed with.
func (t *Template) Name() string { return t.name }

// Kind returns how the template escapes values.
func (t *Template) Kind() Kind { return t.kind }

// Fields returns the fields the template uses, in order of first use. The
// caller owns the returned slice.
func (t *Template) Fields() []Field {
	return append([]Field(nil), t.fields...)
}

// Parse parses src as a template named name, with its Kind from the name's
// extension (see KindOf). Errors are *SyntaxError. Parse does not retain src.
func Parse(name string, src []byte) (*Template, error) {
	return ParseKind(name, KindOf(name), src)
}

// ParseKind is Parse with an explicit Kind.
func ParseKind(name string, kind Kind, src []byte) (*Template, error) {
	p := &parser{name: name, src: src, line: 1}
	t := &Template{name: name, kind: kind}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			t.nodes = append(t.nodes, node{lit: lit})
			lit = nil
		}
	}
	for {
		rest := src[p.pos:]
		i := bytes.Index(rest, []byte("{{"))
		if i < 0 {
			lit = append(lit, rest...)
			break
		}
		lit = append(lit, rest[:i]...)
		p.advance(p.pos + i)
		if bytes.HasPrefix(rest[i:], []byte("{{{{")) {
			lit = append(lit, "{{"...)
			p.pos += 4
			continue
		}
		n, err := p.tag()
		if err != nil {
			return nil, err
		}
		flush()
		t.nodes = append(t.nodes, n)
		t.addField(n.field, !n.hasDefault)
	}
	flush()
	return t, nil
}

func (t *Template) addField(name string, required bool) {
	for i := range t.fields {
		if t.fields[i].Name == name {
			t.fields[i].Required = t.fields[i].Required || required
			return
		}
	}
	t.fields = append(t.fields, Field{Name: name, Required: required})
}

type parser struct {
	name      string
	src       []byte
	pos       int // next byte to read
	line      int // line of src[lineStart]
	lineStart int // offset of the first byte of the current line
}

// advance moves pos to off, counting the newlines passed.
func (p *parser) advance(off int) {
	chunk := p.src[p.pos:off]
	if n := bytes.Count(chunk, []byte{'\n'}); n > 0 {
		p.line += n
		p.lineStart = p.pos + bytes.LastIndexByte(chunk, '\n') + 1
	}
	p.pos = off
}

// errAt returns a SyntaxError at byte offset off, which must be on the
// current line (tags never span lines).
func (p *parser) errAt(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Template: p.name, Line: p.line, Col: off - p.lineStart + 1, Msg: fmt.Sprintf(format, args...)}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// runeAt returns the character at off for messages.
func (p *parser) runeAt(off int) string {
	r, _ := utf8.DecodeRune(p.src[off:])
	if r == utf8.RuneError {
		return fmt.Sprintf("%q", p.src[off:off+1])
	}
	return fmt.Sprintf("%q", r)
}

func (p *parser) skipSpace(i int) int {
	for i < len(p.src) && isSpace(p.src[i]) {
		i++
	}
	return i
}

func (p *parser) closesAt(i int) bool {
	return i+1 < len(p.src) && p.src[i] == '}' && p.src[i+1] == '}'
}

func (p *parser) endsLine(i int) bool {
	return i >= len(p.src) || p.src[i] == '\n' || p.src[i] == '\r'
}

// tag parses the tag whose "{{" is at p.pos and leaves p.pos after its "}}".
func (p *parser) tag() (node, error) {
	src, open := p.src, p.pos
	unterminated := func() error {
		return p.errAt(open, `unterminated "{{": want "}}" on the same line`)
	}
	eol := len(src)
	if n := bytes.IndexAny(src[open:], "\r\n"); n >= 0 {
		eol = open + n
	}
	if !bytes.Contains(src[open+2:eol], []byte("}}")) {
		return node{}, unterminated()
	}
	i := p.skipSpace(open + 2)
	start := i
	for i < len(src) && isNameByte(src[i]) {
		i++
	}
	if i == start {
		switch {
		case p.endsLine(i):
			return node{}, unterminated()
		case p.closesAt(i) || src[i] == '|':
			return node{}, p.errAt(i, "empty field name")
		case src[i] == '{':
			return node{}, p.errAt(i, `unexpected "{" in tag; write "{{{{" for a literal "{{"`)
		default:
			return node{}, p.errAt(i, "bad character %s in field name (want a-z, 0-9, _)", p.runeAt(i))
		}
	}
	n := node{field: string(src[start:i]), line: p.line, col: open - p.lineStart + 1}
	for {
		j := p.skipSpace(i)
		switch {
		case p.endsLine(j):
			return node{}, unterminated()
		case p.closesAt(j):
			p.pos = j + 2
			return n, nil
		case src[j] == '|':
			f, next, err := p.segment(j+1, unterminated)
			if err != nil {
				return node{}, err
			}
			if f.kind == filterDefault {
				n.hasDefault = true
			}
			n.filters = append(n.filters, f)
			i = next
		case j == i && len(n.filters) == 0 && src[j] != '}':
			return node{}, p.errAt(j, "bad character %s in field name (want a-z, 0-9, _)", p.runeAt(j))
		case src[j] == '{':
			return node{}, p.errAt(j, `unexpected "{" in tag; tags do not nest`)
		default:
			return node{}, p.errAt(j, `unexpected %s in tag (want "|" or "}}")`, p.runeAt(j))
		}
	}
}

// dateProbe is formatted with a layout to check that the layout formats
// anything at all.
var dateProbe = time.Date(2017, 11, 28, 19, 8, 7, 0, time.UTC)

// segment parses the filter or default after the "|" at i-1. It returns the
// offset of the "|" or "}}" that ends it.
func (p *parser) segment(i int, unterminated func() error) (filter, int, error) {
	src := p.src
	start := p.skipSpace(i)
	j := start
	if j < len(src) && src[j] >= 'a' && src[j] <= 'z' {
		for j < len(src) && isNameByte(src[j]) {
			j++
		}
	}
	k := p.skipSpace(j)
	isFilter := j > start && k < len(src) && (src[k] == '|' || src[k] == ':' || p.closesAt(k))
	if !isFilter {
		arg, next, err := p.arg(start, unterminated)
		if err != nil {
			return filter{}, 0, err
		}
		if next == start {
			return filter{}, 0, p.errAt(start, `empty filter after "|" (write "default:" for an optional field)`)
		}
		return filter{kind: filterDefault, arg: arg}, next, nil
	}
	name := string(src[start:j])
	spec, ok := filterSpecs[name]
	if !ok {
		return filter{}, 0, p.errAt(start, "unknown filter %q", name)
	}
	f := filter{kind: spec.kind}
	if src[k] != ':' {
		if spec.needsArg {
			return filter{}, 0, p.errAt(start, "filter %q needs an argument (%s:...)", name, name)
		}
		return f, k, nil
	}
	if !spec.takesArg {
		return filter{}, 0, p.errAt(k, "filter %q takes no argument", name)
	}
	arg, next, err := p.arg(k+1, unterminated)
	if err != nil {
		return filter{}, 0, err
	}
	switch spec.kind {
	case filterDefault:
		f.arg = arg
	case filterDate:
		argAt := p.skipSpace(k + 1)
		if len(arg) == 0 {
			return filter{}, 0, p.errAt(argAt, "date filter needs a Go time layout, e.g. date:Jan 2, 2006")
		}
		f.layout = string(arg)
		if string(dateProbe.AppendFormat(nil, f.layout)) == f.layout {
			return filter{}, 0, p.errAt(argAt, "date layout %q has no date or time elements (Go layouts spell Jan 2, 2006)", f.layout)
		}
	}
	return f, next, nil
}

// arg reads an argument starting at i, unescaping and trimming it. It
// returns the offset of the "|" or "}}" that ends it.
func (p *parser) arg(i int, unterminated func() error) ([]byte, int, error) {
	src := p.src
	i = p.skipSpace(i)
	var buf []byte
	keep := 0 // len(buf) without trailing unescaped spaces
	for {
		switch {
		case p.endsLine(i):
			return nil, 0, unterminated()
		case src[i] == '|' || p.closesAt(i):
			return buf[:keep], i, nil
		case src[i] == '{' && i+1 < len(src) && src[i+1] == '{':
			return nil, 0, p.errAt(i, `unexpected "{{" in tag; tags do not nest (write \{ for a literal brace)`)
		case src[i] == '\\':
			if i+1 >= len(src) {
				return nil, 0, unterminated()
			}
			switch c := src[i+1]; c {
			case '|', '{', '}', '\\', ' ':
				buf = append(buf, c)
				keep = len(buf)
				i += 2
			default:
				return nil, 0, p.errAt(i, `unknown escape: "\" escapes only |, {, }, \ and space`)
			}
		default:
			buf = append(buf, src[i])
			if !isSpace(src[i]) {
				keep = len(buf)
			}
			i++
		}
	}
}
