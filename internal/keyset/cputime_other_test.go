//go:build !unix

package keyset

import "time"

// cpuTime is unavailable here; benchmarks then omit their cpu-ns metrics.
func cpuTime() time.Duration { return 0 }
