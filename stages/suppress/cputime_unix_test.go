//go:build unix

package suppress_test

import (
	"syscall"
	"time"
)

// cpuTime returns the user+system CPU time this process has used, so
// benchmarks can report per-core cost on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
