package keyset

import (
	"math/rand/v2"
	"testing"
)

// TestFramerMatchesSum checks every key of a Framer batch against Sum of
// the kind, the prefix fields and the parts, for prefixes that leave every
// count of pending bytes, parts from empty to past the one-byte length,
// and a Framer reused across batches and prefixes.
func TestFramerMatchesSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	randBytes := func(n int) []byte {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		return p
	}
	var f Framer
	var keys []Key
	for batch := range 200 {
		kind := Kind(rng.IntN(256))
		var lead [][]byte
		for range rng.IntN(3) {
			lead = append(lead, randBytes(rng.IntN(40)))
		}
		h := NewHasher(kind)
		for _, p := range lead {
			h.WriteField(p)
		}
		f.Reset(&h)
		var want []Key
		for range rng.IntN(40) {
			var rest [][]byte
			for range rng.IntN(5) {
				n := rng.IntN(70)
				if batch%10 == 0 {
					n = rng.IntN(400)
				}
				rest = append(rest, randBytes(n))
			}
			f.Add(rest...)
			want = append(want, Sum(kind, append(append([][]byte{}, lead...), rest...)...))
		}
		if f.Len() != len(want) {
			t.Fatalf("Len %d, want %d", f.Len(), len(want))
		}
		keys = f.Sums(keys[:0])
		if len(keys) != len(want) {
			t.Fatalf("%d keys, want %d", len(keys), len(want))
		}
		for i := range want {
			if keys[i] != want[i] {
				t.Fatalf("batch %d key %d: Framer %s, Sum %s", batch, i, keys[i], want[i])
			}
		}
	}
	var zero Framer
	zero.Add([]byte("abc"))
	if got := zero.Sums(nil); len(got) != 1 || got[0] != Sum(0, []byte("abc")) {
		t.Errorf("zero Framer = %v, want Sum(0, abc)", got)
	}
}

func TestFramerDoesNotAllocate(t *testing.T) {
	h := NewHasher(KindEmail)
	h.WriteField([]byte("0123456789abcdef"))
	var f Framer
	keys := make([]Key, 0, 64)
	email := []byte("jane.doe@example.com")
	run := func() {
		f.Reset(&h)
		for range 64 {
			f.Add(email)
		}
		keys = f.Sums(keys[:0])
	}
	run() // grows the buffers once
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("Framer: %v allocs per batch, want 0", n)
	}
}
