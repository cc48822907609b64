package dedupe

import (
	"context"
	"testing"

	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// recordingHistory remembers the keys Last was asked about.
type recordingHistory struct{ asked []keyset.Key }

func (h *recordingHistory) Last(_ context.Context, _, _ string, keys []keyset.Key, days []uint32) error {
	h.asked = append(h.asked, keys...)
	clear(days[:len(keys)])
	return nil
}

func (h *recordingHistory) Record(context.Context, string, string, []keyset.Key, uint32) error {
	return nil
}

// TestBatchKeysMatchDefinition checks that the keys Process hashes a batch
// at a time are the documented ones, which history files persist:
// keyset.Sum(kind, tag, normalized fields...) with names by
// address.AppendName, in every mode, with and without history.
func TestBatchKeysMatchDefinition(t *testing.T) {
	rows := []map[string]string{
		{"first_name": "Ann", "last_name": "O'Brien", "address_street": "22 HARBOR RD", "address_zip": "02108"},
		{"first_name": "Renée", "last_name": "Lee", "address_street": "22 HARBOR RD", "address_zip": "02108-1234"},
		{"organization": "Acme Inc.", "address_street": "1 MAIN ST STE 5", "address_zip": "10001"},
		{"first_name": "Cy", "last_name": "Nowhere"},
		{"last_name": "Ng", "address_street": "10 RUE DE RIVOLI", "address_zip": "75001", "address_country": "FR"},
	}
	name := func(v string) []byte {
		b, _ := address.AppendName(nil, []byte(v))
		return b
	}
	want := func(mode Mode, r map[string]string) (keyset.Key, bool) {
		addr := suppression.AppendRowAddressKey(nil, []byte(r["address_street"]), []byte(r["address_zip"]), []byte(r["address_country"]))
		if len(addr) == 0 {
			return keyset.Key{}, false
		}
		first, last, org := name(r["first_name"]), name(r["last_name"]), []byte(nil)
		if len(first)+len(last) == 0 {
			org = name(r["organization"])
		}
		switch mode {
		case Household:
			if len(last) == 0 {
				last = org
			}
			return keyset.Sum(keyset.KindNameAddress, []byte("household"), last, addr), true
		case Address:
			return keyset.Sum(keyset.KindAddress, []byte("address"), addr), true
		}
		return keyset.Sum(keyset.KindNameAddress, []byte("individual"), first, last, org, addr), true
	}
	for _, mode := range []Mode{Individual, Household, Address, Off} {
		for _, withHistory := range []bool{false, true} {
			hist := &recordingHistory{}
			cfg := Config{Mode: mode}
			if withHistory {
				cfg.History = hist
			}
			st, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			job := pipelinetest.NewJob()
			b := pipelinetest.NewBatch(t, job, 0, 1, rows...)
			if err := st.Process(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			var persons []keyset.Key
			firstRow := map[keyset.Key]uint64{}
			for i, r := range rows {
				pk, ok := want(Individual, r)
				if got, gotOK := PersonKey(b.Rows[i]); got != pk || gotOK != ok {
					t.Errorf("PersonKey(row %d) = %s %v, want %s %v", i+1, got, gotOK, pk, ok)
				}
				if ok {
					persons = append(persons, pk)
				}
				k, ok := want(mode, r)
				if !ok || mode == Off {
					continue
				}
				if _, seen := firstRow[k]; !seen {
					firstRow[k] = uint64(b.Rows[i].Num)
				}
				if v, found := st.seen.Get(k); !found || v != firstRow[k] {
					t.Errorf("%s history=%v: row %d key %s not in table (got %d %v)", mode, withHistory, i+1, k, v, found)
				}
			}
			if withHistory && !equalKeys(hist.asked, persons) {
				t.Errorf("%s: history asked %v, want person keys %v", mode, hist.asked, persons)
			}
		}
	}
}

func equalKeys(a, b []keyset.Key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
