# The two commands of the README: `make run` (the main job on the sample) and
# `make test` (every test, with what the tests need started first).
GO ?= go

.PHONY: test run bench bench-5m bench-stages build vet fuzz pgo

# Tests build without profile-guided optimization (GOFLAGS reaches the go
# build the bench's tests run too): with it, go test ./... compiles the
# dependency graph a second time, with the profile, for cmd/postmill alone
# (1,679 compiles instead of 636, go test -a -n), which a cold build cache
# pays in full; the tests check behaviour, not speed.
test:
	./deploy/local/postgres-up.sh
	$(GO) vet ./...
	GOFLAGS="$(GOFLAGS) -pgo=off" $(GO) test -count=1 -timeout 12m ./...
	# One pass of each stage's benchmark on generated data: they check the
	# fates they count, which a plain go test does not run.
	GOFLAGS="$(GOFLAGS) -pgo=off" $(GO) test -count=1 -run '^$$' -bench ProcessGenerated -benchtime 1x ./stages/...

run:
	$(GO) run ./cmd/postmill run testdata/afc/sample.csv --out out/

# The end-to-end benchmark: 1M generated rows through every stage, three
# runs (wall time on a shared machine moves from run to run; the median
# is reported); rewrites the end-to-end section of bench/RESULTS.md.
bench:
	$(GO) run ./bench -rows 1000000 -runs 3 -results bench/RESULTS.md

bench-5m:
	$(GO) run ./bench -rows 5000000

# Regenerate the profile-guided optimization profile that go build uses
# for postmill (cmd/postmill/default.pgo): CPU profiles of three 1M-row
# benchmark runs, merged. Rerun when the hot paths change.
pgo:
	$(GO) run ./bench -rows 1000000 -runs 3 -cpuprofile cmd/postmill/default.pgo

# Per-stage benchmarks on one core (see bench/RESULTS.md for the figures).
bench-stages:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./bench/ ./internal/imb/ ./internal/pub28/ ./internal/address/ ./stages/ingest/ ./stages/validate/ ./stages/render/ ./stages/account/ ./internal/mergefield/ ./formats/csv/ ./formats/manifest/ ./internal/presort/
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 -benchtime 1x ./internal/suppression/ ./stages/suppress/ ./stages/dedupe/ ./internal/keyset/ ./stages/batch/

build:
	$(GO) build -o postmill ./cmd/postmill

vet:
	$(GO) vet ./...

# A short pass over every fuzz target (their seed corpora also run in make test).
FUZZ_TARGETS = \
	FuzzReader:./formats/csv FuzzReader:./formats/jsonl FuzzDecode:./formats/arrowbatch \
	FuzzParse:./internal/pub28 FuzzStandardize:./internal/address FuzzParseZIP:./internal/zipdb \
	FuzzDetect:./internal/postcode FuzzLoad:./internal/ncoa FuzzReadList:./internal/suppression \
	FuzzSet:./internal/keyset FuzzReadSet:./internal/keyset FuzzParse:./internal/mergefield \
	FuzzEncode:./internal/imb FuzzDecode:./internal/imb FuzzReadLabelList:./internal/presort \
	FuzzLoadRateCard:./internal/ledger FuzzWriter:./formats/csv FuzzReader:./formats/parquet \
	FuzzOpen:./formats/input FuzzParse:./formats/jsonl FuzzMapHeader:./stages/ingest
FUZZTIME ?= 20s

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "fuzz $$name $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done
