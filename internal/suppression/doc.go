// Package suppression is the model, loader and in-memory index of
// postmill's suppression lists: the people, contact ids and addresses an
// account or a campaign must never mail again.
//
// # Flow
//
//	list file ──input.Open + ingest.MapHeader──► ReadList ──► *List (keyset.Set of entry keys)
//	                                 │                              │
//	          raw address ──address.Standardizer──┘                Index.Add / Replace (per scope)
//	                                                                │
//	stage: rows ──► []Probe ──► Index.Lookup(account, campaign) ──► []Match ──► rejects
//
// Data enters as list files in any reader format (CSV, TSV, JSON Lines,
// Parquet, gzip or zstd; the same header aliases as inputs, so "E-mail"
// and "ZIP Code" work) through [LoadFile] / [Load], or as [List] values a
// store builds with [NewList] and [List.Add]. It leaves as [Match] answers
// to [Index.Lookup], and as [ListInfo] counts for the run report. No raw
// value is kept: only 128-bit keys.
//
// # Scopes and kinds
//
// A list has a [Scope]: an account (its entries apply to every campaign of
// that account) or one campaign of an account. The index keeps lists per
// scope, and a lookup for a row of account A and campaign C consults only
// the scopes (A) and (A, C), account first; every entry key also hashes the
// scope ([Scope.Key]), so an entry could not match another tenant's row
// even in a shared table.
//
// Entry kinds are keyset.KindEmail (case-folded, trimmed), KindExternalID
// (trimmed, case kept), KindAddress (the standardized address key
// "22 HARBOR RD|02108", any name) and KindNameAddress (normalized first and
// last name plus the address key: one person). An entry key is
// keyset.Sum(kind, scope key, value parts...) ([EntryKey]).
//
// # List files
//
// The kind columns are found by their names after aliasing: email;
// external_id; the address columns (address_street, plus address_street2,
// address_city, address_state, address_zip, address_country as present);
// first_name / last_name with the address columns. Other columns (a date,
// a reason) are ignored. Without an explicit kind, each record yields every
// kind it has a value for: an entry for its email, one for its
// external_id, and for its address either name_address (when a first or
// last name is given: the person, not everyone at the address) or address
// (no name: a do-not-mail address). An optional column named kind
// (entry_kind, suppression_kind) with email, external_id, address or
// name_address makes the record yield that one kind only.
//
// List addresses are raw, so they go through address.Standardizer; rows
// reach the suppress stage after the validate stage has standardized them,
// so the stage builds their key with [AppendRowAddressKey] in the same form
// as address.Result.AppendKey.
//
// Loading is all or nothing. A record the reader cannot parse, a wrong cell
// count, a header with no kind column, an unknown kind, an email that is
// not one, an address that does not standardize, or a record with no
// value at all fails the load with a [*LoadError] naming the file, the
// line and the reason, before any row is processed; [Load] returns a new
// Index only when every file loaded.
//
// # Memory, speed and collisions
//
// Keys are 128 bits (keyset's MurmurHash3 x64_128). For n keys the chance
// that any two different entries or rows share a key is at most n²/2^129:
// about 1.5·10^-25 at 10 million entries, so a real customer is never
// wrongly suppressed by a collision in practice (a 64-bit key would give
// 2.7·10^-6 per 10-million list, too high for a compliance check). Each
// list is one keyset.Set: 16-byte slots at a load factor of at most 3/4,
// 10 million entries in 2^24 slots = 256 MiB, plus a keyset.Bloom
// prefilter of 10 bits per entry (12.5 MB, built when the list is loaded
// or published): about 270 MiB in all. An uncompressed list file sizes
// its table once from its size and the first 4096 records' average
// length, so loading peaks near that; a compressed one grows it by
// doubling (384 MiB at the moment it doubles from 2^23).
//
// Lookups work through a batch 256 probes at a time, so that their
// values, keys and matches stay in the CPU caches. They normalize each
// probe once per level and kind that has lists, frame the values of the
// chunk and hash them together (keyset.Framer, with the scope and kind
// prefix hashed once per scope). Each list's prefilter then screens the
// keys, reading one cache line per key from a filter a twentieth of the
// table's size: it drops every key not on the list but about 1%, so most
// rows (which are on no list) never touch the 256 MiB table, whose random
// access is what costs. The keys it passes are checked with
// keyset.Set.HasBatch, which overlaps the table's cache misses. A
// prefilter is only used while it covers every key of its list, so it can
// never hide an entry.
package suppression
