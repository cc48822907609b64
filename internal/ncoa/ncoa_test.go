package ncoa_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
)

const coaFile = ncoa.Header + `
John,Smith,22 Harbor Road,,Boston,MA,02108,100 Main Street,Apartment 4,Cambridge,MA,02139,individual,2024-03,new_address
,Garcia,350 Commonwealth Avenue,,Boston,MA,02115,1 Market St,,St. Louis,MO,63101-1234,family,2023-11,new_address
Acme,,1 Post Office Square,Suite 500,Boston,MA,02109,100 Summer St,Floor 10,Boston,MA,02110,business,2024-01,new_address
Jane,Doe,9 Primrose Lane,,Boston,MA,02108,,,,,,individual,2024-02,no_forwarding
,,PO Box 123,,Boston,MA,02108,,,,,,family,2023-06,box_closed
John,Smith,22 HARBOR RD,,BOSTON,MA,02108,1 Other St,,Boston,MA,02108,individual,2024-05,new_address
`

type fixture struct {
	db   *zipdb.DB
	file *ncoa.File
	std  *address.Standardizer
}

func setup(t *testing.T) fixture {
	t.Helper()
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := ncoa.Load(strings.NewReader(coaFile), "moves.csv", db)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{db: db, file: f, std: address.NewStandardizer(db, address.Config{})}
}

func (fx fixture) lookup(t *testing.T, first, last, street, street2, city, state, zip string) (*ncoa.Move, bool) {
	t.Helper()
	res := fx.std.Standardize(address.Fields{Street: []byte(street), Street2: []byte(street2), City: []byte(city),
		State: []byte(state), Zip: []byte(zip)})
	return fx.file.Lookup([]byte(first), []byte(last), res)
}

func TestIndividualMatchedOnName(t *testing.T) {
	fx := setup(t)
	m, ok := fx.lookup(t, "john", "SMITH", "22 Harbor Rd", "", "", "", "02108")
	if !ok || m.Type != ncoa.Individual || m.Status != ncoa.NewAddress || m.Date != "2024-03" || m.Line != 2 {
		t.Fatalf("got %+v %v", m, ok)
	}
	if got := string(m.New.Street) + "|" + string(m.New.City) + "|" + string(m.New.State) + "|" + string(m.New.Zip5); got != "100 MAIN ST APT 4|CAMBRIDGE|MA|02139" {
		t.Errorf("new address %s", got)
	}
	if m.New.Status != address.StatusCorrected || m.Type.Note() != "ncoa_moved_individual" {
		t.Errorf("status %s note %s", m.New.Status, m.Type.Note())
	}
	if _, ok := fx.lookup(t, "Mary", "Smith", "22 Harbor Rd", "", "Boston", "MA", "02108"); ok {
		t.Error("an individual move matched another name")
	}
	if _, ok := fx.lookup(t, "", "", "22 Harbor Rd", "", "Boston", "MA", "02108"); ok {
		t.Error("an individual move matched no name")
	}
	if n := fx.file.Counts()["duplicate"]; n != 1 {
		t.Errorf("duplicates %d, want 1 (the second John Smith record)", n)
	}
}

func TestFamilyAndBusinessMatchedOnAddress(t *testing.T) {
	fx := setup(t)
	m, ok := fx.lookup(t, "Luis", "Perez", "350 COMMONWEALTH AVE", "", "BOSTON", "MA", "02115")
	if !ok || m.Type != ncoa.Family || string(m.New.Zip4) != "1234" || string(m.New.City) != "ST LOUIS" {
		t.Fatalf("family: %+v %v", m, ok)
	}
	m, ok = fx.lookup(t, "", "", "1 Post Office Sq", "Ste 500", "Boston", "MA", "02109")
	if !ok || m.Type != ncoa.Business || string(m.New.Street) != "100 SUMMER ST FL 10" {
		t.Fatalf("business: %+v %v", m, ok)
	}
	if _, ok := fx.lookup(t, "", "", "1 Post Office Sq", "Ste 600", "Boston", "MA", "02109"); ok {
		t.Error("another unit matched")
	}
}

func TestNoForwardingAndBoxClosed(t *testing.T) {
	fx := setup(t)
	m, ok := fx.lookup(t, "Jane", "Doe", "9 Primrose Ln", "", "Boston", "MA", "02108")
	if !ok || m.Status != ncoa.NoForwarding || m.Status.Reason() != pipeline.MovedNoForwarding || m.New.Street != nil {
		t.Fatalf("no forwarding: %+v %v", m, ok)
	}
	m, ok = fx.lookup(t, "Pat", "Lee", "P.O. Box 123", "", "Boston", "MA", "02108")
	if !ok || m.Status != ncoa.BoxClosed || m.Status.Reason() != pipeline.MovedBoxClosed {
		t.Fatalf("box closed: %+v %v", m, ok)
	}
	if ncoa.NewAddress.Reason() != "" {
		t.Error("a new address is a reject")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	fx := setup(t)
	res := fx.std.Standardize(address.Fields{Street: []byte("22 Harbor Rd"), City: []byte("Boston"), State: []byte("MA"), Zip: []byte("02108")})
	first, last := []byte("John"), []byte("Smith")
	if n := testing.AllocsPerRun(100, func() { fx.file.Lookup(first, last, res) }); n != 0 {
		t.Errorf("%.1f allocations per lookup", n)
	}
}

func TestMalformedFile(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	good := "John,Smith,22 Harbor Road,,Boston,MA,02108,100 Main Street,,Cambridge,MA,02139,individual,2024-03,new_address\n"
	for _, tc := range []struct {
		name, body, want string
		line             int64
	}{
		{"header", "first,last\n", "header is not", 1},
		{"columns", good + "John,Smith,22 Harbor Road\n", "3 columns, want 15", 3},
		{"move type", good + strings.Replace(good, "individual", "household", 1), `move_type "household"`, 3},
		{"move date", good + strings.Replace(good, "2024-03", "2024-13", 1), `move_date "2024-13"`, 3},
		{"move date shape", strings.Replace(good, "2024-03", "03/2024", 1), `move_date "03/2024"`, 2},
		{"status", strings.Replace(good, "new_address", "gone", 1), `status "gone"`, 2},
		{"old address", strings.Replace(good, "02108", "99999", 1), "old address is invalid: invalid_address:zip_unknown", 2},
		{"new address", strings.Replace(good, "100 Main Street", "Main Street", 1), "new address is invalid: invalid_address:primary_missing", 2},
		{"new address with no_forwarding", strings.Replace(good, "new_address", "no_forwarding", 1), "status no_forwarding with a new address", 2},
		{"individual without name", strings.Replace(good, "John,Smith", ",", 1), "needs a first and last name", 2},
		{"foreign address", strings.Replace(good, "Boston,MA,02108", "London,,SW1A 2AA", 1), "old address is invalid: invalid_address:international_not_allowed", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.name != "header" {
				body = ncoa.Header + "\n" + body
			}
			f, err := ncoa.Load(strings.NewReader(body), "coa.csv", db)
			var fe *ncoa.FormatError
			if f != nil || !errors.As(err, &fe) || !errors.Is(err, ncoa.ErrMalformed) {
				t.Fatalf("got %v, %v", f, err)
			}
			if fe.Name != "coa.csv" || fe.Line != tc.line || !strings.Contains(err.Error(), tc.want) ||
				!strings.HasPrefix(err.Error(), "coa.csv line ") {
				t.Errorf("error %q (line %d), want line %d and %q", err, fe.Line, tc.line, tc.want)
			}
		})
	}
	if _, err := ncoa.LoadFile(filepath.Join(t.TempDir(), "missing.csv"), db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ncoa.Load(strings.NewReader(""), "empty.csv", db); err == nil {
		t.Error("empty file loaded")
	}
}
