package ledger

import (
	"crypto/sha256"
	"testing"
)

// TestKeyOf: a 16-byte id is its own key; any other length is keyed by its
// SHA-256 prefix; distinct ids of either kind get distinct keys.
func TestKeyOf(t *testing.T) {
	short := "0123456789abcdef"
	if k := keyOf(short); string(k[:]) != short {
		t.Fatalf("keyOf(%q) = %x, want the id itself", short, k)
	}
	long := short + "g"
	sum := sha256.Sum256([]byte(long))
	if k := keyOf(long); string(k[:]) != string(sum[:16]) {
		t.Fatalf("keyOf(%q) = %x, want its SHA-256 prefix", long, k)
	}
	seen := map[pieceKey]string{}
	for _, id := range []string{short, long, "0123456789abcdeg", "", "x", "0123456789abcde", "0123456789abcdef\x00"} {
		k := keyOf(id)
		if prev, ok := seen[k]; ok {
			t.Fatalf("ids %q and %q share key %x", prev, id, k)
		}
		seen[k] = id
	}
}
