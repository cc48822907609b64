package dedupe_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/pgtest"
	"github.com/postmill/postmill/stages/dedupe"
)

// The PostgreSQL tests run on a fresh database of their own (internal/pgtest).
var pgDB = pgtest.New("dedupe", dedupe.MigrateHistory, 2)

func TestMain(m *testing.M) { os.Exit(pgDB.Main(m)) }

// TestHistoryReplayPostgres tells TestHistoryReplay's story with the
// history in PostgreSQL.
func TestHistoryReplayPostgres(t *testing.T) {
	pool := pgDB.Pool(t)
	if _, err := pool.Exec(context.Background(), "TRUNCATE dedupe_history"); err != nil {
		t.Fatal(err)
	}
	historyReplay(t, func() dedupe.History { return dedupe.NewPostgresHistory(pool, 0) })
}

// TestPostgresHistoryRetention: a later day wins, repeated keys in one call
// all get their day, and a campaign's entries older than the retention go
// when the campaign records again; other campaigns keep theirs.
func TestPostgresHistoryRetention(t *testing.T) {
	ctx := context.Background()
	pool := pgDB.Pool(t)
	if _, err := pool.Exec(ctx, "TRUNCATE dedupe_history"); err != nil {
		t.Fatal(err)
	}
	h := dedupe.NewPostgresHistory(pool, 10*24*time.Hour)
	a, b := keyset.Key{1}, keyset.Key{2}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.Record(ctx, "acct", "c1", []keyset.Key{a}, 100))
	must(h.Record(ctx, "acct", "c1", []keyset.Key{a}, 95)) // earlier: kept at 100
	must(h.Record(ctx, "acct", "c2", []keyset.Key{a}, 100))
	days := make([]uint32, 3)
	must(h.Last(ctx, "acct", "c1", []keyset.Key{a, b, a}, days))
	if days[0] != 100 || days[1] != 0 || days[2] != 100 {
		t.Fatalf("days %v, want [100 0 100]", days)
	}
	must(h.Record(ctx, "acct", "c1", []keyset.Key{b}, 110)) // a is 10 days old: expired
	must(h.Last(ctx, "acct", "c1", []keyset.Key{a, b}, days))
	if days[0] != 0 || days[1] != 110 {
		t.Fatalf("after expiry: days %v, want [0 110]", days[:2])
	}
	must(h.Last(ctx, "acct", "c2", []keyset.Key{a}, days))
	if days[0] != 100 {
		t.Fatalf("campaign c2 lost its entry: %v", days[:1])
	}
}
