package account_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postmill/postmill/internal/ledger"
)

// The PostgreSQL variant connects to the server named by
// POSTMILL_TEST_DATABASE_URL (default: database test on 127.0.0.1:5432 as
// postgres), creates a fresh database postmill_account_test_<random> for
// this package run and drops it at the end. An unreachable server fails the
// test unless POSTMILL_SKIP_PG=1.

var pgDB struct {
	once   sync.Once
	pool   *pgxpool.Pool
	name   string
	server string
	err    error
}

func pgServerURL() string {
	if v := os.Getenv("POSTMILL_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pgDB.pool != nil {
		pgDB.pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if conn, err := pgx.Connect(ctx, pgDB.server); err == nil {
			if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgDB.name+" WITH (FORCE)"); err != nil {
				fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", pgDB.name, err)
			}
			conn.Close(ctx)
		}
		cancel()
	}
	os.Exit(code)
}

// testPool returns a pool on this run's fresh, migrated database.
func testPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	if os.Getenv("POSTMILL_SKIP_PG") == "1" {
		tb.Skip("POSTMILL_SKIP_PG=1: skipping PostgreSQL tests")
	}
	pgDB.once.Do(func() {
		pgDB.server = pgServerURL()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, pgDB.server)
		if err != nil {
			pgDB.err = fmt.Errorf("connect: %w", err)
			return
		}
		defer conn.Close(ctx)
		b := make([]byte, 6)
		rand.Read(b)
		pgDB.name = "postmill_account_test_" + hex.EncodeToString(b)
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgDB.name); err != nil {
			pgDB.err = fmt.Errorf("create database: %w", err)
			return
		}
		cfg, err := pgxpool.ParseConfig(pgDB.server)
		if err != nil {
			pgDB.err = err
			return
		}
		cfg.ConnConfig.Database = pgDB.name
		cfg.MaxConns = 4
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			pgDB.err = err
			return
		}
		pgDB.pool = pool
		if err := ledger.Migrate(ctx, pool); err != nil {
			pgDB.err = err
		}
	})
	if pgDB.err != nil {
		tb.Fatalf("PostgreSQL test database on %s unavailable (set POSTMILL_TEST_DATABASE_URL to another server, or POSTMILL_SKIP_PG=1 to skip): %v",
			pgServerURL(), pgDB.err)
	}
	return pgDB.pool
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
