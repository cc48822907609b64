package keyset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
)

// File format, all integers little-endian:
//
//	offset  size  field
//	0       8     magic "PMKEYSET"
//	8       2     version (1)
//	10      1     value width: 0 for a Set, 4 or 8 for a Map
//	11      5     reserved, zero
//	16      8     count: number of entries
//	24      …     count entries: 16-byte Key, then value-width bytes of value
//	end-4   4     CRC-32C (Castagnoli) of every byte before it
//
// Entries are in table order, which is unspecified; each key appears once.
const (
	fileMagic   = "PMKEYSET"
	fileVersion = 1
	headerSize  = 24
	trailerSize = 4
	// streamHint caps the table preallocated from an unverified count
	// read from a stream, so a corrupt header cannot demand gigabytes.
	streamHint = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is wrapped by every error that reports a damaged, truncated or
// foreign key file; callers can test for it with errors.Is.
var ErrCorrupt = errors.New("corrupt key file")

// FormatError reports a key file that cannot be read: where and why.
// It wraps ErrCorrupt.
type FormatError struct {
	Path   string // file name, or "" when reading a stream
	Offset int64  // byte offset where the problem was found
	Detail string // what is wrong, e.g. "checksum mismatch"
}

// Error names the file, the offset and the problem.
func (e *FormatError) Error() string {
	name := e.Path
	if name == "" {
		name = "stream"
	}
	return fmt.Sprintf("keyset: %s: corrupt key file at byte %d: %s", name, e.Offset, e.Detail)
}

// Unwrap returns ErrCorrupt.
func (e *FormatError) Unwrap() error { return ErrCorrupt }

// WriteTo writes s to w in the key file format. It implements io.WriterTo.
func (s *Set) WriteTo(w io.Writer) (int64, error) {
	return writeKeys(w, 0, uint64(s.Len()), func(emit func(Key, uint64) error) error {
		for k := range s.All() {
			if err := emit(k, 0); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteTo writes m to w in the key file format. Values are stored in 4 bytes
// when all fit in a uint32 (day stamps, say), else in 8. It implements
// io.WriterTo.
func (m *Map) WriteTo(w io.Writer) (int64, error) {
	width := 4
	for _, v := range m.All() {
		if v > math.MaxUint32 {
			width = 8
			break
		}
	}
	return writeKeys(w, width, uint64(m.Len()), func(emit func(Key, uint64) error) error {
		for k, v := range m.All() {
			if err := emit(k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeKeys streams the header, the entries produced by each and the
// checksum to w through one reused 64 KiB buffer.
func writeKeys(w io.Writer, width int, count uint64, each func(emit func(Key, uint64) error) error) (int64, error) {
	buf := make([]byte, 0, 64<<10)
	var written int64
	crc := uint32(0)
	flush := func() error {
		crc = crc32.Update(crc, castagnoli, buf)
		n, err := w.Write(buf)
		written += int64(n)
		buf = buf[:0]
		return err
	}
	buf = append(buf, fileMagic...)
	buf = binary.LittleEndian.AppendUint16(buf, fileVersion)
	buf = append(buf, byte(width), 0, 0, 0, 0, 0)
	buf = binary.LittleEndian.AppendUint64(buf, count)
	var seen uint64
	err := each(func(k Key, v uint64) error {
		if len(buf)+16+width > cap(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
		buf = append(buf, k[:]...)
		switch width {
		case 4:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
		case 8:
			buf = binary.LittleEndian.AppendUint64(buf, v)
		}
		seen++
		return nil
	})
	if err != nil {
		return written, err
	}
	if seen != count {
		return written, fmt.Errorf("keyset: wrote %d entries, header says %d (modified during write?)", seen, count)
	}
	if err := flush(); err != nil {
		return written, err
	}
	var trailer [trailerSize]byte
	binary.LittleEndian.PutUint32(trailer[:], crc)
	n, err := w.Write(trailer[:])
	return written + int64(n), err
}

// SaveFile writes s to path atomically: to a temporary file in the same
// directory, fsynced, then renamed over path, and the directory fsynced. A
// crash leaves either the old file or the new one, never a partial one. The
// file is created with mode 0600.
func (s *Set) SaveFile(path string) error { return saveFile(path, s) }

// SaveFile writes m to path atomically, as [Set.SaveFile] does.
func (m *Map) SaveFile(path string) error { return saveFile(path, m) }

func saveFile(path string, src io.WriterTo) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("keyset: save %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("keyset: save %s: %w", path, err)
		}
	}()
	if _, err = src.WriteTo(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ReadSet reads a Set written by [Set.WriteTo] from r, which must hold
// exactly one key file. A damaged or truncated input gives a *FormatError.
func ReadSet(r io.Reader) (*Set, error) {
	s := &Set{}
	err := readKeys(r, "", -1, false, func(hint int) { s.alloc(slotsFor(hint)) },
		func(k Key, _ uint64) bool { return s.Add(k) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ReadMap reads a Map written by [Map.WriteTo] from r, which must hold
// exactly one key file. A damaged or truncated input gives a *FormatError.
func ReadMap(r io.Reader) (*Map, error) {
	m := &Map{}
	err := readKeys(r, "", -1, true, func(hint int) { m.alloc(slotsFor(hint)) },
		func(k Key, v uint64) bool { _, ins := m.PutIfAbsent(k, v); return ins })
	if err != nil {
		return nil, err
	}
	return m, nil
}

// LoadSetFile reads a Set saved by [Set.SaveFile]. Errors name path; a
// damaged or truncated file gives a *FormatError.
func LoadSetFile(path string) (*Set, error) {
	s := &Set{}
	err := loadFile(path, false, func(hint int) { s.alloc(slotsFor(hint)) },
		func(k Key, _ uint64) bool { return s.Add(k) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// LoadMapFile reads a Map saved by [Map.SaveFile]. Errors name path; a
// damaged or truncated file gives a *FormatError.
func LoadMapFile(path string) (*Map, error) {
	m := &Map{}
	err := loadFile(path, true, func(hint int) { m.alloc(slotsFor(hint)) },
		func(k Key, v uint64) bool { _, ins := m.PutIfAbsent(k, v); return ins })
	if err != nil {
		return nil, err
	}
	return m, nil
}

func loadFile(path string, isMap bool, size func(int), add func(Key, uint64) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("keyset: load %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("keyset: load %s: %w", path, err)
	}
	return readKeys(f, path, fi.Size(), isMap, size, add)
}

// readKeys parses one key file from r. size is the file size when known
// (-1 for a stream); it lets the count be checked before anything is
// allocated. size(hint) is called once with the table size to allocate and
// add once per entry; add returning false means a duplicate key.
func readKeys(r io.Reader, path string, fileSize int64, isMap bool, size func(int), add func(Key, uint64) bool) error {
	var off int64
	corrupt := func(at int64, format string, args ...any) error {
		return &FormatError{Path: path, Offset: at, Detail: fmt.Sprintf(format, args...)}
	}
	ioErr := func(err error, got int, what string) error {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return corrupt(off+int64(got), "truncated in %s", what)
		}
		name := path
		if name == "" {
			name = "stream"
		}
		return fmt.Errorf("keyset: read %s: %w", name, err)
	}

	var hdr [headerSize]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		return ioErr(err, n, "header")
	}
	crc := crc32.Update(0, castagnoli, hdr[:])
	if string(hdr[0:8]) != fileMagic {
		return corrupt(0, "bad magic %q, want %q", hdr[0:8], fileMagic)
	}
	if v := binary.LittleEndian.Uint16(hdr[8:10]); v != fileVersion {
		return corrupt(8, "unsupported version %d, want %d", v, fileVersion)
	}
	width := int(hdr[10])
	switch {
	case !isMap && width != 0:
		return corrupt(10, "value width %d: file holds a map, not a set", width)
	case isMap && width == 0:
		return corrupt(10, "value width 0: file holds a set, not a map")
	case isMap && width != 4 && width != 8:
		return corrupt(10, "value width %d, want 4 or 8", width)
	}
	for i := 11; i < 16; i++ {
		if hdr[i] != 0 {
			return corrupt(int64(i), "reserved header byte is %#x, want 0", hdr[i])
		}
	}
	count := binary.LittleEndian.Uint64(hdr[16:24])
	entry := uint64(16 + width)
	off = headerSize
	hint := int(min(count, streamHint))
	if fileSize >= 0 {
		want := uint64(headerSize+trailerSize) + count*entry
		if count > (math.MaxInt64-headerSize-trailerSize)/entry || uint64(fileSize) != want {
			return corrupt(16, "header says %d entries (%d bytes), file has %d bytes", count, want, fileSize)
		}
		hint = int(count)
	}
	size(hint)

	buf := make([]byte, 64<<10/entry*entry)
	for left := count; left > 0; {
		n := min(left, uint64(len(buf))/entry)
		chunk := buf[:n*entry]
		if got, err := io.ReadFull(r, chunk); err != nil {
			return ioErr(err, got, fmt.Sprintf("entries (header says %d)", count))
		}
		crc = crc32.Update(crc, castagnoli, chunk)
		for p := chunk; len(p) > 0; p = p[entry:] {
			var v uint64
			switch width {
			case 4:
				v = uint64(binary.LittleEndian.Uint32(p[16:]))
			case 8:
				v = binary.LittleEndian.Uint64(p[16:])
			}
			if !add(Key(p[:16]), v) {
				return corrupt(off, "duplicate key %s", Key(p[:16]))
			}
			off += int64(entry)
		}
		left -= n
	}

	var trailer [trailerSize]byte
	if n, err := io.ReadFull(r, trailer[:]); err != nil {
		return ioErr(err, n, "checksum")
	}
	if got := binary.LittleEndian.Uint32(trailer[:]); got != crc {
		return corrupt(off, "checksum mismatch: stored %#08x, computed %#08x", got, crc)
	}
	off += trailerSize
	if fileSize < 0 {
		var extra [1]byte
		if n, _ := io.ReadFull(r, extra[:]); n > 0 {
			return corrupt(off, "trailing data after checksum")
		}
	}
	return nil
}
