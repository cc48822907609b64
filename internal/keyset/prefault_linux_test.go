package keyset

import (
	"syscall"
	"testing"
	"unsafe"
)

// resident returns how many of the base pages spanning the n bytes at p
// are in memory (mincore(2)).
func resident(t *testing.T, p unsafe.Pointer, n uintptr) (in, pages int) {
	t.Helper()
	const page = 4096
	start := uintptr(p) &^ (page - 1)
	end := (uintptr(p) + n + page - 1) &^ (page - 1)
	vec := make([]byte, (end-start)/page)
	if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, start, end-start, uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Skipf("mincore: %v", e)
	}
	for _, v := range vec {
		in += int(v & 1)
	}
	return in, len(vec)
}

// TestMapPrefault: Prefault brings every page of a fresh table into memory
// and changes none of its contents.
func TestMapPrefault(t *testing.T) {
	m := NewMap(1 << 20) // 2^21 slots, 48 MiB: fresh memory from the kernel
	p, n := unsafe.Pointer(&m.slots[0]), uintptr(len(m.slots))*unsafe.Sizeof(mapSlot{})
	if in, pages := resident(t, p, n); in > pages/2 {
		t.Skipf("%d of %d pages already resident before Prefault (reused memory): nothing to show", in, pages)
	}
	const keys = 16 // few: with huge pages, each insert faults in 2 MiB
	for i := range keys {
		m.Put(testKey(i), uint64(i)+1)
	}
	m.Prefault()
	if in, pages := resident(t, p, n); in != pages {
		t.Fatalf("after Prefault %d of %d pages resident", in, pages)
	}
	if m.Len() != keys {
		t.Fatalf("Len %d after Prefault, want %d", m.Len(), keys)
	}
	for i := range keys {
		if v, ok := m.Get(testKey(i)); !ok || v != uint64(i)+1 {
			t.Fatalf("Get(key %d) = (%d, %v) after Prefault", i, v, ok)
		}
	}
	if _, ok := m.Get(testKey(keys)); ok {
		t.Fatal("a key never put is present after Prefault")
	}
	var empty Map
	empty.Prefault() // no table yet: nothing to do, no panic
}
