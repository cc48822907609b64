package address_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/postmill/postmill/internal/address"
)

// FuzzStandardize feeds arbitrary fields to the standardizer: it must never
// panic, an invalid address must carry a registered reason, and anything
// else must be uppercase ASCII with a key.
func FuzzStandardize(f *testing.F) {
	f.Add("123 North Main Street", "Apt 4", "Cambrdge", "Massachusetts", "2139", "")
	f.Add("10 Downing Street", "", "London", "", "SW1A 2AA", "United Kingdom")
	f.Add("\x00\x01\x02", "\x7f", "\x1b", "", "", "")
	f.Add(strings.Repeat("A", 10240), "", "Boston", "MA", "02108", "")
	f.Add("!!!", "...", "???", "--", "##", "")
	f.Add("🎉🏠", "😀", "🏙️", "MA", "02108", "")
	f.Add("P.O. Box 0012", "", "", "", "60601-", "USA")
	f.Add("Unit 2050 Box 4190", "", "APO", "AE", "09021", "")
	f.Add("1 Rue de Rivoli", "", "Paris", "", "75001", "France")
	f.Add("\xff\xfe", "\xc3", "", "", "", "")
	db := loadDB(f)
	s := address.NewStandardizer(db, address.Config{})
	f.Fuzz(func(t *testing.T, street, street2, city, state, zip, country string) {
		r := s.Standardize(fields(street, street2, city, state, zip, country))
		if r.Status == address.StatusInvalid {
			if !r.Problem.Registered() {
				t.Fatalf("invalid with unregistered reason %q", r.Problem)
			}
			return
		}
		if r.Problem != "" || len(r.Street) == 0 || len(r.AppendKey(nil)) == 0 {
			t.Fatalf("%s with problem %q, street %q", r.Status, r.Problem, r.Street)
		}
		for _, v := range [][]byte{r.Street, r.Street2, r.City, r.State, r.Zip5, r.Zip4, r.PostalCode} {
			if !utf8.Valid(v) {
				t.Fatalf("invalid UTF-8 %q", v)
			}
			for _, c := range v {
				if c < 0x20 || c >= 0x7f || (c >= 'a' && c <= 'z') {
					t.Fatalf("not uppercase printable ASCII: %q", v)
				}
			}
		}
		if r.Status != address.StatusInternational && (len(r.Zip5) != 5 || len(r.State) != 2) {
			t.Fatalf("US address with ZIP %q state %q", r.Zip5, r.State)
		}
	})
}
