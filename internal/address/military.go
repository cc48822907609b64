package address

import "github.com/postmill/postmill/internal/pub28"

// Military addresses (Pub 28 Section 225): "UNIT 2050 BOX 4190",
// "PSC 802 BOX 74", "CMR 450 BOX 9" with the city APO, FPO or DPO and the
// state AA, AE or AP. The Pub 28 parser has no pattern for them, so the
// standardizer recognizes them itself when the state is a military one.

// isMilitaryState reports whether st is AA, AE or AP.
func isMilitaryState(st []byte) bool {
	return len(st) == 2 && st[0] == 'A' && (st[1] == 'A' || st[1] == 'E' || st[1] == 'P')
}

// military standardizes a military delivery line from f.Street (with
// f.Street2 as its unit-free second line ignored when empty). It returns a
// street-less pub28.Address whose Line is "UNIT|PSC|CMR n BOX m", or
// MissingPrimary when the line is not one.
func (s *Standardizer) military(f Fields) (*pub28.Address, pub28.Problem) {
	s.clean.keep = keepNone
	var ok bool
	if s.milLine, ok = s.clean.appendClean(s.milLine[:0], f.Street); !ok || len(trimBlank(f.Street2)) > 0 {
		return &s.mil, pub28.MissingPrimary
	}
	punct, folded := s.clean.punct, s.clean.folded
	// Words: designator, number, BOX, number.
	var w [4][]byte
	n := 0
	line := s.milLine
	for len(line) > 0 && n < 4 {
		i := 0
		for i < len(line) && line[i] != ' ' {
			i++
		}
		w[n], n = line[:i], n+1
		if i < len(line) {
			i++
		}
		line = line[i:]
	}
	if n != 4 || len(line) > 0 || !digits(w[1]) || !digits(w[3]) || string(w[2]) != "BOX" {
		return &s.mil, pub28.MissingPrimary
	}
	switch string(w[0]) {
	case "UNIT", "PSC", "CMR":
	default:
		return &s.mil, pub28.MissingPrimary
	}
	s.mil = pub28.Address{Kind: pub28.Unknown, Line: s.milLine, Primary: w[1], Box: w[3]}
	if punct {
		s.mil.Notes |= pub28.NotePunctuationRemoved
	}
	if folded {
		s.mil.Notes |= pub28.NoteDiacriticsFolded
	}
	return &s.mil, pub28.NoProblem
}

func digits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
