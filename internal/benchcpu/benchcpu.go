// Package benchcpu measures what a benchmark process has used: its CPU
// time, for per-core cost (cpu-ns/op) on a machine shared with other work,
// where wall-clock time also counts waiting for a core; and its peak
// resident memory.
package benchcpu

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// Time returns the user+system CPU time this process has used so far, or 0
// where the platform cannot tell (benchmarks then omit their cpu metric).
func Time() time.Duration { return cpuTime() }

// PeakRSSMiB returns the process's peak resident set in MiB (VmHWM in
// /proc/self/status), or 0 where the platform does not say.
func PeakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.Atoi(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))))
			return float64(kb) / 1024
		}
	}
	return 0
}
