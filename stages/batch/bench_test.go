package batch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/pipeline"
)

// synthSource makes n pieces of about 130 bytes over ~98,000 ZIP Codes, a
// third with a ZIP+4 and 1 in 200 foreign, without reading a file.
type synthSource struct {
	job  *pipeline.Job
	n, i int64
	seq  uint64
	r    *rand.Rand
	buf  []byte
	cols [6]int
}

func newSynthSource(job *pipeline.Job, n int64) *synthSource {
	s := &synthSource{job: job, n: n, r: rand.New(rand.NewPCG(1, 2))}
	for i, c := range []string{ColZip4, ColStatus, "var_field_1"} {
		s.cols[i] = job.Schema.Add(c)
	}
	return s
}

var (
	firsts  = []string{"Ada", "Grace", "Alan", "Katherine", "Dorothy", "Edsger", "Barbara", "Margaret"}
	lasts   = []string{"Lovelace", "Hopper", "Turing", "Johnson", "Vaughan", "Dijkstra", "Liskov", "Hamilton"}
	streets = []string{"Main St", "Harbor Rd", "Elm Ave", "Summit Ridge Rd", "Oak Ln", "Park Pl"}
)

func (s *synthSource) Next(ctx context.Context) (*pipeline.Batch, error) {
	if s.i >= s.n {
		return nil, pipeline.EOF
	}
	b := pipeline.NewBatch(s.job, s.seq)
	s.seq++
	for range pipeline.DefaultBatchRows {
		if s.i >= s.n {
			break
		}
		s.i++
		r := b.AddRow()
		r.Num, r.Line = s.i, s.i+1
		r.ID = pipeline.NewPieceID(s.job, s.i)
		set := func(col int, v []byte) { r.Fields[col] = b.Copy(v) }
		set(pipeline.ColFirstName, []byte(firsts[s.r.IntN(len(firsts))]))
		set(pipeline.ColLastName, []byte(lasts[s.r.IntN(len(lasts))]))
		s.buf = strconv.AppendInt(s.buf[:0], int64(1+s.r.IntN(9999)), 10)
		s.buf = append(s.buf, ' ')
		s.buf = append(s.buf, streets[s.r.IntN(len(streets))]...)
		set(pipeline.ColStreet, s.buf)
		set(pipeline.ColCity, []byte("Springfield"))
		set(pipeline.ColEmail, fmt.Appendf(s.buf[:0], "user%d@example.com", s.i))
		set(s.cols[2], []byte("Spring Sale"))
		if s.r.IntN(200) == 0 {
			set(pipeline.ColCountry, []byte("CA"))
			set(s.cols[1], []byte("international"))
			continue
		}
		set(pipeline.ColState, []byte("IL"))
		set(pipeline.ColZip, fmt.Appendf(s.buf[:0], "%05d", 1000+s.r.IntN(98000)))
		if s.r.IntN(3) == 0 {
			set(s.cols[0], fmt.Appendf(s.buf[:0], "%04d", s.r.IntN(10000)))
		}
		set(s.cols[1], []byte("valid"))
	}
	return b, nil
}

// checkSink counts the pieces and checks that sequence numbers rise.
type checkSink struct {
	rows, intl int64
	seqCol     int
	last       map[string]int64
	batchCol   int
	err        error
}

func (c *checkSink) Write(ctx context.Context, b *pipeline.Batch) error {
	defer b.Release()
	for _, r := range b.Rows {
		c.rows++
		seq, _ := strconv.ParseInt(string(r.Field(c.seqCol)), 10, 64)
		id := string(r.Field(c.batchCol))
		if seq != c.last[id]+1 && c.err == nil {
			c.err = fmt.Errorf("batch %s: sequence %d after %d", id, seq, c.last[id])
		}
		c.last[id] = seq
	}
	return nil
}

func (c *checkSink) Close(ctx context.Context) error { return c.err }

// presortRun presorts n synthetic pieces with IMbs and returns the stage's
// section and the elapsed time.
func presortRun(tb testing.TB, n int64, spill, state string) (Section, time.Duration) {
	return presortRunRows(tb, n, 0, spill, state)
}

// presortRunRows is presortRun with Config.MemoryRows set to memoryRows.
func presortRunRows(tb testing.TB, n int64, memoryRows int, spill, state string) (Section, time.Duration) {
	return presortRunConfig(tb, n, Config{SpillDir: spill, MemoryRows: memoryRows}, state)
}

// presortRunConfig is presortRun with the stage configured by cfg, to which
// it adds a Mailer ID, file serials in state and the sample label list.
func presortRunConfig(tb testing.TB, n int64, cfg Config, state string) (Section, time.Duration) {
	fs, err := imb.NewFileSerials(imb.FileSerialsConfig{Dir: state})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.MailerID, cfg.Serials, cfg.LabelList = "123456", fs, "../../testdata/labels/adc-sample.csv"
	st, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	job := &pipeline.Job{ID: "bench", Account: "a", Campaign: "c", Schema: pipeline.NewSchema()}
	src := newSynthSource(job, n)
	if err := st.Bind(job.Schema); err != nil {
		tb.Fatal(err)
	}
	sink := &checkSink{last: map[string]int64{}}
	sink.seqCol, _ = job.Schema.Index(ColSequence)
	sink.batchCol, _ = job.Schema.Index(ColBatchID)
	t0 := time.Now()
	// The stage is already bound; wrap it so the engine does not bind it again.
	step := pipeline.Step{Name: "batch", Stage: boundStage{st}, Serial: true}
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, src, []pipeline.Step{step}, sink)
	if err != nil {
		tb.Fatal(err)
	}
	if rep.Accepted != n || sink.rows != n {
		tb.Fatalf("accepted %d, sink %d, want %d", rep.Accepted, sink.rows, n)
	}
	return st.Report().(Section), time.Since(t0)
}

// boundStage hides Bind from the engine.
type boundStage struct{ s *Stage }

func (b boundStage) Process(ctx context.Context, batch *pipeline.Batch) error {
	return b.s.Process(ctx, batch)
}
func (b boundStage) Flush(ctx context.Context, emit func(*pipeline.Batch) error) error {
	return b.s.Flush(ctx, emit)
}

// BenchmarkPresort presorts 200,000 pieces in process (spilling one run).
func BenchmarkPresort(b *testing.B) {
	const n = 200_000
	for b.Loop() {
		presortRun(b, n, b.TempDir(), b.TempDir())
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pieces/s")
}

// BenchmarkPresortSpill presorts 200,000 pieces (about two a ZIP Code, so
// mostly 3digit, some 5digit, aadc and mixed, and foreign ones) keeping
// 50,000 in memory: three runs are spilled and merged with the last.
// It runs with the runs written plain (the default) and S2-compressed.
func BenchmarkPresortSpill(b *testing.B) {
	const n = 200_000
	for _, compress := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "s2"}[compress], func(b *testing.B) {
			var sec Section
			for b.Loop() {
				sec, _ = presortRunConfig(b, n, Config{MemoryRows: 50_000, CompressSpills: compress, SpillDir: b.TempDir()}, b.TempDir())
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pieces/s")
			b.ReportMetric(float64(sec.SpilledBytes)/n, "spilled-B/piece")
			if len(sec.Batches) > 0 {
				b.Logf("%d runs; levels %v", sec.Runs, sec.Batches[0].Levels)
			}
		})
	}
}

// BenchmarkPresortRSS presorts 5,000,000 pieces with IMbs in a child process
// and reports its peak RSS (budget: < 500 MB) and time. POSTMILL_PRESORT_N
// overrides the count.
func BenchmarkPresortRSS(b *testing.B) {
	n := int64(5_000_000)
	if v := os.Getenv("POSTMILL_PRESORT_N"); v != "" {
		n, _ = strconv.ParseInt(v, 10, 64)
	}
	var maxRSS int64
	var elapsed time.Duration
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPresortChild$", "-test.v")
		cmd.Env = append(os.Environ(), "POSTMILL_PRESORT_CHILD="+strconv.FormatInt(n, 10), "GOMAXPROCS="+strconv.Itoa(runtime.GOMAXPROCS(0)))
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		elapsed += time.Since(t0)
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		b.Logf("%s", out)
		maxRSS = max(maxRSS, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) // KiB on Linux
	}
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "pieces/s")
}

// TestPresortChild is the child of BenchmarkPresortRSS; it does nothing
// unless the benchmark started it.
func TestPresortChild(t *testing.T) {
	v := os.Getenv("POSTMILL_PRESORT_CHILD")
	if v == "" {
		t.Skip("run by BenchmarkPresortRSS")
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	sec, d := presortRun(t, n, t.TempDir(), t.TempDir())
	t.Logf("%d pieces in %v (%.0f/s); %d runs, %d MB spilled; batches %+v", n, d.Round(time.Millisecond), float64(n)/d.Seconds(),
		sec.Runs, sec.SpilledBytes>>20, sec.Batches)
}
