//go:build !unix

package suppress_test

import "time"

// cpuTime is unavailable here; benchmarks then omit their cpu-ns metric.
func cpuTime() time.Duration { return 0 }
