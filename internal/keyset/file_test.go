package keyset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		keys []Key
	}{
		{"empty", nil},
		{"zero key only", []Key{{}}},
		{"some", []Key{testKey(1), {}, testKey(2), clashKey(0), clashKey(1)}},
		{"many", func() []Key {
			ks := make([]Key, 10_000)
			for i := range ks {
				ks[i] = testKey(i)
			}
			return ks
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Set
			for _, k := range tt.keys {
				s.Add(k)
			}
			path := filepath.Join(t.TempDir(), "seen.keys")
			if err := s.SaveFile(path); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(headerSize + 16*len(tt.keys) + trailerSize); fi.Size() != want {
				t.Errorf("file size %d, want %d", fi.Size(), want)
			}
			for _, load := range []func() (*Set, error){
				func() (*Set, error) { return LoadSetFile(path) },
				func() (*Set, error) {
					b, err := os.ReadFile(path)
					if err != nil {
						return nil, err
					}
					return ReadSet(bytes.NewReader(b))
				},
			} {
				got, err := load()
				if err != nil {
					t.Fatal(err)
				}
				if got.Len() != len(tt.keys) {
					t.Errorf("Len() = %d, want %d", got.Len(), len(tt.keys))
				}
				for _, k := range tt.keys {
					if !got.Has(k) {
						t.Errorf("key %s lost in round trip", k)
					}
				}
				if got.Has(testKey(-1)) {
					t.Errorf("round trip invented a key")
				}
			}
			// Only the saved file is left: no temporary files.
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries after SaveFile, want 1", len(entries))
			}
		})
	}
}

func TestMapRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		vals      map[Key]uint64
		wantWidth int
	}{
		{"empty", map[Key]uint64{}, 4},
		{"day stamps", map[Key]uint64{testKey(1): 20260101, {}: 20251231, testKey(2): 0, clashKey(0): math.MaxUint32}, 4},
		{"wide values", map[Key]uint64{testKey(1): 1, testKey(2): math.MaxUint32 + 1, {}: math.MaxUint64}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Map
			for k, v := range tt.vals {
				m.Put(k, v)
			}
			path := filepath.Join(t.TempDir(), "history.keys")
			if err := m.SaveFile(path); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if int(raw[10]) != tt.wantWidth {
				t.Errorf("value width %d, want %d", raw[10], tt.wantWidth)
			}
			if want := headerSize + (16+tt.wantWidth)*len(tt.vals) + trailerSize; len(raw) != want {
				t.Errorf("file size %d, want %d", len(raw), want)
			}
			got, err := LoadMapFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != len(tt.vals) {
				t.Errorf("Len() = %d, want %d", got.Len(), len(tt.vals))
			}
			for k, want := range tt.vals {
				if v, ok := got.Get(k); !ok || v != want {
					t.Errorf("Get(%s) = (%d, %v), want (%d, true)", k, v, ok, want)
				}
			}
		})
	}
}

func TestSaveFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seen.keys")
	if err := os.WriteFile(path, []byte("old contents"), 0o600); err != nil {
		t.Fatal(err)
	}
	var s Set
	s.Add(testKey(1))
	if err := s.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSetFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 1 || !got.Has(testKey(1)) {
		t.Errorf("reloaded set: Len %d, want 1 with key 1", got.Len())
	}
	if err := s.SaveFile(filepath.Join(t.TempDir(), "missing", "x.keys")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("SaveFile into a missing directory: err = %v, want one naming the path", err)
	}
}

// validSetFile returns the bytes of a saved Set of n keys.
func validSetFile(t *testing.T, n int) []byte {
	t.Helper()
	var s Set
	for i := range n {
		s.Add(testKey(i))
	}
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// resum rewrites the trailer so only the intended damage remains.
func resum(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	return b
}

func TestCorruptFiles(t *testing.T) {
	const n = 100
	size := headerSize + 16*n + trailerSize
	tests := []struct {
		name       string
		damage     func([]byte) []byte
		wantOffset int64
		wantDetail string
	}{
		{"empty file", func(b []byte) []byte { return b[:0] }, 0, "truncated in header"},
		{"cut in header", func(b []byte) []byte { return b[:10] }, 10, "truncated in header"},
		{"cut in entries", func(b []byte) []byte { return b[:headerSize+16*50+3] }, 16, "header says 100 entries"},
		{"cut checksum", func(b []byte) []byte { return b[:size-1] }, 16, "file has 1627 bytes"},
		{"flipped key bit", func(b []byte) []byte { b[headerSize+16*7+3] ^= 0x10; return b }, int64(size - 4), "checksum mismatch"},
		{"flipped checksum", func(b []byte) []byte { b[size-1] ^= 1; return b }, int64(size - 4), "checksum mismatch"},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return resum(b) }, 0, "bad magic"},
		{"future version", func(b []byte) []byte { b[8] = 2; return resum(b) }, 8, "unsupported version 2"},
		{"map file", func(b []byte) []byte { b[10] = 4; return resum(b) }, 10, "holds a map"},
		{"reserved byte", func(b []byte) []byte { b[13] = 1; return resum(b) }, 13, "reserved header byte"},
		{"count too high", func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[16:], n+1)
			return resum(b)
		}, 16, "header says 101 entries"},
		{"count absurd", func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[16:], math.MaxUint64/2)
			return resum(b)
		}, 16, "header says"},
		{"trailing data", func(b []byte) []byte { return append(b, 0) }, 16, "file has 1629 bytes"},
		{"duplicate key", func(b []byte) []byte {
			copy(b[headerSize+16:headerSize+32], b[headerSize:headerSize+16])
			return resum(b)
		}, headerSize + 16, "duplicate key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.damage(validSetFile(t, n))
			path := filepath.Join(t.TempDir(), "seen.keys")
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := LoadSetFile(path)
			if s != nil || err == nil {
				t.Fatalf("LoadSetFile = (%v, %v), want an error", s, err)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("errors.Is(%v, ErrCorrupt) = false", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			if fe.Path != path || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if fe.Offset != tt.wantOffset || !strings.Contains(fe.Detail, tt.wantDetail) {
				t.Errorf("got offset %d detail %q, want offset %d detail containing %q", fe.Offset, fe.Detail, tt.wantOffset, tt.wantDetail)
			}
		})
	}
}

// TestCorruptStreams reads damaged input without a known size, where
// truncation is found by running out of bytes.
func TestCorruptStreams(t *testing.T) {
	const n = 100
	size := headerSize + 16*n + trailerSize
	tests := []struct {
		name       string
		damage     func([]byte) []byte
		wantOffset int64
		wantDetail string
	}{
		{"empty", func(b []byte) []byte { return b[:0] }, 0, "truncated in header"},
		{"cut in header", func(b []byte) []byte { return b[:10] }, 10, "truncated in header"},
		{"cut in entries", func(b []byte) []byte { return b[:headerSize+16*50+3] }, headerSize + 16*50 + 3, "truncated in entries (header says 100)"},
		{"cut checksum", func(b []byte) []byte { return b[:size-1] }, int64(size - 1), "truncated in checksum"},
		{"flipped key bit", func(b []byte) []byte { b[headerSize+5] ^= 1; return b }, int64(size - 4), "checksum mismatch"},
		{"trailing data", func(b []byte) []byte { return append(b, 0) }, int64(size), "trailing data"},
		{"count absurd", func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[16:], math.MaxUint64/2)
			return resum(b)
		}, int64(size), "truncated in entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSet(bytes.NewReader(tt.damage(validSetFile(t, n))))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("ReadSet error %v, want a *FormatError", err)
			}
			if fe.Offset != tt.wantOffset || !strings.Contains(fe.Detail, tt.wantDetail) {
				t.Errorf("got offset %d detail %q, want offset %d detail containing %q", fe.Offset, fe.Detail, tt.wantOffset, tt.wantDetail)
			}
			if !strings.Contains(err.Error(), "stream") {
				t.Errorf("error %q should say it came from a stream", err)
			}
		})
	}
	if _, err := ReadMap(bytes.NewReader(validSetFile(t, 3))); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "holds a set") {
		t.Errorf("ReadMap of a set file: err = %v, want a corrupt-file error saying it holds a set", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.keys")
	_, err := LoadSetFile(path)
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadSetFile(missing) = %v, want a not-exist error naming the path", err)
	}
}
