// Package pub28 parses and standardizes US delivery address lines following
// USPS Publication 28, "Postal Addressing Standards"
// (https://pe.usps.com/text/pub28/).
//
// # What it does
//
// Given the first (and optional second) address line of a contact, Parser
// produces the standardized delivery line Pub 28 prescribes, e.g.
//
//	"123 North Main Street, Apt. #4"  →  "123 N MAIN ST APT 4"
//	"Apt 4, 123 Main St"              →  "123 MAIN ST APT 4"
//	"P.O. Box 0012"                   →  "PO BOX 12"
//	"Rural Route 2 Box 50"            →  "RR 2 BOX 50"
//
// along with its components (primary number, directionals, street name,
// suffix, secondary unit, box and route numbers), the address Kind and Notes
// saying what changed. It follows Sections 213 (secondary units), 233
// (directionals), 234 (suffixes), 24 (rural routes), 25 (highway
// contracts) and 28 (PO boxes), with the tables of Appendix C1 (street
// suffixes), C2 (secondary unit designators) and B (state codes) held as
// data in tables.go.
//
// It does not verify that an address exists: ZIP and city validation and
// ZIP+4 matching are other packages' work.
//
// # Data in and out
//
// Input is two byte slices of UTF-8 text, each at most MaxLineLen bytes.
// Latin letters with diacritics are folded to ASCII (PEÑA → PENA);
// control characters, emoji and other scripts make the line Garbage.
// Output is uppercase ASCII with single spaces, holding only letters,
// digits, spaces and the "/", "-" and "#" Pub 28 keeps.
//
// Parse returns a *Address whose []byte fields are views into the Parser's
// own buffer, valid until the next Parse call on that Parser, and a Problem.
// A line that cannot be standardized is not a Go error: Problem is a typed
// reason code (MissingPrimary, Garbage, …) that the validate stage turns
// into a row reject. Parse does not allocate, so a Parser per worker
// standardizes millions of lines without garbage:
//
//	var p pub28.Parser
//	for row := range rows {
//		a, problem := p.Parse(row.Line1, row.Line2)
//		if problem != pub28.NoProblem {
//			row.Reject("invalid_address:" + string(problem))
//			continue
//		}
//		row.DeliveryLine = append(row.DeliveryLine[:0], a.Line...)
//	}
//
// # Decisions where Pub 28 is silent or ambiguous
//
//   - A directional that is the whole street name stays a word ("123 NORTH
//     ST", "500 WEST AVE"); a suffix word that is the whole street name
//     stays as written and is not abbreviated ("10 PARK", "10 AVENUE N").
//   - Only the final suffix is abbreviated; suffix words inside the name,
//     and a leading street type ("1 AVENUE OF THE AMERICAS", "100 HIGHWAY
//     50", "12 COUNTY ROAD 5"), stay as written.
//   - A number after a highway word ("HIGHWAY 50", "COUNTY ROAD 5") is part
//     of the name; a short bare number after any other suffix is a
//     secondary unit with the "#" designator ("123 MAIN ST 4B" → "123 MAIN
//     ST # 4B"), as Pub 28 213 prescribes for an unknown designator.
//   - Spelled-out numbers are never converted, so "ONE MAIN ST" has no
//     primary number (MissingPrimary) and "FIRST AVE" stays "FIRST AVE".
//   - Spanish directionals (NORTE, SUR, ESTE, OESTE) are not abbreviated.
//   - Line 2 is merged when it is a secondary unit; when line 1 is the unit
//     and line 2 the street they are swapped; when line 1 has no primary
//     number but line 2 is an address, line 2 is used (a company or "c/o"
//     line); otherwise line 2 is ignored and Notes says so.
//   - Two different secondary units, text after a box number, and a street
//     address together with a PO box on one line are problems, not guesses.
//   - Leading zeros are removed from PO box, route and box numbers (Pub 28
//     242, 252, 282) but kept in primary and secondary numbers.
package pub28
