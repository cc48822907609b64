// Package atomicfile writes files so that a reader never sees a partial one:
// data goes to a temporary file beside the final path, which is fsynced and
// renamed into place on Commit; Abort (or a crash) leaves at most the
// temporary, never a file under the final name. The run directory, batch
// manifests and their pieces files are written through it.
//
// Data enters through File's Write and leaves as the final file on Commit;
// after a rename the caller syncs the directory (SyncDir) so the new name
// itself is durable.
//
// Where the system allows it (Linux), a File's data goes to disk with direct
// I/O: written from an aligned buffer of File's own, it skips the copy into
// the page cache, which costs more CPU than formatting the data does on a
// virtual machine, and Commit's fsync has little left to wait for. Output
// files are written once and read back rarely, so caching them buys little.
package atomicfile

import (
	"fmt"
	"hash"
	"os"
	"path/filepath"
)

// File is a file written under a temporary name and renamed to its final
// path on Commit. It is not safe for concurrent use.
type File struct {
	f       *os.File
	final   string
	done    bool
	direct  *direct   // nil when writing through the page cache
	hash    hash.Hash // fed what is written, if set
	written int64     // bytes written to f
	synced  int64     // bytes whose writeback was started
}

// Hash makes the file feed every byte written to it to h, in order. With
// direct I/O, the goroutine that writes a full buffer to disk hashes it,
// so a checksum of the file costs the writer of the data nothing. Call it
// before the first Write; h holds the whole file once Commit returns.
func (f *File) Hash(h hash.Hash) {
	f.hash = h
	if f.direct != nil {
		f.direct.hash = h
	}
}

// writeBehind is how many written bytes start their writeback at once
// (where the system can): Commit's fsync then waits for the last few
// megabytes instead of the whole file.
const writeBehind = 8 << 20

// Direct I/O: full blocks of a File's data are written from an aligned
// buffer with O_DIRECT; the unaligned tail goes through the page cache at
// Commit (O_DIRECT cleared), where the fsync makes everything durable.
const (
	directAlign = 4096     // the alignment O_DIRECT needs on every file system Linux has
	directMin   = 64 << 10 // the first buffer: small files never grow past it
	directMax   = 4 << 20  // the largest buffer, written with one call once full
)

// Write writes to the temporary file: into the direct-I/O buffer, or through
// the page cache, starting the writeback of every writeBehind bytes as they
// fill.
func (f *File) Write(p []byte) (int, error) {
	if f.direct != nil {
		return f.direct.write(f.f, p)
	}
	if f.hash != nil {
		f.hash.Write(p)
	}
	n, err := f.f.Write(p)
	f.written += int64(n)
	if f.written-f.synced >= writeBehind {
		startWriteback(f.f, f.synced, f.written-f.synced)
		f.synced = f.written
	}
	return n, err
}

// WriteString writes s as Write does.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Options say how a File is written. The zero value writes with direct I/O
// where the file system takes it.
type Options struct {
	// PageCache writes through the page cache only, never with direct I/O:
	// for file systems where direct writes are slow (network file systems),
	// or files read back at once.
	PageCache bool
}

// Create opens a temporary file in path's directory, named
// ".<base>.tmp-<random>", that Commit renames to path. It is written with
// direct I/O where the file system takes it.
func Create(path string) (*File, error) { return create(path, true) }

// Create is the package's Create, writing the file as o says.
func (o Options) Create(path string) (*File, error) { return create(path, !o.PageCache) }

// create is Create, with direct I/O only if tryDirect.
func create(path string, tryDirect bool) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	af := &File{f: f, final: path}
	if tryDirect {
		af.direct = openDirect(f)
	}
	return af, nil
}

// Path returns the final path.
func (f *File) Path() string { return f.final }

// Commit makes the file readable (0644), fsyncs and closes it, and renames it
// to its final path. On failure the temporary file is removed. Commit after
// Commit or Abort does nothing. The caller syncs the directory (SyncDir)
// once it has committed its files.
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	tmp := f.f.Name()
	fail := func(err error) error {
		f.f.Close()
		os.Remove(tmp)
		return err
	}
	if f.direct != nil {
		if err := f.direct.flush(f.f); err != nil {
			return fail(fmt.Errorf("write %s: %w", f.final, err))
		}
	}
	if err := f.f.Chmod(0o644); err != nil {
		return fail(fmt.Errorf("chmod %s: %w", f.final, err))
	}
	if err := f.f.Sync(); err != nil {
		return fail(fmt.Errorf("sync %s: %w", f.final, err))
	}
	if err := f.f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("close %s: %w", f.final, err)
	}
	if err := os.Rename(tmp, f.final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename into %s: %w", f.final, err)
	}
	return nil
}

// Abort closes and removes the temporary file; the final path is untouched.
// Abort after Commit does nothing.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	if f.direct != nil {
		f.direct.wait()
	}
	f.f.Close()
	os.Remove(f.f.Name())
}

// SyncDir fsyncs a directory, making renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// WriteFile writes data to path atomically and durably: temporary file,
// fsync, rename, directory fsync. Written in one call, data goes through the
// page cache: there is no formatting for direct I/O to run beside.
func WriteFile(path string, data []byte) error {
	f, err := create(path, false)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}
