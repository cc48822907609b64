package keyset

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// testKey returns distinct non-zero keys for distinct i.
func testKey(i int) Key {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(i))
	return Sum(0, b[:])
}

// clashKey returns keys that all start probing at the same slot: home folds
// lo ^ rotl(hi, 32), which is 0 for every one of them.
func clashKey(i int) Key {
	var k Key
	v := uint64(i) + 1
	binary.LittleEndian.PutUint64(k[0:8], v<<32|v>>32)
	binary.LittleEndian.PutUint64(k[8:16], v)
	return k
}

func TestSlotsFor(t *testing.T) {
	tests := []struct{ n, want int }{
		{-1, 16}, {0, 16}, {12, 16}, {13, 32}, {24, 32}, {25, 64},
		{768, 1024}, {769, 2048},
		{5_000_000, 1 << 23},
		{10_000_000, 1 << 24}, // 256 MiB of Set slots
		{12_582_912, 1 << 24},
		{12_582_913, 1 << 25},
	}
	for _, tt := range tests {
		if got := slotsFor(tt.n); got != tt.want {
			t.Errorf("slotsFor(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestSetOps(t *testing.T) {
	a, b := testKey(1), testKey(2)
	type op struct {
		name string
		k    Key
		want bool // result of Add or Has
	}
	tests := []struct {
		name    string
		ops     []op
		wantLen int
	}{
		{"empty", []op{{"has", a, false}, {"has", Key{}, false}}, 0},
		{"add then has", []op{{"add", a, true}, {"has", a, true}, {"has", b, false}}, 1},
		{"add twice", []op{{"add", a, true}, {"add", a, false}, {"add", b, true}}, 2},
		{"zero key is a member", []op{
			{"has", Key{}, false}, {"add", Key{}, true}, {"has", Key{}, true},
			{"add", Key{}, false}, {"has", a, false},
		}, 1},
		{"zero key beside others", []op{{"add", a, true}, {"add", Key{}, true}, {"add", b, true}, {"has", b, true}}, 3},
		{"clashing home slot", []op{
			{"add", clashKey(0), true}, {"add", clashKey(1), true}, {"add", clashKey(2), true},
			{"has", clashKey(1), true}, {"has", clashKey(3), false}, {"add", clashKey(1), false},
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []*Set{{}, NewSet(0), NewSet(1000)} {
				for i, o := range tt.ops {
					var got bool
					if o.name == "add" {
						got = s.Add(o.k)
					} else {
						got = s.Has(o.k)
					}
					if got != o.want {
						t.Fatalf("op %d: %s(%s) = %v, want %v", i, o.name, o.k, got, o.want)
					}
				}
				if s.Len() != tt.wantLen {
					t.Errorf("Len() = %d, want %d", s.Len(), tt.wantLen)
				}
			}
		})
	}
}

func TestSetGrowth(t *testing.T) {
	for _, gen := range []struct {
		name string
		key  func(int) Key
		n    int
	}{
		{"hashed", testKey, 100_000},
		{"clashing", clashKey, 2_000}, // quadratic: every key probes one run
	} {
		t.Run(gen.name, func(t *testing.T) {
			var s Set
			for i := range gen.n {
				if !s.Add(gen.key(i)) {
					t.Fatalf("Add(key %d) = false on first insert", i)
				}
				if cap := len(s.slots); s.used > cap*3/4 {
					t.Fatalf("after %d adds: %d used of %d slots, load > 3/4", i+1, s.used, cap)
				}
			}
			if s.Len() != gen.n {
				t.Fatalf("Len() = %d, want %d", s.Len(), gen.n)
			}
			if want := slotsFor(gen.n); len(s.slots) != want {
				t.Errorf("%d slots after %d adds, want %d", len(s.slots), gen.n, want)
			}
			for i := range gen.n {
				if !s.Has(gen.key(i)) {
					t.Fatalf("Has(key %d) = false after growth", i)
				}
				if s.Add(gen.key(i)) {
					t.Fatalf("Add(key %d) = true on repeat", i)
				}
			}
			for i := gen.n; i < 2*gen.n; i++ {
				if s.Has(gen.key(i)) {
					t.Fatalf("Has(key %d) = true, never added", i)
				}
			}
			seen := 0
			for k := range s.All() {
				if !s.Has(k) {
					t.Fatalf("All yielded %s, not in set", k)
				}
				seen++
			}
			if seen != gen.n {
				t.Errorf("All yielded %d keys, want %d", seen, gen.n)
			}
		})
	}
}

func TestSetClearAndPresize(t *testing.T) {
	s := NewSet(1000)
	slots := len(s.slots)
	for i := range 1000 {
		s.Add(testKey(i))
	}
	if len(s.slots) != slots {
		t.Errorf("NewSet(1000) grew from %d to %d slots for 1000 keys", slots, len(s.slots))
	}
	s.Add(Key{})
	s.Clear()
	if s.Len() != 0 || s.Has(testKey(5)) || s.Has(Key{}) {
		t.Errorf("after Clear: Len %d, Has(key 5) %v, Has(zero) %v; want 0, false, false", s.Len(), s.Has(testKey(5)), s.Has(Key{}))
	}
	if len(s.slots) != slots {
		t.Errorf("Clear changed the table size")
	}
}

func TestMapOps(t *testing.T) {
	for _, m := range []*Map{{}, NewMap(0), NewMap(100)} {
		a, b := testKey(1), testKey(2)
		tests := []struct {
			k            Key
			v            uint64
			wantExisting uint64
			wantInserted bool
		}{
			{a, 10, 10, true},
			{a, 11, 10, false},
			{b, 20, 20, true},
			{Key{}, 30, 30, true},
			{Key{}, 31, 30, false},
			{b, 0, 20, false},
			{clashKey(0), 0, 0, true}, // value 0 is a value, not absence
			{clashKey(0), 5, 0, false},
		}
		for i, tt := range tests {
			ex, ins := m.PutIfAbsent(tt.k, tt.v)
			if ex != tt.wantExisting || ins != tt.wantInserted {
				t.Fatalf("step %d: PutIfAbsent(%s, %d) = (%d, %v), want (%d, %v)", i, tt.k, tt.v, ex, ins, tt.wantExisting, tt.wantInserted)
			}
		}
		if m.Len() != 4 {
			t.Errorf("Len() = %d, want 4", m.Len())
		}
		m.Put(a, 99)
		m.Put(Key{}, 98)
		m.Put(testKey(3), 97)
		gets := []struct {
			k      Key
			want   uint64
			wantOK bool
		}{{a, 99, true}, {b, 20, true}, {Key{}, 98, true}, {testKey(3), 97, true}, {clashKey(0), 0, true}, {testKey(4), 0, false}, {clashKey(1), 0, false}}
		for _, g := range gets {
			if v, ok := m.Get(g.k); v != g.want || ok != g.wantOK {
				t.Errorf("Get(%s) = (%d, %v), want (%d, %v)", g.k, v, ok, g.want, g.wantOK)
			}
		}
		if m.Len() != 5 {
			t.Errorf("Len() = %d, want 5", m.Len())
		}
		m.Clear()
		if _, ok := m.Get(Key{}); ok || m.Len() != 0 {
			t.Errorf("after Clear: Len %d, zero key present %v", m.Len(), ok)
		}
	}
}

func TestMapGrowth(t *testing.T) {
	var m Map
	const n = 100_000
	for i := range n {
		if _, ins := m.PutIfAbsent(testKey(i), uint64(i)); !ins {
			t.Fatalf("PutIfAbsent(key %d) not inserted", i)
		}
	}
	if m.Len() != n || len(m.slots) != slotsFor(n) {
		t.Fatalf("Len %d slots %d, want %d and %d", m.Len(), len(m.slots), n, slotsFor(n))
	}
	for i := range n {
		if v, ok := m.Get(testKey(i)); !ok || v != uint64(i) {
			t.Fatalf("Get(key %d) = (%d, %v) after growth", i, v, ok)
		}
	}
	sum := uint64(0)
	for _, v := range m.All() {
		sum += v
	}
	if want := uint64(n * (n - 1) / 2); sum != want {
		t.Errorf("sum of values from All = %d, want %d", sum, want)
	}
}

func TestOpsDoNotAllocate(t *testing.T) {
	s := NewSet(1000)
	m := NewMap(1000)
	keys := make([]Key, 500)
	for i := range keys {
		keys[i] = testKey(i)
	}
	i := 0
	allocs := testing.AllocsPerRun(400, func() {
		k := keys[i%len(keys)]
		s.Add(k)
		s.Has(k)
		m.PutIfAbsent(k, 1)
		m.Get(k)
		i++
	})
	if allocs != 0 {
		t.Errorf("Set/Map ops: %v allocs per run, want 0", allocs)
	}
}

func ExampleSet() {
	var seen Set
	for _, email := range []string{"a@example.com", "b@example.com", "a@example.com"} {
		k := Sum(KindEmail, []byte(email))
		fmt.Println(email, seen.Add(k))
	}
	fmt.Println(seen.Len())
	// Output:
	// a@example.com true
	// b@example.com true
	// a@example.com false
	// 2
}

func ExampleMap_PutIfAbsent() {
	var first Map
	rows := []string{"JANE DOE|123 MAIN ST", "JOHN ROE|9 ELM AVE", "JANE DOE|123 MAIN ST"}
	for row, v := range rows {
		k := Sum(KindNameAddress, []byte(v))
		if keep, inserted := first.PutIfAbsent(k, uint64(row)); !inserted {
			fmt.Printf("row %d duplicates row %d\n", row, keep)
		}
	}
	// Output:
	// row 2 duplicates row 0
}

func TestHasBatchMatchesHas(t *testing.T) {
	var s Set
	keys := make([]Key, 0, 300)
	for i := range 300 {
		k := testKey(i)
		if i%50 == 0 {
			k = clashKey(i)
		}
		if i == 7 {
			k = Key{}
		}
		keys = append(keys, k)
		if i%3 == 0 {
			s.Add(k)
		}
	}
	found := make([]bool, len(keys))
	n := s.HasBatch(keys, found)
	want := 0
	for i, k := range keys {
		if found[i] != s.Has(k) {
			t.Errorf("HasBatch found[%d] = %v, Has = %v", i, found[i], s.Has(k))
		}
		if found[i] {
			want++
		}
	}
	if n != want || n != 100 {
		t.Errorf("HasBatch returned %d, want %d (= 100)", n, want)
	}
	var empty Set
	if n := empty.HasBatch(keys, found); n != 0 {
		t.Errorf("HasBatch on empty set = %d, want 0", n)
	}
	var m Map
	m.Prefetch(keys) // no-op on an empty map
	m.Put(keys[1], 1)
	m.Prefetch(keys)
	if v, ok := m.Get(keys[1]); !ok || v != 1 || m.Len() != 1 {
		t.Errorf("Prefetch changed the map")
	}
}
