// Package pgtest gives a test package its own fresh PostgreSQL database on
// the real server: created at first use, migrated, and dropped when the
// package's tests end. Tests reach the server named by
// POSTMILL_TEST_DATABASE_URL (default: database test on 127.0.0.1:5432 as
// user postgres, trust auth). An unreachable server fails the tests with a
// message saying what to do, unless POSTMILL_SKIP_PG=1, which skips them.
//
//	var db = pgtest.New("ledger", ledger.Migrate, 16)
//
//	func TestMain(m *testing.M) { os.Exit(db.Main(m)) }
//
//	func TestX(t *testing.T) { pool := db.Pool(t); … }
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultServerURL is the server tests use unless POSTMILL_TEST_DATABASE_URL
// names another.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ServerURL returns the server the tests connect to.
func ServerURL() string {
	if v := os.Getenv("POSTMILL_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return DefaultServerURL
}

// DB is one test package's database.
type DB struct {
	prefix   string
	migrate  func(context.Context, *pgxpool.Pool) error
	maxConns int32

	once sync.Once
	pool *pgxpool.Pool
	name string
	err  error
}

// New describes a database named postmill_<prefix>_test_<random>, migrated
// by migrate (nil: none), with a pool of at most maxConns connections
// (0: 4).
func New(prefix string, migrate func(context.Context, *pgxpool.Pool) error, maxConns int32) *DB {
	if maxConns <= 0 {
		maxConns = 4
	}
	return &DB{prefix: prefix, migrate: migrate, maxConns: maxConns}
}

// Main runs the package's tests, then drops the database if one was made.
// Call it from TestMain.
func (d *DB) Main(m *testing.M) int {
	code := m.Run()
	if d.pool != nil {
		d.pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, ServerURL()); err == nil {
			if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)"); err != nil {
				fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", d.name, err)
			}
			conn.Close(ctx)
		}
	}
	return code
}

// Pool returns a pool on the package's fresh, migrated database, creating
// it on first use.
func (d *DB) Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	if os.Getenv("POSTMILL_SKIP_PG") == "1" {
		tb.Skip("POSTMILL_SKIP_PG=1: skipping PostgreSQL tests")
	}
	d.once.Do(func() { d.err = d.create() })
	if d.err != nil {
		tb.Fatalf("PostgreSQL test database on %s unavailable (start it with deploy/local/postgres-up.sh, set POSTMILL_TEST_DATABASE_URL to another server, or POSTMILL_SKIP_PG=1 to skip): %v",
			ServerURL(), d.err)
	}
	return d.pool
}

// URL returns a connection string for the package's database, creating it
// on first use (for tests of commands that connect by URL).
func (d *DB) URL(tb testing.TB) string {
	tb.Helper()
	d.Pool(tb)
	u, err := url.Parse(ServerURL())
	if err != nil {
		tb.Fatalf("POSTMILL_TEST_DATABASE_URL %q: %v", ServerURL(), err)
	}
	u.Path = "/" + d.name
	return u.String()
}

func (d *DB) create() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	d.name = "postmill_" + d.prefix + "_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+d.name); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(ServerURL())
	if err != nil {
		return err
	}
	cfg.ConnConfig.Database = d.name
	cfg.MaxConns = d.maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	d.pool = pool
	if d.migrate != nil {
		if err := d.migrate(ctx, pool); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}
