package ncoa

import (
	"strings"
	"testing"

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
