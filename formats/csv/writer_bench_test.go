package csv_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/postmill/postmill/formats/csv"
)

// contactRecord is a record like accepted.csv's: ids, names, an address,
// standardized columns, merge fields, one of them quoted.
func contactRecord(i int) [][]byte {
	s := []string{
		fmt.Sprintf("%032x", i*7919), fmt.Sprint(i + 1), "", "MARGARET", "O'BRIEN", "",
		"1600 PENNSYLVANIA AVE NW STE 200", "", "WASHINGTON", "DC", "20500-0003", "US",
		"margaret.obrien@example.com", "2025551234", "spring-2026", "Dear Margaret, thanks",
		"valid", "0003", "", "first_class", "postcard_4x6", "5digit", "20500", "12", "3456",
	}
	f := make([][]byte, len(s))
	for j := range s {
		f[j] = []byte(s[j])
	}
	return f
}

// BenchmarkWriter writes 25-field contact records; b.SetBytes counts the
// bytes of one record's fields.
func BenchmarkWriter(b *testing.B) {
	recs := make([][][]byte, 64)
	n := 0
	for i := range recs {
		recs[i] = contactRecord(i)
	}
	for _, f := range recs[0] {
		n += len(f) + 1
	}
	w := csv.NewWriter(io.Discard)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.Write(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	w.Flush()
}
