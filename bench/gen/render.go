package gen

import "strconv"

// Letter cases a style writes in.
const (
	caseUpper uint8 = iota
	caseTitle       // names as stored ("McDonald"); addresses "Harbor Rd", "1st St"
	caseLower
)

// style is how a row is written: the same person and address can be
// written in many styles. Rendering is a pure function of person and style,
// so an exact duplicate is the same person rendered in the same style.
type style struct {
	caseMode   uint8 // addresses and cities
	nameCase   uint8 // names and organization
	spelled    bool  // suffixes, directionals, unit and box words spelled out
	periods    bool  // "Rd.", "N.", "Apt.", "P.O. BOX"
	spaces     bool  // doubled spaces, a leading or trailing blank
	unitInline bool  // the unit on the street line instead of address_street2
	comma      bool  // ", " before an inline unit
	emailCaps  bool  // "Mary.Smith12@Gmail.com"
	dropZero   bool  // ZIP written without its leading zeros
	plus4      bool  // ZIP+4 written
	plus4v     uint16
	seed       uint32 // where extra spaces go
}

// messy reports whether the style is untidy.
func (s *style) messy() bool {
	return s.spelled || s.periods || s.spaces || s.comma || s.emailCaps || s.caseMode == caseLower || s.nameCase == caseLower
}

// newStyle draws how a new row is written.
func (g *Generator) newStyle(p *person) style {
	r := &g.r
	var st style
	st.caseMode = uint8(r.intn(2)) // upper or title
	if r.chance(0.15) {
		st.nameCase = caseUpper
	} else {
		st.nameCase = caseTitle
	}
	a := &p.addr
	hasUnit := a.kind == addrStreet && a.unitType != 0
	st.unitInline = hasUnit && r.chance(0.3)
	st.seed = uint32(r.u64())
	if a.kind != addrForeign && r.chance(g.cfg.Messy) {
		for !st.messy() {
			hasLine := a.kind == addrStreet || a.kind == addrPOBox || a.kind == addrRural
			st.spelled = st.spelled || hasLine && r.chance(0.5)
			st.periods = st.periods || hasLine && r.chance(0.25)
			st.spaces = st.spaces || r.chance(0.3)
			if r.chance(0.2) {
				st.caseMode = caseLower
				if r.chance(0.5) {
					st.nameCase = caseLower
				}
			}
			if hasUnit && r.chance(0.2) {
				st.unitInline, st.comma = true, true
			}
			st.emailCaps = st.emailCaps || p.emailID != 0 && r.chance(0.1)
		}
	}
	g.zipStyle(p, &st)
	return st
}

// zipStyle draws whether the ZIP loses its leading zeros or gets a +4.
func (g *Generator) zipStyle(p *person, st *style) {
	st.dropZero, st.plus4, st.plus4v = false, false, 0
	a := &p.addr
	if a.kind == addrForeign || a.badZIP != 0 {
		return
	}
	if g.t.zips[a.zip].zip[0] == '0' && g.r.chance(g.cfg.DroppedZero) {
		st.dropZero = true
		return
	}
	if g.r.chance(plus4Rate) {
		st.plus4, st.plus4v = true, uint16(g.r.between(1, 9999))
	}
}

// variantStyle writes src's person differently: suffix words spelled out
// or abbreviated the other way, the other letter case, the unit moved.
func (g *Generator) variantStyle(p *person, src style) style {
	st := style{nameCase: src.nameCase, spelled: !src.spelled, unitInline: src.unitInline}
	if src.caseMode == caseUpper {
		st.caseMode = caseTitle
	}
	if p.addr.kind == addrStreet && p.addr.unitType != 0 {
		st.unitInline = !src.unitInline
	}
	st.seed = uint32(g.r.u64())
	g.zipStyle(p, &st)
	return st
}

// listStyle is how the suppression list writes a row's address: spelled
// out or abbreviated the other way, in the other letter case, so that only
// standardization makes the two match.
func listStyle(row *style) style {
	st := style{spelled: !row.spelled}
	if row.caseMode == caseUpper {
		st.caseMode = caseTitle
	}
	return st
}

// spacer places separators: one space, or two when the style has extra
// spaces and the seed's next bit says so.
type spacer struct {
	on   bool
	seed uint32
	i    uint
}

func (s *spacer) sep(b []byte) []byte {
	b = append(b, ' ')
	if s.on {
		s.i++
		if s.seed>>(s.i%24)&3 == 0 {
			b = append(b, ' ')
		}
	}
	return b
}

// render writes p in style st into g's buffer and points rec's fields at it.
func (g *Generator) render(rec *Record, p *person, st *style) {
	t := g.t
	b := g.buf[:0]
	var ends [NumColumns]int
	sp := spacer{on: st.spaces, seed: st.seed}
	a := &p.addr

	if st.spaces && st.seed>>30&1 == 1 {
		b = append(b, ' ')
	}
	b = appendCased(b, t.first[p.first], st.nameCase)
	ends[ColFirstName] = len(b)
	b = appendCased(b, t.last[p.last], st.nameCase)
	if st.spaces && st.seed>>29&1 == 1 {
		b = append(b, ' ')
	}
	ends[ColLastName] = len(b)
	if p.org != noOrg {
		s := len(b)
		b = append(b, orgWords[p.org>>8]...)
		b = append(b, ' ')
		b = append(b, orgKinds[p.org&0xff]...)
		b = append(b, orgForms[p.orgForm].s...)
		setCase(b[s:], st.nameCase)
	}
	ends[ColOrganization] = len(b)
	b = t.appendStreet(b, a, st, &sp)
	ends[ColStreet] = len(b)
	if !st.unitInline {
		b = t.appendUnit(b, a, st, &sp)
	}
	ends[ColStreet2] = len(b)
	b = t.appendCity(b, a, st)
	if st.spaces && st.seed>>28&1 == 1 {
		b = append(b, ' ')
	}
	ends[ColCity] = len(b)
	b = t.appendState(b, a, st)
	ends[ColState] = len(b)
	b = t.appendZIP(b, a, st)
	ends[ColZIP] = len(b)
	if a.kind == addrForeign {
		fc := &foreignCountries[a.zip>>8]
		if p.country == 0 {
			b = append(b, fc.code...)
		} else {
			b = append(b, fc.names[p.country-1]...)
		}
	} else {
		b = append(b, usCountryNames[p.country]...)
	}
	ends[ColCountry] = len(b)
	b = t.appendEmail(b, p, st.emailCaps)
	ends[ColEmail] = len(b)
	b = append(b, 'C')
	b = appendPadded(b, p.id, 9)
	ends[ColExternalID] = len(b)
	if p.offer != noOffer {
		b = append(b, offers[p.offer]...)
	}
	ends[ColVarField1] = len(b)
	b = append(b, t.dates[p.date]...)
	ends[ColVarField2] = len(b)

	g.buf = b
	start := 0
	for i, e := range ends {
		rec.Fields[i] = b[start:e:e]
		start = e
	}
}

// appendStreet writes the delivery line.
func (t *tables) appendStreet(b []byte, a *address, st *style, sp *spacer) []byte {
	start := len(b)
	switch a.kind {
	case addrNone:
		return b
	case addrGarbage:
		return append(b, garbageLines[a.garbage]...)
	case addrForeign:
		return t.appendForeignStreet(b, a)
	case addrPOBox:
		switch {
		case st.spelled:
			b = append(b, "POST OFFICE BOX"...)
		case st.periods:
			b = append(b, "P.O. BOX"...)
		default:
			b = append(b, "PO BOX"...)
		}
		b = sp.sep(b)
		b = strconv.AppendUint(b, uint64(a.box), 10)
	case addrRural:
		switch {
		case st.spelled:
			b = append(b, "RURAL ROUTE"...)
		case st.periods:
			b = append(b, "R.R."...)
		default:
			b = append(b, "RR"...)
		}
		b = sp.sep(b)
		b = strconv.AppendUint(b, uint64(a.route), 10)
		b = sp.sep(b)
		b = append(b, "BOX"...)
		b = sp.sep(b)
		b = strconv.AppendUint(b, uint64(a.box), 10)
	case addrStreet:
		if !a.noNumber {
			b = strconv.AppendUint(b, uint64(a.number), 10)
			b = sp.sep(b)
		}
		if a.predir != 0 {
			b = appendWord(b, directionals[a.predir-1].suffix, st)
			b = sp.sep(b)
		}
		switch {
		case a.noise:
			b = append(b, noiseStreetNames[a.street]...)
		case a.numbered != 0:
			b = append(b, t.ordinals[a.numbered]...)
		default:
			b = append(b, t.streets[a.street]...)
		}
		b = sp.sep(b)
		b = appendWord(b, suffixes[a.suffix].suffix, st)
		if a.postdir != 0 {
			b = sp.sep(b)
			b = appendWord(b, directionals[a.postdir-1].suffix, st)
		}
		if st.unitInline && a.unitType != 0 {
			if st.comma {
				b = append(b, ',')
			}
			b = sp.sep(b)
			b = t.appendUnit(b, a, st, sp)
		}
	}
	if st.spaces && st.seed>>31 == 1 {
		b = append(b, ' ')
	}
	if st.caseMode != caseUpper { // address data is stored in upper case
		setCase(b[start:], st.caseMode)
	}
	return b
}

// appendUnit writes the secondary unit ("APT 4B", "#12", "FL 3"), if any.
func (t *tables) appendUnit(b []byte, a *address, st *style, sp *spacer) []byte {
	if a.unitType == 0 {
		return b
	}
	start := len(b)
	if a.kind == addrForeign {
		if foreignCountries[a.zip>>8].code == "GB" {
			b = append(b, "Flat "...)
		} else {
			b = append(b, "Apt "...)
		}
		return strconv.AppendUint(b, uint64(a.unit), 10)
	}
	if a.kind != addrStreet {
		return b
	}
	u := unitTypes[a.unitType-1].suffix
	if u.abbr == "#" {
		b = append(b, '#')
	} else {
		b = appendWord(b, u, st)
		b = sp.sep(b)
	}
	if a.unit != 0 {
		b = strconv.AppendUint(b, uint64(a.unit), 10)
	}
	if a.unitChar != 0 {
		b = append(b, a.unitChar)
	}
	if st.caseMode != caseUpper { // address data is stored in upper case
		setCase(b[start:], st.caseMode)
	}
	return b
}

// appendWord writes a suffix, directional or unit word as the style says.
func appendWord(b []byte, w suffix, st *style) []byte {
	if st.spelled {
		return append(b, w.word...)
	}
	b = append(b, w.abbr...)
	if st.periods && w.abbr != w.word {
		b = append(b, '.')
	}
	return b
}

func (t *tables) appendForeignStreet(b []byte, a *address) []byte {
	fc := &foreignCountries[a.zip>>8]
	name := fc.streets[a.street]
	switch {
	case fc.code == "JP": // chome-block-house district: "1-9-1 Marunouchi"
		b = strconv.AppendUint(b, uint64(a.route), 10)
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(a.box), 10)
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(a.number%40+1), 10)
		b = append(b, ' ')
		b = append(b, name...)
	case fc.numLast:
		b = append(b, name...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(a.number), 10)
	default:
		b = strconv.AppendUint(b, uint64(a.number), 10)
		b = append(b, ' ')
		b = append(b, name...)
	}
	return b
}

func (t *tables) appendCity(b []byte, a *address, st *style) []byte {
	if a.kind == addrForeign {
		fc := &foreignCountries[a.zip>>8]
		return append(b, fc.places[a.zip&0xff].city...)
	}
	start := len(b)
	b = append(b, t.zips[a.zip].city...)
	if st.caseMode != caseUpper { // address data is stored in upper case
		setCase(b[start:], st.caseMode)
	}
	return b
}

func (t *tables) appendState(b []byte, a *address, st *style) []byte {
	if a.kind == addrForeign {
		fc := &foreignCountries[a.zip>>8]
		return append(b, fc.places[a.zip&0xff].region...)
	}
	s := t.zips[a.zip].state
	if st.caseMode == caseLower {
		return append(b, s[0]|0x20, s[1]|0x20)
	}
	return append(b, s[0], s[1])
}

func (t *tables) appendZIP(b []byte, a *address, st *style) []byte {
	switch {
	case a.kind == addrForeign:
		fc := &foreignCountries[a.zip>>8]
		return append(b, fc.places[a.zip&0xff].code...)
	case a.badZIP != 0:
		return appendPadded(b, uint64(a.badZIP), 5)
	}
	z := t.zips[a.zip].zip
	digits := z[:]
	if st.dropZero {
		for len(digits) > 1 && digits[0] == '0' {
			digits = digits[1:]
		}
	}
	b = append(b, digits...)
	if st.plus4 {
		b = append(b, '-')
		b = appendPadded(b, uint64(st.plus4v), 4)
	}
	return b
}

// Email local-part patterns; each ends in the person's email number, so
// contacts' emails are unique.
const (
	numMailPatterns  = 6
	noiseMailPattern = 0xff // "first.last_123": the "_" before the digits marks it as matching no contact
)

func (t *tables) appendEmail(b []byte, p *person, caps bool) []byte {
	if p.emailID == 0 {
		return b
	}
	start := len(b)
	f, l := t.firstMail[p.first], t.lastMail[p.last]
	switch p.mailPat {
	case 0:
		b = append(append(append(b, f...), '.'), l...)
	case 1:
		b = append(append(b, f...), l...)
	case 2:
		b = append(append(b, f[0]), l...)
	case 3:
		b = append(append(append(b, f...), '_'), l...)
	case 4:
		b = append(append(b, f...), l[0])
	case 5:
		b = append(append(append(b, l...), '.'), f...)
	case noiseMailPattern:
		b = append(append(append(append(b, f...), '.'), l...), '_')
	}
	b = strconv.AppendUint(b, p.emailID, 10)
	b = append(b, '@')
	at := len(b)
	b = append(b, emailDomains[p.domain].s...)
	if caps {
		b[start] &^= 0x20
		b[at] &^= 0x20
	}
	return b
}

// appendPadded writes n in decimal with at least width digits.
func appendPadded(b []byte, n uint64, width int) []byte {
	var d [20]byte
	i := len(d)
	for n > 0 || i > len(d)-width {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[i:]...)
}

// appendCased writes a stored name ("McDonald") in the given case.
func appendCased(b []byte, s string, c uint8) []byte {
	start := len(b)
	b = append(b, s...)
	setCase(b[start:], c)
	return b
}

// setCase changes the ASCII letters of b in place. caseTitle leaves mixed
// case text alone and turns upper case words into title case: a letter is
// upper case after a non-alphanumeric byte, and after a digit unless another
// letter follows ("1st", "4B").
func setCase(b []byte, c uint8) {
	switch c {
	case caseUpper:
		for i, x := range b {
			if x >= 'a' && x <= 'z' {
				b[i] = x - 32
			}
		}
	case caseLower:
		for i, x := range b {
			if x >= 'A' && x <= 'Z' {
				b[i] = x + 32
			}
		}
	case caseTitle:
		for _, x := range b {
			if x >= 'a' && x <= 'z' {
				return // already mixed case (names as stored)
			}
		}
		var prev byte = ' '
		for i, x := range b {
			if isLetter(x) {
				up := !isAlnum(prev) || isDigit(prev) && (i+1 >= len(b) || !isLetter(b[i+1]))
				if up {
					b[i] = x &^ 0x20
				} else {
					b[i] = x | 0x20
				}
			}
			prev = x
		}
	}
}

func isLetter(c byte) bool { return (c|0x20)-'a' <= 'z'-'a' }
func isDigit(c byte) bool  { return c-'0' <= 9 }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }
