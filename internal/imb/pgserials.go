package imb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgSerialsSchema creates the counter and the log of issued blocks. It is
// idempotent, so Migrate can run at every start.
const pgSerialsSchema = `
CREATE TABLE IF NOT EXISTS imb_serials (
	mailer_id text PRIMARY KEY,
	next      bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS imb_serial_blocks (
	mailer_id text        NOT NULL,
	first     bigint      NOT NULL,
	last      bigint      NOT NULL, -- inclusive
	issued_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS imb_serial_blocks_mid ON imb_serial_blocks (mailer_id, issued_at);
`

// PostgresSerials is the service's Allocator: a counter row per Mailer ID,
// locked with SELECT … FOR UPDATE while a block is reserved, and a log of
// issued blocks that refuses to reissue a serial within ReuseWindow. It is
// safe for concurrent use by goroutines and processes sharing the database.
type PostgresSerials struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

var _ Allocator = (*PostgresSerials)(nil)

// PostgresSerialsConfig configures a PostgresSerials.
type PostgresSerialsConfig struct {
	// Now is the clock that dates reservations. Default (nil): time.Now.
	Now func() time.Time
}

// NewPostgresSerials returns an allocator on pool; call MigrateSerials once
// first.
func NewPostgresSerials(pool *pgxpool.Pool, cfg PostgresSerialsConfig) *PostgresSerials {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &PostgresSerials{pool: pool, now: cfg.Now}
}

// MigrateSerials creates the allocator's tables if they do not exist.
func MigrateSerials(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, pgSerialsSchema); err != nil {
		return fmt.Errorf("imb: create serial tables: %w", err)
	}
	return nil
}

// Reserve reserves n consecutive serials for mailerID; see Allocator.
func (s *PostgresSerials) Reserve(ctx context.Context, mailerID string, n int) (uint64, error) {
	if err := checkMailerID(mailerID); err != nil {
		return 0, err
	}
	width := SerialWidth(mailerID)
	limit := pow10(width)
	if n <= 0 || uint64(n) > limit {
		return 0, fmt.Errorf("imb: mailer ID %s: cannot reserve %d serials of %d digits", mailerID, n, width)
	}
	now := s.now()
	var first uint64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The counter row serializes reservations for one Mailer ID.
		if _, err := tx.Exec(ctx, `INSERT INTO imb_serials (mailer_id, next) VALUES ($1, 0)
			ON CONFLICT (mailer_id) DO NOTHING`, mailerID); err != nil {
			return err
		}
		var next int64
		if err := tx.QueryRow(ctx, `SELECT next FROM imb_serials WHERE mailer_id = $1 FOR UPDATE`, mailerID).Scan(&next); err != nil {
			return err
		}
		first = uint64(next)
		if first+uint64(n) > limit {
			first = 0
		}
		last := first + uint64(n) - 1
		window := now.Add(-ReuseWindow)
		if _, err := tx.Exec(ctx, `DELETE FROM imb_serial_blocks WHERE mailer_id = $1 AND issued_at < $2`, mailerID, window); err != nil {
			return err
		}
		var clashFirst, clashLast int64
		var issued time.Time
		err := tx.QueryRow(ctx, `SELECT first, last, issued_at FROM imb_serial_blocks
			WHERE mailer_id = $1 AND issued_at >= $2 AND first <= $4 AND last >= $3
			ORDER BY issued_at DESC LIMIT 1`, mailerID, window, int64(first), int64(last)).Scan(&clashFirst, &clashLast, &issued)
		if err == nil {
			return fmt.Errorf("%w: mailer ID %s: serials %d-%d were issued at %s, reusable after %s",
				ErrSerialsExhausted, mailerID, max(int64(first), clashFirst), min(int64(last), clashLast),
				issued.UTC().Format(time.RFC3339), issued.Add(ReuseWindow).UTC().Format(time.RFC3339))
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO imb_serial_blocks (mailer_id, first, last, issued_at) VALUES ($1, $2, $3, $4)`,
			mailerID, int64(first), int64(last), now); err != nil {
			return err
		}
		nextAfter := (last + 1) % limit
		_, err = tx.Exec(ctx, `UPDATE imb_serials SET next = $2 WHERE mailer_id = $1`, mailerID, int64(nextAfter))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrSerialsExhausted) {
			return 0, err
		}
		return 0, fmt.Errorf("imb: reserve %d serials for mailer ID %s: %w", n, mailerID, err)
	}
	return first, nil
}
