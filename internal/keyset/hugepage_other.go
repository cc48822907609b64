//go:build !linux

package keyset

import "unsafe"

// hugePage is the huge page size assumed for alignment.
const hugePage = 2 << 20

// adviseHuge is a no-op where transparent huge pages are not known.
func adviseHuge(p unsafe.Pointer, n uintptr) {}
