package mergefield

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
)

var fieldName = regexp.MustCompile(`^[a-z0-9_]+$`)

// fuzzRows are the rows every parsed template is rendered with: absent,
// blank, dates, markup and invalid UTF-8.
var fuzzRows = [][]byte{
	nil,
	[]byte(""),
	[]byte("  "),
	[]byte("2024-02-29"),
	[]byte("2024-03-05T23:04:05.123-05:00"),
	[]byte(`<script>"AT&T"</script>`),
	[]byte("o'brien-ǆ \xff\xfe"),
	[]byte("{{first_name}}"),
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"plain text, no tags",
		"Hi {{first_name|Friend}}, your code {{var_field_1}}",
		"{{ a | upper | lower | title | trim | Friend }}",
		"{{d|date:Jan 2, 2006|default:soon}}",
		`{{a|x\|y\}\{\\\ }}`,
		"{{{{literal}} {{a}}}",
		"{{{{{{a}}",
		"{{a",
		"{{}}",
		"{{A}}",
		"{{a|shout}}",
		"}} {{a|}} {",
		"<p>{{purl}}</p>\r\n{{b|default:}}",
		"é{{a|date:Monday}}\n{{b|Note: hi}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, kind := range []Kind{Text, HTML} {
			tpl, err := ParseKind("fuzz", kind, []byte(src))
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
					t.Fatalf("Parse(%q) error %v is not a positioned *SyntaxError", src, err)
				}
				if !bytes.Contains([]byte(src), []byte("{{")) {
					t.Fatalf("Parse(%q) without {{ failed: %v", src, err)
				}
				continue
			}
			fields := tpl.Fields()
			for _, fd := range fields {
				if !fieldName.MatchString(fd.Name) {
					t.Fatalf("Parse(%q) field %q is not [a-z0-9_]+", src, fd.Name)
				}
			}
			prog, err := Compile(tpl, func(name string) (int, bool) {
				for i, fd := range fields {
					if fd.Name == name {
						return i, true
					}
				}
				return 0, false
			})
			if err != nil {
				t.Fatalf("Compile(%q): %v", src, err)
			}
			row := make([][]byte, len(fields))
			for _, v := range fuzzRows {
				for i := range row {
					row[i] = v
				}
				out, p := prog.Append([]byte("x"), row)
				if !p.OK() && string(out) != "x" {
					t.Fatalf("Append(%q) with problem %v kept output %q", src, p, out)
				}
				if !p.OK() && p.Field == "" {
					t.Fatalf("Append(%q) problem %v names no field", src, p)
				}
			}
			if !bytes.Contains([]byte(src), []byte("{{")) {
				out, p := prog.Append(nil, nil)
				if !p.OK() || string(out) != src {
					t.Fatalf("template without {{ rendered %q, %v; want itself %q", out, p, src)
				}
			}
		}
	})
}
