package ledger

import (
	"crypto/sha256"
	"testing"
)

// TestKeyOf: in the file store's memory a 16-byte id is its own key; any
// other length is keyed by its SHA-256 prefix; distinct ids of either kind
// get distinct keys.
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

// TestStoredKey: what a database keeps is the SHA-256 prefix of every id,
// postmill's 16-character ids included, as ledger_charges rows written by
// any earlier version hold them; the PostgreSQL store keys by it.
func TestStoredKey(t *testing.T) {
	for _, id := range []string{"0123456789abcdef", "1p1bqshy5db5yza4", "an-external-id-of-any-length", ""} {
		sum := sha256.Sum256([]byte(id))
		if k := storedKey(id); string(k[:]) != string(sum[:16]) {
			t.Errorf("storedKey(%q) = %x, want its SHA-256 prefix", id, k)
		}
	}
	keys, distinct := pieceKeys([]string{"0123456789abcdef", "x", "0123456789abcdef"})
	if want := storedKey("0123456789abcdef"); keys[0] != want || keys[2] != want || len(distinct) != 2 {
		t.Fatalf("pieceKeys: %x, %d distinct; want stored keys, 2 distinct", keys, len(distinct))
	}
}
