package ncoa

import (
	"bytes"
	"errors"
	"testing"

	"github.com/postmill/postmill/internal/zipdb"
)

// FuzzLoad: any bytes either load or fail with a *FormatError that names a
// line; nothing panics, and a file that loads answers lookups.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(Header + "\nADA,LOVELACE,10 DOWNING ST,,BOSTON,MA,02108,22 HARBOR RD,,BOSTON,MA,02108,individual,2025-06,new_address\n"))
	f.Add([]byte(Header + "\n,,1 MAIN ST,,BOSTON,MA,02108,,,,,,family,2025-01,no_forwarding\n"))
	f.Add([]byte(Header + "\nx,y\n"))
	f.Add([]byte("not,a,coa,file\n"))
	f.Add([]byte{})
	db, err := zipdb.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Load(bytes.NewReader(data), "fuzz.csv", db)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) && fe.Name != "fuzz.csv" {
				t.Fatalf("error names %q, not the file", fe.Name)
			}
			return
		}
		if file == nil {
			t.Fatal("nil file without an error")
		}
	})
}
