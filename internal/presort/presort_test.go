package presort

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"

	"github.com/postmill/postmill/internal/ledger"
)

func TestLevelNamesMatchRateCard(t *testing.T) {
	for l, want := range map[Level]ledger.PresortLevel{Level5Digit: ledger.Presort5Digit, Level3Digit: ledger.Presort3Digit,
		LevelAADC: ledger.PresortAADC, LevelMixed: ledger.PresortMixed} {
		if l.String() != string(want) {
			t.Errorf("%v: %q, want %q", int(l), l, want)
		}
		if got, err := ParseLevel(l.String()); err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l, got, err)
		}
	}
}

func counts(m map[uint32]int) *Counts {
	c := NewCounts()
	for z, n := range m {
		for range n {
			c.Add(z)
		}
	}
	return c
}

func TestPlanLevels(t *testing.T) {
	labels, err := NewLabelList(map[int]string{100: "ADC NY", 101: "ADC NY", 331: "ADC MIAMI"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		counts map[uint32]int
		labels *LabelList
		want   map[uint32]Level
	}{
		{"ten in a ZIP is 5-digit", map[uint32]int{10001: 10}, nil, map[uint32]Level{10001: Level5Digit}},
		{"nine in a ZIP is mixed", map[uint32]int{10001: 9}, nil, map[uint32]Level{10001: LevelMixed}},
		{"3-digit rollup of leftovers", map[uint32]int{10001: 6, 10002: 4, 10003: 12}, nil,
			map[uint32]Level{10001: Level3Digit, 10002: Level3Digit, 10003: Level5Digit}},
		{"nine left over in a prefix stays mixed", map[uint32]int{10001: 5, 10002: 4, 10003: 12}, nil,
			map[uint32]Level{10001: LevelMixed, 10002: LevelMixed, 10003: Level5Digit}},
		{"ADC rollup across prefixes", map[uint32]int{10001: 5, 10101: 5, 33101: 3}, labels,
			map[uint32]Level{10001: LevelAADC, 10101: LevelAADC, 33101: LevelMixed}},
		{"no ADC without a list", map[uint32]int{10001: 5, 10101: 5}, nil,
			map[uint32]Level{10001: LevelMixed, 10101: LevelMixed}},
		{"unlisted prefix is mixed", map[uint32]int{10001: 5, 10101: 5, 20001: 9}, labels,
			map[uint32]Level{10001: LevelAADC, 20001: LevelMixed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(counts(tt.counts), tt.labels, 0)
			var total int64
			for z, want := range tt.want {
				if got := p.Level(z); got != want {
					t.Errorf("%05d: %v, want %v", z, got, want)
				}
			}
			for _, l := range DomesticLevels {
				total += p.Count(l)
			}
			var n int64
			for _, c := range tt.counts {
				n += int64(c)
			}
			if total != n {
				t.Errorf("levels count %d pieces, want %d", total, n)
			}
		})
	}
}

func TestDest(t *testing.T) {
	labels, _ := NewLabelList(map[int]string{100: "ADC NY", 101: "ADC NY", 102: "ADC NY"})
	p := NewPlan(counts(map[uint32]int{10001: 11, 10002: 4, 10003: 6, 10101: 5, 10201: 5, 60601: 2}), labels, 0)
	tests := []struct {
		zip5  uint32
		level Level
		label string
		n     int64
	}{
		{10001, Level5Digit, "10001", 11},
		{10002, Level3Digit, "100", 10},
		{10101, LevelAADC, "ADC NY", 10},
		{10201, LevelAADC, "ADC NY", 10},
		{60601, LevelMixed, "MXD", 2},
	}
	for _, tt := range tests {
		if l := p.Level(tt.zip5); l != tt.level {
			t.Fatalf("%05d: level %v, want %v", tt.zip5, l, tt.level)
		}
		_, n, label := p.Dest(nil, tt.zip5, tt.level)
		if string(label) != tt.label || n != tt.n {
			t.Errorf("%05d: dest %q (%d), want %q (%d)", tt.zip5, label, n, tt.label, tt.n)
		}
	}
}

func TestTrays(t *testing.T) {
	tests := []struct {
		n     int64
		max   int
		sizes []int
	}{
		{1, 500, []int{1}},
		{500, 500, []int{500}},
		{501, 500, []int{251, 250}},
		{12, 5, []int{4, 4, 4}},
		{11, 5, []int{4, 4, 3}},
		{10, 5, []int{5, 5}},
	}
	for _, tt := range tests {
		sizes := make([]int, Trays(tt.n, tt.max))
		prev := int64(0)
		for i := range tt.n {
			tr := TrayOf(i, tt.n, tt.max)
			if tr < prev || tr > prev+1 {
				t.Fatalf("n=%d: piece %d in tray %d after tray %d", tt.n, i, tr, prev)
			}
			prev = tr
			sizes[tr]++
		}
		if !slices.Equal(sizes, tt.sizes) {
			t.Errorf("n=%d max=%d: trays %v, want %v", tt.n, tt.max, sizes, tt.sizes)
		}
	}
}

func TestReadLabelList(t *testing.T) {
	l, err := LoadLabelList("../../testdata/labels/adc-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	for z3, want := range map[int]string{5: "ADC LONG ISLAND NY 117", 9: "ADC LONG ISLAND NY 117", 101: "ADC NEW YORK NY 100", 606: "ADC CHICAGO IL 606"} {
		r, ok := l.Rank(z3)
		if !ok || l.Name(r) != want {
			t.Errorf("%03d: %v %v", z3, ok, r)
		}
	}
	if _, ok := l.Rank(4); ok {
		t.Error("004 is not listed")
	}
	bad := []struct{ text, want string }{
		{"", "want the header"},
		{"zip,adc\n", "want the header"},
		{"zip3,adc\n10,X\n", "want 3 digits"},
		{"zip3,adc\n100\n", "want zip3,adc"},
		{"zip3,adc\n100-099,X\n", "runs backwards"},
		{"zip3,adc\n100-102,X\n101,Y\n", "listed twice"},
	}
	for _, b := range bad {
		if _, err := ReadLabelList(strings.NewReader(b.text)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.text, err, b.want)
		}
	}
}

// TestSorterSpill sorts the same records in memory and with tiny runs and
// small fan-in, and compares the orders.
func TestSorterSpill(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type rec struct {
		k   Key
		val string
	}
	var recs []rec
	for i := range 1000 {
		var k Key
		k.Hi = uint64(r.IntN(50))
		k.ID[0], k.ID[15] = byte(r.IntN(4)), byte(i)
		k.Num = int64(i)
		recs = append(recs, rec{k, fmt.Sprintf("payload-%d-%s", i, strings.Repeat("x", r.IntN(40)))})
	}
	collect := func(cfg SorterConfig) ([]string, *Sorter) {
		s := NewSorter(cfg)
		for _, x := range recs {
			if err := s.Add(x.k, []byte(x.val)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Finish(context.Background()); err != nil {
			t.Fatal(err)
		}
		var out []string
		for pass := range 2 {
			var got []string
			var prev *Key
			err := s.Scan(context.Background(), func(k *Key) bool { return k.Hi%2 == 0 }, func(k *Key, v []byte) error {
				if k.Hi%2 != 0 {
					t.Fatal("filtered key passed")
				}
				if prev != nil && prev.Compare(k) > 0 {
					t.Fatal("out of order")
				}
				kk := *k
				prev = &kk
				got = append(got, string(v))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if pass == 1 && !slices.Equal(got, out) {
				t.Fatal("second scan differs")
			}
			out = got
		}
		return out, s
	}
	mem, s := collect(SorterConfig{})
	if s.Runs() != 0 {
		t.Fatalf("%d runs in memory mode", s.Runs())
	}
	if len(mem) == 0 || len(mem) == len(recs) {
		t.Fatalf("filter kept %d of %d", len(mem), len(recs))
	}
	// The same runs written uncompressed and compressed: the same records in
	// the same order, the compressed files (the payloads repeat "x") smaller.
	var size [2]int64
	for i, compress := range []bool{false, true} {
		dir := t.TempDir()
		spilled, sp := collect(SorterConfig{Dir: dir, MemoryRows: 7, FanIn: 4, Compress: compress})
		if sp.Runs() > 4 || sp.SpilledBytes() == 0 {
			t.Fatalf("compress=%v: runs %d spilled %d", compress, sp.Runs(), sp.SpilledBytes())
		}
		if !slices.Equal(mem, spilled) {
			t.Fatalf("compress=%v: spilled order differs from in-memory order", compress)
		}
		size[i] = sp.SpilledBytes()
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
		left, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(left) != 0 {
			t.Fatalf("compress=%v: Close left %v", compress, left)
		}
	}
	if size[1] >= size[0] {
		t.Errorf("compressed runs take %d bytes, plain ones %d", size[1], size[0])
	}
}

// TestSorterScanParts checks that ScanParts yields part by part, each in
// key order, the same in memory and spilled, whether later parts stay in
// memory, go to files, or get a merge of their own.
func TestSorterScanParts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type rec struct {
		k   Key
		val string
	}
	var recs []rec
	for i := range 3000 {
		var k Key
		k.Hi = uint64(r.IntN(300))
		k.ID[0], k.ID[15] = byte(r.IntN(4)), byte(i)
		k.Num = int64(i)
		recs = append(recs, rec{k, fmt.Sprintf("payload-%d-%s", i, strings.Repeat("y", r.IntN(60)))})
	}
	// Parts by Hi: 0-9 skipped, then four parts of very different sizes.
	part := func(k *Key) int {
		switch h := k.Hi; {
		case h < 10:
			return -1
		case h < 20:
			return 0 // small first part
		case h < 250:
			return 1 // most records
		case h%2 == 0:
			return 2
		default:
			return 3
		}
	}
	var sizes [4]int64
	var want [4][]string
	sorted := slices.Clone(recs)
	slices.SortFunc(sorted, func(a, b rec) int { return a.k.Compare(&b.k) })
	for _, x := range sorted {
		if p := part(&x.k); p >= 0 {
			sizes[p]++
			want[p] = append(want[p], x.val)
		}
	}
	var all []string
	for _, w := range want {
		all = append(all, w...)
	}
	for _, cfg := range []SorterConfig{
		{},
		{MemoryRows: 500, FanIn: 3}, // parts kept in memory
		{MemoryRows: 100, MemoryBytes: 800, FanIn: 4},    // parts kept in files; part 1 merged on its own
		{MemoryRows: 3000 - 1, MemoryBytes: 1 << 20},     // one run and the rest in memory
		{MemoryRows: 7, MemoryBytes: 1 << 20, FanIn: 40}, // many runs
	} {
		for _, compress := range []bool{false, true} {
			cfg.Compress = compress
			name := fmt.Sprintf("rows=%d,bytes=%d,fanin=%d,compress=%v", cfg.MemoryRows, cfg.MemoryBytes, cfg.FanIn, compress)
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				cfg.Dir = dir
				s := NewSorter(cfg)
				defer s.Close()
				for _, x := range recs {
					if err := s.Add(x.k, []byte(x.val)); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Finish(context.Background()); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					var got []string
					lastPart := 0
					err := s.ScanParts(context.Background(), sizes[:], part, func(p int, k *Key, v []byte) error {
						if p < lastPart || p != part(k) {
							t.Fatalf("part %d after %d for key %d", p, lastPart, k.Hi)
						}
						lastPart = p
						got = append(got, string(v))
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, all) {
						t.Fatalf("got %d records, want %d in part and key order", len(got), len(all))
					}
				}
				left, _ := filepath.Glob(filepath.Join(dir, "*"))
				if len(left) != s.Runs() {
					t.Fatalf("%d files left after ScanParts, %d runs", len(left), s.Runs())
				}
				if err := s.ScanParts(context.Background(), sizes[:2], part, func(int, *Key, []byte) error { return nil }); err == nil {
					t.Fatal("a part out of range passed")
				}
			})
		}
	}
}

// TestSortMemory checks the in-memory sort against a plain sort by
// Key.Compare, on keys whose leading words tie often (so the full key
// decides), on Hi values that differ in every byte (every radix pass) or in
// presort's bytes (ADC, ZIP Code, international group), with runs above and
// below the radix sort's threshold.
func TestSortMemory(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	randomID := func(k *Key) {
		for j := range k.ID {
			k.ID[j] = "0123456789abcdefghjkmnpqrstvwxyz"[r.IntN(32)]
		}
	}
	for _, tc := range []struct {
		name string
		key  func(i int) Key
	}{
		{"every byte of Hi", func(i int) Key {
			k := Key{Hi: r.Uint64() >> r.IntN(64), Num: int64(i)}
			randomID(&k)
			return k
		}},
		{"presort's Hi", func(i int) Key {
			var k Key
			if r.IntN(50) == 0 {
				k.Hi = 3<<56 | uint64(r.IntN(40))
			} else {
				zip5, zip4 := r.IntN(100_000), r.IntN(10_001)
				k.Hi = uint64(r.IntN(300))<<32 | uint64(zip5*10001+zip4)
				if r.IntN(4) == 0 {
					k.Hi &^= 0xFFFF // many pieces to one ZIP Code
				}
			}
			randomID(&k)
			k.Num = int64(i)
			return k
		}},
		{"spread", func(i int) Key {
			var k Key
			k.Hi = uint64(r.IntN(20))
			for j := range k.ID {
				k.ID[j] = byte(r.IntN(256))
			}
			k.Num = int64(i)
			return k
		}},
		{"leading words tie", func(i int) Key {
			var k Key
			k.Hi = uint64(r.IntN(3))
			k.ID[0], k.ID[9] = byte(r.IntN(2)), byte(r.IntN(4))
			k.Num = int64(r.IntN(1000))
			return k
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSorter(SorterConfig{})
			for run, n := range []int{5000, 700, radixMin, 5003} { // the scratch is reused from run to run
				s.entries = s.entries[:0]
				for i := range n {
					s.entries = append(s.entries, entry{key: tc.key(i), off: uint32(i)})
				}
				want := slices.Clone(s.entries)
				slices.SortStableFunc(want, func(a, b entry) int { return a.key.Compare(&b.key) })
				s.sortMemory()
				if len(s.entries) != len(want) {
					t.Fatalf("run %d: %d entries after the sort, want %d", run, len(s.entries), len(want))
				}
				for i := range want {
					if s.entries[i].key != want[i].key {
						t.Fatalf("run %d: entry %d has key %+v, want %+v", run, i, s.entries[i].key, want[i].key)
					}
				}
				seen := make([]bool, len(want))
				for _, e := range s.entries {
					if seen[e.off] {
						t.Fatalf("run %d: entry %d appears twice", run, e.off)
					}
					seen[e.off] = true
				}
			}
		})
	}
}

// TestSorterExpectedRecords: the hint presizes the in-memory entries, never
// beyond MemoryRows.
func TestSorterExpectedRecords(t *testing.T) {
	for _, tc := range []struct{ expected, memRows, want int }{
		{0, 0, 0}, {100, 0, 100}, {1000, 500, 500}, {300_000, 0, 200_000}, {-5, 10, 0},
	} {
		s := NewSorter(SorterConfig{ExpectedRecords: tc.expected, MemoryRows: tc.memRows})
		if got := cap(s.entries); got != tc.want {
			t.Errorf("ExpectedRecords %d, MemoryRows %d: room for %d entries, want %d", tc.expected, tc.memRows, got, tc.want)
		}
	}
}

// TestSorterRunDamaged: a spilled run cut short, or with a byte changed on
// disk, fails the merge with an error that names the file instead of passing
// on what it read — uncompressed runs too, by the CRCs of their S2 blocks.
func TestSorterRunDamaged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compress bool
		damage   func(b []byte) []byte
	}{
		{"plain, cut short", false, func(b []byte) []byte { return b[:len(b)-7] }},
		{"plain, a byte changed", false, func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b }},
		{"s2, cut short", true, func(b []byte) []byte { return b[:len(b)-7] }},
		{"s2, a byte changed", true, func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSorter(SorterConfig{Dir: t.TempDir(), MemoryRows: 50, Compress: tc.compress})
			defer s.Close()
			for i := range 200 {
				k := Key{Hi: uint64(i * 7919 % 200), Num: int64(i)}
				if err := s.Add(k, []byte(fmt.Sprintf("payload-%03d-%s", i, strings.Repeat("z", 20)))); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Finish(context.Background()); err != nil {
				t.Fatal(err)
			}
			if s.Runs() == 0 {
				t.Fatal("nothing spilled")
			}
			run := s.runs[0]
			b, err := os.ReadFile(run)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(run, tc.damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			n := 0
			err = s.Scan(context.Background(), nil, func(*Key, []byte) error { n++; return nil })
			if err == nil {
				t.Fatalf("a damaged run merged without error (%d records)", n)
			}
			if !strings.Contains(err.Error(), filepath.Base(run)) {
				t.Errorf("error does not name the run %s: %v", filepath.Base(run), err)
			}
			if !errors.Is(err, s2.ErrCorrupt) && !errors.Is(err, s2.ErrCRC) {
				t.Errorf("error is not S2's corrupt input: %v", err)
			}
		})
	}
}
