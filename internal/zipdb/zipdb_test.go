package zipdb

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testDB loads the embedded table or fails the test.
func testDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return db
}

// sourceJSON finds the USPS JSON gen.go reads: $POSTMILL_ZIP_JSON, else the
// shared data directory of a postmill workspace.
func sourceJSON(tb testing.TB) []byte {
	tb.Helper()
	path := os.Getenv("POSTMILL_ZIP_JSON")
	if path == "" {
		path = filepath.Join("..", "..", "..", "shared", "data", "usps-zipcodes.json")
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("source JSON %s not present; set POSTMILL_ZIP_JSON to check the table against it", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

const wantZIPs = 41700

func TestTableMatchesSource(t *testing.T) {
	db := testDB(t)
	var src map[string]struct{ City, State string }
	if err := json.Unmarshal(sourceJSON(t), &src); err != nil {
		t.Fatal(err)
	}
	if db.Len() != len(src) || db.Len() != wantZIPs {
		t.Fatalf("table has %d ZIPs, JSON %d, want %d", db.Len(), len(src), wantZIPs)
	}
	for z, want := range src {
		e, ok := db.LookupBytes([]byte(z))
		if !ok || e.City != want.City || string(e.State[:]) != want.State {
			t.Fatalf("Lookup(%s) = %q %q %v, want %q %q", z, e.City, e.State, ok, want.City, want.State)
		}
	}
	seen, prev := 0, ""
	for z, e := range db.All() {
		want, ok := src[string(z[:])]
		if !ok || want.City != e.City || want.State != string(e.State[:]) || string(z[:]) <= prev {
			t.Fatalf("All yielded %s %q %s out of order or not in the JSON", z, e.City, e.State)
		}
		prev = string(z[:])
		seen++
	}
	if seen != len(src) {
		t.Fatalf("All yielded %d ZIPs, want %d", seen, len(src))
	}
}

func TestEmbeddedTable(t *testing.T) {
	if len(zipsBin) > 300_000 {
		t.Errorf("zips.bin is %d bytes; it should stay well under 400 KB", len(zipsBin))
	}
	start := time.Now()
	db, err := parse(zipsBin)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 200*time.Millisecond { // generous: 2 shared cores, -race
		t.Errorf("parse took %v", d)
	}
	if db.Len() != wantZIPs {
		t.Errorf("Len = %d, want %d", db.Len(), wantZIPs)
	}
	n := 0
	for range db.All() {
		n++
	}
	if n != wantZIPs {
		t.Errorf("All yielded %d", n)
	}
}

func TestParseCorrupt(t *testing.T) {
	good := []byte(zipsBin)
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXZIPDB1"), good[8:]...),
		"truncated": good[:len(good)-100],
		"flipped":   func() []byte { b := append([]byte(nil), good...); b[20000] ^= 1; return b }(),
	}
	for name, data := range cases {
		if _, err := Parse(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := Parse(good); err != nil {
		t.Errorf("good data: %v", err)
	}
}

func TestLookup(t *testing.T) {
	db := testDB(t)
	cases := []struct {
		zip, city, state string
		ok               bool
	}{
		{"02108", "BOSTON", "MA", true},
		{"02139", "CAMBRIDGE", "MA", true},
		{"00501", "HOLTSVILLE", "NY", true}, // lowest ZIP
		{"63101", "SAINT LOUIS", "MO", true},
		{"96799", "PAGO PAGO", "AS", true},
		{"73949", "TEXHOMA", "OK", true}, // prefix 739 is mostly OK, some TX
		{"06390", "FISHERS ISLAND", "NY", true},
		{"99999", "", "", false},
		{"00000", "", "", false},
		{"0210A", "", "", false},
		{"0210", "", "", false},
	}
	for _, c := range cases {
		e, ok := db.LookupBytes([]byte(c.zip))
		if ok != c.ok || e.City != c.city || (ok && string(e.State[:]) != c.state) {
			t.Errorf("Lookup(%q) = %q %q %v, want %q %q %v", c.zip, e.City, e.State, ok, c.city, c.state, c.ok)
		}
	}
}

func TestParseAndNormalizeZIP(t *testing.T) {
	db := testDB(t)
	cases := []struct {
		raw, state string
		want       string // ZIP.String()
		notes      Notes
		parseOnly  bool // use ParseZIP, no table
	}{
		{"02108", "MA", "02108", 0, false},
		{"02108-1234", "MA", "02108-1234", 0, false},
		{"021081234", "MA", "02108-1234", 0, false},
		{"02108-", "MA", "02108", 0, false},
		{"02108 1234", "", "02108-1234", 0, false},
		{"02108 - 1234", "", "02108-1234", 0, false},
		{" 2108 ", "MA", "02108", Notes(ZipPadded), false},
		{"\t02108\r\n", "", "02108", 0, false},
		{"2139", "MA", "02139", Notes(ZipPadded), false},
		{"2139", "ma", "02139", Notes(ZipPadded), false},
		{"2139", "TX", "", Notes(ZipMalformed), false},
		{"2139", "", "", Notes(ZipMalformed), false},
		{"2139-4307", "MA", "02139-4307", Notes(ZipPadded), false},
		{"21394307", "MA", "02139-4307", Notes(ZipPadded), false},
		{"501", "NY", "00501", Notes(ZipPadded), false},
		{"5011234", "NY", "00501-1234", Notes(ZipPadded), false},
		{"999", "NY", "", Notes(ZipMalformed), false}, // 00999 does not exist
		{"", "MA", "", Notes(ZipMissing), false},
		{"   ", "MA", "", Notes(ZipMissing), false},
		{"ABCDE", "", "", Notes(ZipMalformed), false},
		{"123456", "", "", Notes(ZipMalformed), false},
		{"12", "", "", Notes(ZipMalformed), false},
		{"02108x", "", "", Notes(ZipMalformed), false},
		{"02108--1234", "", "", Notes(ZipMalformed), false},
		{"SW1A 2AA", "", "", Notes(ZipMalformed), false},
		{"02108-12", "MA", "02108", Notes(Zip4Malformed), false},
		{"02108-ABCD", "MA", "02108", Notes(Zip4Malformed), false},
		{"02108-12345", "MA", "02108", Notes(Zip4Malformed), false},
		{"99999", "", "99999", Notes(ZipUnknown), false},
		{"00000-1234", "", "00000-1234", Notes(ZipUnknown), false},
		{"2139", "MA", "", Notes(ZipMalformed), true}, // no table: no repair
		{"99999", "", "99999", 0, true},               // no table: shape only
		{"02108-1234", "", "02108-1234", 0, true},
	}
	for _, c := range cases {
		var z ZIP
		if c.parseOnly {
			z = ParseZIP([]byte(c.raw))
		} else {
			z = db.NormalizeZIP([]byte(c.raw), []byte(c.state))
		}
		if z.String() != c.want || z.Notes != c.notes {
			t.Errorf("zip %q state %q (parse only %v) = %q [%v], want %q [%v]",
				c.raw, c.state, c.parseOnly, z.String(), z.Notes, c.want, c.notes)
		}
	}
}

func TestCheckCityState(t *testing.T) {
	db := testDB(t)
	cases := []struct {
		name             string
		city, state, zip string
		wantCity, wantSt string
		notes            Notes
	}{
		{"exact", "BOSTON", "MA", "02108", "", "MA", 0},
		{"lower case folded", "boston", "ma", "02108", "", "MA", 0},
		{"fill both", "", "", "02108", "BOSTON", "MA", Notes(CityFromZip | StateFromZip)},
		{"blank city filled", "  ", "MA", "02108", "BOSTON", "MA", Notes(CityFromZip)},
		{"fill state", "BOSTON", "", "02108", "", "MA", Notes(StateFromZip)},
		{"typo deletion", "BOSTN", "MA", "02108", "BOSTON", "MA", Notes(CityCorrected)},
		{"typo transposition", "BSOTON", "MA", "02108", "BOSTON", "MA", Notes(CityCorrected)},
		{"long name two edits", "CAMBRDG", "MA", "02139", "CAMBRIDGE", "MA", Notes(CityCorrected)},
		{"long name three edits", "CMBRDG", "MA", "02139", "", "MA", Notes(CityMismatch)},
		{"short name one edit", "MIAMA", "FL", "33101", "MIAMI", "FL", Notes(CityCorrected)},
		{"short name two edits", "MAIMA", "FL", "33101", "", "FL", Notes(CityMismatch)},
		{"ST for SAINT", "ST LOUIS", "MO", "63101", "", "MO", 0},
		{"ST. with period", "ST. LOUIS", "MO", "63101", "", "MO", 0},
		{"ST typo", "ST LUIS", "MO", "63101", "SAINT LOUIS", "MO", Notes(CityCorrected)},
		{"FT for FORT", "FT WORTH", "TX", "76102", "", "TX", 0},
		{"FORT for FT", "FORT MITCHELL", "KY", "41017", "", "KY", 0},
		{"hyphen and spaces", "WINSTON-SALEM", "NC", "27101", "", "NC", 0},
		{"double space", "NEW  YORK", "NY", "10001", "", "NY", 0},
		{"state from ZIP when city agrees", "BOSTON", "NY", "02108", "", "MA", Notes(StateCorrected)},
		{"state corrected and city corrected", "BOSTN", "NY", "02108", "BOSTON", "MA", Notes(StateCorrected | CityCorrected)},
		{"state not a code, city agrees", "BOSTON", "MASS", "02108", "", "MA", Notes(StateCorrected)},
		{"state mismatch, no city", "", "NY", "02108", "", "NY", Notes(ZipStateMismatch)},
		{"state mismatch, other city", "SPRINGFIELD", "IL", "02108", "", "IL", Notes(ZipStateMismatch)},
		{"state mismatch, neighbour city", "CAMBRIDGE", "NY", "02108", "", "NY", Notes(ZipStateMismatch)},
		{"neighbour default city", "CAMBRIDGE", "MA", "02108", "", "MA", Notes(CityAlternate)},
		{"neighbour via alias", "ROXBURY", "MA", "02108", "", "MA", Notes(CityAlternate)},
		{"neighbour, state filled", "ROXBURY", "", "02108", "", "MA", Notes(CityAlternate | StateFromZip)},
		{"real city elsewhere not corrected", "SPRINGFIELD", "MA", "02108", "", "MA", Notes(CityMismatch)},
		{"vanity name", "HOLLYWOOD", "CA", "90028", "", "CA", Notes(CityMismatch)},
		{"near miss that is a real city kept", "NEWTON", "CT", "06470", "", "CT", Notes(CityMismatch)},
		{"near miss that is no city corrected", "NEWTWN", "CT", "06470", "NEWTOWN", "CT", Notes(CityCorrected)},
		{"mismatch, state filled", "GOTHAM", "", "02108", "", "MA", Notes(CityMismatch | StateFromZip)},
		{"overlong city", strings.Repeat("BOSTON ", 20), "MA", "02108", "", "MA", Notes(CityMismatch)},
		{"unknown ZIP", "BOSTON", "MA", "99999", "", "MA", Notes(ZipUnknown)},
		{"mixed-state prefix", "TEXHOMA", "OK", "73949", "", "OK", 0},
		{"territory", "PAGO PAGO", "", "96799", "", "AS", Notes(StateFromZip)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := db.CheckCityState([]byte(c.city), []byte(c.state), [5]byte([]byte(c.zip)))
			if got.City != c.wantCity || string(got.State[:]) != c.wantSt || got.Notes != c.notes {
				t.Errorf("CheckCityState(%q, %q, %s) = {%q %q [%v]}, want {%q %q [%v]}",
					c.city, c.state, c.zip, got.City, got.State, got.Notes, c.wantCity, c.wantSt, c.notes)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	db := testDB(t)
	cases := []struct {
		city, state, zip       string
		wantZIP, city2, wantSt string
		notes                  Notes
	}{
		{"CAMBRIDGE", "MA", "2139", "02139", "", "MA", Notes(ZipPadded)},
		{"", "MA", "2139-4307", "02139-4307", "CAMBRIDGE", "MA", Notes(ZipPadded | CityFromZip)},
		{"CAMBRIDGE", "TX", "2139", "", "", "TX", Notes(ZipMalformed)},
		{"LONDON", "", "SW1A 2AA", "", "", "", Notes(ZipMalformed)},
		{"BOSTON", "MA", "", "", "", "MA", Notes(ZipMissing)},
		{"BOSTON", "MA", "02199", "02199", "", "MA", 0},
		{"BOSTON", "MA", "99999", "99999", "", "MA", Notes(ZipUnknown)},
		{"BOSTON", "MA", "02108-12", "02108", "", "MA", Notes(Zip4Malformed)},
	}
	for _, c := range cases {
		r := db.Check([]byte(c.city), []byte(c.state), []byte(c.zip))
		if r.ZIP.String() != c.wantZIP || r.City != c.city2 || strings.TrimRight(string(r.State[:]), "\x00") != c.wantSt || r.Notes != c.notes {
			t.Errorf("Check(%q, %q, %q) = {%q %q %q [%v]}, want {%q %q %q [%v]}",
				c.city, c.state, c.zip, r.ZIP, r.City, r.State, r.Notes, c.wantZIP, c.city2, c.wantSt, c.notes)
		}
	}
}

func TestNotes(t *testing.T) {
	want := []string{
		"zip_missing", "zip_malformed", "zip_unknown", "zip_state_mismatch",
		"zip_padded", "zip4_malformed", "state_from_zip", "state_corrected",
		"city_from_zip", "city_corrected", "city_alternate", "city_mismatch",
	}
	all := AllNotes()
	if len(all) != len(want) {
		t.Fatalf("AllNotes has %d notes, want %d", len(all), len(want))
	}
	for i, n := range all {
		if n.String() != want[i] || n.Description() == "" {
			t.Errorf("note %d: %q %q", i, n, n.Description())
		}
		if n.Invalid() != (i < 4) {
			t.Errorf("%v.Invalid() = %v", n, n.Invalid())
		}
	}
	s := Notes(0).Add(CityCorrected).Add(ZipPadded)
	if s.String() != "zip_padded,city_corrected" || !s.Has(ZipPadded) || s.Has(ZipUnknown) {
		t.Errorf("set = %q", s)
	}
	if _, bad := s.Invalid(); bad {
		t.Error("repairs reported invalid")
	}
	if n, bad := s.Add(ZipStateMismatch).Add(ZipUnknown).Invalid(); !bad || n != ZipUnknown {
		t.Errorf("Invalid = %v %v, want zip_unknown", n, bad)
	}
	if got := (ZipPadded | CityMismatch).String(); got != "note(2064)" {
		t.Errorf("two-bit Note String = %q", got)
	}
	if Notes(0).String() != "" {
		t.Error("empty set String not empty")
	}
}

func TestOSA(t *testing.T) {
	cases := []struct {
		a, b string
		k    int
		want bool
	}{
		{"BOSTON", "BOSTON", 0, true},
		{"BOSTN", "BOSTON", 1, true},
		{"BSOTON", "BOSTON", 1, true}, // transposition is one edit
		{"BSOTON", "BOSTON", 0, false},
		{"CA", "ABC", 2, false}, // OSA, not full Damerau: 3
		{"", "AB", 2, true},
		{"", "ABC", 2, false},
		{"KITTEN", "SITTING", 2, false},
		{"KITTEN", "SITTING", 3, true},
	}
	for _, c := range cases {
		if got := osaWithin([]byte(c.a), c.b, c.k); got != c.want {
			t.Errorf("osaWithin(%q, %q, %d) = %v", c.a, c.b, c.k, got)
		}
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	db := testDB(t)
	rows := [][3][]byte{
		{[]byte("BOSTON"), []byte("MA"), []byte("02108-1234")},
		{[]byte("ST LUIS"), []byte("MO"), []byte("63101")},
		{[]byte("CAMBRIDGE"), []byte("MA"), []byte("2108")},
		{[]byte("HOLLYWOOD"), []byte(""), []byte("90028")},
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, r := range rows {
			_ = db.Check(r[0], r[1], r[2])
		}
	})
	if allocs != 0 {
		t.Errorf("Check allocates %v times per run", allocs)
	}
}
