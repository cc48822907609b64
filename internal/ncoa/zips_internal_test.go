package ncoa

import (
	"fmt"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/zipdb"
)

// TestMayMoveFrom checks the ZIP Code prefilter of Lookup: set for every
// ZIP Code a move leaves from (an old address of any type and status),
// clear for the others, and never a reason to skip a ZIP it cannot read.
func TestMayMoveFrom(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Load(strings.NewReader(Header+`
John,Smith,22 Harbor Road,,Boston,MA,02108,100 Main Street,,Cambridge,MA,02139,individual,2024-03,new_address
,Garcia,350 Commonwealth Avenue,,Boston,MA,2115,1 Market St,,St. Louis,MO,63101,family,2023-11,new_address
,,PO Box 9,,,,99501,,,,,,family,2023-06,box_closed
`), "moves.csv", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		zip  string
		want bool
	}{
		{"02108", true},  // an individual move
		{"02115", true},  // a family move, its ZIP Code padded
		{"99501", true},  // the largest ZIP Code here: the last words of the bitmap
		{"02139", false}, // where a move goes, not where it leaves
		{"63101", false},
		{"00000", false},
		{"99999", false},
		{"0210", true}, // not five digits: look it up
		{"", true},
	} {
		if got := f.mayMoveFrom([]byte(tc.zip)); got != tc.want {
			t.Errorf("mayMoveFrom(%q) = %v, want %v", tc.zip, got, tc.want)
		}
	}
}

// TestKeyPrefilter checks the Bloom filter in front of the two maps: it
// passes every key either map holds, and turns away nearly every other.
func TestKeyPrefilter(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(Header + "\n")
	for i := range 2000 {
		if i%2 == 0 {
			fmt.Fprintf(&b, "Ann,Lee%c%c,%d Harbor Road,,Boston,MA,02108,1 Main St,,Boston,MA,02110,individual,2024-03,new_address\n", 'a'+i/26%26, 'a'+i%26, i+1)
		} else {
			fmt.Fprintf(&b, ",Lee,%d Elm Street,,Boston,MA,02115,,,,,,family,2023-06,no_forwarding\n", i+1)
		}
	}
	f, err := Load(strings.NewReader(b.String()), "moves.csv", db)
	if err != nil {
		t.Fatal(err)
	}
	if f.byName.Len() != 1000 || f.byAddr.Len() != 1000 {
		t.Fatalf("%d name keys and %d address keys, want 1000 each", f.byName.Len(), f.byAddr.Len())
	}
	for _, p := range []struct {
		m     *keyset.Map
		maybe *keyset.Bloom
	}{{f.byName, f.maybeName}, {f.byAddr, f.maybeAddr}} {
		for k := range p.m.All() {
			if !p.maybe.MayContain(k) {
				t.Fatalf("the prefilter turns away key %x, which is in its map", k)
			}
		}
	}
	passed := 0
	const absent = 100_000
	for i := range absent {
		k := keyset.Sum(keyset.KindAddress, []byte(fmt.Sprint("absent ", i)))
		if f.maybeAddr.MayContain(k) || f.maybeName.MayContain(k) {
			passed++
		}
	}
	if rate := float64(passed) / absent; rate > 2*3*keyset.BloomFalsePositiveRate {
		t.Errorf("the prefilter passes %.2f%% of absent keys, want about %.2f%%", 100*rate, 100*keyset.BloomFalsePositiveRate)
	}
}
