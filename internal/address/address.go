package address

import (
	"bytes"
	"math/bits"
	"unicode/utf8"

	"github.com/postmill/postmill/internal/postcode"
	"github.com/postmill/postmill/internal/pub28"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
)

// Fields are the raw address columns of a row.
type Fields struct{ Street, Street2, City, State, Zip, Country []byte }

// Status is the outcome of standardizing one address.
type Status uint8

// Statuses, written to address_status by their String names.
const (
	// StatusValid: a US address already in standard form (only case and spacing changed).
	StatusValid Status = iota
	// StatusCorrected: a US address that standardization changed; Result.Notes say how.
	StatusCorrected
	// StatusInternational: a non-US address whose postal code fits its country's format (or has none known).
	StatusInternational
	// StatusInvalid: an address that must not be mailed; Result.Problem says why.
	StatusInvalid
)

var statusNames = [...]string{"valid", "corrected", "international", "invalid"}

// String returns "valid", "corrected", "international" or "invalid".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Config says how a Standardizer treats addresses.
type Config struct {
	// DomesticOnly rejects every non-US address with
	// invalid_address:international_not_allowed. Default (false): non-US
	// addresses pass with StatusInternational.
	DomesticOnly bool
}

// Result is one standardized address. Its []byte fields are views into
// storage the Result owns: they are valid until the Result is filled again
// (the next Standardize call on the same Standardizer, or the next
// StandardizeInto with this Result).
//
// For a US address Street is the Pub 28 delivery line with its secondary
// unit ("123 N MAIN ST APT 4"), Street2 a second line that is not part of
// the delivery address (a company or "c/o" line), or nil; City, State (two
// letters), Zip5 and Zip4 (nil when not given) are standardized; Country is
// "US"; PostalCode is "02108" or "02108-1234".
//
// For an international address the lines are kept as given, folded to
// uppercase ASCII and single-spaced: Street, Street2, City (the city or
// town), State (a region or province, often nil) and PostalCode in its
// country's canonical form ("SW1A 2AA"); Zip5 and Zip4 are nil; Country is
// the ISO 3166-1 alpha-2 code and CountryName the English name that goes on
// the last line ("UNITED KINGDOM").
//
// For an invalid address every field is nil and Problem says why.
type Result struct {
	// Street … PostalCode are the standardized fields described above.
	Street, Street2, City, State, Zip5, Zip4, Country, PostalCode []byte
	// CountryName is the country's name for the last line of an
	// international address; "" for US and invalid addresses.
	CountryName string
	// Kind is the Pub 28 address type of a US delivery line (street, PO box,
	// rural route, highway contract); pub28.Unknown for a military
	// address (UNIT/PSC/CMR n BOX m), an international or invalid one.
	Kind pub28.Kind
	// Status is the outcome.
	Status Status
	// Problem is the reject reason when Status is StatusInvalid
	// (pipeline.InvalidAddressZipUnknown, …); "" otherwise.
	Problem pipeline.Reason
	// Detail says more about Problem where the reason code cannot (the
	// delivery line problem "dual_address", the country's name); a constant
	// string, "" when there is nothing to add.
	Detail string
	// Notes are the lower snake case codes of the corrections and doubts
	// (suffix_abbreviated, zip_padded, city_corrected, state_from_zip, …),
	// in a fixed order; see [Note].
	Notes []string
	// Set is Notes as a bit set.
	Set Note

	buf []byte
}

// reset empties r, keeping its storage.
func (r *Result) reset() {
	*r = Result{buf: r.buf[:0], Notes: r.Notes[:0]}
}

// put appends p to r's storage and returns the stored view (nil for empty p).
func (r *Result) put(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	s := len(r.buf)
	r.buf = append(r.buf, p...)
	return r.buf[s:len(r.buf):len(r.buf)]
}

// putString is put for a string.
func (r *Result) putString(p string) []byte {
	if len(p) == 0 {
		return nil
	}
	s := len(r.buf)
	r.buf = append(r.buf, p...)
	return r.buf[s:len(r.buf):len(r.buf)]
}

// invalid marks r invalid with reason and detail, dropping everything else.
func (r *Result) invalid(reason pipeline.Reason, detail string) {
	r.reset()
	r.Status, r.Problem, r.Detail = StatusInvalid, reason, detail
}

// finish sets Notes from Set.
func (r *Result) finish() {
	for v := uint32(r.Set); v != 0; v &= v - 1 {
		r.Notes = append(r.Notes, noteNames[bits.TrailingZeros32(v)])
	}
}

// AppendNotes appends Notes joined by ";" to dst, preceded by Problem for
// an invalid address: the value of the address_notes column.
func (r *Result) AppendNotes(dst []byte) []byte {
	sep := false
	if r.Problem != "" {
		dst = append(dst, r.Problem...)
		sep = true
	}
	for _, n := range r.Notes {
		if sep {
			dst = append(dst, ';')
		}
		dst = append(dst, n...)
		sep = true
	}
	return dst
}

// AppendKey appends the address's canonical matching key to dst: for a US
// address "STREETLINE|ZIP5" (the standardized delivery line with its unit,
// and the five-digit ZIP), for an international one "CC|POSTCODE|LINE1".
// It appends nothing for an invalid address. Two spellings of one address
// ("22 Harbor Road, Boston MA 02108" and "22 HARBOR RD, BOSTON, MA 2108")
// give the same key; suppression and dedupe hash it.
func (r *Result) AppendKey(dst []byte) []byte {
	switch r.Status {
	case StatusValid, StatusCorrected:
		dst = append(dst, r.Street...)
		dst = append(dst, '|')
		return append(dst, r.Zip5...)
	case StatusInternational:
		dst = append(dst, r.Country...)
		dst = append(dst, '|')
		dst = append(dst, r.PostalCode...)
		dst = append(dst, '|')
		return append(dst, r.Street...)
	}
	return dst
}

// Standardizer standardizes and validates addresses with the embedded
// rules: Pub 28 delivery lines (internal/pub28), the USPS ZIP table
// (internal/zipdb) and foreign postal-code formats (internal/postcode).
// It holds its buffers (a few KB), so after warm-up Standardize does not
// allocate. It is not safe for concurrent use; give each goroutine its own.
type Standardizer struct {
	db      *zipdb.DB
	cfg     Config
	parser  pub28.Parser
	clean   cleaner
	res     Result
	city    []byte
	state   []byte
	extra   []byte
	mil     pub28.Address
	milLine []byte
}

// NewStandardizer returns a Standardizer over the ZIP table db (from
// zipdb.Load) with cfg.
func NewStandardizer(db *zipdb.DB, cfg Config) *Standardizer {
	return &Standardizer{db: db, cfg: cfg}
}

// Standardize standardizes f into the Standardizer's own Result and
// returns it; the Result is valid until the next Standardize call. It never
// panics: any input, however broken, gives a Result (StatusInvalid with a
// Problem for garbage).
func (s *Standardizer) Standardize(f Fields) *Result {
	s.StandardizeInto(f, &s.res)
	return &s.res
}

// StandardizeInto standardizes f into r, reusing r's storage; r's views are
// valid until r is filled again.
//
// The rules, in order: a country field that names no known country is
// invalid_address:country_unknown; a country other than US, or an empty
// country with a postal code of a lettered foreign shape (GB, CA, IE, NL)
// and no US state, is international (see Result); anything else is a US
// address: garbage in any field, then the delivery line (Pub 28), then the
// ZIP Code, city and state (USPS ZIP table) are checked, and the first
// problem makes it invalid.
func (s *Standardizer) StandardizeInto(f Fields, r *Result) {
	r.reset()
	if len(f.Country) > 0 && !isText(f.Country) {
		r.invalid(pipeline.InvalidAddressGarbage, "address_country")
		return
	}
	var st [2]byte
	code, isState := pub28.StateCode(f.State)
	if isState {
		copy(st[:], code)
	}
	detectState := f.State
	if isState {
		detectState = st[:]
	}
	pc := postcode.Detect(f.Country, detectState, f.Zip)
	switch {
	case pc.Status == postcode.CountryUnknown:
		r.invalid(pipeline.InvalidAddressCountryUnknown, "")
		return
	case pc.Country != postcode.US:
		s.international(f, pc, r)
		return
	}
	s.domestic(f, st, isState, r)
}

// isText reports whether b is acceptable text for an address field: no
// control characters, valid UTF-8 in the Latin script, at most MaxFieldLen
// bytes.
func isText(b []byte) bool {
	if len(b) > MaxFieldLen {
		return false
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if _, class := foldRune(r); class == classBad {
			return false
		}
		i += size
	}
	return true
}

// domestic standardizes a US address.
func (s *Standardizer) domestic(f Fields, st [2]byte, isState bool, r *Result) {
	var ok bool
	var set Note
	s.clean.keep = keepNone
	if s.city, ok = s.clean.appendClean(s.city[:0], f.City); !ok {
		r.invalid(pipeline.InvalidAddressGarbage, "address_city")
		return
	}
	if s.clean.folded {
		set |= NoteDiacriticsFolded
	}
	if s.clean.punct && s.clean.alnum {
		set |= NotePunctuationRemoved
	}
	if (len(s.city) > 0 || s.clean.punct) && !s.clean.alnum {
		r.invalid(pipeline.InvalidAddressGarbage, "address_city")
		return
	}
	if s.state, ok = s.clean.appendClean(s.state[:0], f.State); !ok || (len(s.state) > 0 || s.clean.punct) && !s.clean.alnum {
		r.invalid(pipeline.InvalidAddressGarbage, "address_state")
		return
	}
	if s.clean.punct || s.clean.folded {
		set |= NotePunctuationRemoved
	}
	stateArg := s.state
	if isState {
		if string(s.state) != string(st[:]) {
			set |= NoteStateAbbreviated
		}
		stateArg = st[:]
	}

	a, prob := s.parser.Parse(f.Street, f.Street2)
	if prob == pub28.MissingPrimary && isMilitaryState(stateArg) {
		a, prob = s.military(f)
	}
	if prob != pub28.NoProblem {
		reason, detail := lineProblem(prob)
		r.invalid(reason, detail)
		return
	}
	set |= pub28Notes(a.Notes)

	zr := s.db.Check(s.city, stateArg, f.Zip)
	if bad, isBad := zr.Notes.Invalid(); isBad {
		r.invalid(zipProblem(bad), "")
		return
	}
	set |= zipNotes(zr.Notes)

	// A line that is not part of the delivery line is kept apart.
	s.extra = s.extra[:0]
	if a.Notes.Has(pub28.NoteLine2Ignored) || a.Notes.Has(pub28.NoteLine1Ignored) {
		other := f.Street2
		if a.Notes.Has(pub28.NoteLine1Ignored) {
			other = f.Street
		}
		s.clean.keep = keepPub
		s.extra, _ = s.clean.appendClean(s.extra, other)
		if !s.clean.alnum {
			s.extra = s.extra[:0]
			set &^= NoteLine2Kept
			set |= NotePunctuationRemoved
		}
	}

	r.Kind = a.Kind
	r.Street = r.put(a.Line)
	r.Street2 = r.put(s.extra)
	if zr.City != "" {
		r.City = r.putString(zr.City)
	} else {
		r.City = r.put(s.city)
	}
	r.State = r.put(zr.State[:])
	r.Zip5 = r.put(zr.ZIP.Zip5[:])
	start := len(r.buf)
	r.buf = append(r.buf, zr.ZIP.Zip5[:]...)
	if zr.ZIP.HasZip4 {
		r.Zip4 = r.put(zr.ZIP.Zip4[:])
		start = len(r.buf)
		r.buf = append(r.buf, zr.ZIP.Zip5[:]...)
		r.buf = append(r.buf, '-')
		r.buf = append(r.buf, zr.ZIP.Zip4[:]...)
	}
	r.PostalCode = r.buf[start:len(r.buf):len(r.buf)]
	r.Country = r.putString("US")
	r.Set = set
	r.Status = StatusValid
	if set&^doubtNotes != 0 {
		r.Status = StatusCorrected
	}
	r.finish()
}

// international keeps a non-US address as given, folded and single-spaced,
// and checks its postal code's format.
func (s *Standardizer) international(f Fields, pc postcode.Result, r *Result) {
	s.clean.keep = keepAll
	var set Note
	var lines [4][]byte
	// Clean street, street2, city and state into the Result's storage
	// directly; an invalid result resets it.
	for i, src := range [4][]byte{f.Street, f.Street2, f.City, f.State} {
		start := len(r.buf)
		var ok bool
		r.buf, ok = s.clean.appendClean(r.buf, src)
		if !ok {
			r.invalid(pipeline.InvalidAddressGarbage, intlFieldNames[i])
			return
		}
		if s.clean.folded {
			set |= NoteDiacriticsFolded
		}
		if len(r.buf) > start && !s.clean.alnum {
			r.invalid(pipeline.InvalidAddressGarbage, intlFieldNames[i])
			return
		}
		if len(r.buf) > start {
			lines[i] = r.buf[start:len(r.buf):len(r.buf)]
		}
	}
	if s.cfg.DomesticOnly {
		r.invalid(pipeline.InvalidAddressIntl, pc.Country.Name())
		return
	}
	street, street2 := lines[0], lines[1]
	if street == nil {
		if street2 == nil {
			r.invalid(pipeline.InvalidAddressStreetMissing, "")
			return
		}
		street, street2 = street2, nil
		set |= NoteLinesSwapped
	}
	if !printableASCII(pc.Postcode.Bytes()) {
		if !isText(f.Zip) {
			r.invalid(pipeline.InvalidAddressGarbage, "address_zip")
			return
		}
		pc.Status = postcode.Malformed // a code of a country without a known format, in letters no code has
	}
	switch pc.Status {
	case postcode.Malformed:
		r.invalid(pipeline.InvalidAddressPostcode, pc.Country.Name())
		return
	case postcode.Missing:
		set |= NotePostalCodeMissing
	case postcode.Unchecked:
		if pc.Postcode.Len() > 0 {
			set |= NotePostalCodeUnchecked
		}
	case postcode.Valid:
		if string(pc.Postcode.Bytes()) != string(upperTrimmed(f.Zip)) {
			set |= NotePostalCodeReformatted
		}
	}
	if pc.Inferred {
		set |= NoteCountryInferred
	}
	r.Street, r.Street2, r.City, r.State = street, street2, lines[2], lines[3]
	r.PostalCode = r.put(pc.Postcode.Bytes())
	r.Country = r.putString(string(pc.Country))
	r.CountryName = pc.Country.Name()
	r.Set = set
	r.Status = StatusInternational
	r.finish()
}

var intlFieldNames = [4]string{"address_street", "address_street2", "address_city", "address_state"}

// upperTrimmed reports b trimmed; it compares case-insensitively by
// returning b itself when it is already upper case, else nil, so that a
// lower-case code counts as reformatted.
func upperTrimmed(b []byte) []byte {
	b = trimBlank(b)
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return nil
		}
	}
	return b
}

// lineProblem maps a delivery line problem to a reason and detail.
func lineProblem(p pub28.Problem) (pipeline.Reason, string) {
	switch p {
	case pub28.Empty:
		return pipeline.InvalidAddressStreetMissing, ""
	case pub28.MissingStreet:
		return pipeline.InvalidAddressStreetMissing, string(p)
	case pub28.MissingPrimary, pub28.MissingBox:
		return pipeline.InvalidAddressPrimary, string(p)
	case pub28.Garbage, pub28.TooLong:
		return pipeline.InvalidAddressGarbage, string(p)
	}
	return pipeline.InvalidAddressUnparseable, string(p)
}

// zipProblem maps an invalid zipdb note to its reason.
func zipProblem(n zipdb.Note) pipeline.Reason {
	switch n {
	case zipdb.ZipMissing:
		return pipeline.InvalidAddressZipMissing
	case zipdb.ZipMalformed:
		return pipeline.InvalidAddressZipMalformed
	case zipdb.ZipUnknown:
		return pipeline.InvalidAddressZipUnknown
	}
	return pipeline.InvalidAddressZipState
}

// pub28Notes translates the parser's notes.
func pub28Notes(n pub28.Notes) Note {
	var set Note
	for _, m := range [...]struct {
		from pub28.Notes
		to   Note
	}{
		{pub28.NoteSuffixAbbreviated, NoteSuffixAbbreviated},
		{pub28.NoteDirectionalAbbreviated, NoteDirectionalAbbreviated},
		{pub28.NoteUnitAbbreviated, NoteUnitAbbreviated},
		{pub28.NoteUnitMoved, NoteUnitMoved},
		{pub28.NoteLine2Merged, NoteLine2Merged},
		{pub28.NoteLine2Ignored, NoteLine2Kept},
		{pub28.NoteLine1Ignored, NoteLinesSwapped},
		{pub28.NoteUnitDesignatorAdded, NoteUnitDesignatorAdded},
		{pub28.NoteUnitDropped, NoteUnitDropped},
		{pub28.NotePunctuationRemoved, NotePunctuationRemoved},
		{pub28.NoteDiacriticsFolded, NoteDiacriticsFolded},
		{pub28.NoteLeadingZerosRemoved, NoteLeadingZerosRemoved},
		{pub28.NoteBoxDesignatorStandardized, NoteBoxStandardized},
	} {
		if n&m.from != 0 {
			set |= m.to
		}
	}
	return set
}

// zipNotes translates the ZIP table's repair and doubt notes.
func zipNotes(n zipdb.Notes) Note {
	var set Note
	for _, m := range [...]struct {
		from zipdb.Note
		to   Note
	}{
		{zipdb.ZipPadded, NoteZipPadded},
		{zipdb.Zip4Malformed, NoteZip4Dropped},
		{zipdb.StateFromZip, NoteStateFromZip},
		{zipdb.StateCorrected, NoteStateCorrected},
		{zipdb.CityFromZip, NoteCityFromZip},
		{zipdb.CityCorrected, NoteCityCorrected},
		{zipdb.CityAlternate, NoteCityAlternate},
		{zipdb.CityMismatch, NoteCityMismatch},
	} {
		if n.Has(m.from) {
			set |= m.to
		}
	}
	return set
}

// printableASCII reports whether b holds only printable ASCII.
func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// AppendStandardizedKey appends the key [Result.AppendKey] gives, computed
// from fields that are already standardized, as the validate stage leaves a
// row: the delivery line, address_zip (the 5-digit ZIP, or a foreign postal
// code) and address_country (empty or US for a domestic address, else a
// country name or code, which is mapped to its ISO code). It appends nothing
// when the street or ZIP is empty or a US ZIP is not five digits: such a row
// has no address key.
func AppendStandardizedKey(dst, street, zip, country []byte) []byte {
	street, zip, country = bytes.TrimSpace(street), bytes.TrimSpace(zip), bytes.TrimSpace(country)
	if len(street) == 0 || len(zip) == 0 {
		return dst
	}
	code := postcode.US
	if len(country) > 0 {
		c, ok := postcode.Lookup(country)
		if !ok {
			return dst
		}
		code = c
	}
	if code == postcode.US {
		if len(zip) < 5 {
			return dst
		}
		for _, c := range zip[:5] {
			if c < '0' || c > '9' {
				return dst
			}
		}
		dst = append(dst, street...)
		dst = append(dst, '|')
		return append(dst, zip[:5]...)
	}
	dst = append(dst, code...)
	dst = append(dst, '|')
	dst = append(dst, zip...)
	dst = append(dst, '|')
	return append(dst, street...)
}
