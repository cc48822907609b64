package mergefield

import (
	"errors"
	"reflect"
	"testing"
)

func TestKindOf(t *testing.T) {
	for name, want := range map[string]Kind{
		"front.html":     HTML,
		"back.HTM":       HTML,
		"a/b/c.Html":     HTML,
		"front.txt":      Text,
		"letter":         Text,
		"html":           Text,
		"front.html.txt": Text,
	} {
		if got := KindOf(name); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		src  string
		want []Field
	}{
		{"no tags", nil},
		{"{{a}}", []Field{{"a", true}}},
		{"{{ var_field_1 }}", []Field{{"var_field_1", true}}},
		{"{{a|Friend}}", []Field{{"a", false}}},
		{"{{a|default:}}", []Field{{"a", false}}},
		{"{{a|upper}}", []Field{{"a", true}}},
		{"{{a|Friend}} {{a}}", []Field{{"a", true}}},
		{"{{b}}{{a|x y}}{{b|upper}}{{purl}}", []Field{{"b", true}, {"a", false}, {"purl", true}}},
		{"{{{{a}}", nil},
	}
	for _, tt := range tests {
		tpl, err := Parse("t.txt", []byte(tt.src))
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		if got := tpl.Fields(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Fields(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestFieldsIsACopy(t *testing.T) {
	tpl, err := Parse("t.txt", []byte("{{a}}"))
	if err != nil {
		t.Fatal(err)
	}
	tpl.Fields()[0].Name = "x"
	if got := tpl.Fields()[0].Name; got != "a" {
		t.Fatalf("Fields()[0].Name = %q after caller's write, want a", got)
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"unknown filter", "Dear\n\n  Hello {{name|shout}}", 3, 16, `unknown filter "shout"`},
		{"unknown filter with arg", "{{a|pad:3}}", 1, 5, `unknown filter "pad"`},
		{"unknown filter lowercase word", "{{a|friend}}", 1, 5, `unknown filter "friend"`},
		{"unknown filter after spaces", "{{ a | upper | shout }}", 1, 16, `unknown filter "shout"`},
		{"unterminated at eof", "Hi {{first_name", 1, 4, `unterminated "{{": want "}}" on the same line`},
		{"unterminated at newline", "x\nHi {{first_name\n}}", 2, 4, `unterminated "{{": want "}}" on the same line`},
		{"unterminated in arg", "{{a|date:Jan 2", 1, 1, `unterminated "{{": want "}}" on the same line`},
		{"unterminated with close on next line", "{{a b\n}}", 1, 1, `unterminated "{{": want "}}" on the same line`},
		{"unterminated by escaped close", `{{a|x\}}`, 1, 1, `unterminated "{{": want "}}" on the same line`},
		{"unterminated by CR", "{{a\r\n}}", 1, 1, `unterminated "{{": want "}}" on the same line`},
		{"empty tag", "ab{{}}", 1, 5, "empty field name"},
		{"empty tag spaces", "ab{{  }}", 1, 7, "empty field name"},
		{"empty name before filter", "{{|upper}}", 1, 3, "empty field name"},
		{"upper case name", "{{First_name}}", 1, 3, `bad character 'F' in field name (want a-z, 0-9, _)`},
		{"camel case name", "{{firstName}}", 1, 8, `bad character 'N' in field name (want a-z, 0-9, _)`},
		{"hyphen in name", "{{first-name}}", 1, 8, `bad character '-' in field name (want a-z, 0-9, _)`},
		{"non-ascii name", "{{é}}", 1, 3, `bad character 'é' in field name (want a-z, 0-9, _)`},
		{"two names", "{{a b}}", 1, 5, `unexpected 'b' in tag (want "|" or "}}")`},
		{"triple brace", "{{{a}}}", 1, 3, `unexpected "{" in tag; write "{{{{" for a literal "{{"`},
		{"nested tag", "{{a {{b}} }}", 1, 5, `unexpected "{" in tag; tags do not nest`},
		{"nested tag in arg", "{{a|x{{b}}}}", 1, 6, `unexpected "{{" in tag; tags do not nest (write \{ for a literal brace)`},
		{"lone close in tag", "{{a}b}}", 1, 4, `unexpected '}' in tag (want "|" or "}}")`},
		{"empty filter", "{{a|}}", 1, 5, `empty filter after "|" (write "default:" for an optional field)`},
		{"empty filter middle", "{{a| |upper}}", 1, 6, `empty filter after "|" (write "default:" for an optional field)`},
		{"upper with arg", "{{a|upper:x}}", 1, 10, `filter "upper" takes no argument`},
		{"date without layout", "{{a|date}}", 1, 5, `filter "date" needs an argument (date:...)`},
		{"date empty layout", "{{a|date: }}", 1, 11, "date filter needs a Go time layout, e.g. date:Jan 2, 2006"},
		{"date layout with no elements", "{{a|date:YYYY-MM-DD}}", 1, 10, `date layout "YYYY-MM-DD" has no date or time elements (Go layouts spell Jan 2, 2006)`},
		{"default without colon", "{{a|default}}", 1, 5, `filter "default" needs an argument (default:...)`},
		{"bad escape", `{{a|x\n}}`, 1, 6, `unknown escape: "\" escapes only |, {, }, \ and space`},
		{"column after multibyte", "é{{A}}", 1, 5, `bad character 'A' in field name (want a-z, 0-9, _)`},
		{"line after CRLF", "a\r\nb\r\n{{x|nope}}", 3, 5, `unknown filter "nope"`},
		{"after escape", "{{{{ {{a|nope}}", 1, 10, `unknown filter "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("front.html", []byte(tt.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.src, err)
			}
			want := SyntaxError{Template: "front.html", Line: tt.line, Col: tt.col, Msg: tt.msg}
			if *se != want {
				t.Errorf("Parse(%q) error\n got %d:%d: %s\nwant %d:%d: %s", tt.src, se.Line, se.Col, se.Msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := Parse("front.html", []byte("<p>\n<p>\n<p>Hello, {{first_name|shout}}</p>"))
	want := `template front.html:3:24: unknown filter "shout"`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
	e := &SyntaxError{Template: "front.html", Line: 3, Col: 14, Msg: `unknown filter "shout"`}
	if got, want := e.Error(), `template front.html:3:14: unknown filter "shout"`; got != want {
		t.Fatalf("Error() = %s, want %s", got, want)
	}
}
