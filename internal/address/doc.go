// Package address is postmill's address hygiene: it standardizes and
// validates the address of a piece row, US addresses to USPS Publication 28
// form against the USPS ZIP table, foreign addresses to their postal-code
// format, and gives each a status, notes and a canonical matching key.
//
// # Flow
//
//	row's address columns ──Fields──► Standardizer.Standardize ──► *Result
//	                                    │  postcode.Detect   US or foreign?
//	                                    │  pub28.Parser      delivery line (Pub 28)
//	                                    │  zipdb.DB.Check    ZIP, city, state
//	                                    ▼
//	           Street, City, State, Zip5, Zip4, Country, PostalCode, Status, Problem, Notes
//	                                    └──AppendKey──► "123 MAIN ST APT 4|02108" (suppress, dedupe, NCOA)
//
// Data enters as the raw byte slices of a row's address columns ([Fields]);
// nothing is retained. It leaves as a [Result] whose byte slices are views
// into storage owned by the Result (or the Standardizer), valid until it is
// filled again; the validate stage copies them into the row's batch. A
// [Standardizer] holds all its buffers, so standardizing does not allocate
// once warm; it is not safe for concurrent use (one per worker). [Rules] is
// the same work behind the batch-oriented [Verifier] interface, safe for
// concurrent use.
//
// # What is checked (the embedded rules)
//
// US addresses:
//
//   - the delivery line is parsed and rewritten as Pub 28 prescribes
//     (primary number, directionals, street name, C1 suffix, C2 secondary
//     unit, PO box, rural route and highway contract forms), with
//     address_street2 merged when it is a secondary unit;
//   - a missing delivery line, primary number or box number, a line that
//     fits no Pub 28 pattern, and garbage (control characters, emoji, other
//     scripts, only punctuation, fields over 256 bytes) are invalid;
//   - the ZIP Code must be 5 or 9 digits (ZIP+4 forms 02108-1234, 021081234,
//     02108- are read) and present in the USPS ZIP table; leading zeros a
//     spreadsheet dropped are restored only when the padded ZIP exists in
//     the given state;
//   - full state names become codes; an empty city or state is filled from
//     the ZIP; a misspelled city close to the ZIP's USPS default city is
//     corrected; a state that disagrees with the ZIP is replaced by the
//     ZIP's when the city agrees with the ZIP, and is otherwise invalid.
//
// Foreign addresses (a country other than US, or an empty country with a
// GB, CA, IE or NL shaped postal code and no US state): the lines are kept
// as given, folded to uppercase ASCII and single-spaced; the postal code is
// checked against the country's format (about eighty countries) and written
// in its canonical form; a code that does not fit is invalid, a missing one
// is a note. The address is StatusInternational, or invalid in a
// domestic-only campaign.
//
// # What is not checked without USPS data
//
// The rules cannot tell whether an address exists. Without USPS's licensed
// files postmill does not do: DPV (delivery point validation: that the
// house number exists on the street, that the unit exists, vacancy); ZIP+4
// assignment (a given add-on is kept if it is four digits, never checked or
// looked up); street-range checks (that MAIN ST exists in the ZIP);
// LACSLink (rural-route to street conversions); SuiteLink; carrier routes
// and delivery point barcodes; alternate and vanity city names beyond the
// ZIP table's default names and neighbouring default names (such a city is
// kept and noted city_mismatch, never rejected); and NCOALink itself (the
// package ncoa applies a change-of-address file that a licensed provider
// returned). For foreign addresses only the postal code's shape is checked,
// not that the code, city or street exist. A licensed CASS/DPV provider
// plugs in as a [Verifier].
package address
