// Package postcode tells where a piece of mail goes and whether its postal code
// has the right shape for that country. The validate stage calls [Detect] on
// every row before the US-only checks: US rows go on to zipdb (ZIP table,
// city/state repair), foreign rows are checked against their country's format
// and either pass, are rejected (invalid_address:postal_code_format) or are
// refused by a domestic-only campaign.
//
// # Data in and out
//
// Detect takes the row's raw country, state and postal code fields as byte
// slices and returns a [Result] value: an ISO 3166-1 alpha-2 [Country] (a
// string constant from a static table), a normalized [Postcode] held inline in
// the result, a [Status] and whether the country was inferred. Nothing in the
// result aliases the input and nothing allocates, so it suits the per-row hot
// path; the common US case (empty or US country, digits-only ZIP) does the
// least work.
//
// # Tables
//
// The country table (country.go) covers about a hundred destinations with
// their codes, English names and common spellings ("UK", "GREAT BRITAIN",
// "ENGLAND" → GB; "USA", "UNITED STATES" → US). US territories that take ZIP
// Codes are US. Postal code formats (format.go) cover about eighty countries,
// among them GB (SW1A 2AA), CA (K1A 0B1), DE, FR, AU, NL (1234 AB), IE
// (Eircode D02 X285), JP (100-0001), MX, IT and ES; other countries' codes
// pass through upper-cased as Unchecked.
package postcode
