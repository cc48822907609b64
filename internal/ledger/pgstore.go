package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresStore keeps the ledger in PostgreSQL (schema applied by Migrate).
// Every write is one database transaction that first locks the balance rows
// it changes with SELECT … FOR UPDATE — credit rows in (account, unit) order,
// then money rows — so concurrent writers serialize per account and never
// deadlock. Debits look up which of their pieces are charged already and
// COPY one ledger_charges row per new piece (keyed by a 16-byte hash of the
// piece id). Safe for concurrent use, also by many processes.
type PostgresStore struct {
	pool *pgxpool.Pool
	// MaxRetries is how often a write is retried after a serialization
	// failure, deadlock or concurrent charge of the same piece; 0 means 5.
	MaxRetries int
}

// NewPostgresStore returns a store using pool, which the caller owns and
// closes after the store. Run Migrate on the database first.
func NewPostgresStore(pool *pgxpool.Pool) *PostgresStore { return &PostgresStore{pool: pool} }

// Close implements Store; the pool is the caller's, so it does nothing.
func (s *PostgresStore) Close() error { return nil }

// errRetry asks inTx to run the transaction again.
var errRetry = errors.New("retry: concurrent charge of the same piece")

func (s *PostgresStore) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tries := s.MaxRetries
	if tries <= 0 {
		tries = 5
	}
	var err error
	for range tries {
		err = pgx.BeginFunc(ctx, s.pool, fn)
		if !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("gave up after %d tries: %w", tries, err)
}

func retryable(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

const accountCols = `id, name, parent, default_commission_bps, commission_override_bps`

func scanAccount(row pgx.Row) (*Account, error) {
	var (
		a        Account
		parent   *string
		override *int64
	)
	if err := row.Scan(&a.ID, &a.Name, &parent, &a.DefaultCommission, &override); err != nil {
		return nil, err
	}
	if parent != nil {
		a.Parent = *parent
	}
	if override != nil {
		bp := BasisPoints(*override)
		a.CommissionOverride = &bp
	}
	return &a, nil
}

func getAccount(ctx context.Context, q pgx.Tx, id string) (*Account, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountCols+` FROM ledger_accounts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownAccount, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read account %q: %w", id, err)
	}
	return a, nil
}

func getCreditType(ctx context.Context, q pgx.Tx, id string) (*CreditType, error) {
	var ct CreditType
	err := q.QueryRow(ctx, `SELECT id, stock, size, postage_class, price_per_credit FROM ledger_credit_types WHERE id = $1`, id).
		Scan(&ct.ID, &ct.Stock, &ct.Size, &ct.PostageClass, &ct.PricePerCredit)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCreditType, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read credit type %q: %w", id, err)
	}
	return &ct, nil
}

func nextTxID(ctx context.Context, tx pgx.Tx) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('ledger_transactions', 'id'))`).Scan(&id); err != nil {
		return 0, fmt.Errorf("allocate transaction id: %w", err)
	}
	return id, nil
}

// lockBalance locks (account, unit) and returns its amount; a missing row is 0 and not locked.
func lockBalance(ctx context.Context, tx pgx.Tx, account, unit string) (int64, error) {
	var v int64
	err := tx.QueryRow(ctx, `SELECT amount FROM ledger_balances WHERE account = $1 AND unit = $2 FOR UPDATE`, account, unit).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lock balance %s/%s: %w", account, unit, err)
	}
	return v, nil
}

// writeTx inserts the transaction row and its entries and applies the
// entries to the tenant balances (system accounts have no balance row).
func writeTx(ctx context.Context, tx pgx.Tx, t Transaction, parent string) error {
	var b pgx.Batch
	var par *string
	if parent != "" {
		par = &parent
	}
	var rev *int64
	if t.Reverses != 0 {
		rev = &t.Reverses
	}
	b.Queue(`INSERT INTO ledger_transactions (id, kind, account, parent, credit_type, campaign, pieces, margin_per_piece, reverses)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.ID, string(t.Kind), t.Account, par, t.CreditType, t.Campaign, t.Pieces, int64(t.MarginPerPiece), rev)
	accts := make([]string, len(t.Entries))
	units := make([]string, len(t.Entries))
	amts := make([]int64, len(t.Entries))
	for i, e := range t.Entries {
		accts[i], units[i], amts[i] = e.Account, e.Unit, e.Amount
	}
	b.Queue(`INSERT INTO ledger_entries (tx_id, account, unit, amount)
		SELECT $1, a, u, v FROM unnest($2::text[], $3::text[], $4::bigint[]) AS x(a, u, v)`, t.ID, accts, units, amts)
	// Credit rows first, then money rows, each sorted: the global lock order.
	es := slices.Clone(t.Entries)
	sort.SliceStable(es, func(i, j int) bool {
		mi, mj := es[i].Unit == UnitMoney, es[j].Unit == UnitMoney
		if mi != mj {
			return mj
		}
		if es[i].Account != es[j].Account {
			return es[i].Account < es[j].Account
		}
		return es[i].Unit < es[j].Unit
	})
	var updates []Entry
	for _, e := range es {
		if isSystem(e.Account) || e.Amount == 0 {
			continue
		}
		updates = append(updates, e)
		if e.Amount < 0 {
			// The row exists: the caller locked it and checked the balance.
			// (An upsert would fail the CHECK on the proposed negative row.)
			b.Queue(`UPDATE ledger_balances SET amount = amount + $3 WHERE account = $1 AND unit = $2`, e.Account, e.Unit, e.Amount)
		} else {
			b.Queue(`INSERT INTO ledger_balances (account, unit, amount) VALUES ($1, $2, $3)
				ON CONFLICT (account, unit) DO UPDATE SET amount = ledger_balances.amount + EXCLUDED.amount`, e.Account, e.Unit, e.Amount)
		}
	}
	br := tx.SendBatch(ctx, &b)
	err := func() error {
		for range 2 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		for _, e := range updates {
			tag, err := br.Exec()
			if err != nil {
				return fmt.Errorf("update balance %s/%s by %d: %w", e.Account, e.Unit, e.Amount, err)
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("update balance %s/%s by %d: no balance row", e.Account, e.Unit, e.Amount)
			}
		}
		return nil
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write transaction %d: %w", t.ID, err)
	}
	return nil
}

func isSystem(account string) bool { return len(account) > 0 && account[0] == '@' }

// Define implements Store.
func (s *PostgresStore) Define(ctx context.Context, accounts []Account, creditTypes []CreditType) error {
	for _, ct := range creditTypes {
		if err := ct.Validate(); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		err := checkDefine(accounts, func(id string) (*Account, error) {
			a, err := getAccount(ctx, tx, id)
			if errors.Is(err, ErrUnknownAccount) {
				return nil, nil
			}
			return a, err
		})
		if err != nil {
			return err
		}
		for _, a := range accounts {
			var parent *string
			if a.Parent != "" {
				parent = &a.Parent
			}
			var override *int64
			if a.CommissionOverride != nil {
				v := int64(*a.CommissionOverride)
				override = &v
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_accounts (id, name, parent, default_commission_bps, commission_override_bps)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, default_commission_bps = EXCLUDED.default_commission_bps,
					commission_override_bps = EXCLUDED.commission_override_bps`,
				a.ID, a.Name, parent, int64(a.DefaultCommission), override); err != nil {
				return fmt.Errorf("write account %q: %w", a.ID, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_balances (account, unit, amount) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, a.ID, UnitMoney); err != nil {
				return fmt.Errorf("create money balance of %q: %w", a.ID, err)
			}
		}
		for _, ct := range creditTypes {
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_credit_types (id, stock, size, postage_class, price_per_credit)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO UPDATE SET stock = EXCLUDED.stock, size = EXCLUDED.size,
					postage_class = EXCLUDED.postage_class, price_per_credit = EXCLUDED.price_per_credit`,
				ct.ID, ct.Stock, string(ct.Size), string(ct.PostageClass), int64(ct.PricePerCredit)); err != nil {
				return fmt.Errorf("write credit type %q: %w", ct.ID, err)
			}
		}
		return nil
	})
}

// Transfer implements Store.
func (s *PostgresStore) Transfer(ctx context.Context, t Transfer) (Transaction, error) {
	var out Transaction
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := getCreditType(ctx, tx, t.CreditType); err != nil {
			return err
		}
		to, err := getAccount(ctx, tx, t.To)
		if err != nil {
			return err
		}
		var from *Account
		if t.Kind != KindPurchase {
			if from, err = getAccount(ctx, tx, t.From); err != nil {
				return err
			}
		}
		if err := checkTransfer(t, from, to); err != nil {
			return err
		}
		if from != nil {
			// Lock both credit rows in (account) order.
			first, second := from.ID, to.ID
			if second < first {
				first, second = second, first
			}
			var have int64
			for _, id := range []string{first, second} {
				v, err := lockBalance(ctx, tx, id, t.CreditType)
				if err != nil {
					return err
				}
				if id == from.ID {
					have = v
				}
			}
			if have < t.Credits {
				return fmt.Errorf("%w: %q holds %d, needs %d", ErrInsufficient, from.ID, have, t.Credits)
			}
		}
		id, err := nextTxID(ctx, tx)
		if err != nil {
			return err
		}
		out = Transaction{ID: id, Kind: t.Kind, Account: t.To, CreditType: t.CreditType, Entries: transferEntries(t)}
		if err := writeTx(ctx, tx, out, ""); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT created_at FROM ledger_transactions WHERE id = $1`, id).Scan(&out.Time)
	})
	if err != nil {
		return Transaction{}, err
	}
	out.Time = out.Time.UTC()
	return out, nil
}

// Debit implements Store.
func (s *PostgresStore) Debit(ctx context.Context, d DebitRequest) (Result, error) {
	var res Result
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = Result{}
		acct, err := getAccount(ctx, tx, d.Account)
		if err != nil {
			return err
		}
		ct, err := getCreditType(ctx, tx, d.CreditType)
		if err != nil {
			return err
		}
		var parent *Account
		if acct.Parent != "" {
			if parent, err = getAccount(ctx, tx, acct.Parent); err != nil {
				return err
			}
		}
		balance, err := lockBalance(ctx, tx, acct.ID, ct.ID)
		if err != nil {
			return err
		}
		txID, err := nextTxID(ctx, tx)
		if err != nil {
			return err
		}
		// Find which pieces were charged before, choose the first new ones in
		// order while the balance lasts, and COPY exactly those in. A piece
		// charged meanwhile by another account's debit makes the COPY hit the
		// primary key; the whole call is then retried and sees it.
		keys, distinct := pieceKeys(d.PieceIDs)
		rows, err := tx.Query(ctx, `SELECT piece_key FROM ledger_charges WHERE piece_key = ANY($1::bytea[])`, distinct)
		if err != nil {
			return fmt.Errorf("look up charged pieces: %w", err)
		}
		old, err := collectKeys(rows)
		if err != nil {
			return fmt.Errorf("look up charged pieces: %w", err)
		}
		statuses, charged := planDebit(keys, balance, make(map[pieceKey]struct{}, len(keys)), func(i int) bool { _, ok := old[keys[i]]; return !ok })
		if len(charged) > 0 {
			n, err := tx.CopyFrom(ctx, pgx.Identifier{"ledger_charges"}, []string{"piece_key", "tx_id"},
				pgx.CopyFromSlice(len(charged), func(j int) ([]any, error) { return []any{keys[charged[j]][:], txID}, nil }))
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
				return errRetry
			}
			if err != nil {
				return fmt.Errorf("copy charges: %w", err)
			}
			if n != int64(len(charged)) {
				return fmt.Errorf("copy charges: wrote %d of %d rows", n, len(charged))
			}
		}
		res.Statuses = statuses
		res.Balance = balance
		res.tally()
		if len(charged) == 0 {
			return nil
		}
		n := int64(len(charged))
		m := Margin(ct.PricePerCredit, acct.Commission(parent))
		entries, total, err := debitEntries(acct.ID, acct.Parent, ct.ID, n, m)
		if err != nil {
			return err
		}
		t := Transaction{ID: txID, Kind: KindDebit, Account: acct.ID, CreditType: ct.ID, Campaign: d.Campaign,
			Pieces: n, MarginPerPiece: m, Entries: entries}
		if err := writeTx(ctx, tx, t, acct.Parent); err != nil {
			return err
		}
		res.TxID = txID
		res.Balance = balance - n
		res.Margin = total
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// pieceKeys hashes every id (storedKey) and returns the keys indexed like
// ids plus the distinct keys in first-seen order, ready to bind as bytea[].
func pieceKeys(ids []string) ([]pieceKey, [][]byte) {
	keys := make([]pieceKey, len(ids))
	seen := make(map[pieceKey]struct{}, len(ids))
	distinct := make([][]byte, 0, len(ids))
	for i, id := range ids {
		keys[i] = storedKey(id)
		if _, ok := seen[keys[i]]; !ok {
			seen[keys[i]] = struct{}{}
			distinct = append(distinct, keys[i][:])
		}
	}
	return keys, distinct
}

// collectKeys reads a single bytea column of 16-byte piece keys.
func collectKeys(rows pgx.Rows) (map[pieceKey]struct{}, error) {
	out := map[pieceKey]struct{}{}
	var b []byte
	_, err := pgx.ForEachRow(rows, []any{&b}, func() error {
		var k pieceKey
		if copy(k[:], b) != len(k) {
			return fmt.Errorf("piece key of %d bytes", len(b))
		}
		out[k] = struct{}{}
		return nil
	})
	return out, err
}

type pgDebit struct {
	id, margin                            int64
	account, parent, creditType, campaign string
}

// Refund implements Store.
func (s *PostgresStore) Refund(ctx context.Context, pieceIDs []string) (RefundResult, error) {
	var res RefundResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = RefundResult{Statuses: make([]RefundStatus, len(pieceIDs))}
		keys, distinct := pieceKeys(pieceIDs)
		rows, err := tx.Query(ctx, `SELECT piece_key, tx_id FROM ledger_charges WHERE piece_key = ANY($1::bytea[])`, distinct)
		if err != nil {
			return fmt.Errorf("look up charges: %w", err)
		}
		debitOf := map[pieceKey]int64{}
		var (
			kb  []byte
			tid int64
		)
		if _, err := pgx.ForEachRow(rows, []any{&kb, &tid}, func() error { debitOf[pieceKey(kb)] = tid; return nil }); err != nil {
			return fmt.Errorf("look up charges: %w", err)
		}
		var debitIDs []int64
		groups := map[int64][][]byte{}
		for _, k := range distinct {
			if t, ok := debitOf[pieceKey(k)]; ok {
				if _, ok := groups[t]; !ok {
					debitIDs = append(debitIDs, t)
				}
				groups[t] = append(groups[t], k)
			}
		}
		debits := make([]pgDebit, 0, len(debitIDs))
		rows, err = tx.Query(ctx, `SELECT id, account, coalesce(parent, ''), credit_type, campaign, margin_per_piece
			FROM ledger_transactions WHERE id = ANY($1::bigint[]) ORDER BY id`, debitIDs)
		if err != nil {
			return fmt.Errorf("read debit transactions: %w", err)
		}
		var dd pgDebit
		if _, err := pgx.ForEachRow(rows, []any{&dd.id, &dd.account, &dd.parent, &dd.creditType, &dd.campaign, &dd.margin},
			func() error { debits = append(debits, dd); return nil }); err != nil {
			return fmt.Errorf("read debit transactions: %w", err)
		}
		// Lock the credit rows in order; money rows are locked by the updates after.
		locks := map[[2]string]bool{}
		for _, d := range debits {
			locks[[2]string{d.account, d.creditType}] = true
		}
		lockKeys := make([][2]string, 0, len(locks))
		for k := range locks {
			lockKeys = append(lockKeys, k)
		}
		sort.Slice(lockKeys, func(i, j int) bool {
			if lockKeys[i][0] != lockKeys[j][0] {
				return lockKeys[i][0] < lockKeys[j][0]
			}
			return lockKeys[i][1] < lockKeys[j][1]
		})
		for _, k := range lockKeys {
			if _, err := lockBalance(ctx, tx, k[0], k[1]); err != nil {
				return err
			}
		}
		refunded := map[pieceKey]bool{}
		for _, d := range debits {
			txID, err := nextTxID(ctx, tx)
			if err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `UPDATE ledger_charges SET refund_tx_id = $2
				WHERE piece_key = ANY($1::bytea[]) AND refund_tx_id IS NULL RETURNING piece_key`, groups[d.id], txID)
			if err != nil {
				return fmt.Errorf("mark pieces refunded: %w", err)
			}
			var n int64
			if _, err := pgx.ForEachRow(rows, []any{&kb}, func() error { refunded[pieceKey(kb)] = true; n++; return nil }); err != nil {
				return fmt.Errorf("mark pieces refunded: %w", err)
			}
			if n == 0 {
				continue
			}
			entries, _, err := debitEntries(d.account, d.parent, d.creditType, n, Amount(d.margin))
			if err != nil {
				return err
			}
			t := Transaction{ID: txID, Kind: KindRefund, Account: d.account, CreditType: d.creditType, Campaign: d.campaign,
				Pieces: n, MarginPerPiece: Amount(d.margin), Reverses: d.id, Entries: negate(entries)}
			if err := writeTx(ctx, tx, t, d.parent); err != nil {
				var pe *pgconn.PgError
				if errors.As(err, &pe) && pe.Code == "23514" { // check_violation: balance would go negative
					return fmt.Errorf("%w: parent %q cannot give back margin %s: %v", ErrInsufficient, d.parent, Amount(d.margin*n), err)
				}
				return err
			}
			res.TxIDs = append(res.TxIDs, txID)
		}
		done := map[pieceKey]bool{}
		for i, k := range keys {
			switch _, charged := debitOf[k]; {
			case !charged:
				res.Statuses[i] = StatusNotCharged
			case refunded[k] && !done[k]:
				res.Statuses[i] = StatusRefunded
				done[k] = true
				res.Refunded++
			default:
				res.Statuses[i] = StatusAlreadyRefunded
			}
		}
		return nil
	})
	if err != nil {
		return RefundResult{}, err
	}
	return res, nil
}

// Snapshot implements Store; it reads in one REPEATABLE READ transaction.
func (s *PostgresStore) Snapshot(ctx context.Context) (*Snapshot, error) {
	snap := &Snapshot{}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+accountCols+` FROM ledger_accounts ORDER BY id`)
		if err != nil {
			return fmt.Errorf("read accounts: %w", err)
		}
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("read accounts: %w", err)
			}
			snap.Accounts = append(snap.Accounts, *a)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read accounts: %w", err)
		}
		var ct CreditType
		rows, _ = tx.Query(ctx, `SELECT id, stock, size, postage_class, price_per_credit FROM ledger_credit_types ORDER BY id`)
		if _, err := pgx.ForEachRow(rows, []any{&ct.ID, &ct.Stock, &ct.Size, &ct.PostageClass, &ct.PricePerCredit},
			func() error { snap.CreditTypes = append(snap.CreditTypes, ct); return nil }); err != nil {
			return fmt.Errorf("read credit types: %w", err)
		}
		var b Balance
		rows, _ = tx.Query(ctx, `SELECT account, unit, amount FROM ledger_balances WHERE amount <> 0
			UNION ALL
			SELECT account, unit, sum(amount)::bigint FROM ledger_entries WHERE account LIKE '@%' GROUP BY account, unit HAVING sum(amount) <> 0`)
		if _, err := pgx.ForEachRow(rows, []any{&b.Account, &b.Unit, &b.Amount},
			func() error { snap.Balances = append(snap.Balances, b); return nil }); err != nil {
			return fmt.Errorf("read balances: %w", err)
		}
		var u Usage
		rows, _ = tx.Query(ctx, `SELECT account, campaign, credit_type,
				coalesce(sum(pieces) FILTER (WHERE kind = 'debit'), 0)::bigint,
				coalesce(sum(pieces) FILTER (WHERE kind = 'refund'), 0)::bigint,
				sum(CASE kind WHEN 'debit' THEN pieces * margin_per_piece ELSE -pieces * margin_per_piece END)::bigint
			FROM ledger_transactions WHERE kind IN ('debit', 'refund') GROUP BY account, campaign, credit_type`)
		if _, err := pgx.ForEachRow(rows, []any{&u.Account, &u.Campaign, &u.CreditType, &u.Charged, &u.Refunded, &u.Margin},
			func() error { snap.Usage = append(snap.Usage, u); return nil }); err != nil {
			return fmt.Errorf("read usage: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	sortSnapshot(snap)
	return snap, nil
}

// Transactions implements Store.
func (s *PostgresStore) Transactions(ctx context.Context, fn func(Transaction) error) error {
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.kind, t.created_at, t.account, t.credit_type, t.campaign, t.pieces,
			t.margin_per_piece, coalesce(t.reverses, 0), array_agg(e.account), array_agg(e.unit), array_agg(e.amount)
		FROM ledger_transactions t JOIN ledger_entries e ON e.tx_id = t.id
		GROUP BY t.id ORDER BY t.id`)
	if err != nil {
		return fmt.Errorf("read transactions: %w", err)
	}
	var (
		t            Transaction
		accts, units []string
		amts         []int64
	)
	_, err = pgx.ForEachRow(rows, []any{&t.ID, &t.Kind, &t.Time, &t.Account, &t.CreditType, &t.Campaign, &t.Pieces,
		&t.MarginPerPiece, &t.Reverses, &accts, &units, &amts}, func() error {
		out := t
		out.Time = out.Time.UTC()
		out.Entries = make([]Entry, len(accts))
		for i := range accts {
			out.Entries[i] = Entry{Account: accts[i], Unit: units[i], Amount: amts[i]}
		}
		return fn(out)
	})
	if err != nil {
		return fmt.Errorf("read transactions: %w", err)
	}
	return nil
}
