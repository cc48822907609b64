package zipdb

import (
	"iter"
	"math/bits"
	"strconv"
	"strings"
)

// Note is one finding about an address's ZIP Code, city or state. Each Note is
// a single bit so that a row's findings fit in one Notes value.
type Note uint16

// Notes the package reports. The invalid ones ([Note.Invalid]) make the address
// undeliverable as given; the pipeline rejects the row with
// "invalid_address:" + note.String(). The rest record a repair or a doubt.
const (
	// ZipMissing: the ZIP field is empty or blank. Invalid.
	ZipMissing Note = 1 << iota
	// ZipMalformed: the ZIP is not 5 or 9 digits and could not be repaired. Invalid.
	ZipMalformed
	// ZipUnknown: the five-digit ZIP is not in the USPS table. Invalid.
	ZipUnknown
	// ZipStateMismatch: the state disagrees with the ZIP and the city does not settle it. Invalid.
	ZipStateMismatch
	// ZipPadded: a 3- or 4-digit ZIP got its dropped leading zeros back (2139, MA → 02139).
	ZipPadded
	// Zip4Malformed: the ZIP+4 add-on was not four digits and was dropped; the ZIP stands.
	Zip4Malformed
	// StateFromZip: the state was empty and was filled from the ZIP.
	StateFromZip
	// StateCorrected: the state disagreed with the ZIP, the city agreed with the ZIP, so the ZIP's state was used.
	StateCorrected
	// CityFromZip: the city was empty and was filled with the ZIP's default city.
	CityFromZip
	// CityCorrected: the city was a near miss of the ZIP's default city and was replaced by it.
	CityCorrected
	// CityAlternate: the city is not the ZIP's default city but is the default city of a
	// neighbouring ZIP (same 3-digit prefix, same state); it was kept.
	CityAlternate
	// CityMismatch: the city does not match the ZIP's area in the table; it was kept.
	// The table lists only default names, so this is often an acceptable alternate name.
	CityMismatch

	noteEnd // one past the last note
)

// invalidNotes are the notes that make an address invalid, most basic first.
const invalidNotes = ZipMissing | ZipMalformed | ZipUnknown | ZipStateMismatch

var noteNames = [...]string{
	"zip_missing", "zip_malformed", "zip_unknown", "zip_state_mismatch",
	"zip_padded", "zip4_malformed", "state_from_zip", "state_corrected",
	"city_from_zip", "city_corrected", "city_alternate", "city_mismatch",
}

var noteDescriptions = [...]string{
	"no ZIP Code",
	"the ZIP Code is not 5 or 9 digits",
	"the ZIP Code is not in the USPS ZIP table",
	"the state disagrees with the ZIP Code and the city does not settle it",
	"a 3- or 4-digit ZIP Code got its dropped leading zeros back; the padded ZIP exists in the given state",
	"the ZIP+4 add-on was not four digits and was dropped",
	"the state was empty and was filled from the ZIP Code",
	"the state disagreed with the ZIP Code while the city matched it; the ZIP Code's state was used",
	"the city was empty and was filled with the ZIP Code's USPS default city",
	"the city was a near miss of the ZIP Code's USPS default city and was replaced by it",
	"the city is the USPS default city of a neighbouring ZIP Code (same 3-digit prefix and state); kept",
	"the city does not match the ZIP Code's area in the default-name table; kept (it may be an acceptable alternate name)",
}

// String returns the note's lower snake case detail name, e.g. "zip_unknown";
// the pipeline prefixes it with its family ("invalid_address:zip_unknown").
func (n Note) String() string {
	if bits.OnesCount16(uint16(n)) != 1 || n >= noteEnd {
		return "note(" + strconv.Itoa(int(n)) + ")"
	}
	return noteNames[bits.TrailingZeros16(uint16(n))]
}

// Description says in one line what the note means.
func (n Note) Description() string {
	if bits.OnesCount16(uint16(n)) != 1 || n >= noteEnd {
		return ""
	}
	return noteDescriptions[bits.TrailingZeros16(uint16(n))]
}

// Invalid reports whether the note makes the address invalid (a reject).
func (n Note) Invalid() bool { return n&invalidNotes != 0 && bits.OnesCount16(uint16(n)) == 1 }

// AllNotes lists every note in bit order, for registries and documentation.
func AllNotes() []Note {
	out := make([]Note, 0, len(noteNames))
	for n := Note(1); n < noteEnd; n <<= 1 {
		out = append(out, n)
	}
	return out
}

// Notes is a set of Note values. The zero value is the empty set.
type Notes uint16

// Has reports whether n is in the set.
func (s Notes) Has(n Note) bool { return s&Notes(n) != 0 }

// Add returns the set with n added.
func (s Notes) Add(n Note) Notes { return s | Notes(n) }

// Invalid returns the set's most basic invalid note (in the order of the
// constants) and true, or false when the address is not invalid.
func (s Notes) Invalid() (Note, bool) {
	bad := uint16(s) & uint16(invalidNotes)
	if bad == 0 {
		return 0, false
	}
	return Note(bad & -bad), true
}

// All yields the notes in the set in bit order.
func (s Notes) All() iter.Seq[Note] {
	return func(yield func(Note) bool) {
		for v := uint16(s); v != 0; v &= v - 1 {
			if !yield(Note(v & -v)) {
				return
			}
		}
	}
}

// String lists the set's notes joined by "," ("zip_padded,city_corrected");
// the empty set is "".
func (s Notes) String() string {
	var b strings.Builder
	for n := range s.All() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n.String())
	}
	return b.String()
}
