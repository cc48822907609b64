package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags line of the mapping of /proc/self/smaps that
// holds addr.
func vmFlags(t *testing.T, addr uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return line
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}

// TestReserve: after Reserve, a large allocation lands in memory marked
// for huge pages (VmFlags "hg", VM_HUGEPAGE): the heap grows into the range
// it marked. (The runtime itself marks no heap memory.)
func TestReserve(t *testing.T) {
	n := Reserve(256 << 20)
	if n == 0 {
		t.Skip("nothing reserved: no transparent huge pages here (or strict overcommit)")
	}
	if n < 250<<20 || n%hugePage != 0 {
		t.Fatalf("Reserve(256 MiB) marked %d bytes", n)
	}
	// The marked range starts at the first huge page boundary inside the
	// object, up to 2 MiB after its start: look past that.
	b := make([]byte, 16<<20)
	if flags := vmFlags(t, uintptr(unsafe.Pointer(&b[len(b)/2]))); !strings.Contains(flags, " hg") {
		t.Fatalf("an allocation after Reserve is not in huge-page memory: %s", flags)
	}
	if Reserve(hugePage) != 0 {
		t.Error("Reserve of one huge page marked something: no whole aligned huge page fits in it for sure")
	}
}

// TestWorthIt: reserve where THP is "madvise" or "always", not where it is
// "never" or missing, and never under strict overcommit accounting.
func TestWorthIt(t *testing.T) {
	for _, tc := range []struct {
		overcommit, thp string
		want            bool
	}{
		{"0\n", "always [madvise] never\n", true},
		{"1\n", "[always] madvise never\n", true},
		{"0\n", "always madvise [never]\n", false},
		{"0\n", "", false}, // no THP in this kernel
		{"2\n", "always [madvise] never\n", false},
		{"", "always [madvise] never\n", true}, // no overcommit setting to read
	} {
		if got := worthIt(tc.overcommit, tc.thp); got != tc.want {
			t.Errorf("worthIt(%q, %q) = %v, want %v", tc.overcommit, tc.thp, got, tc.want)
		}
	}
}
