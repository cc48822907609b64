# The two commands of the README: `make run` (the main job on the sample) and
# `make test` (every test, with what the tests need started first).
GO ?= go

.PHONY: test run bench bench-5m bench-stages build vet fuzz

test:
	./deploy/local/postgres-up.sh
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 12m ./...

run:
	$(GO) run ./cmd/postmill run testdata/afc/sample.csv --out out/

# The end-to-end benchmark: 1M generated rows through every stage; rewrites
# the end-to-end section of bench/RESULTS.md.
bench:
	$(GO) run ./bench -rows 1000000 -results bench/RESULTS.md

bench-5m:
	$(GO) run ./bench -rows 5000000

# Per-stage benchmarks on one core (see bench/RESULTS.md for the figures).
bench-stages:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./bench/ ./internal/imb/ ./internal/pub28/ ./internal/address/ ./stages/validate/ ./stages/render/ ./internal/mergefield/
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 -benchtime 1x ./internal/suppression/ ./stages/suppress/ ./stages/dedupe/ ./internal/keyset/ ./stages/batch/

build:
	$(GO) build -o postmill ./cmd/postmill

vet:
	$(GO) vet ./...

# A short fuzz pass over every parser's fuzz target.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 30s ./formats/csv
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 15s ./formats/jsonl
