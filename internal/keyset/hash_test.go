package keyset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/sum.golden from the current hash")

// seeded returns a Hasher over a plain MurmurHash3 x64_128 stream with the
// given seed and no kind byte: n = -1 makes the stream length n+1 start at 0.
func seeded(seed uint32) Hasher {
	return Hasher{h1: uint64(seed), h2: uint64(seed), n: ^uint64(0)}
}

func murmur(seed uint32, p []byte) Key {
	h := seeded(seed)
	h.Write(p)
	return h.Sum()
}

// TestMurmur3Verification runs SMHasher's VerificationTest for
// MurmurHash3_x64_128 ("Murmur3F" in SMHasher's main.cpp): hash key[:i]
// (key[j] = j) with seed 256-i for i in 0..255, hash the 4096 concatenated
// digests with seed 0, and read the first 4 bytes little-endian. Appleby
// publishes 0x6384BA69. It covers every tail length and the block loop.
func TestMurmur3Verification(t *testing.T) {
	var key [256]byte
	hashes := make([]byte, 0, 256*16)
	for i := range 256 {
		key[i] = byte(i)
		k := murmur(uint32(256-i), key[:i])
		hashes = append(hashes, k[:]...)
	}
	final := murmur(0, hashes)
	if got := binary.LittleEndian.Uint32(final[:4]); got != 0x6384BA69 {
		t.Fatalf("verification value = %#08x, want 0x6384BA69", got)
	}
}

// TestMurmur3Vectors checks single published MurmurHash3_x64_128 outputs
// (seed 0), written as the 16 output bytes in hex (h1 then h2,
// little-endian), as mmh3 and spaolacci/murmur3 print them.
func TestMurmur3Vectors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "00000000000000000000000000000000"},
		// h1 = 17388730015462876639 (0xf1512dd1d2d665df).
		{"Hello, world!", "df65d6d2d12d51f164c5f3a85066322c"},
		{"Hello world", "09c01ad2296d65bdb32ceb54cdb5b54a"},
		// h1 = 0xe34bbc7bbc071b6c, h2 = 0x7a433ca9c49a9347.
		{"The quick brown fox jumps over the lazy dog", "6c1b07bc7bbc4be347939ac4a93c437a"},
	}
	for _, tt := range tests {
		if got := murmur(0, []byte(tt.in)).String(); got != tt.want {
			t.Errorf("murmur3(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// Sum is MurmurHash3 over kind || uvarint(len) || part.
	if got, want := Sum(KindEmail, []byte("a@b.co")), murmur(0, []byte("\x01\x06a@b.co")); got != want {
		t.Errorf("Sum(KindEmail, a@b.co) = %s, want murmur3 of framed stream %s", got, want)
	}
}

type goldenCase struct {
	kind  Kind
	parts []string
}

// goldenCases cover every tail length around the 16-byte block, multi-byte
// uvarint lengths, empty parts and several kinds. Adding a case needs -update;
// changing a committed value means persisted keys no longer match.
func goldenCases() []goldenCase {
	cs := []goldenCase{
		{0, nil},
		{0, []string{""}},
		{1, nil},
		{KindEmail, []string{"jane.doe@example.com"}},
		{KindExternalID, []string{"jane.doe@example.com"}},
		{KindExternalID, []string{"CUST-000123"}},
		{KindAddress, []string{"123 MAIN ST APT 4", "SPRINGFIELD", "IL", "62704"}},
		{KindNameAddress, []string{"JANE DOE", "123 MAIN ST APT 4", "62704"}},
		{KindNameAddress, []string{"Zoë Ångström", "ÉCOLE 7", ""}},
		{255, []string{"\x00\xff\x80"}},
		{7, []string{strings.Repeat("x", 128)}},
		{7, []string{strings.Repeat("0123456789abcdef", 64)}},
	}
	const alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
	for n := 0; n <= 34; n++ {
		cs = append(cs, goldenCase{KindEmail, []string{alpha[:n]}})
	}
	return cs
}

func formatGolden(c goldenCase) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", c.kind)
	for _, p := range c.parts {
		b.WriteByte(' ')
		b.WriteString(strconv.QuoteToASCII(p))
	}
	bs := make([][]byte, len(c.parts))
	for i, p := range c.parts {
		bs[i] = []byte(p)
	}
	fmt.Fprintf(&b, " => %s", Sum(c.kind, bs...))
	return b.String()
}

// TestSumGolden pins Sum's output: keys are persisted in history files, so
// any change to the hash or its framing must fail here.
func TestSumGolden(t *testing.T) {
	const path = "testdata/sum.golden"
	var lines []string
	for _, c := range goldenCases() {
		lines = append(lines, formatGolden(c))
	}
	got := "# kind parts... => Sum(kind, parts...) as hex; regenerate only with -update\n" + strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Parse the committed file independently of formatGolden, so a
	// committed line is checked even if the case list changes.
	sc := bufio.NewScanner(bytes.NewReader(want))
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		n++
		lhs, wantHex, ok := strings.Cut(line, " => ")
		if !ok {
			t.Fatalf("bad golden line %q", line)
		}
		kindStr, rest, _ := strings.Cut(lhs, " ")
		kind, err := strconv.ParseUint(kindStr, 10, 8)
		if err != nil {
			t.Fatalf("bad kind in %q: %v", line, err)
		}
		var parts [][]byte
		for rest != "" {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				t.Fatalf("bad part in %q: %v", line, err)
			}
			s, _ := strconv.Unquote(q)
			parts = append(parts, []byte(s))
			rest = strings.TrimPrefix(rest[len(q):], " ")
		}
		if got := Sum(Kind(kind), parts...).String(); got != wantHex {
			t.Errorf("Sum(%s) = %s, want %s", lhs, got, wantHex)
		}
	}
	if n != len(lines) {
		t.Errorf("golden file has %d cases, test has %d; run go test -run TestSumGolden -update", n, len(lines))
	}
}

// TestHasherMatchesSum feeds the same stream to a Hasher in random pieces
// through Write, WriteString and WriteByte and checks it equals Sum.
func TestHasherMatchesSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		kind := Kind(rng.IntN(256))
		parts := make([][]byte, rng.IntN(4))
		var stream []byte
		for i := range parts {
			p := make([]byte, rng.IntN(200))
			for j := range p {
				p[j] = byte(rng.Uint32())
			}
			parts[i] = p
			stream = binaryAppendField(stream, p)
		}
		want := Sum(kind, parts...)

		var h Hasher
		h.Reset(kind)
		for rest := stream; len(rest) > 0; {
			n := min(len(rest), rng.IntN(40))
			switch rng.IntN(3) {
			case 0:
				h.Write(rest[:n])
			case 1:
				h.WriteString(string(rest[:n]))
			case 2:
				for _, c := range rest[:n] {
					h.WriteByte(c)
				}
			}
			rest = rest[n:]
		}
		if got := h.Sum(); got != want {
			t.Fatalf("kind %d stream %x: Hasher = %s, Sum = %s", kind, stream, got, want)
		}
		if h.Sum() != want {
			t.Fatal("second Sum differs: Sum must not change the Hasher")
		}
		if got := murmur(0, append([]byte{byte(kind)}, stream...)); got != want {
			t.Fatalf("Sum differs from plain MurmurHash3 of kind||stream")
		}
	}
}

func binaryAppendField(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

func TestHasherZeroValueAndReset(t *testing.T) {
	var zero Hasher
	zero.WriteField([]byte("abc"))
	if got, want := zero.Sum(), Sum(0, []byte("abc")); got != want {
		t.Errorf("zero Hasher = %s, want Sum(0, abc) = %s", got, want)
	}
	h := NewHasher(KindEmail)
	h.WriteField([]byte("lots of earlier input that must be forgotten"))
	h.Reset(KindAddress)
	h.WriteField([]byte("abc"))
	if got, want := h.Sum(), Sum(KindAddress, []byte("abc")); got != want {
		t.Errorf("after Reset = %s, want %s", got, want)
	}
}

// TestKindSeparation checks that kind and field framing both change the key.
func TestKindSeparation(t *testing.T) {
	b := func(ss ...string) [][]byte {
		out := make([][]byte, len(ss))
		for i, s := range ss {
			out[i] = []byte(s)
		}
		return out
	}
	inputs := []struct {
		kind  Kind
		parts [][]byte
	}{
		{KindEmail, b("12345")},
		{KindExternalID, b("12345")},
		{KindAddress, b("12345")},
		{KindNameAddress, b("12345")},
		{0, b("12345")},
		{KindEmail, b("1234", "5")},
		{KindEmail, b("123", "45")},
		{KindEmail, b("12345", "")},
		{KindEmail, b("", "12345")},
		{KindEmail, b("\x0512345")},
		{KindEmail, b()},
		{KindEmail, b("")},
		{KindEmail, b("", "")},
		{KindExternalID, b()},
	}
	seen := map[Key]int{}
	for i, in := range inputs {
		k := Sum(in.kind, in.parts...)
		if j, dup := seen[k]; dup {
			t.Errorf("inputs %d (%v %q) and %d (%v %q) collide: %s", j, inputs[j].kind, inputs[j].parts, i, in.kind, in.parts, k)
		}
		seen[k] = i
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	email := []byte("jane.doe@example.com")
	street, zip := []byte("123 MAIN ST"), []byte("62704")
	var sink Key
	if n := testing.AllocsPerRun(100, func() { sink = Sum(KindEmail, email) }); n != 0 {
		t.Errorf("Sum with one part: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { sink = Sum(KindAddress, street, zip) }); n != 0 {
		t.Errorf("Sum with two parts: %v allocs, want 0", n)
	}
	var h Hasher
	if n := testing.AllocsPerRun(100, func() {
		h.Reset(KindNameAddress)
		h.WriteField(street)
		h.WriteString("x")
		h.WriteByte(0x1f)
		h.Write(zip)
		sink = h.Sum()
	}); n != 0 {
		t.Errorf("Hasher: %v allocs, want 0", n)
	}
	_ = sink
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{KindEmail, "email"},
		{KindExternalID, "external_id"},
		{KindAddress, "address"},
		{KindNameAddress, "name_address"},
		{0, "kind(0)"},
		{200, "kind(200)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.want)
		}
	}
}

// TestSumFieldsMatchesSum checks that a Hasher given a kind and leading
// fields, then SumFields of the rest, equals Sum of them all, for every
// prefix length (so every count of pending bytes) and parts long enough to
// take the streaming path, and that SumFields leaves the Hasher unchanged.
func TestSumFieldsMatchesSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	randBytes := func(n int) []byte {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		return p
	}
	for i := range 3000 {
		kind := Kind(rng.IntN(256))
		var lead, rest [][]byte
		for range rng.IntN(3) {
			lead = append(lead, randBytes(rng.IntN(40)))
		}
		for range rng.IntN(4) {
			n := rng.IntN(60)
			if i%50 == 0 {
				n = rng.IntN(300)
			}
			rest = append(rest, randBytes(n))
		}
		h := NewHasher(kind)
		for _, p := range lead {
			h.WriteField(p)
		}
		before := h
		want := Sum(kind, append(append([][]byte{}, lead...), rest...)...)
		if got := h.SumFields(rest...); got != want {
			t.Fatalf("kind %d lead %x rest %x: SumFields = %s, Sum = %s", kind, lead, rest, got, want)
		}
		if h != before {
			t.Fatal("SumFields changed the Hasher")
		}
	}
	h := NewHasher(KindEmail)
	h.WriteField([]byte("0123456789abcdef"))
	var sink Key
	if n := testing.AllocsPerRun(100, func() { sink = h.SumFields([]byte("jane.doe@example.com")) }); n != 0 {
		t.Errorf("SumFields: %v allocs, want 0", n)
	}
	_ = sink
}
