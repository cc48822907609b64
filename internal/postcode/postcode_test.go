package postcode

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	cases := []struct {
		in   string
		want Country
		ok   bool
	}{
		{"US", US, true},
		{"USA", US, true},
		{"U.S.A.", US, true},
		{"United States", US, true},
		{"united states of america", US, true},
		{"  UNITED   STATES ", US, true},
		{"Puerto Rico", US, true},
		{"UK", GB, true},
		{"U.K.", GB, true},
		{"GREAT BRITAIN", GB, true},
		{"England", GB, true},
		{"Scotland", GB, true},
		{"GBR", GB, true},
		{"gb", GB, true},
		{"Canada", CA, true},
		{"CA", CA, true}, // a country field: Canada, not California
		{"Deutschland", "DE", true},
		{"Germany", "DE", true},
		{"the Netherlands", NL, true},
		{"Netherlands, The", NL, true},
		{"Holland", NL, true},
		{"España", "ES", true},
		{"ESPAÑA", "ES", true},
		{"México", "MX", true},
		{"Österreich", "AT", true},
		{"Korea, Republic of", "KR", true},
		{"People's Republic of China", "CN", true},
		{"Eire", IE, true},
		{"JPN", "JP", true},
		{"Narnia", "", false},
		{"", "", false},
		{"...", "", false},
		{strings.Repeat("UNITED ", 20), "", false},
	}
	for _, c := range cases {
		got, ok := Lookup([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("Lookup(%q) = %q %v, want %q %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCountryTable(t *testing.T) {
	if len(countryTable) < 60 {
		t.Errorf("%d countries, want at least 60", len(countryTable))
	}
	for _, e := range countryTable {
		spellings := append([]string{string(e.code), e.name}, strings.Split(e.aliases, "|")...)
		for _, s := range spellings {
			if got, ok := Lookup([]byte(s)); !ok || got != e.code {
				t.Errorf("spelling %q of %s looks up as %q (listed twice or not canonical)", s, e.code, got)
			}
		}
		if e.code.Name() != e.name {
			t.Errorf("%s.Name() = %q", e.code, e.code.Name())
		}
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		c      Country
		in     string
		want   string
		status Status
	}{
		{GB, "SW1A 2AA", "SW1A 2AA", Valid},
		{GB, "sw1a2aa", "SW1A 2AA", Valid},
		{GB, " SW1A   2AA ", "SW1A 2AA", Valid},
		{GB, "M1 1AE", "M1 1AE", Valid},
		{GB, "B33 8TH", "B33 8TH", Valid},
		{GB, "CR2 6XH", "CR2 6XH", Valid},
		{GB, "DN55 1PT", "DN55 1PT", Valid},
		{GB, "W1A 0AX", "W1A 0AX", Valid},
		{GB, "EC1A 1BB", "EC1A 1BB", Valid},
		{GB, "GIR 0AA", "GIR 0AA", Valid},
		{GB, "SW1A 2AI", "SW1A 2AI", Malformed}, // I never in the inward code
		{GB, "12345", "12345", Malformed},
		{GB, "SW1A", "SW1A", Malformed},
		{"JE", "JE2 3AB", "JE2 3AB", Valid},
		{CA, "K1A 0B1", "K1A 0B1", Valid},
		{CA, "k1a0b1", "K1A 0B1", Valid},
		{CA, "K1A-0B1", "K1A 0B1", Valid},
		{CA, "D1A 0B1", "D1A 0B1", Malformed}, // no D
		{CA, "W1A 0B1", "W1A 0B1", Malformed}, // no W first
		{CA, "K1A 0B", "K1A 0B", Malformed},
		{"DE", "10115", "10115", Valid},
		{"DE", "D-10115", "10115", Valid},
		{"DE", "1011", "1011", Malformed},
		{"FR", "75001", "75001", Valid},
		{"FR", "F-75001", "75001", Valid},
		{"AU", "2000", "2000", Valid},
		{"AU", "20000", "20000", Malformed},
		{NL, "1234AB", "1234 AB", Valid},
		{NL, "1234 ab", "1234 AB", Valid},
		{NL, "NL-1234 AB", "1234 AB", Valid},
		{NL, "0234 AB", "0234 AB", Malformed},
		{NL, "1234 SS", "1234 SS", Malformed},
		{IE, "D02 X285", "D02 X285", Valid},
		{IE, "d02x285", "D02 X285", Valid},
		{IE, "D6W 1234", "D6W 1234", Valid},
		{IE, "B02 X285", "B02 X285", Malformed}, // B is no routing-key letter
		{IE, "D02 X28", "D02 X28", Malformed},
		{"JP", "100-0001", "100-0001", Valid},
		{"JP", "1000001", "100-0001", Valid},
		{"JP", "100-001", "100-001", Malformed},
		{"MX", "06600", "06600", Valid},
		{"IT", "00144", "00144", Valid},
		{"IT", "I-00144", "00144", Valid},
		{"ES", "28013", "28013", Valid},
		{"ES", "53013", "53013", Malformed}, // no province 53
		{"ES", "00013", "00013", Malformed},
		{"BR", "01310100", "01310-100", Valid},
		{"PL", "00-950", "00-950", Valid},
		{"SE", "11122", "111 22", Valid},
		{"LV", "lv-1050", "LV-1050", Valid},
		{US, "02108", "02108", Valid},
		{US, "021081234", "02108-1234", Valid},
		{US, "02108 1234", "02108-1234", Valid},
		{US, "2108", "2108", Malformed}, // zipdb repairs this with the state
		{"HK", "", "", Unchecked},       // no postal codes
		{"DE", "  ", "", Missing},
		{"AQ", "bc 12/3", "BC 12/3", Unchecked}, // no format known
		{"DE", "10115 BERLIN MITTE", "10115 BERLIN MI", Malformed},
	}
	for _, c := range cases {
		p, st := Normalize(c.c, []byte(c.in))
		if p.String() != c.want || st != c.status {
			t.Errorf("Normalize(%s, %q) = %q %v, want %q %v", c.c, c.in, p.String(), st, c.want, c.status)
		}
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name                string
		country, state, zip string
		want                Country
		postcode            string
		status              Status
		inferred            bool
	}{
		{"plain US", "", "MA", "02108", US, "02108", Valid, false},
		{"US ZIP+4", "", "MA", "02108-1234", US, "02108-1234", Valid, false},
		{"US named", "USA", "MA", "02108", US, "02108", Valid, false},
		{"US long name", "United States of America", "", "021081234", US, "02108-1234", Valid, false},
		{"US short ZIP stays US", "", "MA", "2139", US, "2139", Malformed, false},
		{"no ZIP", "", "", "", US, "", Missing, false},
		{"London, no state", "", "", "SW1A 2AA", GB, "SW1A 2AA", Valid, true},
		{"London, state is a city", "", "LONDON", "sw1a2aa", GB, "SW1A 2AA", Valid, true},
		{"GB shape but US state", "", "MA", "SW1A 2AA", US, "SW1A 2AA", Malformed, false},
		{"Ottawa", "", "ON", "K1A 0B1", CA, "K1A 0B1", Valid, true},
		{"Ottawa, no state", "", "", "k1a0b1", CA, "K1A 0B1", Valid, true},
		{"Dublin", "", "", "D02 X285", IE, "D02 X285", Valid, true},
		{"Amsterdam", "", "", "1012 JS", NL, "1012 JS", Valid, true},
		{"German code without country is US", "", "", "10115", US, "10115", Valid, false},
		{"letters that fit nothing", "", "", "ABC", US, "ABC", Malformed, false},
		{"country given: UK", "UK", "", "SW1A 2AA", GB, "SW1A 2AA", Valid, false},
		{"country given: England, bad code", "ENGLAND", "", "90210", GB, "90210", Malformed, false},
		{"country given: Germany", "Germany", "", "10115", "DE", "10115", Valid, false},
		{"country given: Japan", "JAPAN", "TOKYO", "1000001", "JP", "100-0001", Valid, false},
		{"country given: Canada", "CANADA", "ON", "K1A 0B1", CA, "K1A 0B1", Valid, false},
		{"country given: Puerto Rico", "PUERTO RICO", "PR", "00901", US, "00901", Valid, false},
		{"country unknown", "NARNIA", "", "abc 123", "", "ABC 123", CountryUnknown, false},
		{"blank country", "   ", "", "02108", US, "02108", Valid, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Detect([]byte(c.country), []byte(c.state), []byte(c.zip))
			if r.Country != c.want || r.Postcode.String() != c.postcode || r.Status != c.status || r.Inferred != c.inferred {
				t.Errorf("Detect(%q, %q, %q) = {%q %q %v %v}, want {%q %q %v %v}",
					c.country, c.state, c.zip, r.Country, r.Postcode.String(), r.Status, r.Inferred,
					c.want, c.postcode, c.status, c.inferred)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	want := map[Status]string{
		Valid: "postal_code_valid", Unchecked: "postal_code_unchecked", Missing: "postal_code_missing",
		Malformed: "postal_code_format", CountryUnknown: "country_unknown", 9: "status(9)",
	}
	for s, name := range want {
		if s.String() != name {
			t.Errorf("Status %d = %q, want %q", s, s, name)
		}
	}
	if !Valid.OK() || !Unchecked.OK() || Malformed.OK() || Missing.OK() || CountryUnknown.OK() {
		t.Error("OK")
	}
}

func TestDetectDoesNotAllocate(t *testing.T) {
	rows := [][3][]byte{
		{nil, []byte("MA"), []byte("02108-1234")},
		{[]byte("USA"), []byte("MA"), []byte("02108")},
		{nil, nil, []byte("SW1A 2AA")},
		{[]byte("Deutschland"), nil, []byte("D-10115")},
		{[]byte("España"), nil, []byte("28013")},
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, r := range rows {
			res := Detect(r[0], r[1], r[2])
			_ = res.Postcode.Bytes()
		}
	})
	if allocs != 0 {
		t.Errorf("Detect allocates %v times per run", allocs)
	}
}
