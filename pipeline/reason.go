package pipeline

import (
	"sort"
	"strings"
)

// Reason is a row's terminal or informational code, "family:detail" in lower
// snake case (invalid_address:zip_unknown). Every reason the code can produce
// is registered in [Reasons] with a one-line description; tests and reports
// use the constants, never free text.
type Reason string

// Reasons produced by the engine and the readers.
const (
	// MalformedColumnCount: the record has more or fewer cells than the header.
	MalformedColumnCount Reason = "malformed:column_count"
	// MalformedQuote: a quoted field is not closed or a quote stands in an unquoted field.
	MalformedQuote Reason = "malformed:quote"
	// MalformedJSON: a JSON Lines record is not a JSON object of scalar values.
	MalformedJSON Reason = "malformed:json"
	// MalformedFieldSet: a JSON Lines record has a key the first record did not have.
	MalformedFieldSet Reason = "malformed:field_set"
	// NoteDecodedCP1252: the record was not valid UTF-8 and was decoded as Windows-1252.
	NoteDecodedCP1252 Reason = "note:decoded_cp1252"
)

// Reasons of the address hygiene stage.
const (
	InvalidAddressZipUnknown    Reason = "invalid_address:zip_unknown"
	InvalidAddressZipMissing    Reason = "invalid_address:zip_missing"
	InvalidAddressZipMalformed  Reason = "invalid_address:zip_malformed"
	InvalidAddressZipState      Reason = "invalid_address:zip_state_mismatch"
	InvalidAddressStreetMissing Reason = "invalid_address:street_missing"
	InvalidAddressPrimary       Reason = "invalid_address:primary_missing"
	InvalidAddressGarbage       Reason = "invalid_address:garbage"
	InvalidAddressIntl          Reason = "invalid_address:international_not_allowed"
	InvalidAddressPostcode      Reason = "invalid_address:postal_code_format"
	MovedNoForwarding           Reason = "moved:no_forwarding"
	MovedBoxClosed              Reason = "moved:box_closed"
)

// Reasons of the suppression, dedupe, render and account stages. The
// families with a variable detail are registered with a "*" detail.
const (
	Suppressed        Reason = "suppressed:*"
	DuplicateFamily   Reason = "duplicate:*"
	MissingMergeField Reason = "missing_merge_field:*"
	BadMergeValue     Reason = "bad_merge_value:*"
	HeldInsufficient  Reason = "held:insufficient_credits"
)

// reasonDocs is the one registry of reason codes and what they mean.
var reasonDocs = map[Reason]string{
	MalformedColumnCount: "the record has more or fewer cells than the header",
	MalformedQuote:       "a quoted field is not closed, or a quote stands inside an unquoted field",
	MalformedJSON:        "a JSON Lines record is not a JSON object of scalar values",
	MalformedFieldSet:    "a JSON Lines record has a key that the first record did not have",
	NoteDecodedCP1252:    "note: the record was not valid UTF-8 and was decoded as Windows-1252",

	InvalidAddressZipUnknown:    "the ZIP Code is not in the USPS ZIP table",
	InvalidAddressZipMissing:    "no ZIP Code",
	InvalidAddressZipMalformed:  "the ZIP Code is not 5 or 9 digits",
	InvalidAddressZipState:      "the state disagrees with the ZIP Code and the city does not settle it",
	InvalidAddressStreetMissing: "no delivery line (street, PO box or route)",
	InvalidAddressPrimary:       "the delivery line has no primary (house) number",
	InvalidAddressGarbage:       "the delivery line is not an address (control characters, only punctuation, too long)",
	InvalidAddressIntl:          "a non-US address in a campaign that mails domestic only",
	InvalidAddressPostcode:      "a foreign postal code that does not fit its country's format",
	MovedNoForwarding:           "the addressee moved and left no forwarding address (change-of-address file)",
	MovedBoxClosed:              "the PO box was closed with no forwarding address (change-of-address file)",

	Suppressed:        "on a suppression list: suppressed:<account|campaign>:<email|external_id|address|name_address>",
	DuplicateFamily:   "a duplicate of an earlier row: duplicate:<individual|household|address|history>",
	MissingMergeField: "a template needs this field, the row lacks it and the template gives no default",
	BadMergeValue:     "a merge value cannot be formatted as the template asks (a date that is not a date)",
	HeldInsufficient:  "held: the sub-account has too few credits of the piece's type; released by `postmill release`",
}

// Family is the part before the first colon: "invalid_address" for
// invalid_address:zip_unknown.
func (r Reason) Family() string {
	if i := strings.IndexByte(string(r), ':'); i >= 0 {
		return string(r[:i])
	}
	return string(r)
}

// Description says in one line what the reason means; a reason with a
// variable detail (missing_merge_field:first_name) answers with its family's.
func (r Reason) Description() string {
	if d, ok := reasonDocs[r]; ok {
		return d
	}
	if d, ok := reasonDocs[Reason(r.Family()+":*")]; ok {
		return d
	}
	return ""
}

// Registered reports whether r, or its family with a variable detail, is in
// the registry.
func (r Reason) Registered() bool { return r.Description() != "" }

// With returns the family's reason with detail in place of "*":
// MissingMergeField.With("first_name") is missing_merge_field:first_name.
func (r Reason) With(detail string) Reason {
	return Reason(strings.TrimSuffix(string(r), "*") + detail)
}

// Reasons lists every registered reason, sorted.
func Reasons() []Reason {
	out := make([]Reason, 0, len(reasonDocs))
	for r := range reasonDocs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
