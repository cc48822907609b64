package zipdb

import "testing"

// benchRows mixes the common case (clean, exact) with repairs.
var benchRows = [][3][]byte{
	{[]byte("BOSTON"), []byte("MA"), []byte("02108-1234")},
	{[]byte("NEW YORK"), []byte("NY"), []byte("10001")},
	{[]byte("SAINT LOUIS"), []byte("MO"), []byte("63101")},
	{[]byte("ST LOUIS"), []byte("MO"), []byte("63101")},
	{[]byte("CAMBRIDGE"), []byte("MA"), []byte("2139")},
	{[]byte("FORT WORTH"), []byte(""), []byte("76102")},
	{[]byte("BOSTN"), []byte("MA"), []byte("02108")},
	{[]byte("LOS ANGELES"), []byte("CA"), []byte("90028")},
}

// BenchmarkCheck is the validate stage's per-row work for a US address:
// ZIP parse and repair, lookup, city/state check.
func BenchmarkCheck(b *testing.B) {
	db := testDB(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := benchRows[i&7]
		_ = db.Check(r[0], r[1], r[2])
		i++
	}
}

// BenchmarkCheckExact is Check on clean rows only (exact city, valid ZIP).
func BenchmarkCheckExact(b *testing.B) {
	db := testDB(b)
	city, state, zip := []byte("BOSTON"), []byte("MA"), []byte("02108-1234")
	b.ReportAllocs()
	for b.Loop() {
		_ = db.Check(city, state, zip)
	}
}

func BenchmarkLookup(b *testing.B) {
	db := testDB(b)
	zips := [][5]byte{{'0', '2', '1', '0', '8'}, {'6', '3', '1', '0', '1'}, {'9', '9', '9', '5', '0'}, {'7', '3', '9', '4', '9'}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = db.Lookup(zips[i&3])
		i++
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(zipsBin); err != nil {
			b.Fatal(err)
		}
	}
}
