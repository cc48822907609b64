package pub28

import "testing"

// TestSuffixTableC1 checks that every Appendix C1 primary name, variant and
// abbreviation maps to the row's standard abbreviation, both through
// SuffixAbbr and end to end as the final word of a delivery line.
func TestSuffixTableC1(t *testing.T) {
	var p Parser
	variants := 0
	for _, e := range suffixTable {
		words := append([]string{e.primary, e.abbr}, e.variants...)
		for _, v := range words {
			variants++
			want := e.abbr
			// A variant that is another row's standard abbreviation (MDW is
			// listed under MEADOWS but is MEADOW's abbreviation) keeps it.
			if other, ok := abbrRow(v); ok && other != e.abbr {
				want = other
			}
			if got, ok := SuffixAbbr([]byte(v)); !ok || got != want {
				t.Errorf("SuffixAbbr(%q) = %q, %v; want %q (row %s)", v, got, ok, want, e.primary)
			}
			line := "1 TEST " + v
			a, pr := p.Parse([]byte(line), nil)
			if pr != NoProblem || string(a.Suffix) != want || string(a.Line) != "1 TEST "+want {
				t.Errorf("Parse(%q) = %q suffix %q, %q; want suffix %q", line, a.Line, a.Suffix, pr, want)
			}
		}
	}
	if len(suffixTable) < 200 || len(suffixMap) < 450 {
		t.Errorf("C1 table has %d rows and %d distinct spellings; want ≥ 200 and ≥ 450", len(suffixTable), len(suffixMap))
	}
	t.Logf("C1: %d rows, %d listed spellings, %d distinct", len(suffixTable), variants, len(suffixMap))
}

// abbrRow reports whether w is the standard abbreviation of some C1 row.
func abbrRow(w string) (string, bool) {
	for _, e := range suffixTable {
		if e.abbr == w {
			return w, true
		}
	}
	return "", false
}

func TestSuffixAbbrCaseAndPunctuation(t *testing.T) {
	for in, want := range map[string]string{"Avenue": "AVE", "ave.": "AVE", "  blvd ": "BLVD", "Crssng": "XING"} {
		if got, ok := SuffixAbbr([]byte(in)); !ok || got != want {
			t.Errorf("SuffixAbbr(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := SuffixAbbr([]byte("MAIN")); ok {
		t.Error(`SuffixAbbr("MAIN") found a suffix`)
	}
}

// TestUnitTableC2 checks Appendix C2 designators and their range rule.
func TestUnitTableC2(t *testing.T) {
	want := map[string]struct {
		abbr string
		rng  bool
	}{
		"APARTMENT": {"APT", true}, "BASEMENT": {"BSMT", false}, "BUILDING": {"BLDG", true},
		"DEPARTMENT": {"DEPT", true}, "FLOOR": {"FL", true}, "FRONT": {"FRNT", false},
		"HANGAR": {"HNGR", true}, "KEY": {"KEY", true}, "LOBBY": {"LBBY", false},
		"LOT": {"LOT", true}, "LOWER": {"LOWR", false}, "OFFICE": {"OFC", false},
		"PENTHOUSE": {"PH", false}, "PIER": {"PIER", true}, "REAR": {"REAR", false},
		"ROOM": {"RM", true}, "SIDE": {"SIDE", false}, "SLIP": {"SLIP", true},
		"SPACE": {"SPC", true}, "STOP": {"STOP", true}, "SUITE": {"STE", true},
		"TRAILER": {"TRLR", true}, "UNIT": {"UNIT", true}, "UPPER": {"UPPR", false},
	}
	if len(unitTable) != len(want) {
		t.Errorf("C2 table has %d rows, want %d", len(unitTable), len(want))
	}
	var p Parser
	for _, e := range unitTable {
		w, ok := want[e.name]
		if !ok || w.abbr != e.abbr || w.rng != e.rangeRequired {
			t.Errorf("C2 row %s = %s, %v; want %+v", e.name, e.abbr, e.rangeRequired, w)
		}
		for _, v := range append([]string{e.name, e.abbr}, e.variants...) {
			abbr, rng, ok := UnitAbbr([]byte(v))
			if !ok || abbr != e.abbr || rng != e.rangeRequired {
				t.Errorf("UnitAbbr(%q) = %q, %v, %v; want %q, %v", v, abbr, rng, ok, e.abbr, e.rangeRequired)
			}
			line, wantLine := "1 Main St "+v+" 7", "1 MAIN ST "+e.abbr+" 7"
			if a, pr := p.Parse([]byte(line), nil); pr != NoProblem || string(a.Line) != wantLine {
				t.Errorf("Parse(%q) = %q, %q; want %q", line, a.Line, pr, wantLine)
			}
		}
	}
}

func TestDirectionals(t *testing.T) {
	for in, want := range map[string]string{
		"North": "N", "SOUTH": "S", "east": "E", "West": "W",
		"Northeast": "NE", "NORTHWEST": "NW", "southeast": "SE", "Southwest": "SW", "n.w.": "NW",
	} {
		if got, ok := DirectionalAbbr([]byte(in)); !ok || got != want {
			t.Errorf("DirectionalAbbr(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := DirectionalAbbr([]byte("NORTE")); ok {
		t.Error("Spanish directionals are not abbreviated")
	}
}

// TestStateCodesB checks Appendix B names, territories and military codes.
func TestStateCodesB(t *testing.T) {
	for in, want := range map[string]string{
		"New York": "NY", "district of columbia": "DC", "Puerto Rico": "PR", "Guam": "GU",
		"Virgin Islands": "VI", "U.S. Virgin Islands": "VI", "American Samoa": "AS",
		"Northern Mariana Islands": "MP", "Armed Forces Americas": "AA", "Armed Forces Europe": "AE",
		"Armed Forces Pacific": "AP", "Federated States of Micronesia": "FM", "Marshall Islands": "MH",
		"Palau": "PW", "West Virginia": "WV", "ny": "NY", "Wyoming": "WY", "  north   carolina ": "NC",
	} {
		if got, ok := StateCode([]byte(in)); !ok || got != want {
			t.Errorf("StateCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	states := 0
	for _, e := range stateTable {
		if len(e.code) != 2 {
			t.Errorf("state %s has code %q", e.name, e.code)
		}
		states++
	}
	if _, ok := StateCode([]byte("Ontario")); ok {
		t.Error(`StateCode("Ontario") found a code`)
	}
	if got := len(uniqueCodes()); got != 62 {
		t.Errorf("Appendix B + military: %d distinct codes, want 62 (50 states, DC, 8 possessions, AA AE AP)", got)
	}
}

func uniqueCodes() map[string]bool {
	m := map[string]bool{}
	for _, e := range stateTable {
		m[e.code] = true
	}
	return m
}

// TestFoldTable checks that every Latin-1 and Latin Extended-A fold is
// uppercase ASCII letters, or one of the separator marks.
func TestFoldTable(t *testing.T) {
	for r := rune(0xA0); r < 0x180; r++ {
		f, ok := foldRune(r)
		if !ok || f == "" {
			t.Errorf("foldRune(%U) = %q, %v", r, f, ok)
			continue
		}
		for i := 0; i < len(f); i++ {
			c := f[i]
			if !(isAlnum(c) || c == ' ' || c == '\'' || c == '/') {
				t.Errorf("foldRune(%U) = %q holds %q", r, f, c)
			}
		}
	}
	if _, ok := foldRune('😀'); ok {
		t.Error("emoji folds")
	}
}

func TestWordMapKeys(t *testing.T) {
	for k := range wordMap {
		if len(k) > maxWordKey {
			t.Errorf("wordMap key %q is longer than maxWordKey %d", k, maxWordKey)
		}
	}
}
