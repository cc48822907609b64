package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/postmill/postmill/bench/gen"
)

func cmdGen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "gen", "--out DIR",
		"Writes synthetic, realistic US contacts for benchmarks and tests: contacts.<format> and the\n"+
			"matching suppress-email.csv, suppress-address.csv and coa.csv. The same --seed gives\n"+
			"byte-identical files. Prints the ground truth (rows of each injected kind) as JSON.",
		"postmill gen --rows 1000000 --format csv.zst --out data/")
	out := fs.String("out", "", "output `directory` (required)")
	rows := fs.Int("rows", 100_000, "contacts to write")
	seed := fs.Uint64("seed", 1, "random seed")
	format := fs.String("format", "csv", "contacts format: csv, csv.gz, csv.zst, parquet or jsonl")
	invalid := fs.Float64("invalid", 0, "fraction of invalid addresses (default 0.02)")
	dups := fs.Float64("dup-exact", 0, "fraction of exact duplicates (default 0.02)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	f, err := gen.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	cfg := gen.Config{Rows: *rows, Seed: *seed, Invalid: *invalid, DupExact: *dups}
	files, stats, err := gen.WriteAll(ctx, *out, cfg, f)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Files gen.Files `json:"files"`
		Stats gen.Stats `json:"stats"`
	}{files, stats}); err != nil {
		return fmt.Errorf("print stats: %w", err)
	}
	return nil
}
