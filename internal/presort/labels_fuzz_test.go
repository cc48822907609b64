package presort

import (
	"bytes"
	"testing"
)

// FuzzReadLabelList: any bytes either parse or fail with an error; nothing
// panics, and a parsed list answers every 3-digit prefix.
func FuzzReadLabelList(f *testing.F) {
	f.Add([]byte("zip3,adc\n021,ADC BOSTON MA 021\n005-009,ADC NEW YORK NY 100\n"))
	f.Add([]byte("zip3,adc\n# comment\n\n021,X\n021,Y\n"))
	f.Add([]byte("zip,adc\n"))
	f.Add([]byte("zip3,adc\n999-000,BACKWARDS\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadLabelList(bytes.NewReader(data))
		if err != nil {
			return
		}
		for zip3 := 0; zip3 < 1000; zip3++ {
			if r, ok := l.Rank(zip3); ok && (r < 0 || r >= l.Len() || l.Name(r) == "") {
				t.Fatalf("prefix %03d: rank %d of %d, name %q", zip3, r, l.Len(), l.Name(r))
			}
		}
	})
}
