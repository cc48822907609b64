# The two commands of the README: `make run` (the main job on the sample) and
# `make test` (every test, with what the tests need started first).
GO ?= go

.PHONY: test run bench build vet fuzz

test:
	./deploy/local/postgres-up.sh
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 12m ./...

run:
	$(GO) run ./cmd/postmill run testdata/afc/sample.csv --out out/

build:
	$(GO) build -o postmill ./cmd/postmill

vet:
	$(GO) vet ./...

# A short fuzz pass over every parser's fuzz target.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 30s ./formats/csv
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 15s ./formats/jsonl
