// Package validate is the address hygiene stage: it standardizes every
// row's address (USPS Publication 28 delivery line, ZIP Code, city and state
// for US addresses; lines and postal-code format for foreign ones), rejects
// the addresses that must not print, applies NCOA move updates from a
// change-of-address file, and notes every correction.
//
// # Flow
//
//	batch rows ──address columns──► address.Verifier (default: address.Rules)
//	                                   │
//	             invalid ──────────────┼──► Row.Reject(invalid_address:…)
//	             valid / corrected ────┼──► ncoa.File.Lookup ──► moved: Row.Reject(moved:…)
//	             international         │                     └─► new address written, note:ncoa_updated
//	                                   ▼
//	      address_* columns rewritten (Batch.Copy), address_zip4, address_status, address_notes added
//
// Rows enter as a batch's live rows; the stage reads the standard address
// columns (address_street, address_street2, address_city, address_state,
// address_zip, address_country) and first_name/last_name for NCOA. Rows
// leave with the standardized values written back (address_zip holds the
// five-digit ZIP, or a foreign address's postal code; address_country is
// "US" when it was given for a US address, the country's name for a foreign
// one), three columns added by [Stage.Bind] (address_zip4, address_status,
// address_notes), and a fate: rejected with the address's reason, or live
// with note:address_corrected, note:address_international or
// note:ncoa_updated. Rejected rows also get address_status and
// address_notes, and keep their address as given.
//
// The stage is stateless apart from its counts ([Stage.Report]) and runs on
// a parallel step; each worker takes its scratch space from a pool, so the
// hot path does not allocate per row.
package validate

import (
	"context"
	"fmt"
	"math/bits"
	"strconv"
	"sync"

	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
)

// Columns the stage adds to the job's schema.
const (
	ColZip4   = "address_zip4"
	ColStatus = "address_status"
	ColNotes  = "address_notes"
)

// Config says how the stage validates. The zero value standardizes with
// the embedded rules, passes international addresses and applies no moves.
type Config struct {
	// DomesticOnly rejects non-US addresses with
	// invalid_address:international_not_allowed. Default (false):
	// international addresses go on.
	DomesticOnly bool
	// COA is the change-of-address file applied after standardization.
	// Default (nil): no move updates.
	COA *ncoa.File
	// ZIPs is the USPS ZIP table for the embedded rules. Default (nil):
	// zipdb.Load(). Ignored when Verifier is set.
	ZIPs *zipdb.DB
	// Verifier standardizes the addresses, e.g. a licensed CASS/DPV
	// provider. Default (nil): address.NewRules over ZIPs.
	Verifier address.Verifier
}

// Stage is the validate stage. It is safe for concurrent use by the
// workers of a parallel step.
type Stage struct {
	cfg      Config
	verifier address.Verifier
	zip4     int
	status   int
	notes    int
	width    int
	scratch  sync.Pool

	mu     sync.Mutex
	counts counts
}

// counts are the stage's tallies; a worker keeps its own per batch and adds
// them under the lock once.
type counts struct {
	status [4]int64
	notes  [32]int64
	moves  [4]int64 // by ncoa.MoveType
	moved  [4]int64 // by ncoa.Status
}

func (c *counts) add(o *counts) {
	for i := range c.status {
		c.status[i] += o.status[i]
	}
	for i := range c.notes {
		c.notes[i] += o.notes[i]
	}
	for i := range c.moves {
		c.moves[i] += o.moves[i]
		c.moved[i] += o.moved[i]
	}
}

// scratch is one worker's space for one batch.
type scratch struct {
	in    []address.Fields
	out   []address.Result
	buf   []byte
	count counts
}

// New returns the stage; it loads the embedded ZIP table when cfg has
// neither ZIPs nor a Verifier.
func New(cfg Config) (*Stage, error) {
	v := cfg.Verifier
	if v == nil {
		db := cfg.ZIPs
		if db == nil {
			var err error
			if db, err = zipdb.Load(); err != nil {
				return nil, fmt.Errorf("validate: %w", err)
			}
		}
		v = address.NewRules(db, address.Config{DomesticOnly: cfg.DomesticOnly})
	}
	s := &Stage{cfg: cfg, verifier: v, zip4: -1}
	s.scratch.New = func() any { return new(scratch) }
	return s, nil
}

// Bind adds address_zip4, address_status and address_notes to the schema.
func (s *Stage) Bind(sc *pipeline.Schema) error {
	s.zip4 = sc.Add(ColZip4)
	s.status = sc.Add(ColStatus)
	s.notes = sc.Add(ColNotes)
	s.width = sc.Len()
	return nil
}

// Process standardizes the batch's addresses and decides each row's fate.
func (s *Stage) Process(ctx context.Context, b *pipeline.Batch) error {
	if s.zip4 < 0 {
		if b.Job == nil || b.Job.Schema == nil {
			return fmt.Errorf("validate: batch has no schema")
		}
		// Not bound by an engine: bind to the batch's schema. Binding
		// twice is harmless (Schema.Add returns existing columns).
		s.mu.Lock()
		err := s.Bind(b.Job.Schema)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	sc := s.scratch.Get().(*scratch)
	defer s.scratch.Put(sc)
	n := len(b.Rows)
	if cap(sc.in) < n {
		sc.in = make([]address.Fields, n)
	}
	if len(sc.out) < n {
		sc.out = append(sc.out, make([]address.Result, n-len(sc.out))...)
	}
	sc.in = sc.in[:n]
	for i, r := range b.Rows {
		sc.in[i] = address.Fields{
			Street: r.Field(pipeline.ColStreet), Street2: r.Field(pipeline.ColStreet2),
			City: r.Field(pipeline.ColCity), State: r.Field(pipeline.ColState),
			Zip: r.Field(pipeline.ColZip), Country: r.Field(pipeline.ColCountry),
		}
	}
	if err := s.verifier.Verify(ctx, sc.in, sc.out[:n]); err != nil {
		return fmt.Errorf("validate: verify addresses: %w", err)
	}
	sc.count = counts{}
	for i, r := range b.Rows {
		s.row(b, r, &sc.out[i], sc)
	}
	clear(sc.in) // drop views into the batch
	s.mu.Lock()
	s.counts.add(&sc.count)
	s.mu.Unlock()
	return nil
}

// row applies one address's result to its row.
func (s *Stage) row(b *pipeline.Batch, r *pipeline.Row, res *address.Result, sc *scratch) {
	if len(r.Fields) < s.width {
		r.Fields = append(r.Fields, make([][]byte, s.width-len(r.Fields))...)
	}
	status := res.Status
	if status == address.StatusInternational && s.cfg.DomesticOnly {
		// A Verifier that does not know the campaign's rule.
		res.Status, res.Problem, res.Notes = address.StatusInvalid, pipeline.InvalidAddressIntl, res.Notes[:0]
		status = address.StatusInvalid
	}
	sc.buf = res.AppendNotes(sc.buf[:0])
	for n := address.Note(1); n != 0 && n <= res.Set; n <<= 1 {
		if res.Set&n != 0 {
			sc.count.notes[bits.TrailingZeros32(uint32(n))]++
		}
	}
	if status == address.StatusInvalid {
		sc.count.status[status]++
		r.Fields[s.status] = b.Copy(statusBytes[status])
		r.Fields[s.notes] = b.Copy(sc.buf)
		r.Reject(res.Problem, res.Detail)
		return
	}

	street, street2, city, state, zip, zip4 := res.Street, res.Street2, res.City, res.State, res.Zip5, res.Zip4
	country := res.Country
	if status == address.StatusInternational {
		zip = res.PostalCode
	} else if len(r.Field(pipeline.ColCountry)) == 0 {
		country = nil // a US address without a country stays without
	}

	moved := false
	if s.cfg.COA != nil && status != address.StatusInternational {
		if m, ok := s.cfg.COA.Lookup(r.Field(pipeline.ColFirstName), r.Field(pipeline.ColLastName), res); ok {
			sc.count.moves[m.Type]++
			sc.count.moved[m.Status]++
			if reason := m.Status.Reason(); reason != "" {
				sc.count.status[address.StatusInvalid]++
				r.Fields[s.status] = b.Copy(statusBytes[address.StatusInvalid])
				sc.buf = sc.buf[:0]
				sc.buf = append(sc.buf, reason...)
				r.Fields[s.notes] = b.Copy(sc.buf)
				r.Reject(reason, "moved "+m.Date+" (change-of-address line "+strconv.FormatInt(m.Line, 10)+")")
				return
			}
			street, street2, city, state, zip, zip4 = m.New.Street, m.New.Street2, m.New.City, m.New.State, m.New.Zip5, m.New.Zip4
			status, moved = address.StatusCorrected, true
			if len(sc.buf) > 0 {
				sc.buf = append(sc.buf, ';')
			}
			sc.buf = append(sc.buf, m.Type.Note()...)
			r.Note(pipeline.NoteNCOAUpdated)
		}
	}

	sc.count.status[status]++
	r.Fields[pipeline.ColStreet] = b.Copy(street)
	r.Fields[pipeline.ColStreet2] = b.Copy(street2)
	r.Fields[pipeline.ColCity] = b.Copy(city)
	r.Fields[pipeline.ColState] = b.Copy(state)
	r.Fields[pipeline.ColZip] = b.Copy(zip)
	if status == address.StatusInternational {
		r.Fields[pipeline.ColCountry] = b.Copy([]byte(res.CountryName))
	} else {
		r.Fields[pipeline.ColCountry] = b.Copy(country)
	}
	if len(zip4) > 0 || status == address.StatusInternational || moved || !isZip4(r.Fields[s.zip4]) {
		// An input that already has a well-formed address_zip4 column
		// (standardized before) keeps it when the ZIP carries no add-on.
		r.Fields[s.zip4] = b.Copy(zip4)
	}
	r.Fields[s.status] = b.Copy(statusBytes[status])
	r.Fields[s.notes] = b.Copy(sc.buf)
	switch status {
	case address.StatusCorrected:
		r.Note(pipeline.NoteAddressCorrected)
	case address.StatusInternational:
		r.Note(pipeline.NoteAddressInternational)
	}
}

var statusBytes = [4][]byte{[]byte("valid"), []byte("corrected"), []byte("international"), []byte("invalid")}

// Report is the stage's section of the run report.
type Report struct {
	// Status counts rows by address_status: valid, corrected, international, invalid.
	Status map[string]int64 `json:"status"`
	// Notes counts rows by address note (suffix_abbreviated, zip_padded, …).
	Notes map[string]int64 `json:"notes"`
	// NCOA counts change-of-address matches by move type and status; absent without a COA file.
	NCOA map[string]int64 `json:"ncoa,omitempty"`
}

// Report returns the counts so far.
func (s *Stage) Report() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := Report{Status: map[string]int64{}, Notes: map[string]int64{}}
	for st, n := range s.counts.status {
		rep.Status[address.Status(st).String()] = n
	}
	for _, note := range address.AllNotes() {
		if n := s.counts.notes[bits.TrailingZeros32(uint32(note))]; n > 0 {
			rep.Notes[note.String()] = n
		}
	}
	if s.cfg.COA != nil {
		rep.NCOA = map[string]int64{}
		for _, t := range []ncoa.MoveType{ncoa.Individual, ncoa.Family, ncoa.Business} {
			rep.NCOA[t.String()] = s.counts.moves[t]
		}
		for _, st := range []ncoa.Status{ncoa.NewAddress, ncoa.NoForwarding, ncoa.BoxClosed} {
			rep.NCOA[st.String()] = s.counts.moved[st]
		}
	}
	return rep
}

// isZip4 reports whether b is four digits.
func isZip4(b []byte) bool {
	if len(b) != 4 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
