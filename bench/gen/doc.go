// Package gen makes synthetic direct-mail data for postmill's benchmarks and
// tests: millions of realistic US contact rows in the standard AFC columns,
// with known amounts of the problems the pipeline must handle, and the
// suppression lists and change-of-address file that go with them.
//
// # What a file holds
//
// Names are drawn from frequency-weighted lists of common US given names and
// surnames; addresses from the embedded USPS ZIP table (internal/zipdb),
// weighted so that the 3-digit areas of large metros are dense, as real mail
// files are, with house numbers, street names, Publication 28 suffixes,
// directionals, secondary units, PO boxes (3%) and rural routes (0.5%,
// outside metros). Rows carry an organization now and then, an email made
// from the name with a unique number, a unique external_id, an offer name
// (var_field_1) and an ISO date (var_field_2); a CSV row averages about
// 118 bytes.
//
// Into these rows go, at the rates of [Config]: exact and formatting-variant
// duplicates, households, invalid addresses (unknown ZIP, no street, no house
// number, garbage), suppressed and moved contacts, rows without a merge value,
// foreign addresses, messy formatting and ZIP Codes that lost their leading
// zeros. Each row has one [Kind]; [Stats] counts them, the ground truth a
// benchmark compares postmill's run report against. Unrelated contacts are
// drawn at random, so two of them share an address now and then, as in real
// files; Stats counts only the injected rows.
//
// # How data leaves it
//
// Pull rows with [Generator.Next]: it fills a caller's [Record] whose fields
// point into the generator's buffer, valid until the next call, and does not
// allocate per row. [Generator.WriteContacts] and [Write] stream the rows to
// an io.Writer as CSV, gzip or zstd CSV, or Parquet ([Format]); the caller
// owns and closes the writer. Once the rows are out,
// [Generator.WriteSuppressEmails], [Generator.WriteSuppressAddresses] and
// [Generator.WriteCOA] write the side files that match them. [WriteAll] does
// all of it into a directory:
//
//	contacts.<format>     the contact rows (Columns)
//	suppress-email.csv    email
//	suppress-address.csv  address_street,address_street2,address_city,address_state,address_zip
//	coa.csv               the change-of-address file (COAColumns)
//
// The same Config, Seed included, gives byte-identical files.
package gen
