package pub28

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// addressCase is one row of testdata/addresses.tsv.
type addressCase struct {
	lineNo              int
	line1, line2        string
	want, kind, problem string
}

// loadCases reads testdata/addresses.tsv: line1 TAB line2 TAB expected TAB
// kind TAB problem. Lines starting with "#" and blank lines are comments. A
// field holding a backslash is unquoted with Go escape rules ("\x01",
// "\u00d1"), so control characters can be written.
func loadCases(tb testing.TB) []addressCase {
	tb.Helper()
	f, err := os.Open("testdata/addresses.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var cases []addressCase
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 5 {
			tb.Fatalf("addresses.tsv:%d: %d fields, want 5", n, len(fields))
		}
		for i, fl := range fields {
			if strings.Contains(fl, `\`) {
				u, err := strconv.Unquote(`"` + fl + `"`)
				if err != nil {
					tb.Fatalf("addresses.tsv:%d: field %d: %v", n, i+1, err)
				}
				fields[i] = u
			}
		}
		cases = append(cases, addressCase{n, fields[0], fields[1], fields[2], fields[3], fields[4]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return cases
}

func TestAddressesTSV(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 150 {
		t.Errorf("addresses.tsv has %d cases, want at least 150", len(cases))
	}
	var p Parser
	for _, c := range cases {
		a, pr := p.Parse([]byte(c.line1), []byte(c.line2))
		got := string(a.Line)
		if got != c.want || a.Kind.String() != c.kind || string(pr) != c.problem {
			t.Errorf("addresses.tsv:%d: Parse(%q, %q) = %q, %s, %q; want %q, %s, %q (notes %s)",
				c.lineNo, c.line1, c.line2, got, a.Kind, pr, c.want, c.kind, c.problem, a.Notes)
			continue
		}
		if pr != NoProblem {
			continue
		}
		// Idempotence: the standardized line standardizes to itself.
		a2, pr2 := p.Parse([]byte(c.want), nil)
		if pr2 != NoProblem || string(a2.Line) != c.want {
			t.Errorf("addresses.tsv:%d: Parse(%q) = %q, %q; not idempotent", c.lineNo, c.want, a2.Line, pr2)
		}
	}
}

// TestComponents checks that the component views match their parts of Line.
func TestComponents(t *testing.T) {
	tests := []struct {
		line1, line2 string
		want         Address
	}{
		{"123 1/2 north main street sw apt #4b", "", Address{Kind: Street, Primary: b("123 1/2"), PreDir: b("N"), Name: b("MAIN"), Suffix: b("ST"), PostDir: b("SW"), Unit: b("APT"), UnitNum: b("4B")}},
		{"500 West Ave", "Rear", Address{Kind: Street, Primary: b("500"), Name: b("WEST"), Suffix: b("AVE"), Unit: b("REAR")}},
		{"P.O. Box 0012", "", Address{Kind: POBox, Box: b("12")}},
		{"Rural Route 02 Box 50A", "", Address{Kind: RuralRoute, Route: b("2"), Box: b("50A")}},
		{"HC 1 Box 9", "", Address{Kind: HighwayContract, Route: b("1"), Box: b("9")}},
		{"12 Main St", "# 5", Address{Kind: Street, Primary: b("12"), Name: b("MAIN"), Suffix: b("ST"), Unit: b("#"), UnitNum: b("5")}},
	}
	var p Parser
	for _, tt := range tests {
		a, pr := p.Parse([]byte(tt.line1), []byte(tt.line2))
		if pr != NoProblem {
			t.Errorf("Parse(%q, %q): problem %q", tt.line1, tt.line2, pr)
			continue
		}
		check := func(field string, got, want []byte) {
			if string(got) != string(want) || (got == nil) != (want == nil) {
				t.Errorf("Parse(%q, %q).%s = %q, want %q", tt.line1, tt.line2, field, got, want)
			}
		}
		if a.Kind != tt.want.Kind {
			t.Errorf("Parse(%q).Kind = %v, want %v", tt.line1, a.Kind, tt.want.Kind)
		}
		check("Primary", a.Primary, tt.want.Primary)
		check("PreDir", a.PreDir, tt.want.PreDir)
		check("Name", a.Name, tt.want.Name)
		check("Suffix", a.Suffix, tt.want.Suffix)
		check("PostDir", a.PostDir, tt.want.PostDir)
		check("Unit", a.Unit, tt.want.Unit)
		check("UnitNum", a.UnitNum, tt.want.UnitNum)
		check("Route", a.Route, tt.want.Route)
		check("Box", a.Box, tt.want.Box)
	}
}

func b(s string) []byte { return []byte(s) }

func TestNotes(t *testing.T) {
	tests := []struct {
		line1, line2 string
		want         Notes
	}{
		{"123 Main Street", "", NoteSuffixAbbreviated},
		{"123 North Main St", "", NoteDirectionalAbbreviated},
		{"123 Main St", "Suite 200", NoteLine2Merged | NoteUnitAbbreviated},
		{"Apt 4, 123 Main St", "", NoteUnitMoved | NotePunctuationRemoved},
		{"123 Peña St", "", NoteDiacriticsFolded},
		{"PO Box 007", "", NoteLeadingZerosRemoved},
		{"POB 7", "", NoteBoxDesignatorStandardized},
		{"123 Main St 4", "", NoteUnitDesignatorAdded},
		{"123 Main St Apt", "", NoteUnitDropped},
		{"123 Main St", "Attn: Billing", NoteLine2Ignored},
		{"Acme Corp", "123 Main St", NoteLine1Ignored},
	}
	var p Parser
	for _, tt := range tests {
		a, pr := p.Parse([]byte(tt.line1), []byte(tt.line2))
		if pr != NoProblem {
			t.Errorf("Parse(%q, %q): problem %q", tt.line1, tt.line2, pr)
			continue
		}
		if !a.Notes.Has(tt.want) {
			t.Errorf("Parse(%q, %q).Notes = %s, want %s set", tt.line1, tt.line2, a.Notes, tt.want)
		}
	}
	if got := (NoteSuffixAbbreviated | NoteUnitMoved).String(); got != "suffix_abbreviated|unit_moved" {
		t.Errorf("Notes.String() = %q", got)
	}
}

// TestParseNoAllocs checks the hot-path contract.
func TestParseNoAllocs(t *testing.T) {
	var p Parser
	l1, l2 := []byte("123 1/2 North Main Street SW, Apt. #4B"), []byte("Suite 200")
	allocs := testing.AllocsPerRun(100, func() {
		p.Parse(l1, nil)
		p.Parse([]byte("P.O. Box 12"), nil)
		p.Parse(l1[:20], l2)
		p.Parse([]byte("Peña Blvd"), nil)
	})
	if allocs != 0 {
		t.Errorf("Parse allocates %v times per run, want 0", allocs)
	}
}

func TestProblemsDescribed(t *testing.T) {
	for _, pr := range Problems() {
		if d := pr.Description(); d == "" || strings.HasPrefix(d, "unknown") {
			t.Errorf("problem %q has no description", pr)
		}
		if string(pr) != strings.ToLower(string(pr)) || strings.Contains(string(pr), " ") {
			t.Errorf("problem %q is not lower snake case", pr)
		}
	}
}

func TestTooLong(t *testing.T) {
	var p Parser
	long := []byte(strings.Repeat("1 MAIN ST ", 26)) // 260 bytes
	if _, pr := p.Parse(long, nil); pr != TooLong {
		t.Errorf("Parse(260 bytes) problem = %q, want too_long", pr)
	}
	if _, pr := p.Parse([]byte("1 MAIN ST"), long); pr != TooLong {
		t.Errorf("Parse(line2 260 bytes) problem = %q, want too_long", pr)
	}
	if _, pr := p.Parse([]byte(strings.Repeat("#", MaxLineLen)), []byte(strings.Repeat("#", MaxLineLen))); pr != TooLong {
		t.Errorf("Parse(512 #) problem = %q, want too_long", pr)
	}
	ok := []byte("1" + strings.Repeat(" A", (MaxLineLen-1)/2))
	if _, pr := p.Parse(ok, nil); pr != NoProblem {
		t.Errorf("Parse(%d bytes) problem = %q, want none", len(ok), pr)
	}
}
