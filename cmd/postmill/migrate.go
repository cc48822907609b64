package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/stages/dedupe"
)

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "--database-url URL",
		"Applies postmill's embedded PostgreSQL migrations (the ledger schema) to a database, each\n"+
			"once, under an advisory lock so concurrent runs are safe.",
		"postmill migrate --database-url postgres://postmill@db:5432/postmill")
	url := fs.String("database-url", "", "PostgreSQL connection `URL` (required)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *url == "" {
		return usagef("--database-url is required")
	}
	pool, err := pgxpool.New(ctx, *url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer pool.Close()
	if err := ledger.Migrate(ctx, pool); err != nil {
		return err
	}
	if err := imb.MigrateSerials(ctx, pool); err != nil {
		return err
	}
	if err := dedupe.MigrateHistory(ctx, pool); err != nil {
		return err
	}
	migs, err := ledger.Migrations()
	if err != nil {
		return err
	}
	if n := len(migs); n > 0 {
		fmt.Fprintf(e.stdout, "schema up to date: %d migrations, the last %04d %s\n", n, migs[n-1].Version, migs[n-1].Name)
	}
	return nil
}
