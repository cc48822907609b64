package address

import "math/bits"

// Note is one correction or finding about an address, a single bit so that
// an address's notes fit in one value. Its name ([Note.String]) is the lower
// snake case detail code written to address_notes.
type Note uint32

// Notes the standardizer reports. Those marked "doubt" record something the
// data cannot settle and do not make the status corrected; every other note
// is a change to the address as given.
const (
	// NoteSuffixAbbreviated: the street suffix was replaced by its Pub 28 C1 abbreviation.
	NoteSuffixAbbreviated Note = 1 << iota
	// NoteDirectionalAbbreviated: a pre- or post-directional was abbreviated.
	NoteDirectionalAbbreviated
	// NoteUnitAbbreviated: a secondary unit designator was replaced by its C2 abbreviation.
	NoteUnitAbbreviated
	// NoteUnitMoved: a secondary unit written before the street was moved after it.
	NoteUnitMoved
	// NoteLine2Merged: address_street2 held the secondary unit and was merged into the delivery line.
	NoteLine2Merged
	// NoteLine2Kept: address_street2 is not part of the delivery line and was kept apart.
	NoteLine2Kept
	// NoteLinesSwapped: address_street held no address; address_street2 did and became the delivery line.
	NoteLinesSwapped
	// NoteUnitDesignatorAdded: a bare secondary number got the "#" designator.
	NoteUnitDesignatorAdded
	// NoteUnitDropped: a secondary designator without a number was dropped.
	NoteUnitDropped
	// NotePunctuationRemoved: punctuation Pub 28 does not keep was removed.
	NotePunctuationRemoved
	// NoteDiacriticsFolded: letters with diacritics were folded to ASCII.
	NoteDiacriticsFolded
	// NoteLeadingZerosRemoved: leading zeros were removed from a box or route number.
	NoteLeadingZerosRemoved
	// NoteBoxStandardized: a PO box, rural route or highway contract designation was rewritten.
	NoteBoxStandardized
	// NoteStateAbbreviated: a state name was replaced by its two-letter code.
	NoteStateAbbreviated
	// NoteZipPadded: dropped leading zeros of the ZIP Code were restored.
	NoteZipPadded
	// NoteZip4Dropped: a ZIP+4 add-on that was not four digits was dropped.
	NoteZip4Dropped
	// NoteStateFromZip: the empty state was filled from the ZIP Code.
	NoteStateFromZip
	// NoteStateCorrected: the state disagreed with the ZIP Code while the city agreed; the ZIP's state was used.
	NoteStateCorrected
	// NoteCityFromZip: the empty city was filled with the ZIP Code's USPS default city.
	NoteCityFromZip
	// NoteCityCorrected: a misspelled city was replaced by the ZIP Code's USPS default city.
	NoteCityCorrected
	// NoteCityAlternate: doubt; the city is the default city of a neighbouring ZIP Code and was kept.
	NoteCityAlternate
	// NoteCityMismatch: doubt; the city does not match the ZIP Code's area and was kept.
	NoteCityMismatch
	// NoteCountryInferred: the country was empty and was read from a foreign postal code's shape.
	NoteCountryInferred
	// NotePostalCodeMissing: doubt; a foreign address without a postal code in a country that uses them.
	NotePostalCodeMissing
	// NotePostalCodeUnchecked: doubt; no format is known for the country's postal codes.
	NotePostalCodeUnchecked
	// NotePostalCodeReformatted: a foreign postal code was rewritten in its country's canonical form.
	NotePostalCodeReformatted

	noteEnd
)

// doubtNotes do not make an address corrected.
const doubtNotes = NoteCityAlternate | NoteCityMismatch | NotePostalCodeMissing | NotePostalCodeUnchecked

var noteNames = [...]string{
	"suffix_abbreviated", "directional_abbreviated", "unit_abbreviated", "unit_moved",
	"line2_merged", "line2_kept", "lines_swapped", "unit_designator_added", "unit_dropped",
	"punctuation_removed", "diacritics_folded", "leading_zeros_removed", "box_standardized",
	"state_abbreviated", "zip_padded", "zip4_dropped", "state_from_zip", "state_corrected",
	"city_from_zip", "city_corrected", "city_alternate", "city_mismatch",
	"country_inferred", "postal_code_missing", "postal_code_unchecked", "postal_code_reformatted",
}

// String returns the note's lower snake case name ("zip_padded").
func (n Note) String() string {
	if bits.OnesCount32(uint32(n)) != 1 || n >= noteEnd {
		return "note_unknown"
	}
	return noteNames[bits.TrailingZeros32(uint32(n))]
}

// Doubt reports whether the note records a doubt rather than a change.
func (n Note) Doubt() bool { return n&doubtNotes != 0 }

// AllNotes lists every note in the order address_notes writes them.
func AllNotes() []Note {
	out := make([]Note, 0, len(noteNames))
	for n := Note(1); n < noteEnd; n <<= 1 {
		out = append(out, n)
	}
	return out
}
