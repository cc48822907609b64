package gen

// Column indexes of Record.Fields, in the order of the contact file's header.
const (
	ColFirstName    = iota // first_name
	ColLastName            // last_name
	ColOrganization        // organization
	ColStreet              // address_street
	ColStreet2             // address_street2
	ColCity                // address_city
	ColState               // address_state
	ColZIP                 // address_zip
	ColCountry             // address_country
	ColEmail               // email
	ColExternalID          // external_id
	ColVarField1           // var_field_1: an offer name
	ColVarField2           // var_field_2: an ISO date
	NumColumns             // the number of columns
)

var columns = [NumColumns]string{"first_name", "last_name", "organization", "address_street", "address_street2",
	"address_city", "address_state", "address_zip", "address_country", "email", "external_id", "var_field_1",
	"var_field_2"}

// Columns returns the contact file's header: the standard AFC columns.
func Columns() []string { return append([]string(nil), columns[:]...) }

// Record is one generated contact row. Its fields are views into a buffer
// the Generator reuses: they are valid until the next call to Next.
type Record struct {
	// Fields holds the row's cells in Columns order; an absent value is empty.
	Fields [NumColumns][]byte
	// Row is the 1-based row number.
	Row int64
	// Kind is what the row is, the ground truth for a benchmark.
	Kind Kind
	// Messy reports that the row is written untidily.
	Messy bool
	// DroppedZero reports that the ZIP lost its leading zeros.
	DroppedZero bool
}

// Generator makes contact rows and remembers what the side files need. It
// is not safe for concurrent use.
type Generator struct {
	cfg   Config
	t     *tables
	r     rng
	row   int64
	id    uint64 // last external id handed out
	noise uint64 // last noise email number
	cut   [numKinds - 1]uint64
	pool  pool
	buf   []byte
	stats Stats

	supEmails []person   // suppress-email.csv entries, hits and noise
	supAddrs  []supAddr  // suppress-address.csv entries
	coa       []coaEntry // coa.csv entries
}

// supAddr is a suppression-list address and the style the list writes it in.
type supAddr struct {
	a  address
	st style
}

// Move statuses of coa.csv.
const (
	moveNewAddress uint8 = iota
	moveNoForwarding
	moveBoxClosed
)

var moveStatuses = [...]string{"new_address", "no_forwarding", "box_closed"}

// coaEntry is one change-of-address record.
type coaEntry struct {
	p      person
	to     address
	status uint8
	typ    uint8 // 0 individual, 1 family, 2 business
	month  uint8
}

var moveTypes = [...]string{"individual", "family", "business"}

// New returns a Generator for cfg (see Config for its defaults).
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t, err := loadTables()
	if err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	g := &Generator{cfg: cfg, t: t, r: newRNG(cfg.Seed, 1), buf: make([]byte, 0, 1024)}
	g.pool.slots = make([]poolSlot, 0, poolSize)
	// Cumulative thresholds over 2^53 for the exclusive kinds, in Kind order
	// after Clean; the invalid rate is split over the four invalid kinds.
	inv := cfg.Invalid
	rates := [numKinds - 1]float64{cfg.DupExact, cfg.DupVariant, cfg.Household,
		inv * 0.30, inv * 0.30, inv * 0.25, inv * 0.15,
		cfg.Suppressed / 2, cfg.Suppressed / 2,
		cfg.Moved * 0.80, cfg.Moved * 0.15, cfg.Moved * 0.05,
		cfg.MissingMerge, cfg.International}
	var sum float64
	for i, r := range rates {
		sum += r
		g.cut[i] = uint64(min(sum, 1) * (1 << 53))
	}
	return g, nil
}

// Config returns the generator's configuration with its defaults applied.
func (g *Generator) Config() Config { return g.cfg }

// Stats returns what has been generated so far.
func (g *Generator) Stats() Stats { return g.stats }

// pickKind draws a row's kind.
func (g *Generator) pickKind() Kind {
	u := g.r.u64() >> 11
	for i, c := range g.cut {
		if u < c {
			return Kind(i + 1)
		}
	}
	return Clean
}

// Next fills rec with the next row and reports whether there was one. rec's
// fields stay valid until the following call.
func (g *Generator) Next(rec *Record) bool {
	if g.row >= int64(g.cfg.Rows) {
		return false
	}
	g.row++
	var p person
	var st style
	kind := g.pickKind()
	var src *poolSlot
	if kind == DupExact || kind == DupVariant || kind == Household {
		if src = g.pool.pick(&g.r); src == nil {
			kind = Clean
		}
	}
	switch kind {
	case DupExact:
		p, st = src.p, src.st
	case DupVariant:
		p = src.p
		p.id = g.nextID()
		if g.r.chance(0.5) {
			p.emailID = 0
		}
		st = g.variantStyle(&p, src.st)
	case Household:
		g.newPerson(&p)
		p.last, p.addr, p.org = src.p.last, src.p.addr, noOrg
		for i := 0; p.first == src.p.first && i < 8; i++ {
			p.first = uint16(g.t.firstPick.pick(&g.r))
		}
		st = g.newStyle(&p)
	default:
		g.newPerson(&p)
		g.inject(kind, &p)
		st = g.newStyle(&p)
		if kind == SuppressedAddress {
			g.supAddrs[len(g.supAddrs)-2].st = listStyle(&st)
		}
	}
	if kind == Clean {
		g.pool.add(&g.r, &p, &st)
	}
	g.render(rec, &p, &st)
	rec.Row, rec.Kind, rec.Messy, rec.DroppedZero = g.row, kind, st.messy(), st.dropZero
	g.count(kind, &p, &st)
	return true
}

// inject turns a new person into a row of kind and records what the side
// files must hold for it.
func (g *Generator) inject(kind Kind, p *person) {
	a := &p.addr
	switch kind {
	case InvalidZIPUnknown:
		for {
			n := g.r.between(10000, 99999)
			z := [5]byte{byte('0' + n/10000), byte('0' + n/1000%10), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)}
			if _, ok := g.t.db.Lookup(z); !ok {
				a.badZIP = uint32(n)
				break
			}
		}
	case InvalidStreetMissing:
		a.kind = addrNone
	case InvalidPrimaryMissing:
		a.kind, a.noNumber = addrStreet, true
	case InvalidGarbage:
		a.kind, a.garbage = addrGarbage, uint8(g.r.intn(len(garbageLines)))
	case SuppressedEmail:
		if p.emailID == 0 {
			p.emailID = p.id
		}
		g.supEmails = append(g.supEmails, *p)
		g.supEmails = append(g.supEmails, g.noiseEmail())
		g.stats.SuppressEmailEntries += 2
	case SuppressedAddress:
		g.supAddrs = append(g.supAddrs, supAddr{a: *a}) // Next sets the style once the row's is known
		g.supAddrs = append(g.supAddrs, g.noiseAddress())
		g.stats.SuppressAddressEntries += 2
	case MovedNewAddress, MovedNoForwarding, MovedBoxClosed:
		e := coaEntry{month: uint8(g.r.intn(len(g.t.months)))}
		switch kind {
		case MovedNewAddress:
			e.status = moveNewAddress
			g.newAddress(&e.to)
			e.to.kind = addrStreet
		case MovedNoForwarding:
			e.status = moveNoForwarding
		case MovedBoxClosed:
			e.status = moveBoxClosed
			a.kind = addrPOBox
		}
		e.typ = g.moveType(p)
		e.p = *p
		g.coa = append(g.coa, e, g.noiseMove())
		g.stats.COAEntries += 2
	case MissingMerge:
		p.offer = noOffer
	case International:
		g.foreignAddress(p)
	}
}

// moveType picks individual or family, or business for an organization.
func (g *Generator) moveType(p *person) uint8 {
	switch {
	case p.org != noOrg:
		return 2
	case g.r.chance(0.35):
		return 1
	}
	return 0
}

// count adds the row to the stats.
func (g *Generator) count(kind Kind, p *person, st *style) {
	s := &g.stats
	s.Rows++
	*s.kindField(kind)++
	if st.messy() {
		s.Messy++
	}
	if st.dropZero {
		s.DroppedZero++
	}
	if st.plus4 {
		s.ZIPPlus4++
	}
	switch p.addr.kind {
	case addrPOBox:
		s.POBox++
	case addrRural:
		s.RuralRoute++
	case addrStreet:
		if p.addr.unitType != 0 {
			s.Unit++
		}
	}
	if p.org != noOrg {
		s.Organization++
	}
	if p.addr.kind != addrForeign && p.country != 0 {
		s.USCountry++
	}
}

func (g *Generator) nextID() uint64 {
	g.id++
	return g.id
}

// poolSize bounds the earlier Clean rows that duplicates and households are
// drawn from; the pool is a uniform sample of all Clean rows so far.
const poolSize = 1 << 14

type poolSlot struct {
	p  person
	st style
}

type pool struct {
	slots []poolSlot
	seen  int
}

// add offers a Clean row to the pool (reservoir sampling).
func (pl *pool) add(r *rng, p *person, st *style) {
	pl.seen++
	if len(pl.slots) < cap(pl.slots) {
		pl.slots = append(pl.slots, poolSlot{*p, *st})
		return
	}
	if j := r.intn(pl.seen); j < len(pl.slots) {
		pl.slots[j] = poolSlot{*p, *st}
	}
}

// pick returns a random earlier Clean row, or nil when there is none yet.
func (pl *pool) pick(r *rng) *poolSlot {
	if len(pl.slots) == 0 {
		return nil
	}
	return &pl.slots[r.intn(len(pl.slots))]
}
