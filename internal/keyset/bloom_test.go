package keyset

import (
	"testing"
)

// TestBloomNoFalseNegatives fills a filter with 1M keys and checks that
// every one is reported, one at a time and through AppendMaybe, and that
// 1M keys never added pass at no more than the designed rate (with a
// margin of 30% for the sample: the expected count is ~10,500, so 30% is
// over 30 standard deviations).
func TestBloomNoFalseNegatives(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	f := NewBloom(n, BloomBitsPerKey)
	if want := (n*BloomBitsPerKey + 511) / 512 * 64; f.Bytes() != want {
		t.Fatalf("Bytes %d, want %d", f.Bytes(), want)
	}
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = testKey(i)
		f.Add(keys[i])
	}
	for i, k := range keys {
		if !f.MayContain(k) {
			t.Fatalf("false negative for key %d", i)
		}
	}
	idx := f.AppendMaybe(make([]int32, 0, 3), keys)
	if len(idx) != n {
		t.Fatalf("AppendMaybe passed %d of %d added keys", len(idx), n)
	}
	for i, j := range idx {
		if int(j) != i {
			t.Fatalf("AppendMaybe index %d is %d", i, j)
		}
	}

	absent := make([]Key, n)
	fp := 0
	for i := range absent {
		absent[i] = testKey(n + i)
		if f.MayContain(absent[i]) {
			fp++
		}
	}
	rate := float64(fp) / float64(n)
	t.Logf("false-positive rate %.4f (designed %.4f), %d bytes for %d keys", rate, BloomFalsePositiveRate, f.Bytes(), n)
	if rate > BloomFalsePositiveRate*1.3 {
		t.Errorf("false-positive rate %.4f, designed %.4f", rate, BloomFalsePositiveRate)
	}
	// AppendMaybe agrees with MayContain, appending after what dst holds.
	idx = f.AppendMaybe([]int32{-7}, absent)
	if len(idx) != fp+1 || idx[0] != -7 {
		t.Fatalf("AppendMaybe passed %d absent keys, MayContain %d", len(idx)-1, fp)
	}
	for _, j := range idx[1:] {
		if !f.MayContain(absent[j]) {
			t.Fatalf("AppendMaybe passed key %d that MayContain rejects", j)
		}
	}
}

// TestBloomOfSet checks Set.Bloom holds every key of the set, the zero Key
// and structured keys included, and that the zero Bloom passes everything.
func TestBloomOfSet(t *testing.T) {
	s := NewSet(0)
	for i := range 5000 {
		s.Add(testKey(i))
		s.Add(clashKey(i))
	}
	s.Add(Key{})
	f := s.Bloom(0)
	if f.Bytes() != (s.Len()*BloomBitsPerKey+511)/512*64 {
		t.Errorf("Bytes %d for %d keys", f.Bytes(), s.Len())
	}
	for k := range s.All() {
		if !f.MayContain(k) {
			t.Fatalf("false negative for %v", k)
		}
	}
	var zero Bloom
	if !zero.MayContain(testKey(1)) || len(zero.AppendMaybe(nil, []Key{{}, testKey(2)})) != 2 {
		t.Error("zero Bloom rejected a key")
	}
	empty := NewSet(0).Bloom(0)
	if empty.MayContain(testKey(3)) {
		t.Error("empty filter passed a key")
	}
}

// TestBloomOfMap checks Map.Bloom holds every key of the map, the zero Key
// included, and that a map's empty filter passes nothing.
func TestBloomOfMap(t *testing.T) {
	var m Map
	for i := range 5000 {
		m.Put(testKey(i), uint64(i))
		m.Put(clashKey(i), uint64(i))
	}
	m.Put(Key{}, 7)
	f := m.Bloom(0)
	if f.Bytes() != (m.Len()*BloomBitsPerKey+511)/512*64 {
		t.Errorf("Bytes %d for %d keys", f.Bytes(), m.Len())
	}
	n := 0
	for k := range m.All() {
		n++
		if !f.MayContain(k) {
			t.Fatalf("false negative for %v", k)
		}
	}
	if n != 10001 {
		t.Fatalf("walked %d keys, want 10001", n)
	}
	if (&Map{}).Bloom(0).MayContain(testKey(3)) {
		t.Error("empty map's filter passed a key")
	}
}

func TestBloomAppendMaybeNoAlloc(t *testing.T) {
	f := NewBloom(1000, 0)
	keys := make([]Key, 256)
	for i := range keys {
		keys[i] = testKey(i)
		if i%3 == 0 {
			f.Add(keys[i])
		}
	}
	dst := make([]int32, 0, len(keys))
	if a := testing.AllocsPerRun(100, func() { dst = f.AppendMaybe(dst[:0], keys) }); a != 0 {
		t.Errorf("AppendMaybe allocates %v times", a)
	}
}
