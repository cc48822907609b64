package keyset

import (
	"iter"
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// mapSlot is one Map slot: key and value side by side, so a hit costs one
// cache miss.
type mapSlot struct {
	k Key
	v uint64
}

// Map maps Keys to uint64 values, for dedupe (key → first row or piece
// reference) and dedupe history (key → day stamp). It is the table of [Set]
// with a value beside each key: 24-byte slots, linear probing, load factor
// at most 3/4, doubling by rehash; 5 million keys take 2^23 slots = 192 MiB.
// The zero Key is a valid key, kept outside the table.
//
// The zero Map is empty and ready to use. A Map is not safe for concurrent
// use, except that any number of goroutines may call Get, Len and All while
// none modifies it. Only growth allocates.
type Map struct {
	slots   []mapSlot
	mask    uint64
	shift   uint8
	used    int
	limit   int
	hasZero bool
	zeroVal uint64
}

// NewMap returns an empty Map sized to hold hint keys without growing.
func NewMap(hint int) *Map {
	m := &Map{}
	m.alloc(slotsFor(hint))
	return m
}

func (m *Map) alloc(n int) {
	m.slots = make([]mapSlot, n)
	adviseHuge(unsafe.Pointer(&m.slots[0]), uintptr(n)*24)
	m.mask = uint64(n - 1)
	m.shift = uint8(64 - bits.TrailingZeros(uint(n)))
	m.limit = n / maxLoadDen * maxLoadNum
}

// Prefault writes to every memory page of m's table, so that the kernel
// maps and clears them now instead of on the inserts that first land on
// each. A presized table's pages are all touched within its first few
// thousand inserts (keys land anywhere), so the cost comes at once, on
// the goroutine that owns the map; calling Prefault earlier, from a
// goroutine that would otherwise leave a core idle, moves it off that
// path. It changes no content. m must not be used while Prefault runs.
func (m *Map) Prefault() {
	const stride = 4096 / int(unsafe.Sizeof(mapSlot{})) // slots per base page, rounded down
	for i := 0; i < len(m.slots); i += stride {
		// An atomic add of zero: a write the compiler keeps (it drops a
		// plain self-assignment), which leaves the value as it is.
		atomic.AddUint64(&m.slots[i].v, 0)
	}
}

// Len returns the number of keys in m.
func (m *Map) Len() int {
	if m.hasZero {
		return m.used + 1
	}
	return m.used
}

// Get returns the value stored for k and whether k is in m.
func (m *Map) Get(k Key) (uint64, bool) {
	if k == (Key{}) {
		return m.zeroVal, m.hasZero
	}
	if m.used == 0 {
		return 0, false
	}
	slots, mask := m.slots, m.mask
	for i := home(&k, m.shift); ; i = (i + 1) & mask {
		c := &slots[i]
		if c.k == k {
			return c.v, true
		}
		if c.k == (Key{}) {
			return 0, false
		}
	}
}

// Prefetch is a performance hint with no effect on contents, as
// [Set.Prefetch]: it loads the home slot of each key, and the slot after
// it (a 24-byte slot may straddle two cache lines, and an insert probes
// past a taken home slot), so that following operations on those keys hit
// the cache. The loads are independent, so their misses overlap: give it a
// whole batch of keys, just before using them.
func (m *Map) Prefetch(keys []Key) {
	if m.used == 0 {
		return
	}
	var x uint8
	slots, shift, mask := m.slots, m.shift, m.mask
	for i := range keys {
		h := home(&keys[i], shift)
		x ^= slots[h].k[0] ^ uint8(slots[(h+1)&mask].v)
	}
	touchSink = x
}

// PutIfAbsent stores v for k unless k is already present. It returns the
// value now stored for k and whether this call inserted it: (v, true) for a
// new key, (first value, false) for a repeat. This is dedupe's "keep the
// first row" in one probe.
func (m *Map) PutIfAbsent(k Key, v uint64) (existing uint64, inserted bool) {
	c, found := m.slot(k)
	if found {
		return *c, false
	}
	*c = v
	return v, true
}

// Put stores v for k, replacing any earlier value.
func (m *Map) Put(k Key, v uint64) {
	c, _ := m.slot(k)
	*c = v
}

// slot returns a pointer to k's value, inserting k with value 0 if it is
// absent, and whether k was present. The pointer is valid until the next
// insertion.
func (m *Map) slot(k Key) (*uint64, bool) {
	if k == (Key{}) {
		found := m.hasZero
		if !found {
			m.hasZero, m.zeroVal = true, 0
		}
		return &m.zeroVal, found
	}
	if m.used >= m.limit {
		m.grow()
	}
	slots, mask := m.slots, m.mask
	for i := home(&k, m.shift); ; i = (i + 1) & mask {
		c := &slots[i]
		if c.k == k {
			return &c.v, true
		}
		if c.k == (Key{}) {
			c.k = k
			c.v = 0
			m.used++
			return &c.v, false
		}
	}
}

func (m *Map) grow() {
	old := m.slots
	n := minSlots
	if len(old) > 0 {
		n = 2 * len(old)
	}
	m.alloc(n)
	slots, mask, shift := m.slots, m.mask, m.shift
	for j := range old {
		e := &old[j]
		if e.k == (Key{}) {
			continue
		}
		i := home(&e.k, shift)
		for slots[i].k != (Key{}) {
			i = (i + 1) & mask
		}
		slots[i] = *e
	}
}

// All returns an iterator over the keys and values of m in unspecified
// order. m must not be modified during the iteration.
func (m *Map) All() iter.Seq2[Key, uint64] {
	return func(yield func(Key, uint64) bool) {
		if m.hasZero && !yield(Key{}, m.zeroVal) {
			return
		}
		for i := range m.slots {
			e := &m.slots[i]
			if e.k != (Key{}) && !yield(e.k, e.v) {
				return
			}
		}
	}
}

// Clear removes every key from m and keeps its table for reuse.
func (m *Map) Clear() {
	clear(m.slots)
	m.used = 0
	m.hasZero, m.zeroVal = false, 0
}
