package hugeheap

import (
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page with 4 KiB base pages
// (x86-64, and arm64's usual configuration).
const hugePage = 2 << 20

// Reserve has the runtime map n bytes of heap and marks them MADV_HUGEPAGE
// (see the package comment). It returns how many bytes were marked: 0 when
// n is below a huge page, when the system would not use the mark (see
// worthIt), or when the kernel refused the advice. Call it early, before
// the heap holds much: the marked range is where the heap grows from then
// on.
func Reserve(n int) int {
	if n < 2*hugePage || !worthIt(readSetting("/proc/sys/vm/overcommit_memory"),
		readSetting("/sys/kernel/mm/transparent_hugepage/enabled")) {
		return 0
	}
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (p+hugePage-1)&^(hugePage-1) - p
	end := (p+uintptr(n))&^(hugePage-1) - p
	err := syscall.Madvise(b[start:end], syscall.MADV_HUGEPAGE)
	// Free the object's pages for the allocations to come, and return them
	// to the kernel: they were never touched, but the runtime would count
	// them as held memory against its limit until it scavenged them.
	debug.FreeOSMemory()
	if err != nil {
		return 0
	}
	return int(end - start)
}

// worthIt decides from two kernel settings whether to reserve: not with
// THP "never" (or no THP at all: the setting is missing), where the mark
// does nothing; not under strict overcommit accounting ("2"), where the
// kernel charges the whole untouched range at once and a mapping it refuses
// is fatal to a Go program.
func worthIt(overcommit, thp string) bool {
	if strings.TrimSpace(overcommit) == "2" {
		return false
	}
	return strings.Contains(thp, "[always]") || strings.Contains(thp, "[madvise]")
}

// readSetting returns the contents of a /proc or /sys file, "" if it
// cannot be read.
func readSetting(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}
