// Command bench is postmill's end-to-end benchmark: it generates realistic
// contacts (bench/gen), runs the real `postmill run` binary over them with
// every stage on (validate with a change-of-address file, suppression lists,
// dedupe, render, presort with barcodes, account with a file ledger), and
// prints rows/s per stage, wall and CPU time, peak RSS, output sizes and the
// funnel next to the generator's ground truth. It fails loudly when the row
// accounting does not add up.
//
//	go run ./bench                 # 1M rows
//	go run ./bench -runs 3         # 1M rows, the median of three runs (make bench)
//	go run ./bench -rows 5000000   # 5M rows
//	go run ./bench -results bench/RESULTS.md   # also rewrite the end-to-end section
//	go run ./bench -runs 6 -against OLD        # the built binary and OLD in turns, six rounds
//	go run ./bench -kafka -rows 200000         # the same job with Kafka between the stages
//	go run ./bench -kafka -workers 3 -rows 200000  # every stage in 3 worker processes
//
// Per-stage benchmarks live beside each stage (`go test -bench . ./stages/...`).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	var cfg Config
	flag.IntVar(&cfg.Rows, "rows", 1_000_000, "contacts to generate and run")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "generator seed")
	flag.StringVar(&cfg.WorkDir, "work", "", "working directory (default: a temporary one, removed afterwards)")
	flag.StringVar(&cfg.Format, "format", "csv", "input format: csv, csv.gz, csv.zst, parquet or jsonl")
	flag.BoolVar(&cfg.Kafka, "kafka", false, "run every link between stages over Kafka (an in-process broker on 127.0.0.1)")
	flag.IntVar(&cfg.Partitions, "partitions", 3, "Kafka topic partitions (with -kafka)")
	flag.IntVar(&cfg.Workers, "workers", 0, "with -kafka: run every stage in this many `postmill worker` processes per stage")
	flag.BoolVar(&cfg.Fuse, "fuse", false, "with -workers: validate and suppress fused in the same workers (one hop less)")
	flag.StringVar(&cfg.DatabaseURL, "database-url", "", "with -workers: the workers' ledger and IMb serials in this PostgreSQL `URL` (else one account worker, on files)")
	flag.StringVar(&cfg.Binary, "binary", "", "run this postmill `binary` instead of building one")
	flag.StringVar(&cfg.Against, "against", "", "also run this postmill `binary` (a baseline) in turns with the measured one, each round over the same data, and compare (in-process only)")
	flag.IntVar(&cfg.Runs, "runs", 1, "run postmill this many times over the same data and report the run of median wall time (in-process only)")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "merge CPU profiles of the measured runs into this `file` (make pgo writes cmd/postmill/default.pgo so)")
	results := flag.String("results", "", "rewrite the end-to-end section of this RESULTS.md `file`")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, cfg)
	if res != nil {
		res.Table(os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	if *results != "" {
		if err := res.UpdateResults(*results); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
	}
}
