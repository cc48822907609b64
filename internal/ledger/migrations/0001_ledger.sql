-- Ledger schema: accounts, credit types, transactions with their entries,
-- per-account balances (locked FOR UPDATE by every write), and one row per
-- charged piece (piece_id is the idempotency key of debits).

CREATE TABLE ledger_accounts (
    id                      text PRIMARY KEY,
    name                    text NOT NULL DEFAULT '',
    parent                  text REFERENCES ledger_accounts (id),
    default_commission_bps  bigint NOT NULL DEFAULT 0 CHECK (default_commission_bps BETWEEN 0 AND 10000),
    commission_override_bps bigint CHECK (commission_override_bps BETWEEN 0 AND 10000),
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_accounts_parent_idx ON ledger_accounts (parent);

CREATE TABLE ledger_credit_types (
    id               text PRIMARY KEY,
    stock            text NOT NULL DEFAULT '',
    size             text NOT NULL,
    postage_class    text NOT NULL,
    price_per_credit bigint NOT NULL CHECK (price_per_credit >= 0) -- hundredths of a cent
);

CREATE TABLE ledger_transactions (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('purchase', 'distribute', 'debit', 'refund')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    account          text NOT NULL,
    parent           text,
    credit_type      text NOT NULL,
    campaign         text NOT NULL DEFAULT '',
    pieces           bigint NOT NULL DEFAULT 0,
    margin_per_piece bigint NOT NULL DEFAULT 0,
    reverses         bigint REFERENCES ledger_transactions (id)
);
CREATE INDEX ledger_transactions_usage_idx ON ledger_transactions (account, campaign, credit_type) WHERE kind IN ('debit', 'refund');

-- Entries of a transaction sum to zero per unit (a credit type id, or 'usd'
-- for money in hundredths of a cent).
CREATE TABLE ledger_entries (
    tx_id   bigint NOT NULL REFERENCES ledger_transactions (id),
    account text NOT NULL,
    unit    text NOT NULL,
    amount  bigint NOT NULL
);
CREATE INDEX ledger_entries_tx_idx ON ledger_entries (tx_id);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account, unit);

-- Balances of tenant accounts; system accounts (@funding, @consumed,
-- @margin) are summed from entries instead so they are never a hot row.
CREATE TABLE ledger_balances (
    account text NOT NULL REFERENCES ledger_accounts (id),
    unit    text NOT NULL,
    amount  bigint NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (account, unit)
);

-- One row per charged piece, keyed by the first 16 bytes of the SHA-256 of
-- its piece_id (compact and fixed-size; find a piece with
-- substr(sha256(convert_to('<piece_id>', 'UTF8')), 1, 16)). tx_id is the debit
-- transaction, refund_tx_id the refund that reversed it. No foreign keys:
-- this table takes millions of rows per hour and both ids are written in
-- the same database transaction as the ledger_transactions rows they name.
CREATE TABLE ledger_charges (
    piece_key    bytea PRIMARY KEY CHECK (length(piece_key) = 16),
    tx_id        bigint NOT NULL,
    refund_tx_id bigint
);
