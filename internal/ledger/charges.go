package ledger

import (
	"encoding/binary"

	"github.com/postmill/postmill/internal/keyset"
)

// chargeShards is how many tables the file store's charged set is split
// into.
const chargeShards = 256

// chargeIndex is the file store's charged pieces: piece key → charge, split
// over chargeShards open-addressing tables (keyset.Map) by a hash of the
// key. Each table doubles on its own, so growing never rehashes, nor holds
// twice, more than about 1/256 of the set: one Go map of a million pieces
// spent a third of the debit calls' time growing, and one keyset table
// doubling at five million pieces took 100 MB more at its peak. The zero
// value is empty and ready to use.
type chargeIndex struct {
	shards [chargeShards]keyset.Map
}

// shard picks k's table. Its hash differs from the one that places k inside
// the table (keyset's home), so the keys of one table still spread over it.
func (c *chargeIndex) shard(k *pieceKey) *keyset.Map {
	lo := binary.LittleEndian.Uint64(k[:8])
	hi := binary.LittleEndian.Uint64(k[8:])
	return &c.shards[((lo^hi)*0xff51afd7ed558ccd)>>56]
}

// get returns k's charge and whether k was charged.
func (c *chargeIndex) get(k pieceKey) (charge, bool) {
	v, ok := c.shard(&k).Get(keyset.Key(k))
	return charge{debit: int32(v >> 1), refunded: v&1 == 1}, ok
}

// put stores k's charge.
func (c *chargeIndex) put(k pieceKey, ch charge) {
	v := uint64(uint32(ch.debit)) << 1
	if ch.refunded {
		v |= 1
	}
	c.shard(&k).Put(keyset.Key(k), v)
}

// prefetch loads the table slots of keys, so that the lookups and inserts
// that follow hit the cache (see keyset.Map.Prefetch): a debit call's keys
// land on random slots of tens of megabytes.
func (c *chargeIndex) prefetch(keys []pieceKey) {
	for i := range keys {
		c.shard(&keys[i]).Prefetch([]keyset.Key{keyset.Key(keys[i])})
	}
}
