// Package dedupe is the pipeline stage that keeps one piece per recipient:
// it rejects rows that repeat an earlier row of the job (by individual,
// household or address), and, with a history, people already mailed in
// the campaign within a window across runs.
//
// # Flow
//
//	suppress ──► dedupe (Serial step: one owner) ──► render …
//	              │ row ──► key (keyset.Sum of normalized name + address key) ──► keyset.Map.PutIfAbsent
//	              │          first row wins; repeats: Reject(duplicate:<mode>, "kept piece <id> row <n>")
//	              └ person key ──► History.Last ──► within window: Reject(duplicate:history, "last mailed <date>")
//
//	sink ◄── Stage.Recorder(sink) notes accepted rows' person keys ──► Stage.Commit (after Run succeeds) ──► History.Record
//
// Data enters as batches whose address columns the validate stage has
// standardized; keys come from those fields, so formatting differences do
// not hide duplicates. The address key is suppression.AppendRowAddressKey
// ("22 HARBOR RD|02108", the form address.Result.AppendKey gives), names
// are address.AppendName (uppercase letters and digits: "O'Brien" is
// "OBRIEN"). Rows leave live or rejected; counts per mode leave through
// [Stage.Report]; history leaves through [Stage.Commit].
//
// # Modes
//
//   - individual: same first and last name at the same address key (rows
//     with neither name compare by organization, so two "Resident" rows or
//     two rows of one company at one address are one recipient);
//   - household: same last name (or organization) at the same address key;
//   - address: one piece per address key;
//   - off: no in-run dedupe.
//
// A row without an address key (no street or ZIP Code: a row the
// validate stage would have rejected) is never deduped in any mode: it
// passes on, counted as no_address_key, for a later stage to decide.
// Names are matched as written after normalization: no nicknames (Bob and
// Robert differ), no suffix handling.
//
// # Determinism
//
// The first row in input order is kept. The engine hands a Serial step its
// batches in input order whatever the worker count of other steps, and
// the stage owns its table, so the kept rows are the same with 1 worker or
// 8 (TestDedupeSameWithWorkers).
//
// # History
//
// The history key of a row is its person key ([PersonKey], the individual
// key, whatever the mode): history is about people mailed. A row whose
// person was last mailed in the job's campaign fewer than Window days ago
// is rejected with duplicate:history before in-run dedupe (and claims no
// key). Only rows accepted at the end of the chain are recorded:
// [Stage.Recorder] wraps the sink and notes them as they arrive, and the
// wiring calls [Stage.Commit] once the run succeeded, which records them
// with the run's day. Rows a later stage rejects or holds are never
// recorded; a failed run records nothing. [History] is the interface the
// stage needs; [FileHistory] keeps it in files under the state directory,
// [PostgresHistory] in a table that processes on several machines share.
//
// # Memory and speed
//
// Keys are 128-bit keyset keys (collision probability n²/2^129: 1.5·10^-25
// at 10 million rows, see package keyset). The in-run table is a
// keyset.Map of key → kept row number, 24-byte slots at a load factor of at
// most 3/4: 5 million distinct keys take 2^23 slots = 192 MiB (288 MiB at
// the moment it doubles; Config.ExpectedRows presizes it and saves the
// doubling). The table goes at the end of the input (Stage.Finish, a
// pipeline.Finisher), so the stages after presort's barrier reuse its
// memory. The piece id in a reject's detail is derived from the row
// number, so nothing else is kept per row.
//
// Per batch, the stage normalizes every row's fields and frames its keys
// into one buffer, hashes them together (keyset.Framer: the mode's kind
// and tag are hashed once), loads the table slots of the whole batch
// (keyset.Map.Prefetch, whose independent loads overlap their cache
// misses), and only then claims the keys in input order, so the kept rows
// are those of a row-at-a-time pass. The duplicates' details are written
// into one reused buffer and become one string per batch, which each
// rejected row's Detail slices: no allocation per row.
package dedupe
