// Package flock takes exclusive advisory locks on lock files, so that two
// postmill processes do not write one state or output directory at once.
// A lock is held through an open file and released when it is closed (or
// the process ends); on platforms without flock the file is only opened.
package flock

import "errors"

// ErrLocked is wrapped by TryLock's error when another process holds the
// lock.
var ErrLocked = errors.New("locked by another process")
