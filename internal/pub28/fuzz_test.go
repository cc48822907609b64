package pub28

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks Parse never panics, that a standardized line is uppercase
// ASCII with single spaces and only "/", "-" and "#" as punctuation, that it
// standardizes to itself, and that garbage always gets a Problem. The seed
// corpus is testdata/addresses.tsv plus a few edge cases; it runs in plain
// go test.
func FuzzParse(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(c.line1, c.line2)
	}
	for _, s := range []string{
		"# # #", "1 # # A", "1/2 1/2", "1-", "-1", "1 A-", "P.O.", "1 N.", "1 .N.W.", "RR", "HC # 1 # 2",
		"1 APT # #", "1 MAIN ST # APT 4", "½½½", "1 ½", "\u00ad\u00ad", "1 A\u200bB", "PO BOX 1 2",
		"1 N N N N", "1 ST ST", "1 KEY KEY 1", "APT 1 # 2 3 MAIN", "1 2 3 4 5", "1 MAIN ST 0",
	} {
		f.Add(s, "")
		f.Add("1 MAIN ST", s)
	}
	var p Parser
	f.Fuzz(func(t *testing.T, line1, line2 string) {
		a, pr := p.Parse([]byte(line1), []byte(line2))
		if pr != NoProblem {
			if a.Line != nil || a.Kind != Unknown {
				t.Fatalf("Parse(%q, %q) = %q, %v with problem %q", line1, line2, a.Line, a.Kind, pr)
			}
		} else {
			checkStandard(t, a.Line, line1, line2)
			if a.Kind == Unknown {
				t.Fatalf("Parse(%q, %q): Kind Unknown without a problem", line1, line2)
			}
			want := string(a.Line)
			a2, pr2 := p.Parse([]byte(want), nil)
			if pr2 != NoProblem || string(a2.Line) != want {
				t.Fatalf("not idempotent: Parse(%q, %q) = %q, then Parse(%q) = %q, %q", line1, line2, want, want, a2.Line, pr2)
			}
		}
		if len(line1) <= MaxLineLen && len(line2) <= MaxLineLen {
			if isGarbage(line1) || isGarbage(line2) {
				if pr != Garbage && pr != TooLong {
					t.Fatalf("Parse(%q, %q) problem = %q, want garbage", line1, line2, pr)
				}
			}
			if !hasWordChar(line1) && !hasWordChar(line2) && pr == NoProblem {
				t.Fatalf("Parse(%q, %q) standardized a line without letters or digits: %q", line1, line2, a.Line)
			}
		}
	})
}

// checkStandard fails t unless line is non-empty uppercase ASCII with single
// inner spaces and only "/", "-" and "#" as punctuation.
func checkStandard(t *testing.T, line []byte, line1, line2 string) {
	t.Helper()
	if len(line) == 0 || line[0] == ' ' || line[len(line)-1] == ' ' {
		t.Fatalf("Parse(%q, %q) = %q: empty or untrimmed", line1, line2, line)
	}
	for i, c := range line {
		ok := isAlnum(c) || c == '/' || c == '-' || c == '#' || (c == ' ' && line[i-1] != ' ')
		if !ok {
			t.Fatalf("Parse(%q, %q) = %q: byte %q at %d", line1, line2, line, c, i)
		}
	}
}

// isGarbage reports whether s holds a control character other than tab,
// CR and LF, invalid UTF-8, or a rune outside the folding table.
func isGarbage(s string) bool {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return true
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7F:
			return true
		case r >= utf8.RuneSelf:
			if _, ok := foldRune(r); !ok {
				return true
			}
		}
	}
	return false
}

// hasWordChar reports whether s holds an ASCII letter or digit or a
// non-ASCII rune that folds to one.
func hasWordChar(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if isAlnum(byte(r)) || (r >= 'a' && r <= 'z') {
				return true
			}
			continue
		}
		if f, ok := foldRune(r); ok {
			for i := 0; i < len(f); i++ {
				if isAlnum(f[i]) {
					return true
				}
			}
		}
	}
	return false
}
