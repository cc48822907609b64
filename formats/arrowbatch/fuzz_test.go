package arrowbatch_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/postmill/postmill/formats/arrowbatch"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic; it either
// fails with one of the package's sentinels or returns a batch that
// survives a second round trip unchanged.
func FuzzDecode(f *testing.F) {
	for _, comp := range compressions {
		valid := validPayload(f, comp.c)
		f.Add(valid)
		for _, n := range []int{0, 3, 8, len(valid) / 4, len(valid) / 2, len(valid) - 9, len(valid) - 1} {
			if n >= 0 && n < len(valid) {
				f.Add(valid[:n])
			}
		}
	}
	f.Add(foreign(f, "99"))
	f.Add([]byte("first_name,last_name\nAda,Lovelace\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		d := arrowbatch.Decoder{MaxBytes: 1 << 20}
		b, err := d.Decode(p)
		if err != nil {
			if !errors.Is(err, arrowbatch.ErrNotArrow) && !errors.Is(err, arrowbatch.ErrTruncated) &&
				!errors.Is(err, arrowbatch.ErrSchemaVersion) && !errors.Is(err, arrowbatch.ErrMalformed) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		defer b.Release()
		if len(b.Rows)+len(b.Done) != b.Len() {
			t.Fatal("row count mismatch")
		}
		want := flatten(b)
		again, err := arrowbatch.Encode(b)
		if err != nil {
			t.Fatalf("re-encode a decoded batch: %v", err)
		}
		b2, err := arrowbatch.Decode(again)
		if err != nil {
			t.Fatalf("decode a re-encoded batch: %v", err)
		}
		defer b2.Release()
		if got := flatten(b2); !reflect.DeepEqual(got, want) {
			t.Fatalf("second round trip changed the batch:\n got %+v\nwant %+v", got, want)
		}
	})
}
