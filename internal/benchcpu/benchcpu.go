// Package benchcpu measures the CPU time a process has used, for
// benchmarks that report per-core cost (cpu-ns/op) on a machine shared
// with other work, where wall-clock time also counts waiting for a core.
package benchcpu

import "time"

// Time returns the user+system CPU time this process has used so far, or 0
// where the platform cannot tell (benchmarks then omit their cpu metric).
func Time() time.Duration { return cpuTime() }
