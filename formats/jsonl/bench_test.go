package jsonl

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// BenchmarkRead reads 10,000 contact objects of 13 keys (one op is the
// whole input, so allocs/op are per 10,000 records).
func BenchmarkRead(b *testing.B) {
	var in bytes.Buffer
	for i := range 10_000 {
		fmt.Fprintf(&in, `{"first_name":"Ada%d","last_name":"Lovelace","organization":"","address_street":"%d Main St","address_street2":"Apt 4","address_city":"Boston","address_state":"MA","address_zip":"02108","address_country":"","email":"ada%d@example.com","external_id":"C%07d","var_field_1":"Spring Sale","var_field_2":"2026-05-01"}`+"\n", i, i, i, i)
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), ReaderConfig{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			f, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(f) != 13 {
				b.Fatalf("%d fields", len(f))
			}
			n++
		}
		if n != 10_000 {
			b.Fatalf("%d records", n)
		}
	}
	b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "records/s")
}
