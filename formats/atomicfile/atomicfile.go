// Package atomicfile writes files so that a reader never sees a partial one:
// data goes to a temporary file beside the final path, which is fsynced and
// renamed into place on Commit; Abort (or a crash) leaves at most the
// temporary, never a file under the final name. The run directory, batch
// manifests and their pieces files are written through it.
//
// Data enters through File's io.Writer methods and leaves as the final file
// on Commit; after a rename the caller syncs the directory (SyncDir) so the
// new name itself is durable.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is a file written under a temporary name and renamed to its final
// path on Commit. It is not safe for concurrent use.
type File struct {
	*os.File
	final   string
	done    bool
	written int64 // bytes written
	synced  int64 // bytes whose writeback was started
}

// writeBehind is how many written bytes start their writeback at once
// (where the system can): Commit's fsync then waits for the last few
// megabytes instead of the whole file.
const writeBehind = 8 << 20

// Write writes to the temporary file, starting the writeback of every
// writeBehind bytes as they fill.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.written += int64(n)
	if f.written-f.synced >= writeBehind {
		startWriteback(f.File, f.synced, f.written-f.synced)
		f.synced = f.written
	}
	return n, err
}

// Create opens a temporary file in path's directory, named
// ".<base>.tmp-<random>", that Commit renames to path.
func Create(path string) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{File: f, final: path}, nil
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
	if err := f.Chmod(0o644); err != nil {
		f.File.Close()
		os.Remove(f.Name())
		return fmt.Errorf("chmod %s: %w", f.final, err)
	}
	if err := f.Sync(); err != nil {
		f.File.Close()
		os.Remove(f.Name())
		return fmt.Errorf("sync %s: %w", f.final, err)
	}
	if err := f.File.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("close %s: %w", f.final, err)
	}
	if err := os.Rename(f.Name(), f.final); err != nil {
		os.Remove(f.Name())
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
	f.File.Close()
	os.Remove(f.Name())
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
// fsync, rename, directory fsync.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
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
