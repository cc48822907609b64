package ledger

import (
	"bytes"
	"testing"
)

// FuzzLoadRateCard: any bytes either load as a valid card or fail with an
// error; a loaded card prices every combination it lists.
func FuzzLoadRateCard(f *testing.F) {
	f.Add([]byte(`{"version":"v","effective":"2025-07-13","currency":"USD","source":{"title":"t","url":"u"},"rates":[{"class":"first_class","format":"postcard_4x6","level":"5digit","price":"0.40"}]}`))
	f.Add([]byte(`{"version":"v","rates":[{"class":"first_class","format":"letter","level":"mixed","price":"-1"}]}`))
	f.Add([]byte(`{"rates":[{"price":0.5}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rc, err := LoadRateCard(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range rc.Combos() {
			if _, err := rc.Price(c.Class, c.Format, c.Level); err != nil {
				t.Fatalf("listed combination %v has no price: %v", c, err)
			}
		}
	})
}
