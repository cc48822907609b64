// Package zipdb is postmill's embedded copy of the USPS ZIP Code table: every
// five-digit ZIP with its USPS default city and state. The validate stage uses
// it to parse and repair ZIP Codes and to check, fill and correct the city and
// state of US addresses, without a network call and without allocating.
//
// # Data in and out
//
// The table enters at build time: gen.go (run by go generate) reads the JSON
// published by pseudosavant/USPSZIPCodes ({"02108":{"city":"BOSTON","state":"MA"},...},
// 41,700 ZIPs) and writes zips.bin, which is committed and embedded with
// go:embed. At run time [Load] parses the embedded file once (a few
// milliseconds). Callers hand in the raw ZIP, city and state bytes of a row and
// get back value types: a [ZIP] (digits held inline), a replacement city as a
// string that points into the table, a [2]byte state and a [Notes] bit set.
// Nothing returned aliases the caller's buffers, and nothing allocates.
//
//	db, err := zipdb.Load()
//	r := db.Check(city, state, zip) // NormalizeZIP + CheckCityState
//	if n, bad := r.Notes.Invalid(); bad {
//		// reject: "invalid_address:" + n.String(), e.g. invalid_address:zip_unknown
//	}
//
// # What the table cannot say
//
// It lists only the default ("preferred") city of each ZIP. Acceptable
// alternate names (ST LOUIS for SAINT LOUIS, neighbourhood names, vanity
// names) are not in it. The package makes up part of that: ST/SAINT, STE/SAINTE,
// FT/FORT and MT/MOUNT compare equal, and a city that is the default city of a
// neighbouring ZIP (same 3-digit prefix, same state) is accepted
// ([CityAlternate]). Any other city that differs from the ZIP's default is
// kept and noted ([CityMismatch]), never rejected, because the table cannot
// tell a wrong city from a legitimate alternate name. It has no ZIP+4 data:
// an add-on is checked for shape only.
//
// # The zips.bin format
//
// All integers are little-endian.
//
//	offset           size        field
//	0                8           magic "PMZIPDB1"
//	8                4           N, the number of ZIPs (uint32)
//	12               2           C, the number of distinct city names (uint16)
//	14               2           R, the number of state runs (uint16)
//	16               12,504      presence bitmap: 1,563 uint64 words; bit z%64 of
//	                             word z/64 is set when ZIP z (0..99999) exists
//	12,520           2·N         city id of each ZIP (uint16), in ascending ZIP order
//	12,520+2N        4·R         state runs: first ZIP index (uint16), state (2 ASCII
//	                             bytes); a run's state holds until the next run's
//	                             first index. ZIPs are grouped by state, so R is
//	                             small (85)
//	…                …           C city names, sorted: length (1 byte), then the
//	                             name in capitals and spaces; city id = position
//	end−4            4           CRC-32 (IEEE) of everything before it
//
// A ZIP's index is the number of set bits before its bit. Load expands the
// file into a 100,000-entry array of packed words (present bit, state index,
// city id; 400 KB of memory) so that a lookup is one array load; city names
// stay in the embedded file and are handed out as substrings of it. For the
// current data the file is 281,449 bytes.
//
// # Provenance and license
//
// Data: USPSZIPCodes, https://github.com/pseudosavant/USPSZIPCodes, file
// dist/ZIPCodes.json, MIT License, Copyright (c) 2023 Paul Ellis. The full
// notice is in the NOTICE file beside this one and must ship with binaries.
//
// To regenerate after updating the JSON:
//
//	cd internal/zipdb && go generate
//
// gen.go's -in flag names the JSON; the go:generate line points at the shared
// data directory of a postmill workspace (../../../shared/data).
package zipdb
