// Package bench holds postmill's end-to-end and engine benchmarks and the
// data they run on. Run them with `go test -bench . -benchmem ./bench/`
// (see RESULTS.md for the figures and the machine).
package bench
