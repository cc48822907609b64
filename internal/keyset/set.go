package keyset

import (
	"encoding/binary"
	"iter"
	"math/bits"
	"unsafe"
)

// Table sizing shared by Set and Map: power-of-two slot counts, at most
// maxLoadNum/maxLoadDen of the slots used before the table doubles.
const (
	minSlots   = 16
	maxLoadNum = 3
	maxLoadDen = 4
)

// slotsFor returns the power-of-two slot count that holds n keys at a load
// factor of at most 3/4.
func slotsFor(n int) int {
	if n < 0 {
		n = 0
	}
	need := (n*maxLoadDen + maxLoadNum - 1) / maxLoadNum
	if need <= minSlots {
		return minSlots
	}
	return 1 << bits.Len(uint(need-1))
}

// home returns the slot where k's probe sequence starts in a table of
// 1<<(64-shift) slots. Keys from Sum are already uniform, but a Key is
// just 16 bytes and callers may build structured ones, so both halves are
// folded and multiplied (Fibonacci hashing) and the top bits taken.
func home(k *Key, shift uint8) uint64 {
	lo := binary.LittleEndian.Uint64(k[0:8])
	hi := binary.LittleEndian.Uint64(k[8:16])
	return ((lo ^ bits.RotateLeft64(hi, 32)) * 0x9e3779b97f4a7c15) >> shift
}

// Set is a set of Keys: an open-addressing hash table with linear probing
// in one flat slice of 16-byte slots, a power-of-two size and a load factor
// of at most 3/4; it doubles by rehashing when full. The zero Key marks an
// empty slot and is tracked by a flag instead, so it is a valid member.
// 10 million keys take 2^24 slots = 256 MiB.
//
// The zero Set is empty and ready to use. A Set is not safe for concurrent
// use, except that any number of goroutines may call Has, Len and All while
// none modifies it. Add, Has and Len do not allocate (Add does when it grows
// the table).
type Set struct {
	slots   []Key
	mask    uint64
	shift   uint8 // 64 - log2(len(slots))
	used    int   // non-zero keys in slots
	limit   int   // grow when used reaches limit
	hasZero bool
}

// NewSet returns an empty Set sized to hold hint keys without growing.
func NewSet(hint int) *Set {
	s := &Set{}
	s.alloc(slotsFor(hint))
	return s
}

func (s *Set) alloc(n int) {
	s.slots = make([]Key, n)
	adviseHuge(unsafe.Pointer(&s.slots[0]), uintptr(n)*16)
	s.mask = uint64(n - 1)
	s.shift = uint8(64 - bits.TrailingZeros(uint(n)))
	s.limit = n / maxLoadDen * maxLoadNum
}

// Len returns the number of keys in s.
func (s *Set) Len() int {
	if s.hasZero {
		return s.used + 1
	}
	return s.used
}

// Has reports whether k is in s.
func (s *Set) Has(k Key) bool {
	if k == (Key{}) {
		return s.hasZero
	}
	if s.used == 0 {
		return false
	}
	slots, mask := s.slots, s.mask
	for i := home(&k, s.shift); ; i = (i + 1) & mask {
		c := &slots[i]
		if *c == k {
			return true
		}
		if *c == (Key{}) {
			return false
		}
	}
}

// batchGroup is how many keys HasBatch loads ahead: enough to overlap
// several memory misses, few enough that the lines stay in L1.
const batchGroup = 16

// HasBatch sets found[i] to whether keys[i] is in s and returns how many
// were. It gives the same answers as calling Has for each key, faster on
// large sets: it first loads the home slot of a group of keys, so their
// cache misses overlap instead of happening one after another. found must
// be at least as long as keys.
func (s *Set) HasBatch(keys []Key, found []bool) int {
	found = found[:len(keys)]
	n := 0
	for len(keys) > 0 {
		g := min(len(keys), batchGroup)
		s.Prefetch(keys[:g])
		for i := range g {
			f := s.Has(keys[i])
			found[i] = f
			if f {
				n++
			}
		}
		keys, found = keys[g:], found[g:]
	}
	return n
}

// touchSink keeps Prefetch's loads from being optimized away.
var touchSink uint8

// Prefetch is a performance hint with no effect on contents: it reads the
// home slot of each key so that a following Has or Add of those keys finds
// the line in cache. The loads are independent, so their cache misses
// overlap. Give it a dozen or so keys at a time, just before using them.
func (s *Set) Prefetch(keys []Key) {
	if s.used == 0 {
		return
	}
	var x uint8
	slots, shift := s.slots, s.shift
	for i := range keys {
		x ^= slots[home(&keys[i], shift)][0]
	}
	touchSink = x
}

// Add inserts k and reports whether it was not already in s.
func (s *Set) Add(k Key) bool {
	if k == (Key{}) {
		added := !s.hasZero
		s.hasZero = true
		return added
	}
	if s.used >= s.limit {
		s.grow()
	}
	slots, mask := s.slots, s.mask
	for i := home(&k, s.shift); ; i = (i + 1) & mask {
		c := &slots[i]
		if *c == k {
			return false
		}
		if *c == (Key{}) {
			*c = k
			s.used++
			return true
		}
	}
}

// grow doubles the table (or allocates the first one) and reinserts every
// key. Keys are known distinct, so reinsertion only looks for empty slots.
func (s *Set) grow() {
	old := s.slots
	n := minSlots
	if len(old) > 0 {
		n = 2 * len(old)
	}
	s.alloc(n)
	slots, mask, shift := s.slots, s.mask, s.shift
	for j := range old {
		k := &old[j]
		if *k == (Key{}) {
			continue
		}
		i := home(k, shift)
		for slots[i] != (Key{}) {
			i = (i + 1) & mask
		}
		slots[i] = *k
	}
}

// All returns an iterator over the keys of s in unspecified order. s must
// not be modified during the iteration.
func (s *Set) All() iter.Seq[Key] {
	return func(yield func(Key) bool) {
		if s.hasZero && !yield(Key{}) {
			return
		}
		for i := range s.slots {
			if s.slots[i] != (Key{}) && !yield(s.slots[i]) {
				return
			}
		}
	}
}

// Clear removes every key from s and keeps its table for reuse.
func (s *Set) Clear() {
	clear(s.slots)
	s.used = 0
	s.hasZero = false
}
