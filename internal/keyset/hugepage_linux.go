package keyset

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on linux/amd64 and
// linux/arm64 with 4 KiB base pages.
const hugePage = 2 << 20

// adviseHuge asks the kernel to back the whole 2 MiB pages inside the n
// bytes at p with transparent huge pages (madvise MADV_HUGEPAGE), before
// they are first touched. A lookup in a table of hundreds of MiB lands on
// a random page; with 4 KiB pages that misses the TLB almost every time,
// and the page walk costs about as much again as the cache miss (more in
// a virtual machine). It is only a hint: errors are ignored, it changes no
// content, and where THP is off ("never") the kernel ignores it. Tables
// smaller than a huge page are left alone.
func adviseHuge(p unsafe.Pointer, n uintptr) {
	start := (uintptr(p) + hugePage - 1) &^ (hugePage - 1)
	end := (uintptr(p) + n) &^ (hugePage - 1)
	if end <= start {
		return
	}
	const madvHugepage = 14 // MADV_HUGEPAGE, linux/include/uapi/asm-generic/mman-common.h
	syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugepage)
}
