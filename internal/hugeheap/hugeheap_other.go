//go:build !linux

package hugeheap

// Reserve does nothing where transparent huge pages are not Linux's: it
// returns 0.
func Reserve(n int) int { return 0 }
