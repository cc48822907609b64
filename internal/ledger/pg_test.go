package ledger_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/ledger/ledgertest"
	"github.com/postmill/postmill/internal/pgtest"
)

// The PostgreSQL tests connect to the server named by
// POSTMILL_TEST_DATABASE_URL (default: database test on 127.0.0.1:5432 as
// postgres), create a fresh database postmill_ledger_test_<random> for this
// package run, and drop it at the end. An unreachable server fails the tests
// unless POSTMILL_SKIP_PG=1.

var pgDB = pgtest.New("ledger", ledger.Migrate, 16)

func TestMain(m *testing.M) { os.Exit(pgDB.Main(m)) }

// testPool returns a pool on this run's fresh, migrated database.
func testPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return pgDB.Pool(tb)
}

// emptyPostgresStore empties the ledger tables and returns a store on them.
func emptyPostgresStore(tb testing.TB) *ledger.PostgresStore {
	tb.Helper()
	pool := testPool(tb)
	_, err := pool.Exec(context.Background(), `TRUNCATE ledger_charges, ledger_entries, ledger_balances,
		ledger_transactions, ledger_accounts, ledger_credit_types RESTART IDENTITY CASCADE`)
	if err != nil {
		tb.Fatalf("empty ledger tables: %v", err)
	}
	return ledger.NewPostgresStore(pool)
}

func TestPostgresStoreContract(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store { return emptyPostgresStore(t) })
}

func TestMigrateIdempotent(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = ledger.Migrate(ctx, pool) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Migrate #%d: %v", i, err)
		}
	}
	migs, err := ledger.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ledger_schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(migs) || migs[0].Version != 1 || migs[0].Name != "ledger" {
		t.Fatalf("%d migrations recorded, %d embedded (%+v)", n, len(migs), migs[0])
	}
}
