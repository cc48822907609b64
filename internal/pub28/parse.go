package pub28

import "unicode/utf8"

// MaxLineLen is the longest input line, in bytes, that Parse accepts, and
// the longest standardized line it returns; longer lines are the TooLong
// problem.
const MaxLineLen = 256

// MaxTokens is the most words (including "#" marks) that line 1 and line 2
// may hold together; more is the TooLong problem.
const MaxTokens = 128

const (
	cleanCap = 3*MaxLineLen + 8 // folded ASCII of one line (½ becomes " 1/2 ")
	normCap  = 2 * cleanCap     // token characters of both lines
	outCap   = normCap + 64     // standardized line: tokens plus spaces and inserted designators
)

// token flags
const (
	tDigit uint8 = 1 << iota // holds a digit
	tAlpha                   // holds a letter
	tHash                    // is the "#" mark
)

// tLooked marks a token whose wordMap entry has been looked up.
const tLooked uint8 = 1 << 7

// token is one word of the input, a range of Parser.norm.
type token struct {
	start, end uint16
	flags      uint8
	info       *wordInfo // wordMap entry, valid when flags&tLooked != 0
}

// Address is a standardized delivery line and its components. Every []byte
// field is a view into a buffer owned by the Parser that returned it: it is
// valid until the next call to Parse on that Parser and must be copied to be
// kept. Components are themselves views into Line; a component that is
// absent is nil.
type Address struct {
	// Kind is the address type; Unknown when Parse returned a Problem.
	Kind Kind
	// Primary is the primary (house) number of a street address, e.g. "123", "123A", "123 1/2", "12-34".
	Primary []byte
	// PreDir is the abbreviated pre-directional, e.g. "N".
	PreDir []byte
	// Name is the street name as written, uppercased and folded, e.g. "MAIN", "AVENUE OF THE AMERICAS".
	Name []byte
	// Suffix is the C1 standard suffix abbreviation, e.g. "ST".
	Suffix []byte
	// PostDir is the abbreviated post-directional, e.g. "SW".
	PostDir []byte
	// Unit is the C2 secondary unit designator abbreviation or "#", e.g. "APT".
	Unit []byte
	// UnitNum is the secondary range, e.g. "4B"; nil for designators without one (REAR).
	UnitNum []byte
	// Route is the rural route or highway contract number, e.g. "2" in "RR 2 BOX 50".
	Route []byte
	// Box is the PO box number or the route box number, e.g. "12" in "PO BOX 12".
	Box []byte
	// Line is the full standardized delivery line, e.g. "123 N MAIN ST APT 4".
	Line []byte
	// Notes records what standardization changed.
	Notes Notes
}

// Parser standardizes delivery address lines following USPS Publication 28.
// The zero value is ready to use. A Parser is not safe for concurrent use;
// give each goroutine its own. It holds its buffers inline (a few KB), so
// Parse does not allocate.
type Parser struct {
	clean [cleanCap]byte
	norm  [normCap]byte
	nnorm int
	toks  [MaxTokens]token
	ntok  int
	out   [outCap]byte
	nout  int
	addr  Address
	notes Notes

	// unit found in line 1/line 2 or at the front, to be written after the street
	unit unitSpan
}

// unitSpan is a secondary unit found in the tokens.
type unitSpan struct {
	set     bool
	abbr    string // "#", or the C2 abbreviation
	num     int    // token index of the range, -1 when none
	changed bool   // the designator was not already its abbreviation
}

// Parse standardizes the delivery line line1, with line2 (the address's
// second line, often a secondary unit such as "Suite 200") merged into it
// when it is one. Either line may be empty. Input is UTF-8; Latin letters
// with diacritics are folded to ASCII.
//
// On success it returns the standardized Address and NoProblem. Otherwise it
// returns an Address of Kind Unknown with no fields set and the Problem. The
// returned *Address points into p and is valid until the next Parse call.
// Parse does not allocate and never panics.
func (p *Parser) Parse(line1, line2 []byte) (*Address, Problem) {
	p.addr = Address{}
	p.notes = 0
	p.nnorm, p.ntok, p.nout = 0, 0, 0
	p.unit = unitSpan{}
	if len(line1) > MaxLineLen || len(line2) > MaxLineLen {
		return &p.addr, TooLong
	}
	ink1, pr := p.scan(line1)
	if pr != NoProblem {
		return &p.addr, pr
	}
	n1 := p.ntok
	ink2, pr := p.scan(line2)
	if pr != NoProblem {
		return &p.addr, pr
	}
	n := p.ntok
	a1, a2 := p.hasAlnum(0, n1), p.hasAlnum(n1, n)
	switch {
	case !a1 && !a2:
		if ink1 || ink2 {
			return &p.addr, Garbage
		}
		return &p.addr, Empty
	case !a2:
		if ink2 {
			p.notes |= NoteLine2Ignored
		}
		pr = p.parseLine(0, n1)
	case !a1:
		if ink1 {
			p.notes |= NoteLine1Ignored
		}
		pr = p.parseLine(n1, n)
	case p.unitOnly(n1, n):
		p.setUnit(n1, n)
		p.notes |= NoteLine2Merged
		pr = p.parseLine(0, n1)
	case p.unitOnly(0, n1):
		p.setUnit(0, n1)
		p.notes |= NoteUnitMoved
		pr = p.parseLine(n1, n)
	default:
		scanNotes := p.notes
		pr = p.parseLine(0, n1)
		if pr == MissingPrimary {
			p.resetOut()
			p.notes = scanNotes
			if pr2 := p.parseLine(n1, n); pr2 == NoProblem {
				p.notes |= NoteLine1Ignored
				pr = NoProblem
			}
		} else if pr == NoProblem {
			p.notes |= NoteLine2Ignored
		}
	}
	if pr == NoProblem && p.nout > MaxLineLen {
		pr = TooLong // line 1 and line 2 merged are longer than one line may be
	}
	if pr != NoProblem {
		p.addr = Address{}
		return &p.addr, pr
	}
	p.addr.Line = p.out[:p.nout:p.nout]
	p.addr.Notes = p.notes
	return &p.addr, NoProblem
}

// resetOut discards a partly written line and its unit.
func (p *Parser) resetOut() {
	p.nout = 0
	p.addr = Address{}
	p.unit = unitSpan{}
}

// ---------------------------------------------------------------------------
// Scanning: fold, uppercase and split one line into tokens.

// scan appends the tokens of b. ink reports whether b held anything but
// whitespace.
func (p *Parser) scan(b []byte) (ink bool, pr Problem) {
	// Pass 1: fold to uppercase ASCII in p.clean.
	n := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\t' || c == '\n' || c == '\r':
				c = ' '
			case c < 0x20 || c == 0x7F:
				return ink, Garbage
			case c >= 'a' && c <= 'z':
				c -= 'a' - 'A'
			}
			if c != ' ' {
				ink = true
			}
			if n >= len(p.clean) {
				return ink, TooLong
			}
			p.clean[n] = c
			n++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return ink, Garbage
		}
		i += size
		f, ok := foldRune(r)
		if !ok {
			return ink, Garbage
		}
		ink = true
		p.notes |= NoteDiacriticsFolded
		if n+len(f) > len(p.clean) {
			return ink, TooLong
		}
		n += copy(p.clean[n:], f)
	}
	// Pass 2: split into tokens in p.norm.
	s := p.clean[:n]
	inTok := false
	segLen := 0 // letters since the token start or the last joining period
	var cur token
	for i := 0; i < len(s); i++ {
		c := s[i]
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case isAlnum(c):
			if !inTok {
				if p.ntok >= len(p.toks) {
					return ink, TooLong
				}
				cur = token{start: uint16(p.nnorm)}
				inTok = true
				segLen = 0
			}
			p.norm[p.nnorm] = c
			p.nnorm++
			segLen++
			if c <= '9' {
				cur.flags |= tDigit
			} else {
				cur.flags |= tAlpha
			}
			continue
		case c == ' ':
		case c == '\'':
			p.notes |= NotePunctuationRemoved
			continue // dropped, does not split: O'BRIEN → OBRIEN
		case c == '.':
			p.notes |= NotePunctuationRemoved
			// P.O. → PO, N.W. → NW: a period after a single letter and before
			// a letter joins; any other period separates.
			if inTok && segLen == 1 && isAlpha(s[i-1]) && isAlpha(next) {
				segLen = 0
				continue
			}
		case c == '-':
			if inTok && isAlnum(next) {
				p.norm[p.nnorm] = c
				p.nnorm++
				segLen = 0
				continue
			}
			p.notes |= NotePunctuationRemoved
		case c == '/':
			if inTok && isDigit(s[i-1]) && isDigit(next) {
				p.norm[p.nnorm] = c
				p.nnorm++
				segLen = 0
				continue
			}
			p.notes |= NotePunctuationRemoved
		case c == '#':
			if inTok {
				cur.end = uint16(p.nnorm)
				p.toks[p.ntok] = cur
				p.ntok++
				inTok = false
			}
			if p.ntok >= len(p.toks) {
				return ink, TooLong
			}
			p.norm[p.nnorm] = '#'
			p.toks[p.ntok] = token{start: uint16(p.nnorm), end: uint16(p.nnorm + 1), flags: tHash}
			p.nnorm++
			p.ntok++
			continue
		default:
			p.notes |= NotePunctuationRemoved
		}
		// separator
		if inTok {
			cur.end = uint16(p.nnorm)
			p.toks[p.ntok] = cur
			p.ntok++
			inTok = false
		}
	}
	if inTok {
		cur.end = uint16(p.nnorm)
		p.toks[p.ntok] = cur
		p.ntok++
	}
	return ink, NoProblem
}

func isAlpha(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

func (p *Parser) hasAlnum(lo, hi int) bool {
	for i := lo; i < hi; i++ {
		if p.toks[i].flags&(tDigit|tAlpha) != 0 {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Token predicates.

func (p *Parser) word(i int) []byte { t := p.toks[i]; return p.norm[t.start:t.end] }

func (p *Parser) is(i int, s string) bool { return string(p.word(i)) == s }

func (p *Parser) isHash(i int) bool { return p.toks[i].flags&tHash != 0 }

// isRange reports whether token i can be a secondary range: it holds a
// digit, or is a single letter.
func (p *Parser) isRange(i int) bool {
	t := p.toks[i]
	if t.flags&tHash != 0 {
		return false
	}
	return t.flags&tDigit != 0 || t.end-t.start == 1
}

// isNumber reports whether token i can be a box or route number.
func (p *Parser) isNumber(i int) bool {
	return p.toks[i].flags&tDigit != 0
}

// isPrimary reports whether token i can be a primary number: it starts with
// a digit ("123", "123A", "12-34"), or is a letter followed by a digit
// (grid addresses such as "N6W23001").
func (p *Parser) isPrimary(i int) bool {
	t := p.toks[i]
	if t.flags&tDigit == 0 {
		return false
	}
	w := p.word(i)
	if isOrdinal(w) {
		// "1ST AVE" with no house number: the ordinal is the street name.
		return false
	}
	return isDigit(w[0]) || (len(w) > 1 && isDigit(w[1]))
}

// isOrdinal reports whether w is an English ordinal number as numbered
// streets are written: 1ST, 2ND, 3RD, 4TH, 11TH, 12TH, 13TH, 21ST, 122ND.
func isOrdinal(w []byte) bool {
	n := len(w)
	if n < 3 || !isDigit(w[n-3]) {
		return false
	}
	for _, c := range w[:n-2] {
		if !isDigit(c) {
			return false
		}
	}
	last, tens := w[n-3], byte('0')
	if n >= 4 {
		tens = w[n-4]
	}
	want := "TH"
	if tens != '1' {
		switch last {
		case '1':
			want = "ST"
		case '2':
			want = "ND"
		case '3':
			want = "RD"
		}
	}
	return string(w[n-2:]) == want
}

// isFraction reports whether token i is a fraction such as "1/2".
func (p *Parser) isFraction(i int) bool {
	w := p.word(i)
	slash := -1
	for j, c := range w {
		switch {
		case c == '/':
			if slash >= 0 {
				return false
			}
			slash = j
		case !isDigit(c):
			return false
		}
	}
	return slash > 0 && slash < len(w)-1
}

// lookup returns the wordMap entry of token i, or nil; it looks each token
// up at most once per Parse.
func (p *Parser) lookup(i int) *wordInfo {
	t := &p.toks[i]
	if t.flags&tLooked == 0 {
		t.flags |= tLooked
		if t.flags&(tDigit|tHash) == 0 && t.end-t.start <= maxWordKey {
			t.info = wordMap[string(p.norm[t.start:t.end])]
		}
	}
	return t.info
}

func (p *Parser) unitInfo(i int) (unitInfo, bool) {
	if w := p.lookup(i); w != nil && w.unit.abbr != "" {
		return w.unit, true
	}
	return unitInfo{}, false
}

func (p *Parser) suffix(i int) (string, bool) {
	if w := p.lookup(i); w != nil && w.suffix != "" {
		return w.suffix, true
	}
	return "", false
}

func (p *Parser) dir(i int) (string, bool) {
	if w := p.lookup(i); w != nil && w.dir != "" {
		return w.dir, true
	}
	return "", false
}

// compoundDir reports whether tokens i and j (the next street word) form
// one directional such as "N W" or "NORTH WEST", and returns its
// abbreviation.
func (p *Parser) compoundDir(i, j int) (string, bool) {
	a, ok := p.dir(i)
	if !ok || (a != "N" && a != "S") {
		return "", false
	}
	b, ok := p.dir(j)
	if !ok || (b != "E" && b != "W") {
		return "", false
	}
	if a == "N" {
		if b == "E" {
			return "NE", true
		}
		return "NW", true
	}
	if b == "E" {
		return "SE", true
	}
	return "SW", true
}

// ---------------------------------------------------------------------------
// Secondary units.

// matchUnit reports whether tokens [lo,hi) are exactly one secondary unit:
// "DESIG", "DESIG RANGE", "DESIG # RANGE", "# RANGE". A designator that
// requires a range must have one.
func (p *Parser) matchUnit(lo, hi int) bool {
	switch hi - lo {
	case 1:
		u, ok := p.unitInfo(lo)
		return ok && !u.rangeRequired
	case 2:
		if p.isHash(lo) {
			return p.isRange(lo + 1)
		}
		_, ok := p.unitInfo(lo)
		return ok && p.isRange(lo+1)
	case 3:
		_, ok := p.unitInfo(lo)
		return ok && p.isHash(lo+1) && p.isRange(lo+2)
	}
	return false
}

// unitOnly reports whether tokens [lo,hi) (a whole line) are one secondary
// unit, or a bare range that gets the "#" designator.
func (p *Parser) unitOnly(lo, hi int) bool {
	if p.matchUnit(lo, hi) {
		return true
	}
	return hi-lo == 1 && p.isRange(lo) && !p.isPrimaryLike(lo)
}

// isPrimaryLike is true for a lone long number, which is more likely a house
// number than a unit; bare ranges of up to 5 characters become "# N".
func (p *Parser) isPrimaryLike(i int) bool {
	t := p.toks[i]
	return t.end-t.start > 5
}

// setUnit records tokens [lo,hi), which unitOnly or matchUnit accepted, as
// the secondary unit.
func (p *Parser) setUnit(lo, hi int) {
	u := unitSpan{set: true, num: -1}
	switch {
	case hi-lo == 1 && p.isRange(lo):
		if _, ok := p.unitInfo(lo); !ok {
			u.abbr = "#"
			u.num = lo
			p.notes |= NoteUnitDesignatorAdded
			p.unit = u
			return
		}
		fallthrough
	default:
		if p.isHash(lo) {
			u.abbr = "#"
		} else {
			info, _ := p.unitInfo(lo)
			u.abbr = info.abbr
			u.changed = !p.is(lo, info.abbr)
		}
		if hi-lo > 1 {
			u.num = hi - 1
		}
	}
	p.unit = u
}

// sameUnit reports whether tokens [lo,hi), a unit, equal the recorded unit.
func (p *Parser) sameUnit(lo, hi int) bool {
	u := p.unit
	if !u.set || u.num < 0 {
		return false
	}
	abbr := "#"
	if !p.isHash(lo) {
		info, _ := p.unitInfo(lo)
		abbr = info.abbr
	}
	return abbr == u.abbr && string(p.word(hi-1)) == string(p.word(u.num))
}

// ---------------------------------------------------------------------------
// Line parsing.

// parseLine standardizes tokens [lo,hi) into p.out.
func (p *Parser) parseLine(lo, hi int) Problem {
	// A secondary unit in front: "APT 4 123 MAIN ST", "# 5 123 MAIN ST".
	for k := 3; k >= 1; k-- {
		if lo+k < hi && p.matchUnit(lo, lo+k) && p.isPrimary(lo+k) {
			if p.unit.set {
				return Unparseable
			}
			p.setUnit(lo, lo+k)
			p.notes |= NoteUnitMoved
			lo += k
			break
		}
	}
	if k := p.matchPOBox(lo, hi); k > 0 {
		return p.parseBox(lo, lo+k, hi)
	}
	if k, kind := p.matchRoute(lo, hi); k > 0 {
		return p.parseRoute(kind, lo, lo+k, hi)
	}
	return p.parseStreet(lo, hi)
}

// matchPOBox returns how many tokens at lo form a PO box designation
// ("PO BOX", "P O BOX", "POST OFFICE BOX", "POB", "PO BX", "BOX", …), or 0.
func (p *Parser) matchPOBox(lo, hi int) int {
	n := hi - lo
	if n == 0 {
		return 0
	}
	switch p.word(lo)[0] {
	case 'P', 'B', 'L':
	default:
		return 0
	}
	isBox := func(i int) bool { return p.is(i, "BOX") || p.is(i, "BX") }
	switch {
	case p.is(lo, "POBOX") || p.is(lo, "POB") || p.is(lo, "POBX") || p.is(lo, "BOX") || p.is(lo, "LOCKBOX"):
		return 1
	case p.is(lo, "PO") || p.is(lo, "POST"):
		if n >= 2 && isBox(lo+1) {
			return 2
		}
		if n >= 3 && p.is(lo, "POST") && p.is(lo+1, "OFFICE") && isBox(lo+2) {
			return 3
		}
		if n >= 2 && p.is(lo, "PO") && p.isNumber(lo+1) {
			return 1 // "PO 12"
		}
	case p.is(lo, "P") && n >= 2 && p.is(lo+1, "O"):
		if n >= 3 && isBox(lo+2) {
			return 3
		}
		if n >= 3 && p.is(lo+2, "B") {
			return 3
		}
	}
	return 0
}

// matchRoute returns how many tokens at lo form a rural route or highway
// contract designation, and which.
func (p *Parser) matchRoute(lo, hi int) (int, Kind) {
	n := hi - lo
	if n == 0 {
		return 0, Unknown
	}
	switch p.word(lo)[0] {
	case 'R', 'H', 'S':
	default:
		return 0, Unknown
	}
	// followedByBox: after k designation tokens come a number and "BOX"/"BX"/"#".
	followedByBox := func(k int) bool {
		i := lo + k
		return i+1 < hi && p.isNumber(i) && (p.is(i+1, "BOX") || p.is(i+1, "BX") || p.isHash(i+1))
	}
	switch {
	case p.is(lo, "RR") || p.is(lo, "RFD"):
		if n >= 2 && (p.is(lo+1, "ROUTE") || p.is(lo+1, "RTE") || p.is(lo+1, "RT")) {
			return 2, RuralRoute
		}
		return 1, RuralRoute
	case p.is(lo, "R") && n >= 2 && p.is(lo+1, "R"):
		return 2, RuralRoute
	case p.is(lo, "R") && n >= 3 && p.is(lo+1, "F") && p.is(lo+2, "D"):
		return 3, RuralRoute
	case p.is(lo, "RURAL"):
		if n >= 2 && (p.is(lo+1, "ROUTE") || p.is(lo+1, "RTE") || p.is(lo+1, "RT")) {
			return 2, RuralRoute
		}
		if n >= 3 && p.is(lo+1, "FREE") && p.is(lo+2, "DELIVERY") {
			return 3, RuralRoute
		}
		if n >= 2 && p.is(lo+1, "DELIVERY") {
			return 2, RuralRoute
		}
		return 1, RuralRoute
	case p.is(lo, "RD") || p.is(lo, "ROUTE") || p.is(lo, "RTE") || p.is(lo, "RT"):
		if followedByBox(1) {
			return 1, RuralRoute
		}
	case p.is(lo, "HC") || p.is(lo, "HCR"):
		return 1, HighwayContract
	case p.is(lo, "H") && n >= 2 && p.is(lo+1, "C"):
		return 2, HighwayContract
	case p.is(lo, "HIGHWAY") || p.is(lo, "HWY"):
		if n >= 2 && p.is(lo+1, "CONTRACT") {
			if n >= 3 && (p.is(lo+2, "ROUTE") || p.is(lo+2, "RTE")) {
				return 3, HighwayContract
			}
			return 2, HighwayContract
		}
	case p.is(lo, "STAR"):
		if n >= 2 && (p.is(lo+1, "ROUTE") || p.is(lo+1, "RTE") || p.is(lo+1, "RT")) {
			return 2, HighwayContract
		}
	}
	return 0, Unknown
}

// parseBox standardizes "PO BOX n": designation tokens [lo,num), rest [num,hi).
func (p *Parser) parseBox(lo, num, hi int) Problem {
	if num >= hi || !p.isRange(num) {
		return MissingBox
	}
	if !(num-lo == 2 && p.is(lo, "PO") && p.is(lo+1, "BOX")) {
		p.notes |= NoteBoxDesignatorStandardized
	}
	if pr := p.trailingUnit(num+1, hi); pr != NoProblem {
		return pr
	}
	p.addr.Kind = POBox
	p.putString("PO BOX")
	s, e := p.putNumber(num)
	p.addr.Box = p.view(s, e)
	return p.putUnit()
}

// parseRoute standardizes "RR n BOX m" and "HC n BOX m".
func (p *Parser) parseRoute(kind Kind, lo, num, hi int) Problem {
	if num >= hi || !p.isNumber(num) {
		return MissingPrimary
	}
	box := num + 1
	switch {
	case box >= hi:
		return MissingBox
	case p.is(box, "BOX") || p.is(box, "BX") || p.isHash(box):
		box++
	case box+1 < hi && (p.is(box, "PO") || p.is(box, "P")) && p.is(box+1, "BOX"):
		box += 2
	default:
		return Unparseable
	}
	if box >= hi || !p.isRange(box) {
		return MissingBox
	}
	want := "RR"
	if kind == HighwayContract {
		want = "HC"
	}
	if !(num-lo == 1 && p.is(lo, want)) || !p.is(num+1, "BOX") {
		p.notes |= NoteBoxDesignatorStandardized
	}
	if pr := p.trailingUnit(box+1, hi); pr != NoProblem {
		return pr
	}
	p.addr.Kind = kind
	p.putString(want)
	s, e := p.putNumber(num)
	p.addr.Route = p.view(s, e)
	p.putString(" BOX")
	s, e = p.putNumber(box)
	p.addr.Box = p.view(s, e)
	return p.putUnit()
}

// trailingUnit checks that tokens [lo,hi) after a box number are empty or
// one secondary unit, and records it.
func (p *Parser) trailingUnit(lo, hi int) Problem {
	if lo >= hi {
		return NoProblem
	}
	if !p.matchUnit(lo, hi) || p.unit.set {
		return Unparseable
	}
	p.setUnit(lo, hi)
	return NoProblem
}

// parseStreet standardizes a street address in tokens [lo,hi).
func (p *Parser) parseStreet(lo, hi int) Problem {
	hi = p.dropStrayHash(lo, hi)
	if lo >= hi || !p.isPrimary(lo) {
		return MissingPrimary
	}
	prim := lo
	primEnd := lo + 1
	if primEnd < hi && p.isFraction(primEnd) {
		primEnd++
	}
	s, e := primEnd, hi
	for e > s && p.isHash(e-1) {
		e--
		p.notes |= NotePunctuationRemoved
	}

	// A "#" unit from line 2 or the front after a designator: "123 MAIN ST
	// APT" + "#5" is "APT 5", as the joined line would read.
	if p.unit.set && p.unit.abbr == "#" && p.unit.num >= 0 && e-1 > s {
		if u, ok := p.unitInfo(e - 1); ok {
			p.unit.abbr = u.abbr
			p.unit.changed = !p.is(e-1, u.abbr)
			p.notes &^= NoteUnitDesignatorAdded
			e--
		}
	}
	// A dangling designator that needs a range: "123 MAIN ST APT".
	for e-s >= 2 {
		if p.isHash(e - 1) {
			e--
			p.notes |= NotePunctuationRemoved
			continue
		}
		if u, ok := p.unitInfo(e - 1); ok && u.rangeRequired {
			if _, suf := p.suffix(e - 1); !suf {
				e--
				p.notes |= NoteUnitDropped
				continue
			}
		}
		break
	}
	// Trailing secondary unit.
	if !p.unit.set {
		for k := 3; k >= 1; k-- {
			i := e - k
			if i <= s || !p.matchUnit(i, e) {
				continue
			}
			if k == 1 {
				// A designator without range at the end ("... ST REAR")
				// only after a suffix or directional, so "100 W SIDE" stays.
				if i-s < 2 {
					continue
				}
				_, suf := p.suffix(i - 1)
				_, dir := p.dir(i - 1)
				if !suf && !dir {
					continue
				}
			}
			p.setUnit(i, e)
			e = i
			break
		}
	}
	// A bare range after a suffix: "123 MAIN ST 4B" → "# 4B", but not
	// "123 COUNTY ROAD 5" or "100 HIGHWAY 50".
	if !p.unit.set && e-s >= 3 && p.isRange(e-1) && !p.isHash(e-2) {
		sw, qw := p.lookup(e-2), p.lookup(e-3)
		if sw != nil && sw.suffix != "" && !sw.highwaySuffix && (qw == nil || !qw.highwayQualifier) {
			_, isUnit := p.unitInfo(e - 1)
			_, isDir := p.dir(e - 1)
			if !isUnit && !isDir {
				p.setUnit(e-1, e)
				e--
			}
		}
	}
	// A second unit left at the end: the same unit repeated (line 1 and
	// line 2 both carry "APT 4") is dropped, a different one is Unparseable.
	for dup := true; dup; {
		dup = false
		for k := 3; k >= 2; k-- {
			if e-k > s && p.matchUnit(e-k, e) {
				if !p.sameUnit(e-k, e) {
					return Unparseable
				}
				e -= k
				dup = true
				break
			}
		}
	}
	// Dual address: a PO box in the street part.
	for i := s; i < e; i++ {
		if k := p.matchPOBox(i, e); k > 0 && !p.is(i, "BOX") && i+k < e && p.isRange(i+k) {
			return DualAddress
		}
	}

	// Street words, without stray "#".
	var w [MaxTokens]uint8
	m := 0
	for i := s; i < e; i++ {
		if p.isHash(i) {
			p.notes |= NotePunctuationRemoved
			continue
		}
		w[m] = uint8(i)
		m++
	}
	if m == 0 {
		return MissingStreet
	}
	// Post-directional, then suffix, then pre-directional; each only when
	// a street name is left.
	post, postAbbr := 0, ""
	if m >= 3 {
		if d, ok := p.compoundDir(int(w[m-2]), int(w[m-1])); ok {
			post, postAbbr = 2, d
		}
	}
	if post == 0 && m >= 2 {
		if d, ok := p.dir(int(w[m-1])); ok {
			post, postAbbr = 1, d
		}
	}
	rest := m - post
	suf, sufAbbr := 0, ""
	if rest >= 2 {
		if a, ok := p.suffix(int(w[rest-1])); ok {
			suf, sufAbbr = 1, a
		}
	}
	name := rest - suf
	pre, preAbbr := 0, ""
	if name >= 3 {
		if d, ok := p.compoundDir(int(w[0]), int(w[1])); ok {
			pre, preAbbr = 2, d
		}
	}
	if pre == 0 && name >= 2 {
		if d, ok := p.dir(int(w[0])); ok {
			pre, preAbbr = 1, d
		}
	}

	// Write the line.
	p.addr.Kind = Street
	st := p.nout
	p.putToken(prim)
	if primEnd > prim+1 {
		p.putByte(' ')
		p.putToken(prim + 1)
	}
	p.addr.Primary = p.view(st, p.nout)
	if pre > 0 {
		p.putByte(' ')
		st = p.nout
		p.putString(preAbbr)
		p.addr.PreDir = p.view(st, p.nout)
		if pre == 2 || !p.is(int(w[0]), preAbbr) {
			p.notes |= NoteDirectionalAbbreviated
		}
	}
	p.putByte(' ')
	st = p.nout
	for j := pre; j < rest-suf; j++ {
		if j > pre {
			p.putByte(' ')
		}
		p.putToken(int(w[j]))
	}
	p.addr.Name = p.view(st, p.nout)
	if suf > 0 {
		p.putByte(' ')
		st = p.nout
		p.putString(sufAbbr)
		p.addr.Suffix = p.view(st, p.nout)
		if !p.is(int(w[rest-1]), sufAbbr) {
			p.notes |= NoteSuffixAbbreviated
		}
	}
	if post > 0 {
		p.putByte(' ')
		st = p.nout
		p.putString(postAbbr)
		p.addr.PostDir = p.view(st, p.nout)
		if post == 2 || !p.is(int(w[m-1]), postAbbr) {
			p.notes |= NoteDirectionalAbbreviated
		}
	}
	return p.putUnit()
}

// dropStrayHash removes from tokens [lo,hi) every "#" except one that
// introduces the final secondary range ("... # 5", "... APT # 5"), so "#12
// MAIN ST" and "1 N#W MAIN" read as the line without it. It returns the new
// end; tokens past it are stale.
func (p *Parser) dropStrayHash(lo, hi int) int {
	j := lo
	for i := lo; i < hi; i++ {
		if p.isHash(i) && !(i == hi-2 && j > lo+1 && p.isRange(hi-1)) {
			p.notes |= NotePunctuationRemoved
			continue
		}
		p.toks[j] = p.toks[i]
		j++
	}
	return j
}

// ---------------------------------------------------------------------------
// Output.

func (p *Parser) view(s, e int) []byte { return p.out[s:e:e] }

func (p *Parser) putByte(c byte) {
	if p.nout < len(p.out) {
		p.out[p.nout] = c
		p.nout++
	}
}

func (p *Parser) putString(s string) {
	p.nout += copy(p.out[p.nout:], s)
}

func (p *Parser) putToken(i int) {
	p.nout += copy(p.out[p.nout:], p.word(i))
}

// putNumber writes " " and token i with leading zeros removed from a
// numeric token, returning the number's range in out.
func (p *Parser) putNumber(i int) (int, int) {
	w := p.word(i)
	j := 0
	for j < len(w)-1 && w[j] == '0' && isDigit(w[j+1]) {
		j++
	}
	if j > 0 {
		p.notes |= NoteLeadingZerosRemoved
	}
	p.putByte(' ')
	s := p.nout
	p.nout += copy(p.out[p.nout:], w[j:])
	return s, p.nout
}

// putUnit writes the recorded secondary unit, if any, and reports whether
// the line fit in the output buffer.
func (p *Parser) putUnit() Problem {
	u := p.unit
	if u.set {
		p.putByte(' ')
		s := p.nout
		p.putString(u.abbr)
		p.addr.Unit = p.view(s, p.nout)
		if u.changed {
			p.notes |= NoteUnitAbbreviated
		}
		if u.num >= 0 {
			p.putByte(' ')
			s = p.nout
			p.putToken(u.num)
			p.addr.UnitNum = p.view(s, p.nout)
		}
	}
	if p.nout >= len(p.out) {
		return TooLong
	}
	return NoProblem
}
