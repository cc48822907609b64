package dedupe

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postmill/postmill/internal/keyset"
)

// PostgresHistory is the [History] kept in PostgreSQL, table
// dedupe_history (account, campaign, person key → day last mailed), for
// dedupe workers on several machines and for the service. Create the table
// with [MigrateHistory] (`postmill migrate` does). Record keeps the later
// day of two and drops the campaign's entries older than the retention. It
// is safe for concurrent use by goroutines and processes.
type PostgresHistory struct {
	pool   *pgxpool.Pool
	retain uint32
}

var _ History = (*PostgresHistory)(nil)

// NewPostgresHistory returns the history kept in pool's database; retain
// bounds how long an entry is kept, 0 meaning DefaultRetain (400 days).
func NewPostgresHistory(pool *pgxpool.Pool, retain time.Duration) *PostgresHistory {
	if retain <= 0 {
		retain = DefaultRetain
	}
	return &PostgresHistory{pool: pool, retain: max(1, uint32(retain/(24*time.Hour)))}
}

const historySchema = `
CREATE TABLE IF NOT EXISTS dedupe_history (
	account  text    NOT NULL,
	campaign text    NOT NULL,
	person   bytea   NOT NULL CHECK (length(person) = 16),
	day      integer NOT NULL,
	PRIMARY KEY (account, campaign, person)
)`

// MigrateHistory creates the history table if it does not exist.
func MigrateHistory(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, historySchema); err != nil {
		return fmt.Errorf("dedupe history: create table: %w", err)
	}
	return nil
}

// Last sets days[i] to the day keys[i] was last recorded for the campaign,
// 0 when never: one query per call.
func (h *PostgresHistory) Last(ctx context.Context, account, campaign string, keys []keyset.Key, days []uint32) error {
	days = days[:len(keys)]
	clear(days)
	if len(keys) == 0 {
		return nil
	}
	persons := make([][]byte, len(keys))
	for i := range keys {
		persons[i] = keys[i][:]
	}
	found := map[keyset.Key]uint32{}
	rows, err := h.pool.Query(ctx, `SELECT person, day FROM dedupe_history
		WHERE account = $1 AND campaign = $2 AND person = ANY($3)`, account, campaign, persons)
	if err != nil {
		return fmt.Errorf("dedupe history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var person []byte
		var day int32
		if err := rows.Scan(&person, &day); err != nil {
			return fmt.Errorf("dedupe history: %w", err)
		}
		var k keyset.Key
		copy(k[:], person)
		found[k] = uint32(day)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dedupe history: %w", err)
	}
	for i := range keys {
		days[i] = found[keys[i]]
	}
	return nil
}

// Record stores day for each key, keeping a later day already there, and
// drops the campaign's entries older than the retention, in one
// transaction.
func (h *PostgresHistory) Record(ctx context.Context, account, campaign string, keys []keyset.Key, day uint32) error {
	persons := make([][]byte, len(keys))
	for i := range keys {
		persons[i] = keys[i][:]
	}
	tx, err := h.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("dedupe history: %w", err)
	}
	defer tx.Rollback(ctx)
	if len(keys) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO dedupe_history (account, campaign, person, day)
			SELECT $1, $2, p, $4 FROM unnest($3::bytea[]) AS p
			ON CONFLICT (account, campaign, person) DO UPDATE SET day = GREATEST(dedupe_history.day, EXCLUDED.day)`,
			account, campaign, persons, int32(day)); err != nil {
			return fmt.Errorf("dedupe history: record: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM dedupe_history WHERE account = $1 AND campaign = $2 AND day <= $3`,
		account, campaign, int64(day)-int64(h.retain)); err != nil {
		return fmt.Errorf("dedupe history: expire: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("dedupe history: %w", err)
	}
	return nil
}
