package atomicfile

import (
	"errors"
	"hash"
	"os"
	"syscall"
	"unsafe"
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

// direct is the buffer of a File written with direct I/O. A full buffer is
// written by a goroutine of its own while the next one fills, so the writer
// of the file formats while the disk writes; at most one write is in flight.
type direct struct {
	buf      []byte     // aligned; cap a multiple of directAlign
	spare    []byte     // the other buffer, once there are two
	inflight chan error // the write in flight, nil if none
	hash     hash.Hash  // fed each buffer before it is written, if set
	off      bool       // O_DIRECT was refused by a write and is cleared
	err      error      // the first write error, returned from then on
}

// openDirect sets O_DIRECT on f, or returns nil where the file system
// refuses it, and f is written through the page cache.
func openDirect(f *os.File) *direct {
	if setDirect(f, true) != nil {
		return nil
	}
	return &direct{}
}

// setDirect sets or clears O_DIRECT on f, keeping its other flags.
func setDirect(f *os.File, on bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		fl, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		if e != 0 {
			serr = e
			return
		}
		if on {
			fl |= syscall.O_DIRECT
		} else {
			fl &^= syscall.O_DIRECT
		}
		if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFL, fl); e != 0 {
			serr = e
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// alignedBuffer returns an empty slice of capacity n whose first byte is
// aligned to directAlign.
func alignedBuffer(n int) []byte {
	b := make([]byte, n+directAlign)
	off := int(addr(b) & (directAlign - 1))
	if off != 0 {
		off = directAlign - off
	}
	return b[off : off : off+n]
}

// addr is the address of b's first byte.
func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// write copies p into the buffer, growing it up to directMax and handing
// it to a write of its own whenever it is full at that size.
func (d *direct) write(f *os.File, p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n := len(p)
	for len(p) > 0 {
		if len(d.buf) == cap(d.buf) {
			if cap(d.buf) < directMax {
				nb := alignedBuffer(max(directMin, 2*cap(d.buf)))
				d.buf = append(nb, d.buf...)
			} else if err := d.startWrite(f); err != nil {
				return n - len(p), err
			}
		}
		c := copy(d.buf[len(d.buf):cap(d.buf)], p)
		d.buf = d.buf[:len(d.buf)+c]
		p = p[c:]
	}
	return n, nil
}

// startWrite waits for the write in flight, then starts writing the full
// buffer and goes on with the other one.
func (d *direct) startWrite(f *os.File) error {
	if err := d.wait(); err != nil {
		return err
	}
	if d.spare == nil {
		d.spare = alignedBuffer(directMax)
	}
	full := d.buf
	d.buf, d.spare = d.spare[:0], full
	d.inflight = make(chan error, 1)
	go func(done chan<- error) {
		if d.hash != nil {
			d.hash.Write(full)
		}
		done <- d.writeOut(f, full)
	}(d.inflight)
	return nil
}

// wait waits for the write in flight, if any, and returns the first write
// error.
func (d *direct) wait() error {
	if d.inflight != nil {
		if err := <-d.inflight; err != nil && d.err == nil {
			d.err = err
		}
		d.inflight = nil
	}
	return d.err
}

// writeOut writes b, a whole number of aligned blocks, with direct I/O; if
// the file system turns the direct write down (EINVAL), it clears O_DIRECT
// and writes b through the page cache, as every later write will be.
func (d *direct) writeOut(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err != nil && !d.off && errors.Is(err, syscall.EINVAL) {
		if cerr := setDirect(f, false); cerr != nil {
			return err
		}
		d.off = true
		_, err = f.Write(b)
	}
	return err
}

// flush writes what the buffer holds: its whole blocks directly, the rest
// through the page cache (a direct write must be a whole number of blocks).
func (d *direct) flush(f *os.File) error {
	if err := d.wait(); err != nil {
		return err
	}
	if d.hash != nil {
		d.hash.Write(d.buf)
	}
	whole := len(d.buf) &^ (directAlign - 1)
	if whole > 0 {
		if err := d.writeOut(f, d.buf[:whole]); err != nil {
			return err
		}
	}
	if tail := d.buf[whole:]; len(tail) > 0 {
		if !d.off {
			if err := setDirect(f, false); err != nil {
				return err
			}
			d.off = true
		}
		if _, err := f.Write(tail); err != nil {
			return err
		}
	}
	d.buf = d.buf[:0]
	return nil
}
