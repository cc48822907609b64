package suppression

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/zipdb"
)

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFileKinds(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		records       int64
		entries       map[string]int64
	}{
		{"emails.csv", "E-mail\nAnn@Example.com\n bob@example.org \n", 2, map[string]int64{"email": 2}},
		{"ids.tsv", "Customer ID\tnote\nC-1\tx\nC-2\t\n", 2, map[string]int64{"external_id": 2}},
		{"addresses.csv", "Address 1,City,State,ZIP Code\n22 Harbor Road,Boston,MA,02108\n", 1, map[string]int64{"address": 1}},
		{"people.csv", "first_name,last_name,address,zip\nAnn,Lee,22 Harbor Road,02108\n,,23 Harbor Road,02108\n", 2,
			map[string]int64{"name_address": 1, "address": 1}},
		{"mixed.csv", "email,external_id,first_name,last_name,address,zip\na@b.co,X1,Ann,Lee,22 Harbor Rd,02108\n,X2,,,,\n", 2,
			map[string]int64{"email": 1, "external_id": 2, "name_address": 1}},
		{"explicit.csv", "kind,email,address,zip\naddress,a@b.co,22 Harbor Rd,02108\n EMAIL ,a@b.co,,\n,c@d.co,,\n", 3,
			map[string]int64{"address": 1, "email": 2}},
		{"people.jsonl", `{"email":"A@B.CO","last_name":"Lee"}` + "\n" + `{"email":"c@d.co","last_name":""}` + "\n", 2,
			map[string]int64{"email": 2}},
		{"header_only.csv", "email\n", 0, map[string]int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := LoadFile(context.Background(), writeFile(t, dir, tc.name, tc.content), AccountScope("a"), LoadConfig{})
			if err != nil {
				t.Fatal(err)
			}
			info := l.Info()
			if info.Records != tc.records {
				t.Errorf("records %d, want %d", info.Records, tc.records)
			}
			if len(info.Entries) != len(tc.entries) {
				t.Errorf("entries %v, want %v", info.Entries, tc.entries)
			}
			for k, v := range tc.entries {
				if info.Entries[k] != v {
					t.Errorf("entries[%s] = %d, want %d (all %v)", k, info.Entries[k], v, info.Entries)
				}
			}
		})
	}
}

func TestLoadFileFails(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.csv", "email\nok@example.com\n")
	for _, tc := range []struct {
		name, content string
		line          int64
		reason        string
	}{
		{"garbage.csv", "email\na@b.co\n\"unclosed,\nx@y.z\n", 3, "quot"},
		{"cells.csv", "email,note\na@b.co,1\nb@c.co,1,extra\n", 3, "3 cells, header has 2"},
		{"nokind.csv", "name,phone\nAnn,555\n", 1, "no kind column"},
		{"unknown_kind.csv", "kind,email\nemail,a@b.co\nphone,b@c.co\n", 3, `unknown kind "phone"`},
		{"kind_without_value.csv", "kind,email,external_id\nexternal_id,a@b.co,\n", 2, "kind external_id but no external_id value"},
		{"bad_email.csv", "email\na@b.co\nnot an email\n", 3, "does not hold an email address"},
		{"bad_address.csv", "address,zip\n22 Harbor Rd,02108\n22 Harbor Rd,ABCDE\n", 3, "address does not standardize"},
		{"empty_row.csv", "email,external_id\na@b.co,\n,\n", 3, "no email, external_id or address value"},
		{"jsonl_garbage.jsonl", "{\"email\":\"a@b.co\"}\nnot json\n", 2, "JSON"},
		{"dup_kind_cols.csv", "kind,entry_kind,email\n", 1, "both a kind column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, tc.name, tc.content)
			_, err := Load(context.Background(), []File{{Path: filepath.Join(dir, "ok.csv"), Scope: AccountScope("a")},
				{Path: path, Scope: AccountScope("a")}}, LoadConfig{})
			if err == nil {
				t.Fatal("loaded")
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %T %v, want *LoadError", err, err)
			}
			if le.Path != path || le.Line != tc.line || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("got %q (path %s line %d), want path %s line %d reason containing %q", err, le.Path, le.Line, path, tc.line, tc.reason)
			}
		})
	}
}

func TestLoadFileNotThere(t *testing.T) {
	_, err := LoadFile(context.Background(), filepath.Join(t.TempDir(), "nope.csv"), AccountScope("a"), LoadConfig{})
	var le *LoadError
	if !errors.As(err, &le) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want a *LoadError wrapping ErrNotExist", err)
	}
}

// probe builds a probe from a standardized row's fields.
func probe(email, id, first, last, street, zip, country string) Probe {
	b := func(s string) []byte { return []byte(s) }
	return Probe{Email: b(email), ExternalID: b(id), First: b(first), Last: b(last), Street: b(street), Zip: b(zip), Country: b(country)}
}

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	x, err := Load(ctx, []File{
		{writeFile(t, dir, "a1.csv", "email\nOptOut@Example.com\n"), AccountScope("a1")},
		{writeFile(t, dir, "a1-spring.csv", "external_id\nC-7\n"), CampaignScope("a1", "spring")},
		{writeFile(t, dir, "a1-addr.csv", "Address 1,City,State,ZIP Code\n\"22 Harbor Road\",Boston,MA,02108\n"), AccountScope("a1")},
		{writeFile(t, dir, "a1-people.csv", "first,last,street,zip\nAnn,O'Brien,1 Main Street Apt 4,02108\n"), AccountScope("a1")},
		{writeFile(t, dir, "a2.csv", "email\nother@example.com\n"), AccountScope("a2")},
		{writeFile(t, dir, "a1-both.csv", "email\nboth@example.com\n"), AccountScope("a1")},
		{writeFile(t, dir, "a1-spring-both.csv", "email\nboth@example.com\n"), CampaignScope("a1", "spring")},
	}, LoadConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name              string
		account, campaign string
		p                 Probe
		want              Match
	}{
		{"email case-insensitive", "a1", "fall", probe("  OPTOUT@example.COM", "", "", "", "", "", ""), Match{LevelAccount, keyset.KindEmail, filepath.Join(dir, "a1.csv")}},
		{"other account's list", "a2", "spring", probe("optout@example.com", "", "", "", "", "", ""), Match{}},
		{"other account's email", "a1", "spring", probe("other@example.com", "", "", "", "", "", ""), Match{}},
		{"campaign entry in its campaign", "a1", "spring", probe("", "C-7", "", "", "", "", ""), Match{LevelCampaign, keyset.KindExternalID, filepath.Join(dir, "a1-spring.csv")}},
		{"campaign entry in another campaign", "a1", "fall", probe("", "C-7", "", "", "", "", ""), Match{}},
		{"campaign entry of another account", "a2", "spring", probe("", "C-7", "", "", "", "", ""), Match{}},
		{"external id is case-sensitive", "a1", "spring", probe("", "c-7", "", "", "", "", ""), Match{}},
		{"address variant, any name", "a1", "fall", probe("", "", "Zed", "Zed", "22 HARBOR RD", "02108", ""), Match{LevelAccount, keyset.KindAddress, filepath.Join(dir, "a1-addr.csv")}},
		{"address with ZIP+4 left", "a1", "fall", probe("", "", "", "", "22 HARBOR RD", "02108-1234", "US"), Match{LevelAccount, keyset.KindAddress, filepath.Join(dir, "a1-addr.csv")}},
		{"other address", "a1", "fall", probe("", "", "", "", "24 HARBOR RD", "02108", ""), Match{}},
		{"person at address", "a1", "fall", probe("", "", "ANN", "OBRIEN", "1 MAIN ST APT 4", "02108", ""), Match{LevelAccount, keyset.KindNameAddress, filepath.Join(dir, "a1-people.csv")}},
		{"other person at that address", "a1", "fall", probe("", "", "Bob", "OBrien", "1 MAIN ST APT 4", "02108", ""), Match{}},
		{"account before campaign", "a1", "spring", probe("both@example.com", "", "", "", "", "", ""), Match{LevelAccount, keyset.KindEmail, filepath.Join(dir, "a1-both.csv")}},
		{"nothing", "a1", "spring", Probe{}, Match{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]Match, 1)
			if err := x.Lookup(ctx, tc.account, tc.campaign, []Probe{tc.p}, out); err != nil {
				t.Fatal(err)
			}
			if out[0] != tc.want {
				t.Fatalf("got %+v, want %+v", out[0], tc.want)
			}
		})
	}
}

// TestRowKeyMatchesAppendKey checks that a key built from the columns the
// validate stage writes equals address.Result.AppendKey of the raw address.
func TestRowKeyMatchesAppendKey(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := address.NewStandardizer(db, address.Config{})
	for _, f := range []address.Fields{
		{Street: []byte("22 Harbor Road"), City: []byte("Boston"), State: []byte("MA"), Zip: []byte("02108")},
		{Street: []byte("1 main street"), Street2: []byte("Apt. 4"), City: []byte("Boston"), State: []byte("MA"), Zip: []byte("02108-1234")},
		{Street: []byte("10 Downing St"), City: []byte("London"), Zip: []byte("SW1A 2AA"), Country: []byte("United Kingdom")},
	} {
		r := s.Standardize(f)
		want := string(r.AppendKey(nil))
		zip := r.Zip5
		if r.Status == address.StatusInternational {
			zip = r.PostalCode
		}
		if got := string(AppendRowAddressKey(nil, r.Street, zip, r.Country)); got != want || got == "" {
			t.Errorf("%s: row key %q, AppendKey %q", f.Street, got, want)
		}
	}
}

func TestAppendEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{" Ann.Lee+x@Example.COM\t", "ann.lee+x@example.com", true},
		{"ÉLODIE@exemple.fr", "élodie@exemple.fr", true},
		{"no-at-sign", "", false},
		{"@example.com", "", false},
		{"a@", "", false},
		{"a b@example.com", "", false},
		{"a\x00@example.com", "", false},
		{"\xff@example.com", "", false},
	} {
		got, ok := AppendEmail(nil, []byte(tc.in))
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("AppendEmail(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestKeysPinned pins entry keys: they may be persisted by a store, so a
// change here is a migration.
func TestKeysPinned(t *testing.T) {
	p := probe("ann@example.com", "", "", "", "", "", "")
	k, _, _ := ProbeKey(nil, CampaignScope("a1", "spring").Key(), keyset.KindEmail, &p)
	if got, want := k.String(), pinnedEmailKey; got != want {
		t.Fatalf("entry key %s, want %s", got, want)
	}
	a, _, _ := ProbeKey(nil, AccountScope("a1").Key(), keyset.KindEmail, &p)
	b, _, _ := ProbeKey(nil, AccountScope("a2").Key(), keyset.KindEmail, &p)
	if a == k || a == b {
		t.Fatal("scope is not part of the key")
	}
}

const pinnedEmailKey = "23d66358167a43524ca02355f58006b9"

func TestReplaceSwapsWhole(t *testing.T) {
	x := NewIndex()
	l := NewList("l1", AccountScope("a"), 0)
	p := probe("a@b.co", "", "", "", "", "", "")
	k, _, _ := ProbeKey(nil, AccountScope("a").Key(), keyset.KindEmail, &p)
	l.Add(keyset.KindEmail, k)
	if err := x.Replace(CampaignScope("a", "c"), l); err == nil {
		t.Fatal("Replace accepted a list of another scope")
	}
	if err := x.Replace(AccountScope("a"), l); err != nil {
		t.Fatal(err)
	}
	out := make([]Match, 1)
	_ = x.Lookup(context.Background(), "a", "c", []Probe{p}, out)
	if out[0].List != "l1" {
		t.Fatalf("got %+v", out[0])
	}
	_ = x.Replace(AccountScope("a"))
	_ = x.Lookup(context.Background(), "a", "c", []Probe{p}, out)
	if out[0].Level != LevelNone {
		t.Fatalf("after removal got %+v", out[0])
	}
}

// FuzzReadList feeds arbitrary CSV to the list loader: it must never
// panic, must fail only with a *LoadError naming the list, and a list it
// accepts must find each of its email entries.
func FuzzReadList(f *testing.F) {
	for _, s := range []string{
		"email\na@b.co\n",
		"E-mail,Customer ID\nA@B.CO,x1\n,x2\n",
		"kind,email,external_id\nemail,a@b.co,\nexternal_id,,C1\n",
		"kind,email\nphone,a@b.co\n",
		"first_name,last_name,address,zip\nAnn,Lee,22 Harbor Rd,02108\n,,1 Main St,02108\n",
		"address,city,state,zip,country\n10 Downing St,London,,SW1A 2AA,GB\n",
		"email\n\"a@b.co\n",
		"name\nx\n",
		"email,x\na@b.co\n",
	} {
		f.Add([]byte(s))
	}
	db, err := zipdb.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := csv.NewReader(strings.NewReader(string(data)), csv.ReaderConfig{Name: "fuzz.csv"})
		if _, err := cr.ReadHeader(); err != nil {
			return
		}
		l, err := ReadList(context.Background(), cr, "fuzz.csv", AccountScope("a"), LoadConfig{ZIPs: db})
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) || le.Path != "fuzz.csv" {
				t.Fatalf("error %T %v, want *LoadError naming the list", err, err)
			}
			return
		}
		if l.Len() > int(l.Info().Records)*2 {
			t.Fatalf("%d keys from %d records", l.Len(), l.Info().Records)
		}
		// Reread: every email entry must be found by the index.
		cr = csv.NewReader(strings.NewReader(string(data)), csv.ReaderConfig{Name: "fuzz.csv"})
		hdr, _ := cr.ReadHeader()
		cols, err := mapColumns(hdr, nil)
		if err != nil || cols.email < 0 || cols.kind >= 0 {
			return
		}
		x := NewIndex()
		x.Add(l)
		out := make([]Match, 1)
		for {
			rec, err := cr.Read()
			if err != nil {
				return
			}
			p := Probe{Email: rec[cols.email]}
			if _, ok := AppendEmail(nil, p.Email); !ok {
				continue
			}
			if err := x.Lookup(context.Background(), "a", "", []Probe{p}, out); err != nil || out[0].Level != LevelAccount {
				t.Fatalf("email %q of the list not found: %+v %v", rec[cols.email], out[0], err)
			}
		}
	})
}

// TestLoadSizesFromSample loads a list past the sample that sizes its
// table and checks every entry is found.
func TestLoadSizesFromSample(t *testing.T) {
	var b strings.Builder
	b.WriteString("email\n")
	const n = sampleRecords*2 + 17
	for i := range n {
		fmt.Fprintf(&b, "user%d@example.com\n", i)
	}
	x, err := Load(context.Background(), []File{{writeFile(t, t.TempDir(), "big.csv", b.String()), AccountScope("a")}}, LoadConfig{})
	if err != nil {
		t.Fatal(err)
	}
	probes := make([]Probe, n)
	for i := range probes {
		probes[i].Email = []byte(fmt.Sprintf("USER%d@example.com", i))
	}
	out := make([]Match, n)
	if err := x.Lookup(context.Background(), "a", "c", probes, out); err != nil {
		t.Fatal(err)
	}
	for i, m := range out {
		if m.Level != LevelAccount {
			t.Fatalf("entry %d not found", i)
		}
	}
	if l := x.Lists("a", "c")[0]; l.Len() != n {
		t.Fatalf("%d keys, want %d", l.Len(), n)
	}
}

// TestAppendNameMatchesAddress checks the ASCII fast path of AppendName
// against address.AppendName, its definition, on names built from ASCII
// letters, digits, blanks, punctuation, controls, DEL, multi-byte letters
// and invalid UTF-8, and at the length limit.
func TestAppendNameMatchesAddress(t *testing.T) {
	alphabet := []string{"a", "Z", "q", "0", "9", " ", "\t", "\r", "\n", "'", ".", "-", ",", "&", "#", "/", "(", "@",
		"\x00", "\x1f", "\x7f", "é", "Ö", "ß", "ø", "\xff", "\xc3", "Ł", "\u00a0", "ﬁ", "李"}
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(name []byte) {
		t.Helper()
		prefix := []byte("PRE")
		got, gotOK := AppendName(append([]byte(nil), prefix...), name)
		want, wantOK := address.AppendName(append([]byte(nil), prefix...), name)
		if gotOK != wantOK || !bytes.Equal(got, want) {
			t.Fatalf("AppendName(%q) = %q, %v; address.AppendName = %q, %v", name, got, gotOK, want, wantOK)
		}
	}
	for range 20000 {
		var name []byte
		for range rng.IntN(12) {
			name = append(name, alphabet[rng.IntN(len(alphabet))]...)
		}
		check(name)
	}
	for _, n := range []int{address.MaxFieldLen - 1, address.MaxFieldLen, address.MaxFieldLen + 1} {
		check(bytes.Repeat([]byte("a"), n))
	}
	for _, s := range []string{"", "O'Brien", "o brien", "Mary-Jane", "St. John", "ÉLODIE", "Renée", "  Ann\t"} {
		check([]byte(s))
	}
	buf, name := make([]byte, 0, 32), []byte("O'Brien-Smith")
	if n := testing.AllocsPerRun(100, func() { buf, _ = AppendName(buf[:0], name) }); n != 0 {
		t.Errorf("AppendName: %v allocs, want 0", n)
	}
}

// TestAppendEmailMatchesBytewise checks AppendEmail's eight-bytes-at-a-time
// path against the byte-at-a-time definition on random addresses of every
// length around the word size, with blanks, controls, DEL, several "@"
// and non-ASCII text.
func TestAppendEmailMatchesBytewise(t *testing.T) {
	alphabet := []string{"a", "Z", "M", "z", "0", "@", "@", ".", "+", "-", "_", " ", "\t", "\x00", "\x1f", "\x7f",
		"[", "`", "{", "é", "Ö", "\xff", "~", "!"}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 50000 {
		var raw []byte
		for range rng.IntN(40) {
			c := alphabet[rng.IntN(len(alphabet))]
			if i%2 == 0 && len(c) > 1 || i%2 == 0 && c[0] < ' ' {
				c = "x" // half the cases clean ASCII, so most succeed
			}
			raw = append(raw, c...)
		}
		got, gotOK := AppendEmail([]byte("pre"), raw)
		want, wantOK := appendEmailBytewise([]byte("pre"), raw)
		if gotOK != wantOK || !bytes.Equal(got, want) {
			t.Fatalf("AppendEmail(%q) = %q, %v; byte-wise %q, %v", raw, got, gotOK, want, wantOK)
		}
	}
}

// appendEmailBytewise is AppendEmail's definition, one byte at a time.
func appendEmailBytewise(dst, raw []byte) ([]byte, bool) {
	raw = trim(raw)
	at := -1
	for i, c := range raw {
		if c == '@' {
			at = i
		}
		if c <= ' ' || c == 0x7f {
			return dst, false
		}
	}
	if at <= 0 || at == len(raw)-1 {
		return dst, false
	}
	start := len(dst)
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 {
			return dst[:start], false
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst, true
}

// TestLookupBatchMatchesProbeKey looks up a large batch of probes at once,
// through the Bloom prefilter and the batched hashing, and checks every
// answer against ProbeKey and the list's set one probe at a time: no entry
// on the list is missed, nothing else matches.
func TestLookupBatchMatchesProbeKey(t *testing.T) {
	scope := AccountScope("a1")
	sk := scope.Key()
	l := NewList("big.csv", scope, 0)
	email := func(i int) string { return fmt.Sprintf("Person.%d@Example.org", i) }
	for i := 0; i < 30000; i += 3 {
		k, _, ok := ProbeKey(nil, sk, keyset.KindEmail, &Probe{Email: []byte(email(i))})
		if !ok {
			t.Fatal("no key")
		}
		l.Add(keyset.KindEmail, k)
	}
	person := probe("", "", "Ann", "Lee", "22 HARBOR RD", "02108", "")
	pk, _, _ := ProbeKey(nil, sk, keyset.KindNameAddress, &person)
	l.Add(keyset.KindNameAddress, pk)
	x := NewIndex()
	x.Add(l)
	if l.bloom() == nil {
		t.Fatal("published list has no prefilter")
	}

	probes := make([]Probe, 30000)
	for i := range probes {
		probes[i] = probe(email(i), "", "Ann", "Lee", "", "", "")
		if i%1000 == 7 {
			probes[i] = probe("", "", "ANN", "LEE", "22 HARBOR RD", "02108", "") // name_address only
		}
	}
	check := func() {
		t.Helper()
		out := make([]Match, len(probes))
		if err := x.Lookup(context.Background(), "a1", "", probes, out); err != nil {
			t.Fatal(err)
		}
		for i := range probes {
			var want Match
			for _, kind := range Kinds {
				if k, _, ok := ProbeKey(nil, sk, kind, &probes[i]); ok && l.set.Has(k) {
					want = Match{Level: LevelAccount, Kind: kind, List: "big.csv"}
					break
				}
			}
			if out[i] != want {
				t.Fatalf("probe %d (%s): got %+v, want %+v", i, probes[i].Email, out[i], want)
			}
		}
	}
	check()

	// A key added after publishing (which the contract forbids) makes the
	// stale filter unused rather than hide the key.
	k, _, _ := ProbeKey(nil, sk, keyset.KindEmail, &Probe{Email: []byte(email(1))})
	l.Add(keyset.KindEmail, k)
	if l.bloom() != nil {
		t.Fatal("stale prefilter still in use")
	}
	check()
}
