// Package account is the pipeline's last stage: it prices each piece's
// postage from a rate card and charges one credit per piece to the tenant's
// ledger account, holding the pieces the account cannot pay for.
//
// # Flow
//
//	batch (presort) ──► account ──► sinks (manifests, accepted.csv)
//	                      │  ▲
//	          Debit(ids)  ▼  │ per piece: charged / already_charged / insufficient
//	                    ledger (file or PostgreSQL)
//
// Rows enter with the batch stage's presort_level column (5digit, 3digit,
// aadc, mixed, or international). The stage writes two columns: postage
// (the rate card's price for the configured mail class and format at the
// row's level, as decimal dollars such as "0.5210"; international pieces pay
// first_class_international single_piece) and credit_type. Each batch's live
// piece ids go to the ledger in one [ledger.Ledger.Debit] call, in input
// order, so which pieces are held when credits run out is deterministic. A
// piece charged before (a replayed job, a redelivered batch) passes without
// a second charge; a piece the balance does not cover is held with
// held:insufficient_credits, and [Release] re-queues it once credits arrive.
//
// # Before the first row
//
// [Stage.Preflight] checks that the rate card prices every combination the
// run can produce and that the account and credit type exist, so a missing
// price fails the run before anything is charged. Process runs it itself if
// the caller did not.
//
// # Out
//
// [Stage.Report] counts pieces charged, already charged and held, postage
// per presort level, credits used and the margin booked to the parent
// account. Without a ledger nothing is charged and the report says so.
package account
