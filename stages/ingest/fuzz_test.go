package ingest

import (
	"strings"
	"testing"

	"github.com/postmill/postmill/pipeline"
)

// FuzzMapHeader maps arbitrary headers (columns split at 0x1f): either an
// error naming two columns, or every input column on a column of its own,
// none of them a row's own output name.
func FuzzMapHeader(f *testing.F) {
	for _, s := range []string{
		"First Name\x1fSurname\x1fZIP Code",
		"notes\x1fNotes\x1fpiece_id\x1finput_notes",
		"var_field_0\x1fvar_field_00\x1fvar field 1",
		"\x1f\x1f",
		"Address\x1fAddress 1",
		"\ufeffemail\x1fE-mail Address",
		"column_2\x1f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		header := strings.Split(s, "\x1f")
		if len(header) > 512 {
			return
		}
		schema := pipeline.NewSchema()
		m, err := MapHeader(schema, header, nil)
		if err != nil {
			if !strings.Contains(err.Error(), "both map to") {
				t.Fatalf("%q: unexpected error %v", header, err)
			}
			return
		}
		seen := map[int]int{}
		for i, col := range m.Columns {
			if prev, dup := seen[col]; dup {
				t.Fatalf("%q: columns %d and %d both on %q", header, prev, i, schema.Name(col))
			}
			seen[col] = i
			name := schema.Name(col)
			if name == "" || pipeline.IsRowColumn(name) {
				t.Fatalf("%q: column %d on %q", header, i, name)
			}
		}
	})
}
