// Package keyset is the memory-compact key index under postmill's
// suppression and dedupe stages: 128-bit keys, hash sets and maps of them
// sized for tens of millions of entries, and a checksummed file format for
// dedupe history kept across runs.
//
// # Flow
//
//	row fields ──Sum / Hasher──► Key ──► Set.Add / Set.Has          (suppress: list → Set, rows checked)
//	                                 └─► Map.PutIfAbsent             (dedupe: key → first row)
//	Set / Map ──SaveFile / WriteTo──► key file ──LoadSetFile / ReadSet──► Set / Map   (history)
//
// Data enters as byte slices (normalized email, external_id, standardized
// address fields), which [Sum], a [Hasher] or a [Framer] (many keys with a
// common prefix, hashed a batch at a time) turns into a [Key] without
// allocating or retaining them. Keys are stored in a [Set] (suppression
// lists, seen-before history) or a [Map] (key → first-seen row or piece
// reference, or → day stamp for history). They leave as answers (Add, Has,
// PutIfAbsent), as iterators (All), or as a key file written atomically by
// SaveFile and read back, verified, by LoadSetFile and LoadMapFile.
//
// # Keys
//
// A Key is MurmurHash3 x64_128 (Austin Appleby's public algorithm, seed 0,
// implemented here and checked against SMHasher's verification value and
// published outputs) of the stream kind byte, then each part as a uvarint
// length and its bytes. The [Kind] byte keeps an email and an external_id
// with the same text apart; the length prefixes keep field boundaries. Keys
// are stable across processes, machines and Go versions and are persisted:
// testdata/sum.golden pins them, and a change there invalidates every
// history file.
//
// # Collisions
//
// Keys are 128 bits wide. For n keys the probability that any two distinct
// inputs share a key is at most n²/2^129 (birthday bound). At 10 million
// entries that is 10^14/6.8·10^38 ≈ 1.5·10^-25; even a billion keys give
// 1.5·10^-21. A 64-bit key would give 2.7·10^-6 at 10 million, and a
// suppressed real customer per few hundred thousand runs, which is why the
// width is 128. MurmurHash3 is not cryptographic: someone who controls
// inputs could construct collisions on purpose. Suppression and dedupe
// inputs come from the tenant's own data, so that is accepted.
//
// # Tables
//
// Set and Map are open-addressing tables with linear probing over one flat
// slice (16-byte slots for Set, 24-byte key+value slots for Map), a
// power-of-two size, a load factor of at most 3/4, and doubling by rehash.
// The zero Key marks an empty slot; a real zero Key is kept in a flag.
// 10 million keys in a Set take 2^24 slots = 256 MiB (NewSet(10_000_000)
// allocates exactly that; growing to it from empty peaks at 384 MiB while
// the old table is rehashed). Operations do not allocate, except growth.
// For large tables, [Set.HasBatch] and [Set.Prefetch] / [Map.Prefetch]
// overlap the cache misses of a group of keys. On Linux, tables (and
// filters) of several MiB ask for transparent huge pages (madvise
// MADV_HUGEPAGE; a hint, ignored where THP is off): a random probe into
// hundreds of MiB of 4 KiB pages misses the TLB nearly every time.
//
// # Filters
//
// A [Bloom] is a blocked Bloom filter of Keys: one 64-byte cache line per
// key, one bit in each of its eight words, chosen by bits of the Key itself
// (no second hash). At [BloomBitsPerKey] (10) bits per key it takes
// 12.5 MB for 10 million keys, and passes about 1.05% of absent keys
// ([BloomFalsePositiveRate]); it never rejects a key that was added.
// [Set.Bloom] builds one from a set, and [Bloom.AppendMaybe] screens a
// batch of keys, so that only the few that pass need the set's own
// random-access probe.
//
// # Files
//
// A key file is a 24-byte header (magic "PMKEYSET", version, value width,
// entry count), the entries (key, then a 4- or 8-byte value for a Map) and
// a CRC-32C of everything before it. A damaged, truncated or foreign file
// is reported as a [*FormatError] naming the file and byte offset, which
// wraps [ErrCorrupt]. SaveFile writes a temporary file, fsyncs it and
// renames it over the target, so a crash never leaves a partial file.
package keyset
