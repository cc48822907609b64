package postcode

import "testing"

func FuzzDetect(f *testing.F) {
	seeds := [][3]string{
		{"", "MA", "02108"},
		{"", "", "SW1A 2AA"},
		{"", "ON", "k1a0b1"},
		{"UK", "", "sw1a2aa"},
		{"Deutschland", "", "D-10115"},
		{"the Netherlands", "", "nl-1234ab"},
		{"Eire", "", "D02X285"},
		{"JAPAN", "", "1000001"},
		{"España", "", "28013"},
		{"NARNIA", "", "x"},
		{"\xc3", "\xc3\xa9", "\xff"},
		{"LV", "", "lv-1050"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, country, state, zip string) {
		r := Detect([]byte(country), []byte(state), []byte(zip))
		if r.Postcode.Len() > postcodeMax {
			t.Fatalf("postcode %q too long", r.Postcode.String())
		}
		switch {
		case r.Status == CountryUnknown:
			if r.Country != "" {
				t.Fatalf("CountryUnknown with country %q", r.Country)
			}
		case r.Country.Name() == "":
			t.Fatalf("country %q not in the table", r.Country)
		}
		if r.Inferred && (country != "" && len(trimBlank([]byte(country))) > 0 || r.Status != Valid || r.Country == US) {
			t.Fatalf("Inferred %q from %q %q %q with status %v", r.Country, country, state, zip, r.Status)
		}
		if r.Status == Valid {
			// A normalized code is a fixed point, and fits the format again.
			p, st := Normalize(r.Country, r.Postcode.Bytes())
			if st != Valid || p != r.Postcode {
				t.Fatalf("Normalize(%s, %q) = %q %v, not a fixed point", r.Country, r.Postcode.String(), p.String(), st)
			}
			for _, c := range r.Postcode.Bytes() {
				if !isUpper(c) && !isDigit(c) && c != ' ' && c != '-' {
					t.Fatalf("normalized %q holds %q", r.Postcode.String(), c)
				}
			}
		}
		// Naming the detected country gives the same answer.
		if r.Country != "" {
			again := Detect([]byte(r.Country), []byte(state), []byte(zip))
			if again.Country != r.Country || again.Postcode != r.Postcode || again.Status != r.Status {
				t.Fatalf("Detect with country %s = %q %q %v, want %q %v", r.Country, again.Country, again.Postcode.String(), again.Status, r.Postcode.String(), r.Status)
			}
		}
	})
}
