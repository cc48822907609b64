// Package suppress is the pipeline stage that rejects rows on a
// suppression list: people who opted out, contact ids and addresses an
// account or one of its campaigns must never mail.
//
// # Flow
//
//	validate ──► suppress ──► dedupe
//	              │  rows ──► []suppression.Probe ──► Lists.Lookup(job account, job campaign) ──► []Match
//	              └─ matched rows: Reject(suppressed:<account|campaign>:<kind>, list name)
//
// Data enters as batches whose address columns the validate stage has
// already standardized (address_street the full delivery line, address_zip
// the ZIP Code, address_country for international rows). For each live row
// the stage builds a [suppression.Probe] of views of its email,
// external_id, first_name, last_name and address columns, and asks its
// [Lists] once per batch. The store normalizes only what its lists need
// (suppression.ProbeKey: the case-folded email, the trimmed external_id,
// address.AppendName names and the address key in the form
// address.Result.AppendKey gives list entries). Rows leave live, or
// rejected with suppressed:account:<kind> or suppressed:campaign:<kind>
// (account lists are checked first) and the list's name as detail. Counts
// per reason, per kind and per list leave through [Stage.Report].
//
// The stage is stateless apart from atomic counters, so it runs on a
// parallel step. The tenant comes from each batch's Job (Account,
// Campaign): an account's lists never see another account's rows.
//
// # Lists
//
// [Lists] is the one method the stage needs from a store. The in-memory
// *suppression.Index implements it (lists loaded from files by
// suppression.Load, all or nothing, before the run starts); a PostgreSQL
// store will implement it for the service. Key width, collision
// probability and memory are documented in package suppression.
package suppress
