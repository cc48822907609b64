package account_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/pgtest"
)

// The PostgreSQL tests run on a fresh database of their own (internal/pgtest).

var pgDB = pgtest.New("account", ledger.Migrate, 4)

func TestMain(m *testing.M) { os.Exit(pgDB.Main(m)) }

// testPool returns a pool on this run's fresh, migrated database.
func testPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return pgDB.Pool(tb)
}

// pgLedger empties the ledger tables and returns a ledger on them.
func pgLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	pool := testPool(t)
	_, err := pool.Exec(context.Background(), `TRUNCATE ledger_charges, ledger_entries, ledger_balances,
		ledger_transactions, ledger_accounts, ledger_credit_types RESTART IDENTITY CASCADE`)
	if err != nil {
		t.Fatalf("empty ledger tables: %v", err)
	}
	return ledger.New(ledger.NewPostgresStore(pool))
}

func TestStagePostgres(t *testing.T) { stageSuite(t, pgLedger) }
