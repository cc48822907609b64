package dedupe_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/dedupe"
)

// people are standardized rows: 1 and 2 are the same person spelled
// differently, 3 is a housemate, 4 lives next door, 5 has no address, 6
// repeats 5, 7 is a housemate with the same surname as 1.
var people = []map[string]string{
	{"first_name": "Ann", "last_name": "O'Brien", "address_street": "22 HARBOR RD", "address_zip": "02108"},
	{"first_name": "ANN", "last_name": "OBrien", "address_street": "22 HARBOR RD", "address_zip": "02108-1234"},
	{"first_name": "Bob", "last_name": "Lee", "address_street": "22 HARBOR RD", "address_zip": "02108"},
	{"first_name": "Ann", "last_name": "O'Brien", "address_street": "24 HARBOR RD", "address_zip": "02108"},
	{"first_name": "Cy", "last_name": "Nowhere"},
	{"first_name": "Cy", "last_name": "Nowhere"},
	{"first_name": "Dee", "last_name": "O Brien", "address_street": "22 HARBOR RD", "address_zip": "02108"},
}

func kept(job *pipeline.Job, row int64) string {
	return fmt.Sprintf("kept piece %s row %d", pipeline.NewPieceID(job, row), row)
}

func TestModes(t *testing.T) {
	type want struct {
		row    int64
		detail int64 // kept row; 0 for a live row
	}
	for _, tc := range []struct {
		mode  dedupe.Mode
		dups  []want
		noKey int64
	}{
		{dedupe.Individual, []want{{2, 1}}, 2},
		{dedupe.Household, []want{{2, 1}, {7, 1}}, 2},
		{dedupe.Address, []want{{2, 1}, {3, 1}, {7, 1}}, 2},
		{dedupe.Off, nil, 0},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			st, err := dedupe.New(dedupe.Config{Mode: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			job := pipelinetest.NewJob()
			sink, rep := pipelinetest.RunStage(t, pipeline.Step{Name: "dedupe", Stage: st, Serial: true}, job,
				pipelinetest.NewBatch(t, job, 0, 1, people[:3]...), pipelinetest.NewBatch(t, job, 1, 4, people[3:]...))
			dup := map[int64]int64{}
			for _, w := range tc.dups {
				dup[w.row] = w.detail
			}
			for row := int64(1); row <= int64(len(people)); row++ {
				got := sink.Find(t, row)
				if k, ok := dup[row]; ok {
					if got.Fate != pipeline.Rejected || got.Reason != pipeline.DuplicateFamily.With(string(tc.mode)) || got.Detail != kept(job, k) {
						t.Errorf("row %d: got %s %q %q, want duplicate of row %d", row, got.Fate, got.Reason, got.Detail, k)
					}
				} else if got.Fate != pipeline.Live {
					t.Errorf("row %d: got %s %q, want accepted", row, got.Fate, got.Reason)
				}
			}
			sec := rep.Sections["dedupe"].(dedupe.Report)
			if sec.Mode != string(tc.mode) || sec.RowsChecked != 7 || sec.Kept != int64(7-len(tc.dups)) || sec.NoAddressKey != tc.noKey {
				t.Errorf("report %+v", sec)
			}
			if tc.mode != dedupe.Off && sec.Duplicates[string(tc.mode)] != int64(len(tc.dups)) {
				t.Errorf("duplicates %v, want %d", sec.Duplicates, len(tc.dups))
			}
		})
	}
	if _, err := dedupe.ParseMode("family"); err == nil {
		t.Error("ParseMode accepted family")
	}
}

// manyRows builds n rows over a small universe so that about half repeat.
func manyRows(n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		p := (i * 7919) % (n / 2)
		out[i] = map[string]string{
			"first_name":     []string{"Ann", "ann", "ANN"}[i%3],
			"last_name":      fmt.Sprintf("Lee%d", p%97),
			"address_street": fmt.Sprintf("%d MAIN ST", p),
			"address_zip":    "02108",
		}
	}
	return out
}

// runChain runs a parallel upstream stage with workers workers, then
// dedupe, over the same input, and returns each row's fate and detail.
func runChain(t *testing.T, workers int, rows []map[string]string) []string {
	t.Helper()
	job := pipelinetest.NewJob()
	var batches []*pipeline.Batch
	for i := 0; i < len(rows); i += 64 {
		batches = append(batches, pipelinetest.NewBatch(t, job, uint64(i/64), int64(i+1), rows[i:min(i+64, len(rows))]...))
	}
	upstream := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		// Uneven work so parallel workers finish out of order.
		for range int(b.Seq%5) * 200 {
			runtime.Gosched()
		}
		return nil
	})
	st, err := dedupe.New(dedupe.Config{Mode: dedupe.Individual})
	if err != nil {
		t.Fatal(err)
	}
	sink := &pipelinetest.Sink{}
	if _, err := pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Source(batches...), []pipeline.Step{
		{Name: "validate", Stage: upstream, Workers: workers},
		{Name: "dedupe", Stage: st, Serial: true},
	}, sink); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for _, r := range sink.Rows {
		out[r.Num-1] = fmt.Sprintf("%s %s %s", r.Fate, r.Reason, r.Detail)
	}
	return out
}

func TestDedupeSameWithWorkers(t *testing.T) {
	rows := manyRows(4000)
	one, eight := runChain(t, 1, rows), runChain(t, 8, rows)
	dups := 0
	for i := range one {
		if one[i] != eight[i] {
			t.Fatalf("row %d: 1 worker %q, 8 workers %q", i+1, one[i], eight[i])
		}
		if strings.HasPrefix(one[i], "rejected") {
			dups++
		}
	}
	if dups != 2000 {
		t.Fatalf("%d duplicates, want 2000", dups)
	}
	// The kept row is the first of its person in input order.
	job := pipelinetest.NewJob()
	first := map[int]int64{}
	for i := range rows {
		p := (i * 7919) % (len(rows) / 2)
		want := "accepted  "
		if k, ok := first[p]; ok {
			want = "rejected duplicate:individual " + kept(job, k)
		} else {
			first[p] = int64(i + 1)
		}
		if one[i] != want {
			t.Fatalf("row %d: %q, want %q", i+1, one[i], want)
		}
	}
}

// historyRun runs dedupe with history over rows, then a stage that rejects
// the rows in rejectLater (standing for render or account), into a sink
// wrapped by the Recorder, and commits on success.
func historyRun(t *testing.T, h dedupe.History, now time.Time, rows []map[string]string, rejectLater map[int64]bool) (*pipelinetest.Sink, dedupe.Report) {
	t.Helper()
	job := pipelinetest.NewJob()
	st, err := dedupe.New(dedupe.Config{History: h, Window: 30 * 24 * time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	later := pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
		for _, r := range b.Rows {
			if rejectLater[r.Num] {
				r.Reject(pipeline.MissingMergeField.With("var_field_1"), "")
			}
		}
		return nil
	})
	sink := &pipelinetest.Sink{}
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job,
		pipelinetest.Source(pipelinetest.NewBatch(t, job, 0, 1, rows...)),
		[]pipeline.Step{{Name: "dedupe", Stage: st, Serial: true}, {Name: "render", Stage: later}}, st.Recorder(sink))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sink, rep.Sections["dedupe"].(dedupe.Report)
}

func TestHistoryReplay(t *testing.T) {
	dir := t.TempDir()
	historyReplay(t, func() dedupe.History { return dedupe.NewFileHistory(dir, 0) })
}

// historyReplay runs the history's story over a history that newHist opens
// afresh for each run (reading what the runs before recorded).
func historyReplay(t *testing.T, newHist func() dedupe.History) {
	day := time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	rows := people[:4]

	// First run: row 2 is an in-run duplicate, row 4 is rejected by a later
	// stage, so rows 1 and 3 are mailed and recorded.
	sink, rep := historyRun(t, newHist(), day, rows, map[int64]bool{4: true})
	if rep.History == nil || rep.History.ToRecord != 2 || rep.History.Rejected != 0 {
		t.Fatalf("first run report %+v %+v", rep, rep.History)
	}
	sink.RequireFate(t, 1, pipeline.Live, "")
	sink.RequireFate(t, 3, pipeline.Live, "")

	// Replay ten days later, with a fresh history reading the files: everyone
	// mailed is rejected; row 4 was never mailed and goes through.
	sink, rep = historyRun(t, newHist(), day.AddDate(0, 0, 10), rows, nil)
	for _, row := range []int64{1, 2, 3} {
		got := sink.Find(t, row)
		if got.Reason != dedupe.DuplicateHistory || got.Detail != "last mailed 2026-03-01" {
			t.Errorf("replay row %d: %s %q %q, want duplicate:history", row, got.Fate, got.Reason, got.Detail)
		}
	}
	sink.RequireFate(t, 4, pipeline.Live, "")
	if rep.History.Rejected != 3 || rep.Duplicates["history"] != 3 || rep.History.WindowDays != 30 {
		t.Errorf("replay report %+v %+v", rep, rep.History)
	}

	// Past the window (30 days after the first run; row 4 was mailed on
	// day 10): rows 1-3 go through again, row 4 is still within its window.
	sink, _ = historyRun(t, newHist(), day.AddDate(0, 0, 30), rows, nil)
	sink.RequireFate(t, 1, pipeline.Live, "")
	sink.RequireFate(t, 2, pipeline.Rejected, pipeline.DuplicateFamily.With("individual"))
	sink.RequireFate(t, 3, pipeline.Live, "")
	sink.RequireFate(t, 4, pipeline.Rejected, dedupe.DuplicateHistory)

	// Another campaign of the same account has its own history.
	job := pipelinetest.NewJob()
	job.Campaign = "other"
	st, _ := dedupe.New(dedupe.Config{History: newHist(), Now: func() time.Time { return day.AddDate(0, 0, 1) }})
	s2, _ := pipelinetest.RunStage(t, pipeline.Step{Name: "dedupe", Stage: st, Serial: true}, job, pipelinetest.NewBatch(t, job, 0, 1, rows[:1]...))
	s2.RequireFate(t, 1, pipeline.Live, "")
}

func TestCommitNeedsRecorder(t *testing.T) {
	st, _ := dedupe.New(dedupe.Config{History: dedupe.NewFileHistory(t.TempDir(), 0)})
	job := pipelinetest.NewJob()
	pipelinetest.RunStage(t, pipeline.Step{Name: "dedupe", Stage: st, Serial: true}, job, pipelinetest.NewBatch(t, job, 0, 1, people...))
	if err := st.Commit(context.Background()); err == nil || !strings.Contains(err.Error(), "Recorder") {
		t.Fatalf("Commit without Recorder: %v", err)
	}
	off, _ := dedupe.New(dedupe.Config{})
	if err := off.Commit(context.Background()); err != nil {
		t.Fatalf("Commit without history: %v", err)
	}
}

// TestFinish: run by the engine, the stage lets go of its table at the end
// of input (pipeline.Finisher), the report still counts the keys it held,
// and a batch after that is an error, not a fresh table.
// TestPresizedTable: a table presized past the prefault threshold (touched
// by a goroutine of New's while the job starts) dedupes as a growing one
// does, and a stage finished before its first batch lets go of it cleanly.
func TestPresizedTable(t *testing.T) {
	const n = 2000
	rows := manyRows(n)
	run := func(expected int) dedupe.Report {
		t.Helper()
		job := pipelinetest.NewJob()
		st, err := dedupe.New(dedupe.Config{Mode: dedupe.Individual, ExpectedRows: expected})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job,
			pipelinetest.Source(pipelinetest.NewBatch(t, job, 0, 1, rows...)),
			[]pipeline.Step{{Name: "dedupe", Stage: st, Serial: true}}, &pipelinetest.Sink{})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Sections["dedupe"].(dedupe.Report)
	}
	grown, presized := run(0), run(1<<20)
	if grown.Keys != n/2 || grown.Kept != n/2 || grown.Duplicates["individual"] != n/2 {
		t.Fatalf("growing table: %+v; want %d keys, kept and duplicates", grown, n/2)
	}
	if presized.Keys != grown.Keys || presized.Kept != grown.Kept || presized.Duplicates["individual"] != grown.Duplicates["individual"] {
		t.Fatalf("presized table: %+v; growing one: %+v", presized, grown)
	}
	st, err := dedupe.New(dedupe.Config{Mode: dedupe.Individual, ExpectedRows: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	st.Finish()
	if got := st.Report().(dedupe.Report); got.Keys != 0 || got.RowsChecked != 0 {
		t.Fatalf("report of a stage finished before any batch: %+v", got)
	}
}

func TestFinish(t *testing.T) {
	rows := manyRows(1000)
	job := pipelinetest.NewJob()
	st, err := dedupe.New(dedupe.Config{Mode: dedupe.Individual})
	if err != nil {
		t.Fatal(err)
	}
	var _ pipeline.Finisher = st
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job,
		pipelinetest.Source(pipelinetest.NewBatch(t, job, 0, 1, rows...)),
		[]pipeline.Step{{Name: "dedupe", Stage: st, Serial: true}}, &pipelinetest.Sink{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Sections["dedupe"].(dedupe.Report); got.Keys != 500 || got.Kept != 500 {
		t.Fatalf("report after Finish: %d keys, %d kept; want 500 and 500", got.Keys, got.Kept)
	}
	err = st.Process(context.Background(), pipelinetest.NewBatch(t, job, 1, 1001, rows[0]))
	if err == nil || !strings.Contains(err.Error(), "after Finish") {
		t.Fatalf("Process after Finish: %v", err)
	}
}
