package ledger

import (
	"fmt"
	"math"
	"testing"
)

// TestChargeIndex: every charge put comes back, refunded flag and debit
// index intact (up to the largest int32), absent keys are absent, and the
// keys of postmill's ids and of SHA-256 prefixes spread evenly over the
// shards (a shard hash that ignored part of the key would pile them up).
func TestChargeIndex(t *testing.T) {
	const n = 100_000
	for _, kind := range []struct {
		name string
		key  func(i int) pieceKey
	}{
		{"piece ids", func(i int) pieceKey { return keyOf(pieceIDOf(i)) }},
		{"other ids", func(i int) pieceKey { return keyOf(fmt.Sprint("order-", i)) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			var c chargeIndex
			for i := range n {
				c.put(kind.key(i), charge{debit: int32(i), refunded: i%3 == 0})
			}
			c.put(kind.key(7), charge{debit: math.MaxInt32, refunded: true})
			for i := range n {
				got, ok := c.get(kind.key(i))
				want := charge{debit: int32(i), refunded: i%3 == 0}
				if i == 7 {
					want = charge{debit: math.MaxInt32, refunded: true}
				}
				if !ok || got != want {
					t.Fatalf("key %d: %+v, %v; want %+v", i, got, ok, want)
				}
			}
			for i := n; i < n+1000; i++ {
				if _, ok := c.get(kind.key(i)); ok {
					t.Fatalf("key %d found, never put", i)
				}
			}
			lo, hi := n, 0
			for i := range c.shards {
				lo, hi = min(lo, c.shards[i].Len()), max(hi, c.shards[i].Len())
			}
			// n/256 ≈ 391 a shard; a fair hash stays well within ±30%.
			if mean := n / chargeShards; lo < mean*7/10 || hi > mean*13/10 {
				t.Errorf("shard sizes from %d to %d, mean %d", lo, hi, mean)
			}
		})
	}
}

// pieceIDOf makes a 16-character id in postmill's alphabet from i, the way
// piece ids look (the base32 of a hash).
func pieceIDOf(i int) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	x := uint64(i)*0x9e3779b97f4a7c15 + 1
	var b [16]byte
	for j := range b {
		x ^= x >> 29
		x *= 0xbf58476d1ce4e5b9
		b[j] = alphabet[x>>59]
	}
	return string(b[:])
}
