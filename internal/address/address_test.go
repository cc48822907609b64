package address_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
)

func loadDB(tb testing.TB) *zipdb.DB {
	tb.Helper()
	db, err := zipdb.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func fields(street, street2, city, state, zip, country string) address.Fields {
	return address.Fields{Street: []byte(street), Street2: []byte(street2), City: []byte(city),
		State: []byte(state), Zip: []byte(zip), Country: []byte(country)}
}

// The rules themselves are covered address by address by
// cmd/postmill/testdata/standardize (TestStandardizeAddresses); these tests
// pin the package's contracts.

func TestAppendKey(t *testing.T) {
	s := address.NewStandardizer(loadDB(t), address.Config{})
	key := func(f address.Fields) string { return string(s.Standardize(f).AppendKey(nil)) }
	same := [][]address.Fields{
		{
			fields("22 Harbor Road", "", "Boston", "MA", "02108", ""),
			fields("22 HARBOR RD", "", "BOSTON", "MA", "2108", ""),
			fields("22 harbor rd.", "", "", "", "02108-1234", "USA"),
			fields("22 Harbor Rd", "", "Bostn", "Massachusetts", "021081234", "United States"),
		},
		{
			fields("123 North Main Street", "Apartment 4", "Cambridge", "MA", "02139", ""),
			fields("Apt 4, 123 N Main St", "", "Cambrdge", "ma", "2139", ""),
			fields("123 N. MAIN ST APT. #4", "", "", "", "02139", ""),
		},
		{
			fields("10 Downing Street", "", "London", "", "SW1A 2AA", "United Kingdom"),
			fields("10  downing street", "", "LONDON", "", "sw1a2aa", ""),
			fields("10 Downing Street", "", "Westminster", "", "SW1A2AA", "GB"),
		},
	}
	want := []string{"22 HARBOR RD|02108", "123 N MAIN ST APT 4|02139", "GB|SW1A 2AA|10 DOWNING STREET"}
	for i, group := range same {
		for _, f := range group {
			if got := key(f); got != want[i] {
				t.Errorf("%q: key %q, want %q", f.Street, got, want[i])
			}
		}
	}
	// Different addresses, different keys; invalid ones have none.
	if key(fields("22 Harbor Rd", "Apt 1", "Boston", "MA", "02108", "")) == want[0] {
		t.Error("a unit does not change the key")
	}
	if k := key(fields("Harbor Rd", "", "Boston", "MA", "02108", "")); k != "" {
		t.Errorf("invalid address has key %q", k)
	}
}

func TestStatusAndNotes(t *testing.T) {
	for s, want := range map[address.Status]string{address.StatusValid: "valid", address.StatusCorrected: "corrected",
		address.StatusInternational: "international", address.StatusInvalid: "invalid", 9: "unknown"} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", s, s.String(), want)
		}
	}
	seen := map[string]bool{}
	for _, n := range address.AllNotes() {
		name := n.String()
		if name == "note_unknown" || seen[name] || strings.ToLower(name) != name || strings.ContainsAny(name, " :;") {
			t.Errorf("note %d has a bad or repeated name %q", n, name)
		}
		seen[name] = true
	}
	if len(seen) < 20 {
		t.Errorf("only %d notes", len(seen))
	}
}

func TestInvalidReasonsRegistered(t *testing.T) {
	s := address.NewStandardizer(loadDB(t), address.Config{DomesticOnly: true})
	for _, f := range []address.Fields{
		fields("", "", "Boston", "MA", "02108", ""),
		fields("Main St", "", "Boston", "MA", "02108", ""),
		fields("123 Main St PO Box 4", "", "Boston", "MA", "02108", ""),
		fields("\x00", "", "Boston", "MA", "02108", ""),
		fields("1 Main St", "", "Boston", "MA", "", ""),
		fields("1 Main St", "", "Boston", "MA", "1", ""),
		fields("1 Main St", "", "Boston", "MA", "99999", ""),
		fields("1 Main St", "", "Springfield", "IL", "02108", ""),
		fields("1 Main St", "", "Paris", "", "75001", "France"),
		fields("1 Main St", "", "X", "", "1", "Atlantis"),
	} {
		r := s.Standardize(f)
		if r.Status != address.StatusInvalid || !r.Problem.Registered() || r.Problem.Family() != "invalid_address" {
			t.Errorf("%+q: status %s problem %q", f, r.Status, r.Problem)
		}
		if r.Street != nil || r.Zip5 != nil || len(r.Notes) != 0 || r.AppendKey(nil) != nil {
			t.Errorf("%q: invalid result carries fields", f.Street)
		}
	}
}

func TestGarbageIsInvalid(t *testing.T) {
	s := address.NewStandardizer(loadDB(t), address.Config{})
	long := strings.Repeat("123 Main St ", 1000) // 12 KB
	for _, f := range []address.Fields{
		fields(long, "", "Boston", "MA", "02108", ""),
		fields("1 Main St", long, "Boston", "MA", "02108", ""),
		fields("1 Main St", "", long, "MA", "02108", ""),
		fields("1 Main St", "", "Boston", long, "02108", ""),
		fields("1 Main St", "", "Boston", "MA", long, ""),
		fields("1 Main St", "", "Boston", "MA", "02108", long),
		fields("1 Main St", "", "London", "", "SW1A 2AA", long),
		fields(".,;:!?", "", "Boston", "MA", "02108", ""),
		fields("😀 😀", "", "Boston", "MA", "02108", ""),
		fields("1 Main St\x1b[31m", "", "Boston", "MA", "02108", ""),
		fields("1 Main St", "", "Bos\x00ton", "MA", "02108", ""),
		fields("1 Main St", "", "London", "", "SW1A 2AA", "United Kingdom\x00"),
		fields("\xff\xfe", "", "Boston", "MA", "02108", ""),
	} {
		r := s.Standardize(f)
		if r.Status != address.StatusInvalid || r.Problem == "" {
			t.Errorf("%.40q: status %s problem %q", f.Street, r.Status, r.Problem)
		}
	}
}

func TestStandardizeDoesNotAllocate(t *testing.T) {
	s := address.NewStandardizer(loadDB(t), address.Config{})
	in := []address.Fields{
		fields("123 North Main Street", "Apt. #4", "Cambrdge", "Massachusetts", "2139-4307", "USA"),
		fields("P.O. Box 0012", "", "", "", "60601", ""),
		fields("10 Downing Street", "", "London", "", "sw1a2aa", ""),
		fields("Main St", "", "Boston", "MA", "02108", ""),
		fields("Acme Corp", "500 West Ave", "Boston", "MA", "02108", ""),
		fields("Unit 2050 Box 4190", "", "APO", "AE", "09021", ""),
	}
	for _, f := range in {
		s.Standardize(f) // warm up the buffers
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, f := range in {
			s.Standardize(f)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per run, want 0", allocs)
	}
}

func TestRulesVerify(t *testing.T) {
	v := address.NewRules(loadDB(t), address.Config{})
	in := []address.Fields{
		fields("22 Harbor Road", "", "Boston", "MA", "02108", ""),
		fields("10 Downing Street", "", "London", "", "SW1A 2AA", "UK"),
		fields("Main St", "", "Boston", "MA", "02108", ""),
	}
	out := make([]address.Result, len(in))
	if err := v.Verify(context.Background(), in, out); err != nil {
		t.Fatal(err)
	}
	// Each result owns its storage: all are readable after the batch.
	if string(out[0].Street) != "22 HARBOR RD" || out[1].Status != address.StatusInternational ||
		out[2].Problem != pipeline.InvalidAddressPrimary || string(out[1].AppendNotes(nil)) != "" ||
		string(out[2].AppendNotes(nil)) != "invalid_address:primary_missing" || string(out[0].AppendNotes(nil)) != "suffix_abbreviated" {
		t.Errorf("results: %q %s %q", out[0].Street, out[1].Status, out[2].Problem)
	}
	if err := v.Verify(context.Background(), in, out[:1]); err == nil {
		t.Error("short out accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := v.Verify(ctx, in, out); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

func TestAppendName(t *testing.T) {
	for in, want := range map[string]string{"O'Brien": "OBRIEN", "o brien": "OBRIEN", "Peña": "PENA",
		"Mary-Jane": "MARYJANE", " Zoë ": "ZOE", "": "", "Strauß": "STRAUSS"} {
		got, ok := address.AppendName(nil, []byte(in))
		if !ok || string(got) != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := address.AppendName(nil, []byte("Иван")); ok {
		t.Error("Cyrillic name accepted")
	}
}
