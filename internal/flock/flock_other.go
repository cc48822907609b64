//go:build !unix

package flock

import "os"

// TryLock opens path; other platforms get no cross-process lock.
func TryLock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}
