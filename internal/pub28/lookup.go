package pub28

import "unicode/utf8"

// maxLookup is the longest name the lookup functions accept, in bytes after
// folding ("COMMONWEALTH OF THE NORTHERN MARIANA ISLANDS" is 44).
const maxLookup = 64

// normalizeName folds b to uppercase ASCII in dst, removes periods and
// apostrophes, and collapses whitespace, commas and hyphens to single
// spaces. It reports false when b does not fit or holds characters no
// address could.
func normalizeName(dst *[maxLookup]byte, b []byte) ([]byte, bool) {
	n := 0
	space := false
	emit := func(c byte) bool {
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c == '.' || c == '\'':
			return true
		case c == ' ' || c == '\t' || c == ',' || c == '-':
			space = n > 0
			return true
		case !isAlnum(c):
			return false
		}
		if space {
			if n >= len(dst) {
				return false
			}
			dst[n] = ' '
			n++
			space = false
		}
		if n >= len(dst) {
			return false
		}
		dst[n] = c
		n++
		return true
	}
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			if !emit(b[i]) {
				return nil, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		f, ok := foldRune(r)
		if !ok {
			return nil, false
		}
		for j := 0; j < len(f); j++ {
			if !emit(f[j]) {
				return nil, false
			}
		}
	}
	return dst[:n], true
}

// SuffixAbbr returns the Appendix C1 standard abbreviation of a street
// suffix word in any case or spelling the table lists ("Avenue", "AVN",
// "ave." → "AVE").
func SuffixAbbr(word []byte) (abbr string, ok bool) {
	var buf [maxLookup]byte
	w, ok := normalizeName(&buf, word)
	if !ok {
		return "", false
	}
	abbr, ok = suffixMap[string(w)]
	return abbr, ok
}

// UnitAbbr returns the Appendix C2 abbreviation of a secondary unit
// designator ("Suite" → "STE") and whether Pub 28 requires a secondary
// range (number) after it.
func UnitAbbr(word []byte) (abbr string, rangeRequired bool, ok bool) {
	var buf [maxLookup]byte
	w, ok := normalizeName(&buf, word)
	if !ok {
		return "", false, false
	}
	u, ok := unitMap[string(w)]
	return u.abbr, u.rangeRequired, ok
}

// DirectionalAbbr returns the Section 233 abbreviation of a directional
// word ("Northwest" → "NW").
func DirectionalAbbr(word []byte) (abbr string, ok bool) {
	var buf [maxLookup]byte
	w, ok := normalizeName(&buf, word)
	if !ok {
		return "", false
	}
	abbr, ok = dirMap[string(w)]
	return abbr, ok
}

// StateCode returns the Appendix B two-letter code of a state, territory,
// freely associated state or Armed Forces name, in any case ("New York",
// "district of columbia", "Puerto Rico", "Armed Forces Europe"); a valid
// code is returned as itself ("ny" → "NY").
func StateCode(name []byte) (code string, ok bool) {
	var buf [maxLookup]byte
	w, ok := normalizeName(&buf, name)
	if !ok {
		return "", false
	}
	code, ok = stateMap[string(w)]
	return code, ok
}

// Standardize is a convenience wrapper around a fresh Parser: it returns the
// standardized delivery line as a string, or the Problem. It allocates; hot
// paths should reuse a Parser.
func Standardize(line1, line2 string) (string, Problem) {
	p := new(Parser)
	a, pr := p.Parse([]byte(line1), []byte(line2))
	if pr != NoProblem {
		return "", pr
	}
	return string(a.Line), NoProblem
}
