//go:build !linux

package atomicfile

import (
	"hash"
	"os"
)

// startWriteback does nothing where sync_file_range does not exist.
func startWriteback(*os.File, int64, int64) {}

// direct is not used where O_DIRECT is not known: files are written through
// the page cache.
type direct struct{ hash hash.Hash }

func openDirect(*os.File) *direct                       { return nil }
func (*direct) write(f *os.File, p []byte) (int, error) { return f.Write(p) }
func (*direct) flush(*os.File) error                    { return nil }
func (*direct) wait() error                             { return nil }
