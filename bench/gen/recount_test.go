package gen

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/postcode"
	"github.com/postmill/postmill/internal/zipdb"
)

// standardWords maps the spelled-out words the generator writes to their
// Publication 28 abbreviations, for the test's own small standardizer.
var standardWords = func() map[string]string {
	m := map[string]string{}
	for _, l := range [][]weightedWord{suffixes, directionals, unitTypes} {
		for _, w := range l {
			m[w.word] = w.abbr
		}
	}
	return m
}()

// standardAddress is a crude standardizer, enough for generated data: upper
// case, periods dropped, commas and runs of blanks made one space, spelled
// words abbreviated, street and street2 joined, ZIP padded to five digits.
func standardAddress(street, street2, city, state, zip string) string {
	line := strings.ToUpper(street + " " + street2)
	line = strings.ReplaceAll(line, ".", "")
	line = strings.ReplaceAll(line, ",", " ")
	line = strings.ReplaceAll(line, "POST OFFICE BOX", "PO BOX")
	line = strings.ReplaceAll(line, "RURAL ROUTE", "RR")
	words := strings.Fields(line)
	for i, w := range words {
		if a, ok := standardWords[w]; ok {
			words[i] = a
		}
	}
	zip, _, _ = strings.Cut(strings.TrimSpace(zip), "-")
	for len(zip) < 5 {
		zip = "0" + zip
	}
	return strings.Join(words, " ") + "|" + strings.ToUpper(strings.TrimSpace(city)) + "|" +
		strings.ToUpper(strings.TrimSpace(state)) + "|" + zip
}

func isUSCountry(c string) bool { return c == "" || c == "US" || c == "USA" || c == "United States" }

// TestRecount generates a file with its side files and counts what it holds
// from the data alone; every count must equal Stats.
func TestRecount(t *testing.T) {
	cfg := Config{Rows: 60000, Seed: 42, Suppressed: 0.03, Moved: 0.03, International: 0.01}
	dir := t.TempDir()
	files, st, err := WriteAll(context.Background(), dir, cfg, CSV)
	if err != nil {
		t.Fatal(err)
	}
	read := func(path string, header []string) [][]string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return readCSV(t, data, header)
	}
	rows := read(files.Contacts, Columns())
	emails := read(files.SuppressEmail, []string{"email"})
	addrs := read(files.SuppressAddress, SuppressAddressColumns())
	coa := read(files.COA, COAColumns())

	var sum int64
	for _, k := range Kinds() {
		sum += st.Count(k)
	}
	if sum != st.Rows || st.Rows != int64(cfg.Rows) || int64(len(rows)) != st.Rows {
		t.Fatalf("kinds add up to %d; Stats.Rows %d; file rows %d; want %d", sum, st.Rows, len(rows), cfg.Rows)
	}
	if got := int64(len(emails)); got != st.SuppressEmailEntries || got != 2*st.SuppressedEmail {
		t.Errorf("suppress-email.csv has %d entries; Stats %d, 2×SuppressedEmail %d", got, st.SuppressEmailEntries, 2*st.SuppressedEmail)
	}
	if got := int64(len(addrs)); got != st.SuppressAddressEntries || got != 2*st.SuppressedAddress {
		t.Errorf("suppress-address.csv has %d entries; Stats %d", got, st.SuppressAddressEntries)
	}
	if got := int64(len(coa)); got != st.COAEntries || got != 2*st.Moved() {
		t.Errorf("coa.csv has %d entries; Stats %d", got, st.COAEntries)
	}

	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	supEmail := map[string]bool{}
	for _, r := range emails {
		supEmail[r[0]] = true
	}
	supAddr := map[string]string{} // standardized → street as the list writes it
	for _, r := range addrs {
		supAddr[standardAddress(r[0], r[1], r[2], r[3], r[4])] = r[0]
	}
	type moveKey struct{ first, last, addr string }
	moves := map[moveKey]string{}
	for _, r := range coa {
		status := r[14]
		if (status == "new_address") == (r[7] == "") {
			t.Errorf("coa.csv: status %s with new street %q", status, r[7])
		}
		switch r[12] {
		case "individual", "family", "business":
		default:
			t.Errorf("coa.csv: move_type %q", r[12])
		}
		if len(r[13]) != 7 || r[13][4] != '-' {
			t.Errorf("coa.csv: move_date %q", r[13])
		}
		moves[moveKey{r[0], r[1], standardAddress(r[2], r[3], r[4], r[5], r[6])}] = status
	}

	var got Stats
	seenLine := map[string]bool{}
	seenPerson := map[string]bool{}
	seenHome := map[string]bool{}
	var repeatPerson, repeatHome int64
	for _, r := range rows {
		line := strings.Join(r, "\x00")
		if seenLine[line] {
			got.DupExact++
		}
		seenLine[line] = true
		if r[ColVarField1] == "" {
			got.MissingMerge++
		}
		if !isUSCountry(r[ColCountry]) {
			got.International++
			c, ok := postcode.Lookup([]byte(r[ColCountry]))
			if !ok {
				t.Errorf("country %q unknown", r[ColCountry])
			}
			if _, s := postcode.Normalize(c, []byte(r[ColZIP])); s != postcode.Valid {
				t.Errorf("%s postal code %q: %v", c, r[ColZIP], s)
			}
			continue
		}
		if z := r[ColZIP]; len(z) < 5 && strings.Trim(z, "0123456789") == "" {
			got.DroppedZero++
		}
		street := strings.TrimSpace(r[ColStreet])
		upper := strings.ToUpper(street)
		zip, _, _ := strings.Cut(r[ColZIP], "-")
		padded := zip
		for len(padded) < 5 {
			padded = "0" + padded
		}
		switch {
		case street == "":
			got.InvalidStreetMissing++
		case strings.Trim(street, ".?-*/") == "":
			got.InvalidGarbage++
		case strings.Trim(strings.Fields(street)[0], "0123456789") != "": // no house number first
			if !strings.HasPrefix(upper, "PO BOX") && !strings.HasPrefix(upper, "P.O. BOX") &&
				!strings.HasPrefix(upper, "POST OFFICE BOX") && !strings.HasPrefix(upper, "RR ") &&
				!strings.HasPrefix(upper, "R.R. ") && !strings.HasPrefix(upper, "RURAL ROUTE") {
				got.InvalidPrimaryMissing++
			}
		}
		e, ok := db.LookupBytes([]byte(padded))
		if !ok {
			got.InvalidZIPUnknown++
		} else if st := strings.ToUpper(strings.TrimSpace(r[ColState])); st != string(e.State[:]) {
			t.Errorf("ZIP %s is in %s, the row says %q", padded, e.State, st)
		}
		if supEmail[strings.ToLower(r[ColEmail])] {
			got.SuppressedEmail++
		}
		addr := standardAddress(r[ColStreet], r[ColStreet2], r[ColCity], r[ColState], r[ColZIP])
		if listStreet, ok := supAddr[addr]; ok {
			got.SuppressedAddress++
			if listStreet == r[ColStreet] {
				t.Errorf("suppressed address %q is written the same way in the list", listStreet)
			}
		}
		first := strings.ToUpper(strings.TrimSpace(r[ColFirstName]))
		last := strings.ToUpper(strings.TrimSpace(r[ColLastName]))
		switch moves[moveKey{first, last, addr}] {
		case "new_address":
			got.MovedNewAddress++
		case "no_forwarding":
			got.MovedNoForwarding++
		case "box_closed":
			got.MovedBoxClosed++
		}
		if seenPerson[first+"|"+last+"|"+addr] {
			repeatPerson++
		}
		seenPerson[first+"|"+last+"|"+addr] = true
		if seenHome[last+"|"+addr] {
			repeatHome++
		}
		seenHome[last+"|"+addr] = true
	}
	checks := []struct {
		name      string
		got, want int64
	}{
		{"exact duplicate lines", got.DupExact, st.DupExact},
		{"empty var_field_1", got.MissingMerge, st.MissingMerge},
		{"ZIPs without leading zeros", got.DroppedZero, st.DroppedZero},
		{"foreign country", got.International, st.International},
		{"empty street", got.InvalidStreetMissing, st.InvalidStreetMissing},
		{"garbage street", got.InvalidGarbage, st.InvalidGarbage},
		{"street without number", got.InvalidPrimaryMissing, st.InvalidPrimaryMissing},
		{"ZIP not in the table", got.InvalidZIPUnknown, st.InvalidZIPUnknown},
		{"email on the list", got.SuppressedEmail, st.SuppressedEmail},
		{"address on the list", got.SuppressedAddress, st.SuppressedAddress},
		{"moved, new address", got.MovedNewAddress, st.MovedNewAddress},
		{"moved, no forwarding", got.MovedNoForwarding, st.MovedNoForwarding},
		{"moved, box closed", got.MovedBoxClosed, st.MovedBoxClosed},
		{"same name and address again", repeatPerson, st.DupExact + st.DupVariant},
		{"same surname and address again", repeatHome, st.DupExact + st.DupVariant + st.Household},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: recounted %d, Stats say %d", c.name, c.got, c.want)
		}
		if c.want == 0 {
			t.Errorf("%s: none generated; the test proves nothing", c.name)
		}
	}
}

// TestRecordKinds checks each row's Kind against its fields, straight from Next.
func TestRecordKinds(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(Config{Rows: 50000, Seed: 9, International: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	var tally Stats
	for g.Next(&rec) {
		*tally.kindField(rec.Kind)++
		f := func(c int) string { return strings.TrimSpace(string(rec.Fields[c])) }
		if rec.Kind == International {
			if isUSCountry(f(ColCountry)) {
				t.Errorf("row %d: international with country %q", rec.Row, f(ColCountry))
			}
			continue
		}
		if !isUSCountry(f(ColCountry)) {
			t.Errorf("row %d: %v with country %q", rec.Row, rec.Kind, f(ColCountry))
		}
		zip, _, _ := strings.Cut(f(ColZIP), "-")
		if rec.DroppedZero != (len(zip) < 5) {
			t.Errorf("row %d: DroppedZero %v with ZIP %q", rec.Row, rec.DroppedZero, zip)
		}
		e, ok := db.NormalizeZIP([]byte(zip), []byte(strings.ToUpper(f(ColState)))), false
		if e.Valid() {
			ent, found := db.Lookup(e.Zip5)
			ok = found && string(ent.State[:]) == strings.ToUpper(f(ColState))
		}
		if ok == (rec.Kind == InvalidZIPUnknown) {
			t.Errorf("row %d: %v with ZIP %q state %q (in table with that state: %v)", rec.Row, rec.Kind, zip, f(ColState), ok)
		}
		if (f(ColStreet) == "") != (rec.Kind == InvalidStreetMissing) {
			t.Errorf("row %d: %v with street %q", rec.Row, rec.Kind, f(ColStreet))
		}
		if (f(ColVarField1) == "") != (rec.Kind == MissingMerge) {
			t.Errorf("row %d: %v with var_field_1 %q", rec.Row, rec.Kind, f(ColVarField1))
		}
		if rec.Kind == SuppressedEmail && f(ColEmail) == "" {
			t.Errorf("row %d: suppressed by email without one", rec.Row)
		}
	}
	if st := g.Stats(); tally.Rows != 0 || st.Clean != tally.Clean || st.Household != tally.Household ||
		st.International != tally.International || st.Invalid() != tally.Invalid() {
		t.Errorf("Stats %+v disagree with the rows' kinds %+v", st, tally)
	}
}
