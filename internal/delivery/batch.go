package delivery

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ManifestFile is the name of a batch's manifest, delivered last.
const ManifestFile = "manifest.json"

// BatchesDir is the subdirectory of a run's output directory holding its
// batch directories.
const BatchesDir = "batches"

// Record is one delivery in the "deliveries" array of manifest.json.
type Record struct {
	// Vendor names who received the batch.
	Vendor string `json:"vendor"`
	// Host is the server's host:port.
	Host string `json:"host"`
	// RemoteDir is the remote batch directory the files were renamed into.
	RemoteDir string `json:"remote_dir"`
	// Files lists the delivered file names, in upload order.
	Files []string `json:"files"`
	// SHA256 is the hex sha256 of the manifest.json bytes the vendor holds;
	// that manifest pins the sha256 of every pieces file.
	SHA256 string `json:"sha256"`
	// DeliveredAt is when the push completed, in UTC.
	DeliveredAt time.Time `json:"delivered_at"`
}

// batch is a local batch directory as read at the start of a push.
type batch struct {
	dir         string
	id          string
	vendor      string     // manifest's "vendor", may be empty
	manifest    []byte     // manifest.json as read: the bytes delivered
	manifestSum string     // hex sha256 of manifest
	files       []fileSpec // pieces files, in manifest order
	deliveries  []Record
}

// fileSpec is one pieces file listed in the manifest.
type fileSpec struct {
	name   string
	sha256 string // lower-case hex, from the manifest
	size   int64  // measured
}

// readBatch reads dir's manifest.json and checks every file it lists against
// its sha256.
func readBatch(dir string) (*batch, error) {
	mpath := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(mpath)
	if err != nil {
		return nil, fmt.Errorf("read batch manifest: %w", err)
	}
	var m struct {
		BatchID    string          `json:"batch_id"`
		Vendor     any             `json:"vendor"`
		Files      json.RawMessage `json:"files"`
		Deliveries []Record        `json:"deliveries"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", mpath, err)
	}
	b := &batch{dir: dir, id: m.BatchID, manifest: data, deliveries: m.Deliveries}
	if v, ok := m.Vendor.(string); ok {
		b.vendor = v
	}
	sum := sha256.Sum256(data)
	b.manifestSum = hex.EncodeToString(sum[:])
	if b.id == "" {
		b.id = filepath.Base(filepath.Clean(dir))
	}
	if b.id == "" || b.id == "." || b.id == ".." || strings.ContainsAny(b.id, `/\`) {
		return nil, fmt.Errorf("%s: batch id %q is not a directory name", mpath, b.id)
	}
	if b.files, err = parseFiles(m.Files); err != nil {
		return nil, fmt.Errorf("%s: %w", mpath, err)
	}
	for i := range b.files {
		f := &b.files[i]
		p := filepath.Join(dir, f.name)
		size, sum, err := hashFile(p)
		if err != nil {
			return nil, fmt.Errorf("read batch file: %w", err)
		}
		if sum != f.sha256 {
			return nil, fmt.Errorf("%s: sha256 %s, manifest says %s: %w", p, sum, f.sha256, ErrChecksum)
		}
		f.size = size
	}
	return b, nil
}

// parseFiles reads the manifest's "files": an array of objects with a name
// (or path, or file) and a sha256, or an object from name to an object with
// a sha256.
func parseFiles(raw json.RawMessage) ([]fileSpec, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errors.New(`no "files" list`)
	}
	type entry struct {
		Name   string `json:"name"`
		Path   string `json:"path"`
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	}
	var out []fileSpec
	add := func(name string, e entry) error {
		if name == "" {
			name = cmp.Or(e.Name, e.Path, e.File)
		}
		if name == "" || name != path.Base(name) || name == "." || name == ".." || strings.Contains(name, `\`) || name == ManifestFile {
			return fmt.Errorf("files: bad file name %q", name)
		}
		sum := strings.ToLower(e.SHA256)
		if len(sum) != 64 {
			return fmt.Errorf("files: %s: sha256 %q is not 64 hex digits", name, e.SHA256)
		}
		if _, err := hex.DecodeString(sum); err != nil {
			return fmt.Errorf("files: %s: sha256 %q is not 64 hex digits", name, e.SHA256)
		}
		if slices.ContainsFunc(out, func(f fileSpec) bool { return f.name == name }) {
			return fmt.Errorf("files: %s listed twice", name)
		}
		out = append(out, fileSpec{name: name, sha256: sum})
		return nil
	}
	switch raw[0] {
	case '[':
		var list []entry
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
		for _, e := range list {
			if err := add("", e); err != nil {
				return nil, err
			}
		}
	case '{':
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.Token() // '{', checked by raw[0]
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("files: %w", err)
			}
			var e entry
			if err := dec.Decode(&e); err != nil {
				return nil, fmt.Errorf("files: %v: %w", tok, err)
			}
			if err := add(tok.(string), e); err != nil {
				return nil, err
			}
		}
	default:
		return nil, errors.New(`"files" is neither an array nor an object`)
	}
	return out, nil
}

// hashFile returns the size and hex sha256 of the file at p.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("hash %s: %w", p, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// RunDir returns the run output directory that dir is or belongs to: dir
// itself when it holds batches/, the directory above batches/ when dir is a
// batch directory in it; "" otherwise (a batch directory elsewhere).
func RunDir(dir string) string {
	if st, err := os.Stat(filepath.Join(dir, BatchesDir)); err == nil && st.IsDir() {
		return dir
	}
	if parent := filepath.Dir(filepath.Clean(dir)); filepath.Base(parent) == BatchesDir {
		return filepath.Dir(parent)
	}
	return ""
}

// BatchDirs expands dir into batch directories: dir itself when it holds a
// manifest.json, else every subdirectory of dir/batches (a run's output
// directory) or of dir (a batches directory) that holds one, sorted by name.
func BatchDirs(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		return []string{dir}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("find batches: %w", err)
	}
	parent := dir
	if st, err := os.Stat(filepath.Join(dir, BatchesDir)); err == nil && st.IsDir() {
		parent = filepath.Join(dir, BatchesDir)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, fmt.Errorf("find batches: %w", err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(parent, e.Name())
		if _, err := os.Stat(filepath.Join(d, ManifestFile)); err == nil {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("find batches: no %s in %s, nor in the subdirectories of %s", ManifestFile, dir, parent)
	}
	return dirs, nil
}
