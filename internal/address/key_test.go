package address

import (
	"testing"

	"github.com/postmill/postmill/internal/zipdb"
)

// TestStandardizedKeyMatchesAppendKey: the key rebuilt from the fields the
// validate stage writes (street, ZIP or postal code, country name) equals
// the key of the standardization itself, so suppression and dedupe match
// list entries against rows.
func TestStandardizedKeyMatchesAppendKey(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := NewStandardizer(db, Config{})
	tests := []Fields{
		{Street: []byte("22 Harbor Road"), City: []byte("Boston"), State: []byte("MA"), Zip: []byte("02108")},
		{Street: []byte("500 West Ave"), Street2: []byte("Apt 4"), City: []byte("Chicago"), State: []byte("IL"), Zip: []byte("60614-1234")},
		{Street: []byte("10 Downing St"), City: []byte("London"), Zip: []byte("SW1A 2AA"), Country: []byte("United Kingdom")},
		{Street: []byte("24 Sussex Dr"), City: []byte("Ottawa"), State: []byte("ON"), Zip: []byte("K1M1M4"), Country: []byte("CA")},
	}
	for _, f := range tests {
		r := s.Standardize(f)
		want := string(r.AppendKey(nil))
		if want == "" {
			t.Fatalf("%s: no key (status %s, problem %s)", f.Street, r.Status, r.Problem)
		}
		// What validate writes back: the street, address_zip (ZIP5 or the
		// postal code) and address_country (empty, US or the country name).
		zip, country := r.Zip5, r.Country
		if r.Status == StatusInternational {
			zip, country = r.PostalCode, []byte(r.CountryName)
		}
		if got := string(AppendStandardizedKey(nil, r.Street, zip, country)); got != want {
			t.Errorf("%s: key from fields %q, AppendKey %q", f.Street, got, want)
		}
	}
}
