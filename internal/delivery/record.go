package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AppendDelivery appends r to the "deliveries" array of dir's manifest.json,
// creating the array if missing. Other keys keep their order and values; the
// file is re-indented with two spaces. The new manifest is written to a
// temporary file, fsynced and renamed over the old one, so a crash leaves
// either the old or the new manifest. Concurrent appenders to the same
// manifest may lose a record: deliver a batch from one process at a time.
func AppendDelivery(dir string, r Record) error {
	p := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	out, err := appendRecord(data, r)
	if err != nil {
		return fmt.Errorf("record delivery in %s: %w", p, err)
	}
	if err := writeFileAtomic(p, out); err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	return nil
}

// appendRecord returns the manifest data with r appended to its deliveries.
func appendRecord(data []byte, r Record) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("manifest is not a JSON object")
	}
	type member struct {
		key string
		val json.RawMessage
	}
	var members []member
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		m := member{key: tok.(string)}
		if err := dec.Decode(&m.val); err != nil {
			return nil, fmt.Errorf("%s: %w", m.key, err)
		}
		if m.key == "deliveries" {
			var list []json.RawMessage
			if err := json.Unmarshal(m.val, &list); err != nil {
				return nil, fmt.Errorf("deliveries: %w", err)
			}
			rec, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			if m.val, err = json.Marshal(append(list, rec)); err != nil {
				return nil, err
			}
			found = true
		}
		members = append(members, m)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if !found {
		rec, err := json.Marshal([]Record{r})
		if err != nil {
			return nil, err
		}
		members = append(members, member{"deliveries", rec})
	}
	var compact bytes.Buffer
	compact.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			compact.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		compact.Write(k)
		compact.WriteByte(':')
		compact.Write(m.val)
	}
	compact.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// writeFileAtomic replaces p with data: temporary file in the same
// directory, fsync, rename, fsync of the directory.
func writeFileAtomic(p string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(p); err == nil {
		mode = st.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename this is a no-op
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(p)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
