// Package ledger is postmill's postage and credits ledger: what each mail
// piece costs (rate cards) and who pays for it (credits, double-entry).
//
// # Rate cards
//
// Postage prices are data: a versioned JSON file (version, effective date,
// source) pricing each mail class, format and presort level in exact decimal
// dollars. LoadRateCard reads and validates one; DefaultRateCard loads the
// embedded ratecards/usps-2025-07-13.json. A run calls RateCard.Check with
// every combination it will mail before charging anything, and
// RateCard.Price per piece.
//
// # Credits and accounts
//
// A CreditType (Postalytics' CreditTypeId) is one piece of a stock and size
// at a postage class, sold at a price per credit. Parent accounts buy credits
// and distribute them to their sub-accounts; each mailed piece consumes one
// credit of its sub-account, and the parent earns a margin of price ×
// commission (the parent's default, or the sub-account's override).
//
// # Flow of data
//
//	Purchase    @funding  ──credits──► parent
//	Distribute  parent    ──credits──► sub-account
//	Debit       sub-account ─credits─► @consumed      (one per new piece_id)
//	            @margin   ───money───► parent         (same transaction)
//	Refund      the reverse of a piece's debit
//
// Every Transaction is a set of Entries summing to zero per unit (a credit
// type id, or UnitMoney for margins in hundredths of a cent). Tenant
// balances never go negative; the system accounts (@funding, @consumed,
// @margin) are the outside world's side.
//
// Ledger.Debit is the pipeline's entry point: a batch of piece ids in,
// a per-piece PieceStatus out (charged, already_charged, insufficient) in
// input order, all-or-nothing per call. The piece id is the idempotency key,
// so replaying a job charges nothing twice; insufficient pieces become
// held:insufficient_credits in the caller and are released after the next
// distribution. Reports (Ledger.Report, Report.WriteText, Report.WriteJSON)
// read balances and usage back out per account, campaign, credit type and
// parent.
//
// # Stores
//
// A Ledger keeps its state in a Store: PostgresStore for the service
// (schema from the embedded migrations, applied by Migrate) or FileStore for
// the embedded CLI (a CRC-checked JSON Lines journal in the state
// directory, fsynced per call or, for a run, behind it in groups). Both pass
// the contract suite in package ledgertest.
package ledger
