package stagedata

import (
	"bytes"
	"context"
	"testing"

	"github.com/postmill/postmill/pipeline"
)

func TestInput(t *testing.T) {
	const n = 5_000
	d := New(t, Config{Rows: n, Seed: 3})
	chain := Chain()
	counts := map[string]int{}
	for _, name := range chain {
		counts[name] = len(d.Input(t, name))
	}
	if counts["validate"] != n {
		t.Errorf("validate gets %d rows, want all %d", counts["validate"], n)
	}
	// Every stage before render rejects some generated rows (invalid
	// addresses and moves, list hits, duplicates); render and presort pass
	// every row on.
	for i, name := range chain[1:4] {
		if prev := counts[chain[i]]; counts[name] >= prev || counts[name] < prev*8/10 {
			t.Errorf("%s gets %d rows after %s's %d: want a few percent fewer", name, counts[name], chain[i], prev)
		}
	}
	if counts["batch"] != counts["render"] || counts["account"] != counts["batch"] {
		t.Errorf("render gets %d rows, batch %d, account %d: want the same", counts["render"], counts["batch"], counts["account"])
	}
	wantMin := n - int(d.Stats.Invalid()+d.Stats.Suppressed()+d.Stats.Moved()) - n/10
	if counts["account"] < wantMin {
		t.Errorf("account gets %d rows, want at least %d", counts["account"], wantMin)
	}

	// The rows at account are presorted, rendered and (but for foreign
	// addresses) barcoded.
	rows := d.Input(t, "account")
	for _, c := range []struct {
		col  string
		want int // rows with a value, at least
	}{
		{"presort_level", len(rows)}, {"batch_id", len(rows)}, {"purl", len(rows)}, {"imb", len(rows) * 9 / 10},
	} {
		i, ok := d.Job.Schema.Index(c.col)
		if !ok {
			t.Fatalf("no column %s in the job's schema", c.col)
		}
		set := 0
		for _, r := range rows {
			if len(r.Fields[i]) > 0 {
				set++
			}
		}
		if set < c.want {
			t.Errorf("column %s set in %d of %d rows at account, want at least %d", c.col, set, len(rows), c.want)
		}
	}
}

func TestReplay(t *testing.T) {
	d := New(t, Config{Rows: 2_500})
	rows := d.Input(t, "suppress")
	var got []Row
	batches := 0
	err := d.Replay(rows, 1_000, 7, func(b *pipeline.Batch) error {
		if b.Seq != uint64(7+batches) {
			t.Errorf("batch %d has seq %d", batches, b.Seq)
		}
		batches++
		for _, r := range b.Rows {
			got = append(got, Row{Num: r.Num, Line: r.Line, ID: r.ID, Fields: append([][]byte(nil), r.Fields...)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (len(rows) + 999) / 1_000; batches != want {
		t.Errorf("%d batches of 1,000 for %d rows, want %d", batches, len(rows), want)
	}
	if len(got) != len(rows) {
		t.Fatalf("replayed %d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		if got[i].Num != rows[i].Num || got[i].ID != rows[i].ID {
			t.Fatalf("row %d replayed as %d %s, want %d %s", i, got[i].Num, got[i].ID, rows[i].Num, rows[i].ID)
		}
		for j := range rows[i].Fields {
			if !bytes.Equal(got[i].Fields[j], rows[i].Fields[j]) {
				t.Fatalf("row %d field %d replayed as %q, want %q", i, j, got[i].Fields[j], rows[i].Fields[j])
			}
		}
	}
}

func TestProcess(t *testing.T) {
	d := New(t, Config{Rows: 3_000})
	ctx := context.Background()

	rows := d.Input(t, "validate")
	c, err := d.Process(ctx, d.Stage(t, "validate"), rows, 512)
	if err != nil {
		t.Fatal(err)
	}
	if c.Live+c.Rejected+c.Held != len(rows) || c.Rejected == 0 || c.Deferred != 0 || c.Emitted != 0 {
		t.Errorf("validate: %+v for %d rows, want some rejected and the rest live", c, len(rows))
	}
	if next := len(d.Input(t, "suppress")); next != c.Live {
		t.Errorf("validate left %d rows live, but %d reach suppress", c.Live, next)
	}

	// Presort keeps every row until its flush, then emits them all.
	rows = d.Input(t, "batch")
	c, err = d.Process(ctx, d.Stage(t, "batch"), rows, 512)
	if err != nil {
		t.Fatal(err)
	}
	if c.Deferred != len(rows) || c.Emitted != len(rows) || c.Live != 0 {
		t.Errorf("batch: %+v for %d rows, want all deferred and emitted", c, len(rows))
	}
}

func TestWants(t *testing.T) {
	tests := []struct {
		name string
		want func(Counts, int) error
		c    Counts
		ok   bool
	}{
		{"some rejected", SomeRejected(0.1), Counts{Live: 95, Rejected: 5}, true},
		{"none rejected", SomeRejected(0.1), Counts{Live: 100}, false},
		{"too many rejected", SomeRejected(0.1), Counts{Live: 80, Rejected: 20}, false},
		{"rows lost", SomeRejected(0.1), Counts{Live: 90, Rejected: 5}, false},
		{"all live", AllLive, Counts{Live: 100}, true},
		{"one held", AllLive, Counts{Live: 99, Held: 1}, false},
		{"all emitted", AllEmitted, Counts{Deferred: 100, Emitted: 100}, true},
		{"one not emitted", AllEmitted, Counts{Deferred: 100, Emitted: 99}, false},
	}
	for _, tt := range tests {
		if err := tt.want(tt.c, 100); (err == nil) != tt.ok {
			t.Errorf("%s: %+v of 100 rows: %v, want ok=%v", tt.name, tt.c, err, tt.ok)
		}
	}
}
