//go:build !unix

package ledger

import "os"

// lockDir opens path; other platforms get no cross-process lock.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}
