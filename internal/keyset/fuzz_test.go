package keyset

import (
	"bytes"
	"testing"
)

// fuzzKey maps one byte to a key from a small universe so sequences revisit
// keys: the zero Key, keys that all share one home slot, and hashed keys.
func fuzzKey(b byte) Key {
	switch {
	case b == 0:
		return Key{}
	case b < 64:
		return clashKey(int(b))
	default:
		return testKey(int(b))
	}
}

// FuzzSet runs random operation sequences on a Set and a Map from their
// zero values (so they grow from the smallest table) and compares every
// result with Go maps. Each op is two bytes: operation, key. At the end the
// contents, All and a persistence round trip are checked.
func FuzzSet(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 0, 0, 0, 2, 0, 3, 0})             // zero key through every op
	f.Add([]byte{0, 1, 0, 2, 0, 3, 1, 2, 1, 4, 2, 3, 3, 3}) // clashing keys
	ramp := make([]byte, 0, 512)
	for i := range 256 {
		ramp = append(ramp, byte(i%4), byte(i)) // every key, every op: several growths
	}
	f.Add(ramp)
	f.Add(bytes.Repeat([]byte{0, 200, 1, 200, 2, 200, 4, 200}, 8))

	f.Fuzz(func(t *testing.T, ops []byte) {
		var s Set
		var m Map
		refSet := map[Key]bool{}
		refMap := map[Key]uint64{}
		for i := 0; i+1 < len(ops); i += 2 {
			k := fuzzKey(ops[i+1])
			v := uint64(i)
			switch ops[i] % 6 {
			case 0:
				want := !refSet[k]
				refSet[k] = true
				if got := s.Add(k); got != want {
					t.Fatalf("op %d: Set.Add(%s) = %v, want %v", i/2, k, got, want)
				}
			case 1:
				if got := s.Has(k); got != refSet[k] {
					t.Fatalf("op %d: Set.Has(%s) = %v, want %v", i/2, k, got, refSet[k])
				}
			case 2:
				old, had := refMap[k]
				if !had {
					refMap[k], old = v, v
				}
				ex, ins := m.PutIfAbsent(k, v)
				if ex != old || ins == had {
					t.Fatalf("op %d: PutIfAbsent(%s, %d) = (%d, %v), want (%d, %v)", i/2, k, v, ex, ins, old, !had)
				}
			case 3:
				want, had := refMap[k]
				if got, ok := m.Get(k); got != want || ok != had {
					t.Fatalf("op %d: Map.Get(%s) = (%d, %v), want (%d, %v)", i/2, k, got, ok, want, had)
				}
			case 4:
				refMap[k] = v
				m.Put(k, v)
			case 5:
				if ops[i+1] == 255 {
					clear(refSet)
					s.Clear()
				}
			}
		}
		if s.Len() != len(refSet) || m.Len() != len(refMap) {
			t.Fatalf("Len: set %d map %d, want %d and %d", s.Len(), m.Len(), len(refSet), len(refMap))
		}
		for k := range s.All() {
			if !refSet[k] {
				t.Fatalf("Set.All yielded %s, not in reference", k)
			}
		}
		for k, v := range m.All() {
			if want, ok := refMap[k]; !ok || want != v {
				t.Fatalf("Map.All yielded (%s, %d), reference has (%d, %v)", k, v, want, ok)
			}
		}
		var buf bytes.Buffer
		if _, err := s.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		s2, err := ReadSet(&buf)
		if err != nil {
			t.Fatalf("ReadSet of a fresh WriteTo: %v", err)
		}
		if s2.Len() != len(refSet) {
			t.Fatalf("round trip Len %d, want %d", s2.Len(), len(refSet))
		}
		for k := range refSet {
			if !s2.Has(k) {
				t.Fatalf("round trip lost %s", k)
			}
		}
		buf.Reset()
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		m2, err := ReadMap(&buf)
		if err != nil {
			t.Fatalf("ReadMap of a fresh WriteTo: %v", err)
		}
		for k, want := range refMap {
			if v, ok := m2.Get(k); !ok || v != want {
				t.Fatalf("map round trip: Get(%s) = (%d, %v), want (%d, true)", k, v, ok, want)
			}
		}
	})
}

// FuzzReadSet feeds arbitrary bytes to ReadSet: it must return an error or
// a set that writes back to the same bytes, and never panic.
func FuzzReadSet(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("PMKEYSET"))
	var s Set
	s.Add(testKey(1))
	s.Add(Key{})
	var buf bytes.Buffer
	s.WriteTo(&buf)
	f.Add(bytes.Clone(buf.Bytes()))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadSet(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if _, err := got.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		if out.Len() != len(data) {
			t.Fatalf("accepted %d bytes but writes back %d", len(data), out.Len())
		}
	})
}
