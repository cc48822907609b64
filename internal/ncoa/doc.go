// Package ncoa applies NCOA move updates from a change-of-address file: the
// form in which an NCOALink service provider returns a mailing list's moves
// (old name and address → new address, move type, move date, or "moved, left
// no address" and "box closed").
//
// # Flow
//
//	COA file (CSV) ──Load / LoadFile──► *File ──Lookup(first, last, standardized address)──► *Move
//	                  standardize old and new                         new address, or no_forwarding / box_closed
//	                  addresses (internal/address), key them (internal/keyset)
//
// Data enters as a CSV file with exactly this header (the columns a
// provider's return file carries, in postmill's names):
//
//	first_name,last_name,old_address_street,old_address_street2,old_address_city,
//	old_address_state,old_address_zip,new_address_street,new_address_street2,
//	new_address_city,new_address_state,new_address_zip,move_type,move_date,status
//
// (one line). move_type is individual, family or business; move_date is
// YYYY-MM; status is new_address, no_forwarding or box_closed, and the
// new_address_* columns are empty for the last two. Load standardizes both
// addresses of every record with the embedded address rules, so a record
// matches a row however either spelled the address. A record that does not
// fit this format, or whose old or new address is not a valid US address,
// fails the whole load with the file, line and reason: a File is never half
// loaded.
//
// # Matching
//
// An individual move matches a row with the same name (first and last
// name, folded to uppercase ASCII letters and digits) at the same
// standardized address ([address.Result.AppendKey]); a family or business
// move matches any row at the address. Both are 128-bit keys
// ([keyset.KindNameAddress], [keyset.KindAddress]) in [keyset.Map] tables;
// an individual match wins over a family or business one. When two records
// have the same key, the first is kept.
//
// A File is read-only after Load and safe for concurrent use; Lookup does
// not allocate. The returned *Move and its new address belong to the File.
//
// # What this is not
//
// This package is not NCOALink: it does not hold USPS's change-of-address
// data and cannot find moves by itself. It applies a file that a licensed
// provider returned for the same list.
package ncoa
