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

// reasonDocs is the one registry of reason codes and what they mean. Each
// stage keeps its part in a file of its own (reasons_*.go), so stages can be
// added without touching the others' codes.
var reasonDocs = merge(coreReasons, addressReasons, listReasons, renderReasons, batchReasons, accountReasons)

var coreReasons = map[Reason]string{
	MalformedColumnCount: "the record has more or fewer cells than the header",
	MalformedQuote:       "a quoted field is not closed, or a quote stands inside an unquoted field",
	MalformedJSON:        "a JSON Lines record is not a JSON object of scalar values",
	MalformedFieldSet:    "a JSON Lines record has a key that the first record did not have",
	NoteDecodedCP1252:    "note: the record was not valid UTF-8 and was decoded as Windows-1252",
}

func merge(parts ...map[Reason]string) map[Reason]string {
	out := map[Reason]string{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("pipeline: reason registered twice: " + string(k))
			}
			out[k] = v
		}
	}
	return out
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
