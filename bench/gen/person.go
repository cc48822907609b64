package gen

// Address kinds.
const (
	addrStreet  uint8 = iota // house number and street
	addrPOBox                // PO BOX 123
	addrRural                // RR 2 BOX 45
	addrNone                 // no delivery line (invalid)
	addrGarbage              // punctuation only (invalid)
	addrForeign              // a foreign address
)

// garbageLines are delivery lines that are not addresses.
var garbageLines = []string{"...", "???", "---", "***", "//", "?", "-", "..", "--", "*"}

// address is an address as data; render writes it in a style.
type address struct {
	kind     uint8
	noNumber bool   // street without a house number (invalid)
	noise    bool   // street is an index into noiseStreetNames
	numbered uint8  // numbered street (1 … 99) instead of a named one
	predir   uint8  // directional index + 1; 0 none
	postdir  uint8  // directional index + 1; 0 none
	unitType uint8  // unit designator index + 1; 0 none
	unitChar byte   // letter of the unit ("4B", or "B" alone when unit is 0)
	suffix   uint8  // street suffix index
	garbage  uint8  // index into garbageLines
	street   uint16 // street name index
	unit     uint16 // unit number; 0 with unitChar for a letter-only unit
	route    uint16 // rural route number; foreign: second number of a JP address
	number   uint32 // house number; foreign: the number
	box      uint32 // PO box or rural route box number; foreign: third number of a JP address
	zip      uint32 // index into tables.zips; foreign: country << 8 | place
	badZIP   uint32 // an unknown ZIP (10000 … 99999) to write instead; 0 none
}

// person is a contact as data.
type person struct {
	addr    address
	id      uint64 // external_id number
	emailID uint64 // number in the email; 0: no email
	first   uint16
	last    uint16
	org     uint16 // orgWords index << 8 | orgKinds index; noOrg: none
	orgForm uint8
	mailPat uint8 // email local-part pattern
	domain  uint8
	offer   uint8 // offers index; noOffer: empty var_field_1
	date    uint16
	country uint8 // domestic: 0 empty, 1 "US", 2 "USA", 3 "United States"; foreign: 0 the code, n: names[n-1]
}

const (
	noOrg   = 0xffff
	noOffer = 0xff
)

var usCountryNames = [...]string{"", "US", "USA", "United States"}

// newPerson draws a new contact with a fresh external id.
func (g *Generator) newPerson(p *person) {
	r, t := &g.r, g.t
	p.first = uint16(t.firstPick.pick(r))
	p.last = uint16(t.lastPick.pick(r))
	p.org = noOrg
	if r.chance(orgRate) {
		p.org = uint16(r.intn(len(orgWords)))<<8 | uint16(r.intn(len(orgKinds)))
		p.orgForm = uint8(t.orgFormPick.pick(r))
	}
	g.newAddress(&p.addr)
	p.id = g.nextID()
	if r.chance(emailRate) {
		p.emailID = p.id
		p.mailPat = uint8(r.intn(numMailPatterns))
		p.domain = uint8(t.domainPick.pick(r))
	}
	p.offer = uint8(r.intn(len(offers)))
	p.date = uint16(r.intn(len(t.dates)))
	if r.chance(usCountryRate) {
		p.country = uint8(1 + r.intn(3))
	}
}

// houseDigits weights house numbers by their number of digits.
var houseDigits = [...]float64{0.04, 0.14, 0.36, 0.38, 0.08}

// newAddress draws a US address; every field is filled so that the kind
// can be changed afterwards.
func (g *Generator) newAddress(a *address) {
	r, t := &g.r, g.t
	*a = address{}
	a.zip = uint32(t.zipPick.pick(r))
	switch u := float64(r.u64()>>11) / (1 << 53); {
	case u < poBoxRate:
		a.kind = addrPOBox
	case u < poBoxRate+t.ruralRate && !t.zips[a.zip].metro: // rural routes are outside the metros
		a.kind = addrRural
	}
	a.number = g.houseNumber()
	if r.chance(numberedRate) {
		a.numbered = uint8(t.ordinalPick.pick(r) + 1)
	} else {
		a.street = uint16(t.streetPick.pick(r))
	}
	a.suffix = uint8(t.suffixPick.pick(r))
	if r.chance(preDirRate) {
		a.predir = uint8(t.dirPick.pick(r) + 1)
	} else if r.chance(postDirRate) {
		a.postdir = uint8(t.dirPick.pick(r) + 1)
	}
	if r.chance(unitRate) {
		a.unitType = uint8(t.unitPick.pick(r) + 1)
		switch v := r.intn(10); {
		case v < 4:
			a.unit = uint16(r.between(1, 40))
		case v < 6:
			a.unit = uint16(r.between(1, 12)*100 + r.between(1, 30))
		case v < 8:
			a.unit, a.unitChar = uint16(r.between(1, 30)), byte('A'+r.intn(6))
		case v < 9:
			a.unitChar = byte('A' + r.intn(8))
		default:
			a.unit = uint16(r.between(100, 2400))
		}
		if unitTypes[a.unitType-1].abbr == "FL" {
			a.unit, a.unitChar = uint16(r.between(1, 30)), 0
		}
	}
	a.route = uint16(r.between(1, 12))
	a.box = uint32(r.between(1, 9999))
	if a.kind == addrRural {
		a.box = uint32(r.between(1, 400))
	}
}

// houseNumber draws a house number: mostly three or four digits.
func (g *Generator) houseNumber() uint32 {
	u := float64(g.r.u64()>>11) / (1 << 53)
	d := 0
	for ; d < len(houseDigits)-1; d++ {
		if u < houseDigits[d] {
			break
		}
		u -= houseDigits[d]
	}
	lo := 1
	for range d {
		lo *= 10
	}
	if d == 0 {
		return uint32(g.r.between(1, 9))
	}
	return uint32(g.r.between(lo, lo*10-1))
}

// foreignAddress replaces p's address with a foreign one.
func (g *Generator) foreignAddress(p *person) {
	r := &g.r
	c := g.t.countryPick.pick(r)
	fc := &foreignCountries[c]
	a := &p.addr
	*a = address{kind: addrForeign, zip: uint32(c)<<8 | uint32(r.intn(len(fc.places)))}
	a.street = uint16(r.intn(len(fc.streets)))
	a.number = uint32(r.between(1, 240))
	a.route = uint16(r.between(1, 9))
	a.box = uint32(r.between(1, 30))
	if r.chance(0.1) {
		a.unitType = 1 // "Flat 3", "Apt 3"
		a.unit = uint16(r.between(1, 40))
	}
	p.country = 0
	if r.chance(0.2) {
		p.country = uint8(1 + r.intn(len(fc.names)))
	}
}

// noiseEmail makes a suppression entry that matches no contact: its local
// part ends in "_" and digits, which no contact's does.
func (g *Generator) noiseEmail() person {
	var p person
	r, t := &g.r, g.t
	g.noise++
	p.first, p.last = uint16(t.firstPick.pick(r)), uint16(t.lastPick.pick(r))
	p.emailID = g.noise
	p.mailPat = noiseMailPattern
	p.domain = uint8(t.domainPick.pick(r))
	return p
}

// noiseAddress makes a suppression address that matches no contact: it
// lies on a street no contact lives on.
func (g *Generator) noiseAddress() supAddr {
	var s supAddr
	g.newAddress(&s.a)
	s.a.kind, s.a.noise, s.a.numbered = addrStreet, true, 0
	s.a.street = uint16(g.r.intn(len(noiseStreetNames)))
	s.st = style{caseMode: uint8(g.r.intn(2))}
	return s
}

// noiseMove makes a change-of-address entry for someone not in the contacts.
func (g *Generator) noiseMove() coaEntry {
	var e coaEntry
	r, t := &g.r, g.t
	e.p.first, e.p.last, e.p.org = uint16(t.firstPick.pick(r)), uint16(t.lastPick.pick(r)), noOrg
	g.newAddress(&e.p.addr)
	e.p.addr.noise, e.p.addr.numbered = true, 0
	e.p.addr.street = uint16(r.intn(len(noiseStreetNames)))
	e.month = uint8(r.intn(len(t.months)))
	switch u := r.intn(20); {
	case u < 16:
		e.status = moveNewAddress
		g.newAddress(&e.to)
		e.to.kind = addrStreet
	case u < 19:
		e.status = moveNoForwarding
	default:
		e.status = moveBoxClosed
		e.p.addr.kind = addrPOBox
	}
	switch e.p.addr.kind {
	case addrRural:
		e.p.addr.kind = addrStreet
	case addrPOBox:
		e.p.addr.box = uint32(r.between(10000, 99999)) // contacts' boxes are below 10000
	}
	e.typ = g.moveType(&e.p)
	return e
}
