package mergefield

import (
	"errors"
	"testing"
)

// render parses src as name, compiles it against the fields in row order and
// renders row (a nil value is an absent field).
func render(tb testing.TB, name, src string, row map[string]string) (string, Problem) {
	tb.Helper()
	tpl, err := Parse(name, []byte(src))
	if err != nil {
		tb.Fatalf("Parse(%q): %v", src, err)
	}
	var names []string
	var fields [][]byte
	for _, f := range tpl.Fields() {
		names = append(names, f.Name)
		if v, ok := row[f.Name]; ok {
			fields = append(fields, []byte(v))
		} else {
			fields = append(fields, nil)
		}
	}
	prog, err := Compile(tpl, NameIndex(names))
	if err != nil {
		tb.Fatalf("Compile(%q): %v", src, err)
	}
	out, p := prog.Append([]byte("prefix:"), fields)
	if len(out) < len("prefix:") || string(out[:7]) != "prefix:" {
		tb.Fatalf("Append clobbered dst: %q", out)
	}
	return string(out[7:]), p
}

type renderCase struct {
	name string
	src  string
	row  map[string]string
	want string
	prob Problem
}

func runRender(t *testing.T, file string, tests []renderCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := render(t, file, tt.src, tt.row)
			if p != tt.prob {
				t.Fatalf("%q: problem = %+v, want %+v", tt.src, p, tt.prob)
			}
			if got != tt.want {
				t.Errorf("%q:\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func missing(f string) Problem { return Problem{Kind: ProblemMissing, Field: f} }
func invalid(f string) Problem { return Problem{Kind: ProblemInvalid, Field: f} }

func TestRenderText(t *testing.T) {
	row := map[string]string{
		"first_name":  "jOHN",
		"last_name":   "o'brien-smith",
		"var_field_1": "Discount50",
		"blank":       "  \t",
		"empty":       "",
		"date":        "2024-03-05",
		"ts":          "2024-03-05T23:04:05Z",
		"ts_off":      "2024-03-05T23:04:05.5-05:00",
		"html":        `<b>"AT&T"</b>`,
		"padded":      "  Ann  ",
		"unicode":     "ǆemal ßtraße éLodie",
		"braces":      "{{first_name}}",
	}
	runRender(t, "t.txt", []renderCase{
		{"literal only", "Hello, world", row, "Hello, world", Problem{}},
		{"empty template", "", row, "", Problem{}},
		{"field", "Hi {{first_name}}!", row, "Hi jOHN!", Problem{}},
		{"spaces in tag", "{{ var_field_1 }}", row, "Discount50", Problem{}},
		{"tabs in tag", "{{\tvar_field_1\t|\tupper\t}}", row, "DISCOUNT50", Problem{}},
		{"two fields", "Hi {{first_name|Friend}}, your code {{var_field_1}}", row, "Hi jOHN, your code Discount50", Problem{}},
		{"text does not escape", "{{html}}", row, `<b>"AT&T"</b>`, Problem{}},
		{"value is not parsed", "{{braces}}", row, "{{first_name}}", Problem{}},
		{"escape", "{{{{first_name}} is {{first_name}}", row, "{{first_name}} is jOHN", Problem{}},
		{"escape twice", "{{{{{{{{", row, "{{{{", Problem{}},
		{"five braces", "{{{{{x", row, "{{{x", Problem{}},
		{"six braces", "{{{{{{first_name}}", row, "{{jOHN", Problem{}},
		{"lone close braces", "a { color: red }} {{first_name}}}", row, "a { color: red }} jOHN}", Problem{}},

		// filters
		{"upper", "{{first_name|upper}}", row, "JOHN", Problem{}},
		{"lower", "{{first_name|lower}}", row, "john", Problem{}},
		{"title", "{{first_name|title}}", row, "John", Problem{}},
		{"title apostrophe hyphen", "{{last_name|title}}", row, "O'Brien-Smith", Problem{}},
		{"title it's", "{{x|title}}", map[string]string{"x": "it's DON'T mary jane 3rd j.r."}, "It's Don't Mary Jane 3rd J.R.", Problem{}},
		{"upper unicode", "{{unicode|upper}}", row, "ǄEMAL ßTRAßE ÉLODIE", Problem{}},
		{"lower unicode", "{{unicode|lower}}", row, "ǆemal ßtraße élodie", Problem{}},
		{"title unicode", "{{unicode|title}}", row, "ǅemal ßtraße Élodie", Problem{}},
		{"upper invalid utf8", "{{x|upper}}", map[string]string{"x": "a\xffb"}, "A\xffB", Problem{}},
		{"title invalid utf8", "{{x|title}}", map[string]string{"x": "a\xffb"}, "A\xffB", Problem{}},
		{"trim", "[{{padded|trim}}]", row, "[Ann]", Problem{}},
		{"untrimmed", "[{{padded}}]", row, "[  Ann  ]", Problem{}},
		{"date iso", "{{date|date:Jan 2, 2006}}", row, "Mar 5, 2024", Problem{}},
		{"date layout with spaces", "{{ date | date: Monday, January 2 }}", row, "Tuesday, March 5", Problem{}},
		{"date rfc3339", "{{ts|date:2006-01-02 15:04 MST}}", row, "2024-03-05 23:04 UTC", Problem{}},
		{"date rfc3339 offset keeps its wall clock", "{{ts_off|date:Jan 2 15:04:05.0 -0700}}", row, "Mar 5 23:04:05.5 -0500", Problem{}},
		{"date padded value", "{{x|date:2 Jan}}", map[string]string{"x": " 2024-02-29 "}, "29 Feb", Problem{}},
		{"date escaped pipe", `{{date|date:Jan \| 2}}`, row, "Mar | 5", Problem{}},
		{"date not a date", "{{first_name|date:Jan 2}}", row, "", invalid("first_name")},
		{"date bad day", "{{x|date:Jan 2}}", map[string]string{"x": "2023-02-29"}, "", invalid("x")},
		{"date bad month", "{{x|date:Jan 2}}", map[string]string{"x": "2023-13-01"}, "", invalid("x")},
		{"date slashes", "{{x|date:Jan 2}}", map[string]string{"x": "03/05/2024"}, "", invalid("x")},
		{"date bad time", "{{x|date:Jan 2}}", map[string]string{"x": "2024-03-05T24:00:00Z"}, "", invalid("x")},
		{"date no zone", "{{x|date:Jan 2}}", map[string]string{"x": "2024-03-05T10:00:00"}, "", invalid("x")},
		{"date blank with default", "{{blank|date:Jan 2|Soon}}", row, "Soon", Problem{}},
		{"date default is parsed", "{{empty|default:2024-12-25|date:Jan 2}}", row, "Dec 25", Problem{}},
		{"chain", "{{last_name|upper|lower|title}}", row, "O'Brien-Smith", Problem{}},
		{"trim then upper", "[{{padded|trim|upper}}]", row, "[ANN]", Problem{}},
		{"upper then trim", "[{{padded|upper|trim}}]", row, "[ANN]", Problem{}},
		{"date then upper", "{{date|date:Jan 2|upper}}", row, "MAR 5", Problem{}},
		{"blank date kept", "[{{blank|date:Jan 2|default:}}]", row, "[]", Problem{}},

		// defaults
		{"bare default", "Hi {{empty|Friend}}", row, "Hi Friend", Problem{}},
		{"bare default with spaces", "Hi {{ empty | Valued Customer }}!", row, "Hi Valued Customer!", Problem{}},
		{"default not used", "Hi {{first_name|Friend}}", row, "Hi jOHN", Problem{}},
		{"blank takes default", "Hi {{blank|Friend}}", row, "Hi Friend", Problem{}},
		{"absent takes default", "Hi {{nope|Friend}}", row, "Hi Friend", Problem{}},
		{"explicit default", "Hi {{empty|default:friend}}", row, "Hi friend", Problem{}},
		{"explicit default looks like filter", "{{empty|default:upper}}", row, "upper", Problem{}},
		{"optional", "[{{empty|default:}}]", row, "[]", Problem{}},
		{"optional keeps blank", "[{{blank|default:}}]", row, "[]", Problem{}},
		{"default then filter", "{{empty|Friend|upper}}", row, "FRIEND", Problem{}},
		{"filter then default", "{{empty|upper|Friend}}", row, "Friend", Problem{}},
		{"title then default", "{{first_name|title|Friend}}", row, "John", Problem{}},
		{"default escapes", `{{empty|a\|b\}\{\\ c\ }}`, row, `a|b}{\ c `, Problem{}},
		{"default with colon", "{{empty|Note: hi}}", row, "Note: hi", Problem{}},
		{"default digit", "{{empty|0}}", row, "0", Problem{}},
		{"default single brace", "{{empty|a}b}}", row, "a}b", Problem{}},
		{"trim then default", "{{blank|trim|None}}", row, "None", Problem{}},

		// missing
		{"missing empty", "Hi {{empty}}", row, "", missing("empty")},
		{"missing blank", "Hi {{blank}}", row, "", missing("blank")},
		{"missing absent", "Hi {{nope}}", row, "", missing("nope")},
		{"missing with filter", "Hi {{empty|upper}}", row, "", missing("empty")},
		{"first missing wins", "{{first_name}} {{a}} {{b}}", row, "", missing("a")},
		{"required elsewhere", "{{empty|X}} {{empty}}", row, "", missing("empty")},
		{"purl", "go.example.com/{{purl}}", map[string]string{"purl": "k7x2m9q4pa"}, "go.example.com/k7x2m9q4pa", Problem{}},
		{"purl missing", "go.example.com/{{purl}}", row, "", missing("purl")},
	})
}

func TestRenderHTML(t *testing.T) {
	row := map[string]string{
		"first_name": "<script>alert(1)</script>",
		"company":    "AT&T",
		"quote":      `"it's"`,
		"plain":      "Ann",
		"empty":      "",
	}
	runRender(t, "front.html", []renderCase{
		{"script", "<p>Hi {{first_name}}</p>", row, "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>", Problem{}},
		{"ampersand", "<p>{{company}}</p>", row, "<p>AT&amp;T</p>", Problem{}},
		{"quotes in attribute", `<img alt="{{quote}}">`, row, `<img alt="&#34;it&#39;s&#34;">`, Problem{}},
		{"literal markup untouched", `<b class="x">&amp;{{plain}}</b>`, row, `<b class="x">&amp;Ann</b>`, Problem{}},
		{"filtered value escaped", "{{company|lower}}", row, "at&amp;t", Problem{}},
		{"default escaped", "{{empty|Tom & Jerry}}", row, "Tom &amp; Jerry", Problem{}},
		{"default filtered then escaped", "{{empty|<b>|upper}}", row, "&lt;B&gt;", Problem{}},
		{"css braces", "<style>a{b:c}}</style>{{plain}}", row, "<style>a{b:c}}</style>Ann", Problem{}},
		{"missing", "{{empty}}", row, "", missing("empty")},
	})
}

func TestAppendReusesDst(t *testing.T) {
	tpl, _ := Parse("t.txt", []byte("Hi {{a|upper}} {{b|Friend|title}} {{c|date:Jan 2}}"))
	prog, err := Compile(tpl, NameIndex([]string{"a", "b", "c"}))
	if err != nil {
		t.Fatal(err)
	}
	// Many renders into one buffer, as a stage does with a batch.
	var dst []byte
	var ends []int
	rows := [][][]byte{
		{[]byte("ann"), nil, []byte("2024-01-02")},
		{[]byte("bob"), []byte("x"), []byte("bad")},
		{[]byte("cy"), []byte("dee"), []byte("2025-12-31")},
	}
	for _, r := range rows {
		var p Problem
		dst, p = prog.Append(dst, r)
		if !p.OK() && p != invalid("c") {
			t.Fatalf("problem %v", p)
		}
		ends = append(ends, len(dst))
	}
	want := "Hi ANN Friend Jan 2" + "Hi CY Dee Dec 31"
	if string(dst) != want {
		t.Fatalf("dst = %q, want %q (ends %v)", dst, want, ends)
	}
}

func TestShortRow(t *testing.T) {
	tpl, err := Parse("t.txt", []byte("{{a}}{{b|x y}}"))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(tpl, func(name string) (int, bool) { return map[string]int{"a": 0, "b": 5}[name], true })
	if err != nil {
		t.Fatal(err)
	}
	out, p := prog.Append(nil, [][]byte{[]byte("A")})
	if !p.OK() || string(out) != "Ax y" {
		t.Fatalf("Append = %q, %v; want \"Ax y\", OK", out, p)
	}
	if _, p := prog.Append(nil, nil); p != missing("a") {
		t.Fatalf("Append(nil) problem = %v, want missing a", p)
	}
}

func TestCompileUnknownField(t *testing.T) {
	tpl, err := Parse("back.html", []byte("<p>\n  {{a}} {{zip_plus4|X}}</p>"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(tpl, NameIndex([]string{"a"}))
	if !errors.Is(err, ErrUnknownField) {
		t.Fatalf("Compile error = %v, want ErrUnknownField", err)
	}
	if got, want := err.Error(), `template back.html:2:9: field "zip_plus4": field not in input`; got != want {
		t.Fatalf("Compile error = %q, want %q", got, want)
	}
}

func TestProblemString(t *testing.T) {
	for p, want := range map[Problem]string{
		{}:                     "",
		missing("first_name"):  "missing_merge_field:first_name",
		invalid("var_field_2"): "invalid_merge_field:var_field_2",
	} {
		if got := p.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", p, got, want)
		}
		if p.OK() != (want == "") {
			t.Errorf("%+v.OK() = %v", p, p.OK())
		}
	}
}

func TestNameIndexFirstWins(t *testing.T) {
	r := NameIndex([]string{"a", "b", "a"})
	if i, ok := r("a"); !ok || i != 0 {
		t.Fatalf("a → %d, %v", i, ok)
	}
	if i, ok := r("b"); !ok || i != 1 {
		t.Fatalf("b → %d, %v", i, ok)
	}
	if _, ok := r("c"); ok {
		t.Fatal("c resolved")
	}
}
