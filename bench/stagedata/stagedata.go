// Package stagedata gives the stage packages' benchmarks the rows a stage
// receives in a run over generated contacts, so that each stage can be
// measured alone on the end-to-end benchmark's data mix.
//
// New generates contacts and the matching suppression lists and
// change-of-address file with bench/gen into a temporary directory. Input
// reads the contacts through the ingest source and runs them through every
// stage before the named one with the real engine (pipeline.Run), keeping a
// copy of the rows that come out live; Stage builds a fresh instance of a
// stage configured as `go run ./bench` configures postmill. A benchmark then
// puts the copied rows into batches of its own with Replay and times the
// stage's Process on them.
package stagedata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/postmill/postmill/bench/gen"
	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/account"
	"github.com/postmill/postmill/stages/batch"
	"github.com/postmill/postmill/stages/dedupe"
	"github.com/postmill/postmill/stages/ingest"
	"github.com/postmill/postmill/stages/render"
	"github.com/postmill/postmill/stages/suppress"
	"github.com/postmill/postmill/stages/validate"
)

// chain is the stages of a run over generated contacts, in order.
var chain = [...]string{"validate", "suppress", "dedupe", "render", "batch", "account"}

// Chain returns the names of the stages of a run, in order.
func Chain() []string { return slices.Clone(chain[:]) }

// Config says what to generate. The zero value is 100,000 contacts of
// seed 1.
type Config struct {
	// Rows is how many contacts to generate. Default (0): 100,000.
	Rows int
	// Seed seeds the generator. Default (0): 1, the end-to-end benchmark's.
	Seed uint64
}

// Data is one generated run's inputs and the job its rows belong to.
type Data struct {
	// Job is the job of every row; the stages built by Stage and run by
	// Input are bound to its schema.
	Job *pipeline.Job
	// Stats is what the generator injected.
	Stats gen.Stats

	root  string // the module's directory, for testdata
	files gen.Files
	state string // a directory for IMb serials and the ledger
	zips  *zipdb.DB
	coa   *ncoa.File
	lists *suppression.Index
	rates *ledger.RateCard
}

// Row is a copy of one row as a stage receives it.
type Row struct {
	// Num and Line are the row's source row number and input line.
	Num, Line int64
	// ID is the row's piece id.
	ID pipeline.PieceID
	// Fields are the values by the job's schema column index.
	Fields [][]byte
	// Notes are the informational codes the row carries.
	Notes []pipeline.Reason
}

// New generates cfg's contacts, suppression lists and change-of-address
// file into a temporary directory of tb, and loads what the stages share.
func New(tb testing.TB, cfg Config) *Data {
	tb.Helper()
	if cfg.Rows == 0 {
		cfg.Rows = 100_000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	ctx := context.Background()
	dir := tb.TempDir()
	files, stats, err := gen.WriteAll(ctx, filepath.Join(dir, "data"), gen.Config{Rows: cfg.Rows, Seed: cfg.Seed}, gen.CSV)
	if err != nil {
		tb.Fatal(err)
	}
	root, err := moduleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	d := &Data{
		Job:   &pipeline.Job{ID: "stagedata", Account: "client", Campaign: "bench", Source: files.Contacts, Schema: pipeline.NewSchema()},
		Stats: stats,
		root:  root,
		files: files,
		state: filepath.Join(dir, "state"),
	}
	if err := os.Mkdir(d.state, 0o755); err != nil {
		tb.Fatal(err)
	}
	if d.zips, err = zipdb.Load(); err != nil {
		tb.Fatal(err)
	}
	if d.coa, err = ncoa.LoadFile(files.COA, d.zips); err != nil {
		tb.Fatal(err)
	}
	scope := suppression.AccountScope(d.Job.Account)
	lists := []suppression.File{{Path: files.SuppressEmail, Scope: scope}, {Path: files.SuppressAddress, Scope: scope}}
	if d.lists, err = suppression.Load(ctx, lists, suppression.LoadConfig{ZIPs: d.zips}); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "stages/account/testdata/fixture-ratecard.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if d.rates, err = ledger.LoadRateCard(f); err != nil {
		tb.Fatal(err)
	}
	return d
}

// Stage returns a new instance of the named stage (one of Chain's), bound to
// the job's schema and configured as the end-to-end benchmark runs it; the
// account stage prices without a ledger. Presort spills go to a temporary
// directory; a batch stage is closed when tb ends.
func (d *Data) Stage(tb testing.TB, name string) pipeline.Stage {
	tb.Helper()
	st, err := d.newStage(name)
	if err != nil {
		tb.Fatalf("stage %s: %v", name, err)
	}
	if bs, ok := st.(*batch.Stage); ok {
		tb.Cleanup(func() { bs.Close() })
	}
	if b, ok := st.(pipeline.Binder); ok {
		if err := b.Bind(d.Job.Schema); err != nil {
			tb.Fatalf("bind stage %s: %v", name, err)
		}
	}
	return st
}

func (d *Data) newStage(name string) (pipeline.Stage, error) {
	switch name {
	case "validate":
		return validate.New(validate.Config{COA: d.coa, ZIPs: d.zips})
	case "suppress":
		return suppress.New(suppress.Config{Lists: d.lists})
	case "dedupe":
		return dedupe.New(dedupe.Config{Mode: dedupe.Individual})
	case "render":
		return render.New(render.Config{
			Front:      filepath.Join(d.root, "testdata/templates/front.html"),
			Back:       filepath.Join(d.root, "testdata/templates/back.txt"),
			PURLSecret: []byte("bench-campaign-secret-0123456789"),
		})
	case "batch":
		serials, err := imb.NewFileSerials(imb.FileSerialsConfig{Dir: d.state})
		if err != nil {
			return nil, err
		}
		return batch.New(batch.Config{MailerID: "123456", Serials: serials,
			LabelList: filepath.Join(d.root, "testdata/labels/adc-sample.csv"), SpillDir: d.state})
	case "account":
		return account.New(account.Config{Account: d.Job.Account, CreditType: "pc4x6", Campaign: d.Job.Campaign, RateCard: d.rates})
	}
	return nil, fmt.Errorf("unknown stage (want one of %s)", strings.Join(chain[:], ", "))
}

// Input returns copies of the rows that reach the named stage: the
// generated contacts ingested and run through every stage before it in
// the chain, in the order they reach it.
func (d *Data) Input(tb testing.TB, name string) []Row {
	tb.Helper()
	i := slices.Index(chain[:], name)
	if i < 0 {
		tb.Fatalf("unknown stage %q (want one of %s)", name, strings.Join(chain[:], ", "))
	}
	var steps []pipeline.Step
	for _, n := range chain[:i] {
		serial := n == "dedupe" || n == "batch" || n == "account"
		steps = append(steps, pipeline.Step{Name: n, Stage: d.Stage(tb, n), Serial: serial})
	}
	f, err := os.Open(d.files.Contacts)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rr := csv.NewReader(f, csv.ReaderConfig{})
	if _, err := rr.ReadHeader(); err != nil {
		tb.Fatal(err)
	}
	src, err := ingest.New(d.Job, rr, ingest.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	sink := &collector{}
	if _, err := pipeline.Run(context.Background(), pipeline.Config{Bound: true}, d.Job, src, steps, sink); err != nil {
		tb.Fatalf("run the stages before %s: %v", name, err)
	}
	return sink.rows
}

// Replay puts rows into batches of up to n rows (the first numbered seq)
// and calls fn with each; the batch is released after fn returns. It stops
// at fn's first error.
func (d *Data) Replay(rows []Row, n int, seq uint64, fn func(*pipeline.Batch) error) error {
	for start := 0; start < len(rows); start += n {
		b := pipeline.NewBatch(d.Job, seq)
		seq++
		for _, row := range rows[start:min(start+n, len(rows))] {
			r := b.AddRow()
			r.Num, r.Line, r.ID = row.Num, row.Line, row.ID
			copy(r.Fields, row.Fields)
			r.Notes = append(r.Notes, row.Notes...)
		}
		err := fn(b)
		b.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// Counts are the fates of the rows a stage was given.
type Counts struct {
	// Live, Rejected and Held count the rows of the batches given to
	// Process by the fate they left with; Deferred counts those a Flusher
	// kept for its Flush.
	Live, Rejected, Held, Deferred int
	// Emitted counts the live rows a Flusher emitted at the end.
	Emitted int
}

// Process runs st over rows as the engine does: Process on batches of up to
// n rows, then, for a [pipeline.Flusher], Flush, whose batches it counts
// and releases.
func (d *Data) Process(ctx context.Context, st pipeline.Stage, rows []Row, n int) (Counts, error) {
	var c Counts
	err := d.Replay(rows, n, 0, func(b *pipeline.Batch) error {
		if err := st.Process(ctx, b); err != nil {
			return err
		}
		for _, r := range b.Rows {
			switch r.Fate {
			case pipeline.Live:
				c.Live++
			case pipeline.Rejected:
				c.Rejected++
			case pipeline.Held:
				c.Held++
			case pipeline.Deferred:
				c.Deferred++
			}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if f, ok := st.(pipeline.Flusher); ok {
		err = f.Flush(ctx, func(b *pipeline.Batch) error {
			c.Emitted += len(b.Rows)
			b.Release()
			return nil
		})
	}
	return c, err
}

// collector is a sink that keeps a copy of every live row.
type collector struct {
	rows []Row
}

// Write copies the batch's live rows and releases it.
func (c *collector) Write(_ context.Context, b *pipeline.Batch) error {
	for _, r := range b.Rows {
		row := Row{Num: r.Num, Line: r.Line, ID: r.ID, Fields: make([][]byte, len(r.Fields)), Notes: slices.Clone(r.Notes)}
		for i, f := range r.Fields {
			row.Fields[i] = bytes.Clone(f)
		}
		c.rows = append(c.rows, row)
	}
	b.Release()
	return nil
}

// Close does nothing.
func (c *collector) Close(context.Context) error { return nil }

// moduleRoot is the directory of the postmill module, for its testdata:
// the nearest directory above the working directory (a test's package
// directory) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("stagedata: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Bench is one stage's benchmark on generated data: the stage runs over
// the rows that reach it in a run of 100,000 contacts, and the fates of
// the last pass are checked.
type Bench struct {
	// Stage names the stage (one of Chain's).
	Stage string
	// BatchRows is the rows in a batch. Default (0):
	// pipeline.DefaultBatchRows.
	BatchRows int
	// Fresh builds a new stage for every pass, outside the timing, for a
	// stage that remembers what it saw (dedupe) or keeps it (presort).
	// Default: one stage for all passes.
	Fresh bool
	// Want checks the last pass's counts against the number of rows given;
	// a non-nil error fails the benchmark.
	Want func(c Counts, rows int) error
}

// Run runs the benchmark, reporting rows/s beside the timing; building
// each batch from the copied rows is inside the timing.
func (bb Bench) Run(b *testing.B) {
	d := New(b, Config{})
	rows := d.Input(b, bb.Stage)
	n := bb.BatchRows
	if n <= 0 {
		n = pipeline.DefaultBatchRows
	}
	ctx := context.Background()
	var st pipeline.Stage
	if !bb.Fresh {
		st = d.Stage(b, bb.Stage)
	}
	var c Counts
	b.ReportAllocs()
	for b.Loop() {
		if bb.Fresh {
			b.StopTimer()
			st = d.Stage(b, bb.Stage)
			b.StartTimer()
		}
		var err error
		if c, err = d.Process(ctx, st, rows, n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
	if err := bb.Want(c, len(rows)); err != nil {
		b.Fatalf("%s over %d generated rows: %+v: %v", bb.Stage, len(rows), c, err)
	}
}

// SomeRejected is a Bench.Want: some rows rejected, at most maxShare of
// them, and the rest live.
func SomeRejected(maxShare float64) func(Counts, int) error {
	return func(c Counts, rows int) error {
		if c.Rejected == 0 || float64(c.Rejected) > maxShare*float64(rows) || c.Live+c.Rejected != rows {
			return fmt.Errorf("want some rows rejected, at most %.0f%%, and the rest live", 100*maxShare)
		}
		return nil
	}
}

// AllLive is a Bench.Want: every row live.
func AllLive(c Counts, rows int) error {
	if c.Live != rows {
		return errors.New("want every row live")
	}
	return nil
}

// AllEmitted is a Bench.Want for a stage that flushes: every row taken in,
// then emitted.
func AllEmitted(c Counts, rows int) error {
	if c.Deferred != rows || c.Emitted != rows {
		return errors.New("want every row taken in and emitted")
	}
	return nil
}
