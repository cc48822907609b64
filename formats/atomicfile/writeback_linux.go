package atomicfile

import (
	"os"
	"syscall"
)

// startWriteback asks the kernel to start writing a range of f to disk
// without waiting for it (sync_file_range with SYNC_FILE_RANGE_WRITE). It
// is advice: an error changes nothing, since Commit's fsync is what makes
// the file durable.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 0x2
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.SyncFileRange(int(fd), off, n, syncFileRangeWrite) })
	}
}
