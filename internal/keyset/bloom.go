package keyset

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unsafe"
)

// BloomBitsPerKey is the filter size [NewBloom] and [Set.Bloom] use per
// key: 10 bits, 12.5 MB for 10 million keys.
const BloomBitsPerKey = 10

// BloomFalsePositiveRate is the designed false-positive rate of a Bloom
// sized with BloomBitsPerKey and filled to its size hint: the chance that
// MayContain reports a key that was never added. It is computed from the
// layout (one 512-bit block per key, one bit in each of its eight 64-bit
// words, blocks loaded Poisson(51.2)): about 1.05%. A fuller filter has
// more, an emptier one fewer.
const BloomFalsePositiveRate = 0.0105

// bloomBlock is one cache line of a Bloom: eight 64-bit words.
type bloomBlock [8]uint64

// Bloom is a blocked Bloom filter of Keys, a compact prefilter in front of
// a [Set] that is too large for the CPU caches: MayContain reads one
// 64-byte cache line, and a false answer proves the key is not in the set
// (no false negatives), so only the keys it passes need the set's
// random-access probe. At BloomBitsPerKey bits per key it passes about
// BloomFalsePositiveRate of the keys that are absent.
//
// Each key selects one 64-byte block with the high word of the Key
// (multiply-shift range reduction, so any block count works) and sets one
// bit in each of the block's eight words, chosen by 6-bit fields of the
// low word: 48 of the Key's bits, used as they are. Keys from [Sum] are
// uniform, so nothing is hashed again; keys built another way still give
// correct answers, only more false positives.
//
// A Bloom does not grow: it is sized for a number of keys when made. The
// zero Bloom has no blocks and may contain anything. A Bloom is not safe
// for concurrent use, except that any number of goroutines may call
// MayContain and AppendMaybe while none calls Add. Only NewBloom allocates.
type Bloom struct {
	blocks  []bloomBlock
	nblocks uint64
}

// NewBloom returns an empty filter of bitsPerKey bits for each of n keys
// (at least one block; bitsPerKey below 1 means BloomBitsPerKey).
func NewBloom(n, bitsPerKey int) *Bloom {
	if bitsPerKey < 1 {
		bitsPerKey = BloomBitsPerKey
	}
	nb := (max(n, 0)*bitsPerKey + 511) / 512
	nb = max(nb, 1)
	f := &Bloom{blocks: hugeBlocks(nb), nblocks: uint64(nb)}
	return f
}

// Bytes returns the filter's size in bytes.
func (f *Bloom) Bytes() int { return len(f.blocks) * 64 }

// block returns the block of k.
func (f *Bloom) block(k *Key) *bloomBlock {
	i, _ := bits.Mul64(binary.LittleEndian.Uint64(k[8:16]), f.nblocks)
	return &f.blocks[i]
}

// Add adds k to the filter.
func (f *Bloom) Add(k Key) {
	b := f.block(&k)
	lo := binary.LittleEndian.Uint64(k[0:8])
	for w := range b {
		b[w] |= 1 << ((lo >> (6 * w)) & 63)
	}
}

// MayContain reports false when k was certainly never added, and true
// when it was or, with a small probability, when it was not. A zero Bloom
// reports true for every key.
func (f *Bloom) MayContain(k Key) bool {
	if f.nblocks == 0 {
		return true
	}
	return f.test(f.block(&k), binary.LittleEndian.Uint64(k[0:8])) != 0
}

// test returns 1 when the eight bits lo selects are all set in b, else 0,
// as a number so that callers can count without a branch.
func (f *Bloom) test(b *bloomBlock, lo uint64) uint64 {
	v := (b[0] >> (lo & 63)) & (b[1] >> (lo >> 6 & 63)) & (b[2] >> (lo >> 12 & 63)) & (b[3] >> (lo >> 18 & 63)) &
		(b[4] >> (lo >> 24 & 63)) & (b[5] >> (lo >> 30 & 63)) & (b[6] >> (lo >> 36 & 63)) & (b[7] >> (lo >> 42 & 63))
	return v & 1
}

// AppendMaybe appends to dst the index i of every keys[i] for which
// MayContain reports true, in increasing order, and returns the extended
// slice. It loads the cache lines of a group of keys in a tight loop
// first, so that their misses overlap, then tests them; it does not
// allocate when dst has room for len(keys) more indexes.
func (f *Bloom) AppendMaybe(dst []int32, keys []Key) []int32 {
	if f.nblocks == 0 {
		for i := range keys {
			dst = append(dst, int32(i))
		}
		return dst
	}
	n := len(dst)
	dst = slices.Grow(dst, len(keys))[:n+len(keys)]
	out := dst[n:]
	blocks, nb := f.blocks, f.nblocks
	c := 0
	for g := 0; g < len(keys); g += bloomGroup {
		group := keys[g:min(g+bloomGroup, len(keys))]
		var x uint64
		for i := range group {
			j, _ := bits.Mul64(binary.LittleEndian.Uint64(group[i][8:16]), nb)
			x ^= blocks[j][0]
		}
		touchSink = uint8(x)
		for i := range group {
			k := &group[i]
			// Branch-free: a mispredicted branch on a key whose line is
			// still on its way would discard the work issued after it.
			out[c] = int32(g + i)
			c += int(f.test(f.block(k), binary.LittleEndian.Uint64(k[0:8])))
		}
	}
	return dst[:n+c]
}

// bloomGroup is how many keys AppendMaybe loads before testing them: their
// lines (16 KiB) stay in L1.
const bloomGroup = 256

// Bloom returns a new filter of bitsPerKey bits per key (below 1:
// BloomBitsPerKey) holding every key of s, the zero Key included.
func (s *Set) Bloom(bitsPerKey int) *Bloom {
	f := NewBloom(s.Len(), bitsPerKey)
	for k := range s.All() {
		f.Add(k)
	}
	return f
}

// Bloom returns a new filter of bitsPerKey bits per key (below 1:
// BloomBitsPerKey) holding every key of m, the zero Key included.
func (m *Map) Bloom(bitsPerKey int) *Bloom {
	f := NewBloom(m.Len(), bitsPerKey)
	for k := range m.All() {
		f.Add(k)
	}
	return f
}

// hugeBlocks returns n zero blocks. A filter of a few MB is probed at
// random, so when it spans huge pages it is allocated with one page to
// spare and started on a huge-page boundary: every block is then in a huge
// page, and the whole filter needs a handful of TLB entries.
func hugeBlocks(n int) []bloomBlock {
	if n*64 < 2*hugePage {
		return make([]bloomBlock, n)
	}
	const pad = hugePage / 64
	b := make([]bloomBlock, n+pad)
	off := (hugePage - int(uintptr(unsafe.Pointer(&b[0]))&(hugePage-1))) & (hugePage - 1) / 64
	b = b[off : off+n : off+n]
	adviseHuge(unsafe.Pointer(&b[0]), uintptr(n)*64)
	return b
}
