package pub28

import "strings"

// Problem says why a delivery line could not be standardized. It is data
// about the row, not a Go error: the caller rejects the row with it (the
// validate stage prefixes it with its reason family, e.g.
// "invalid_address:missing_primary"). The zero value, NoProblem, means the
// line was standardized.
type Problem string

// Problem codes. Each value is lower snake case and stable: it is written to
// reports and rejects.
const (
	// NoProblem means the line was standardized.
	NoProblem Problem = ""
	// Empty means both lines were empty or only whitespace.
	Empty Problem = "empty"
	// TooLong means a line exceeded MaxLineLen bytes or MaxTokens words, or the merged standardized line would.
	TooLong Problem = "too_long"
	// Garbage means the input held control characters, invalid UTF-8,
	// characters outside Latin script (emoji, CJK, …) or only punctuation.
	Garbage Problem = "garbage"
	// MissingPrimary means no primary number (house, PO box or route number).
	MissingPrimary Problem = "missing_primary"
	// MissingStreet means a primary number with no street name after it.
	MissingStreet Problem = "missing_street"
	// MissingBox means a PO box, rural route or highway contract without a box number.
	MissingBox Problem = "missing_box"
	// DualAddress means a street address and a PO box on the same line.
	DualAddress Problem = "dual_address"
	// Unparseable means words that fit no Pub 28 pattern (two secondary units, text after a box number, …).
	Unparseable Problem = "unparseable"
)

var problemDescriptions = map[Problem]string{
	NoProblem:      "the delivery line was standardized",
	Empty:          "the delivery line is empty",
	TooLong:        "a delivery line is longer than 256 bytes or holds more than 128 words",
	Garbage:        "the delivery line holds control characters, invalid UTF-8, non-Latin characters or only punctuation",
	MissingPrimary: "the delivery line has no primary number (house, PO box or route number)",
	MissingStreet:  "the delivery line has a primary number but no street name",
	MissingBox:     "the PO box, rural route or highway contract address has no box number",
	DualAddress:    "the delivery line holds both a street address and a PO box",
	Unparseable:    "the delivery line does not fit a Pub 28 pattern (e.g. two secondary units)",
}

// Description returns a one-line human description of the problem.
func (p Problem) Description() string {
	if d, ok := problemDescriptions[p]; ok {
		return d
	}
	return "unknown problem " + string(p)
}

// Problems returns every Problem code except NoProblem, in a fixed order,
// for registries and generated documentation.
func Problems() []Problem {
	return []Problem{Empty, TooLong, Garbage, MissingPrimary, MissingStreet, MissingBox, DualAddress, Unparseable}
}

// Kind is the Pub 28 address type of a delivery line.
type Kind uint8

// Address kinds.
const (
	// Unknown is the kind of a line that could not be standardized.
	Unknown Kind = iota
	// Street is a street address: primary number, street name, optional unit (Section 23).
	Street
	// POBox is a Post Office box: "PO BOX 12" (Section 28).
	POBox
	// RuralRoute is a rural route box: "RR 2 BOX 50" (Section 24).
	RuralRoute
	// HighwayContract is a highway contract route box: "HC 1 BOX 9" (Section 25).
	HighwayContract
)

// String returns the lower snake case name of the kind.
func (k Kind) String() string {
	switch k {
	case Street:
		return "street"
	case POBox:
		return "po_box"
	case RuralRoute:
		return "rural_route"
	case HighwayContract:
		return "highway_contract"
	}
	return "unknown"
}

// Notes is a bit set recording what standardization changed.
type Notes uint16

// Note bits.
const (
	// NoteSuffixAbbreviated means the street suffix was replaced by its C1 abbreviation.
	NoteSuffixAbbreviated Notes = 1 << iota
	// NoteDirectionalAbbreviated means a pre- or post-directional was abbreviated.
	NoteDirectionalAbbreviated
	// NoteUnitAbbreviated means a secondary unit designator was replaced by its C2 abbreviation.
	NoteUnitAbbreviated
	// NoteUnitMoved means a secondary unit found before the street (or in line 1) was moved after it.
	NoteUnitMoved
	// NoteLine2Merged means line 2 held the secondary unit and was merged into the line.
	NoteLine2Merged
	// NoteLine2Ignored means line 2 was not a secondary unit and was left out.
	NoteLine2Ignored
	// NoteLine1Ignored means line 1 was not an address and line 2 was used instead.
	NoteLine1Ignored
	// NoteUnitDesignatorAdded means a bare secondary number got the "#" designator.
	NoteUnitDesignatorAdded
	// NoteUnitDropped means a secondary designator with no number was dropped.
	NoteUnitDropped
	// NotePunctuationRemoved means punctuation (periods, commas, stray "#") was removed.
	NotePunctuationRemoved
	// NoteDiacriticsFolded means non-ASCII letters were folded to ASCII.
	NoteDiacriticsFolded
	// NoteLeadingZerosRemoved means leading zeros were removed from a box or route number.
	NoteLeadingZerosRemoved
	// NoteBoxDesignatorStandardized means a PO box, rural route or highway contract designation was rewritten.
	NoteBoxDesignatorStandardized
)

var noteNames = [...]string{
	"suffix_abbreviated",
	"directional_abbreviated",
	"unit_abbreviated",
	"unit_moved",
	"line2_merged",
	"line2_ignored",
	"line1_ignored",
	"unit_designator_added",
	"unit_dropped",
	"punctuation_removed",
	"diacritics_folded",
	"leading_zeros_removed",
	"box_designator_standardized",
}

// Has reports whether every bit of n2 is set in n.
func (n Notes) Has(n2 Notes) bool { return n&n2 == n2 }

// String returns the set notes as a "|"-separated list of lower snake case
// names, or "" when none is set.
func (n Notes) String() string {
	var b strings.Builder
	for i, name := range noteNames {
		if n&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	return b.String()
}
