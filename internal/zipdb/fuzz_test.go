package zipdb

import (
	"bytes"
	"testing"
)

func FuzzParseZIP(f *testing.F) {
	db := testDB(f)
	seeds := []struct{ zip, state, city string }{
		{"02108", "MA", "BOSTON"},
		{"02108-1234", "MA", "BOSTN"},
		{"021081234", "", ""},
		{"02108-", "ma", "boston"},
		{" 2108 ", "MA", "ST LOUIS"},
		{"2139", "TX", "CAMBRIDGE"},
		{"21394307", "MA", "CAMBRIDGE"},
		{"501", "NY", ""},
		{"02108 - 12", "NY", "BOSTON"},
		{"SW1A 2AA", "", "LONDON"},
		{"99999", "ZZ", "\xff\xfe"},
		{"", "", ""},
		{"0", "M", "FT. ST-MT"},
	}
	for _, s := range seeds {
		f.Add(s.zip, s.state, s.city)
	}
	f.Fuzz(func(t *testing.T, raw, state, city string) {
		z := ParseZIP([]byte(raw))
		if z.Valid() {
			if !allDigits(z.Zip5[:]) || z.HasZip4 && !allDigits(z.Zip4[:]) {
				t.Fatalf("ParseZIP(%q) = %q: not digits", raw, z)
			}
			again := ParseZIP([]byte(z.String()))
			if again.Zip5 != z.Zip5 || again.Zip4 != z.Zip4 || again.HasZip4 != z.HasZip4 || again.Notes != 0 {
				t.Fatalf("ParseZIP(%q) = %q, reparsed %q [%v]", raw, z, again, again.Notes)
			}
		} else if z.Zip5 != ([5]byte{}) || z.HasZip4 {
			t.Fatalf("invalid ParseZIP(%q) kept digits %q", raw, z)
		}
		if z.Notes.Has(ZipPadded) || z.Notes.Has(ZipUnknown) {
			t.Fatalf("ParseZIP(%q) used the table: %v", raw, z.Notes)
		}

		n := db.NormalizeZIP([]byte(raw), []byte(state))
		_, found := db.Lookup(n.Zip5)
		switch {
		case n.Notes.Has(ZipUnknown):
			if found {
				t.Fatalf("NormalizeZIP(%q) unknown but %s is in the table", raw, n.Zip5)
			}
		case n.Valid():
			if !found {
				t.Fatalf("NormalizeZIP(%q) = %q valid but not in the table", raw, n)
			}
			if n.Notes.Has(ZipPadded) {
				e, _ := db.Lookup(n.Zip5)
				if !bytes.EqualFold(e.State[:], bytes.TrimSpace([]byte(state))) {
					t.Fatalf("NormalizeZIP(%q, %q) padded to %q in %s", raw, state, n, e.State)
				}
			} else if n.Zip5 != z.Zip5 || n.Zip4 != z.Zip4 {
				t.Fatalf("NormalizeZIP(%q) = %q, ParseZIP %q", raw, n, z)
			}
		}

		r := db.Check([]byte(city), []byte(state), []byte(raw))
		if r.City != "" && !r.Notes.Has(CityFromZip) && !r.Notes.Has(CityCorrected) {
			t.Fatalf("Check replaced city %q by %q without a note: %v", city, r.City, r.Notes)
		}
		if r.Notes.Has(StateFromZip) || r.Notes.Has(StateCorrected) {
			e, _ := db.Lookup(r.ZIP.Zip5)
			if r.State != e.State {
				t.Fatalf("Check state %q, ZIP's %q", r.State, e.State)
			}
		}
		if inv, bad := r.Notes.Invalid(); bad && r.City != "" {
			t.Fatalf("invalid (%v) but city replaced by %q", inv, r.City)
		}
	})
}
