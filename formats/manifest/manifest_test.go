package manifest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/formats/manifest"
	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/batch"
	"github.com/postmill/postmill/stages/ingest"
	"github.com/postmill/postmill/stages/render"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var fixedNow = func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }

// pricer stands in for the account stage: it adds postage (0.4010 for
// every third row, else 0.5210) and holds every 17th row.
type pricer struct{ col int }

func (p *pricer) Bind(s *pipeline.Schema) error { p.col = s.Add("postage"); return nil }
func (p *pricer) Process(ctx context.Context, b *pipeline.Batch) error {
	for _, r := range b.Rows {
		if r.Num%17 == 0 {
			r.Hold(pipeline.HeldInsufficient, "")
			continue
		}
		for len(r.Fields) <= p.col {
			r.Fields = append(r.Fields, nil)
		}
		price := "0.5210"
		if r.Num%3 == 0 { // two prices, in runs of rows as levels give
			price = "0.4010"
		}
		r.Fields[p.col] = b.Copy([]byte(price))
	}
	return nil
}

// teeSink feeds the manifest writer and releases the batch, as the run's
// other sink does.
type teeSink struct {
	w         *manifest.Writer
	manifests []manifest.Manifest
	accepted  int64
}

func (s *teeSink) Write(ctx context.Context, b *pipeline.Batch) error {
	defer b.Release()
	s.accepted += int64(len(b.Rows))
	return s.w.Add(ctx, b)
}

func (s *teeSink) Close(ctx context.Context) error {
	var err error
	s.manifests, err = s.w.Close(ctx)
	return err
}

type runCfg struct {
	out     string
	state   string // IMb serial state directory
	parquet bool
	memRows int
	priced  bool
	rows    []map[string]string
	labels  string
	// consume puts a consumer after the writer (w.Sink), as postmill run
	// has the run directory, instead of a sink that calls Add itself.
	consume *consumer
}

// runChain runs render ► batch (► pricer) with the manifest writer at the end.
func runChain(t *testing.T, c runCfg) (*teeSink, *pipeline.Report) {
	t.Helper()
	rs, err := render.New(render.Config{
		FrontSource: []byte("Hi {{first_name|title|Friend}}, code {{var_field_1|upper}}"),
		BackSource:  []byte("example.com/{{purl}}"),
		PURLSecret:  []byte("0123456789abcdef0123"),
	})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := imb.NewFileSerials(imb.FileSerialsConfig{Dir: c.state})
	if err != nil {
		t.Fatal(err)
	}
	bs, err := batch.New(batch.Config{Vendor: "Acme Print", TrayMax: 5, MailerID: "123456", Serials: fs,
		LabelList: c.labels, MemoryRows: c.memRows, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob("var_field_1", "address_zip4", "address_status", "email")
	job.ID = "sample.csv-0a1b2c3d"
	var batches []*pipeline.Batch
	for i := 0; i < len(c.rows); i += 40 {
		batches = append(batches, pipelinetest.NewBatch(t, job, uint64(i/40), int64(i+1), c.rows[i:min(i+40, len(c.rows))]...))
	}
	steps := []pipeline.Step{{Name: "render", Stage: rs}, {Name: "batch", Stage: bs, Serial: true}}
	if c.priced {
		steps = append(steps, pipeline.Step{Name: "account", Stage: &pricer{}})
	}
	w, err := manifest.New(c.out, job, manifest.Config{Parquet: c.parquet, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	sink := &teeSink{w: w}
	var runSink pipeline.Sink = sink
	if c.consume != nil {
		runSink = w.Sink(c.consume)
	}
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Source(batches...), steps, runSink)
	if err != nil {
		t.Fatal(err)
	}
	if c.consume != nil {
		sink.manifests, sink.accepted = w.Manifests(), int64(len(c.consume.ids))
	}
	return sink, rep
}

// consumer reads batches without releasing them, as the run directory does
// after the manifest writer, and now and then slowly, so that the writer
// runs behind or ahead of it. It checks that each batch is whole while it
// reads it (every live row has its batch_id).
type consumer struct {
	ids    []pipeline.PieceID
	closed bool
}

func (c *consumer) Consume(ctx context.Context, b *pipeline.Batch) error {
	col, ok := b.Job.Schema.Index(manifest.ColBatchID)
	if !ok {
		return errors.New("consumer: no batch_id column")
	}
	for _, r := range b.Rows {
		if len(r.Field(col)) == 0 {
			return fmt.Errorf("consumer: row %d has no batch_id: the batch was released under it", r.Num)
		}
		c.ids = append(c.ids, r.ID)
		if len(c.ids)%7 == 0 {
			time.Sleep(200 * time.Microsecond)
		}
	}
	return nil
}

func (c *consumer) Write(ctx context.Context, b *pipeline.Batch) error {
	defer b.Release()
	return c.Consume(ctx, b)
}

func (c *consumer) Close(ctx context.Context) error { c.closed = true; return nil }

// crafted returns rows covering every level: 12 in 10001 (5digit, trays
// split at 5), 6+4 in 303xx (3digit), 5+5 in 60x (aadc with the sample
// list), 3 in 20001 (mixed), 2 foreign, 1 with a blank var_field_1
// (rejected by render).
func crafted() []map[string]string {
	var rows []map[string]string
	add := func(n int, zip, zip4, status, country string) {
		for range n {
			i := len(rows) + 1
			rows = append(rows, map[string]string{"first_name": fmt.Sprintf("ada%d", i), "last_name": "Lovelace",
				"address_street": fmt.Sprintf("%d Main St", i), "address_city": "Town", "address_state": "NY",
				"address_zip": zip, "address_zip4": zip4, "address_status": status, "address_country": country,
				"var_field_1": fmt.Sprint("code", i), "email": fmt.Sprintf("a%d@example.com", i)})
		}
	}
	add(12, "10001", "0001", "valid", "US")
	add(6, "30301", "", "valid", "US")
	add(4, "30302", "1234", "corrected", "US")
	add(5, "60001", "", "valid", "US")
	add(5, "60101", "", "valid", "US")
	add(3, "20001", "", "valid", "US")
	add(2, "", "", "international", "CA")
	add(1, "10001", "", "valid", "US")
	rows[len(rows)-1]["var_field_1"] = ""
	return rows
}

const labels = "../../testdata/labels/adc-sample.csv"

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// TestEndToEnd runs render ► batch ► pricer into the manifest writer and
// checks the batch directories against golden files and Verify.
func TestEndToEnd(t *testing.T) {
	out := t.TempDir()
	sink, rep := runChain(t, runCfg{out: out, state: t.TempDir(), parquet: true, priced: true, rows: crafted(), labels: labels})
	if rep.Rejected != 1 || rep.Reasons["missing_merge_field:var_field_1"] != 1 || rep.Held != 2 {
		t.Fatalf("report: accepted %d rejected %d held %d %v", rep.Accepted, rep.Rejected, rep.Held, rep.Reasons)
	}
	if len(sink.manifests) != 2 {
		t.Fatalf("%d manifests, want domestic and international", len(sink.manifests))
	}
	var pieces int64
	for _, m := range sink.manifests {
		pieces += m.Pieces
		dir := filepath.Join(out, manifest.BatchesDir, m.BatchID)
		scope := "domestic"
		if strings.Contains(m.BatchID, "-international-") {
			scope = "international"
		}
		pieces := readFile(t, filepath.Join(dir, manifest.PiecesCSV))
		golden(t, scope+"/pieces.csv", pieces)
		golden(t, scope+"/manifest.json", readFile(t, filepath.Join(dir, manifest.ManifestJSON)))
		// The manifest's postage is the sum of the pieces' column.
		var cents int64
		recs, hdr := readCSV(t, pieces)
		col := slices.Index(hdr, "postage")
		for _, rec := range recs {
			a, err := ledger.ParseAmount(rec[col])
			if err != nil {
				t.Fatal(err)
			}
			cents += int64(a)
		}
		if got := "null"; m.Postage == nil || *m.Postage != ledger.Amount(cents).String() {
			if m.Postage != nil {
				got = *m.Postage
			}
			t.Errorf("%s: manifest postage %s, pieces.csv sums to %s", scope, got, ledger.Amount(cents))
		}
	}
	if pieces != rep.Accepted || pieces != sink.accepted {
		t.Fatalf("manifests hold %d pieces, %d accepted", pieces, rep.Accepted)
	}
	vr, err := manifest.Verify(out)
	if err != nil || !vr.OK() || len(vr.Batches) != 2 {
		t.Fatalf("verify: %v %+v", err, vr)
	}
}

// TestSinkWithConsumer runs the writer as postmill run does, in front of a
// consumer that reads each batch at the same time: the consumer sees every
// accepted piece in order, each batch whole, and is closed; the batches
// written are byte for byte those of a sink that adds each batch itself.
func TestSinkWithConsumer(t *testing.T) {
	rows := crafted()
	for i := range 300 { // more batches than the writer may fall behind
		rows = append(rows, map[string]string{"first_name": fmt.Sprint("Extra", i), "last_name": "Row",
			"address_street": fmt.Sprint(i+1, " Main St"), "address_city": "New York", "address_state": "NY",
			"address_zip": "10001", "var_field_1": "x"})
	}
	ref, dir := t.TempDir(), t.TempDir()
	want, _ := runChain(t, runCfg{out: ref, state: t.TempDir(), priced: true, rows: rows, labels: labels})
	c := &consumer{}
	got, rep := runChain(t, runCfg{out: dir, state: t.TempDir(), priced: true, rows: rows, labels: labels, consume: c})
	if !c.closed {
		t.Error("the consumer was not closed")
	}
	if int64(len(c.ids)) != rep.Accepted || rep.Accepted != want.accepted || rep.Accepted < 300 {
		t.Fatalf("consumer saw %d pieces, the run accepted %d, the reference %d", len(c.ids), rep.Accepted, want.accepted)
	}
	if len(got.manifests) != len(want.manifests) {
		t.Fatalf("%d manifests, want %d", len(got.manifests), len(want.manifests))
	}
	var order []string
	for i, m := range got.manifests {
		if m.BatchID != want.manifests[i].BatchID || m.Pieces != want.manifests[i].Pieces {
			t.Fatalf("manifest %d: %s with %d pieces, want %s with %d", i, m.BatchID, m.Pieces, want.manifests[i].BatchID, want.manifests[i].Pieces)
		}
		gotCSV := readFile(t, filepath.Join(dir, manifest.BatchesDir, m.BatchID, manifest.PiecesCSV))
		if wantCSV := readFile(t, filepath.Join(ref, manifest.BatchesDir, m.BatchID, manifest.PiecesCSV)); !bytes.Equal(gotCSV, wantCSV) {
			t.Fatalf("%s: pieces.csv differs from the reference run's", m.BatchID)
		}
		recs, _ := readCSV(t, gotCSV)
		for _, rec := range recs {
			order = append(order, rec[0])
		}
	}
	// The consumer saw the pieces as presort emitted them: the domestic
	// batch's, then the international one's (the manifests' id order).
	var seen []string
	for _, id := range c.ids {
		seen = append(seen, id.String())
	}
	if !slices.Equal(order, seen) {
		t.Fatal("the consumer saw other pieces, or in another order, than the files hold")
	}
}

// TestSinkAddFails makes the writer's Add fail (a job without the batch
// stage's columns) behind a consumer: the run fails with the writer's error
// instead of hanging, and Abort leaves no file.
func TestSinkAddFails(t *testing.T) {
	out := t.TempDir()
	job := pipelinetest.NewJob()
	w, err := manifest.New(out, job, manifest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var batches []*pipeline.Batch
	for i := range 10 {
		batches = append(batches, pipelinetest.NewBatch(t, job, uint64(i), int64(i*3+1),
			map[string]string{"first_name": "A"}, map[string]string{"first_name": "B"}, map[string]string{"first_name": "C"}))
	}
	_, err = pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Source(batches...), nil, w.Sink(&consumer{}))
	if err == nil || !strings.Contains(err.Error(), "batch_id") {
		t.Fatalf("run error %v, want the writer's missing batch_id column", err)
	}
	w.Abort()
	if left, _ := filepath.Glob(filepath.Join(out, "*", "*")); len(left) != 0 {
		t.Fatalf("abort left %v", left)
	}
}

// TestSinkCancelled cancels the run's context while the writer adds
// batches behind a consumer: Close then either fails with the
// cancellation or, if every batch was added before the writer noticed,
// commits them all; never a pieces file with batches missing.
func TestSinkCancelled(t *testing.T) {
	const rows, batches = 50, 8
	for i := range 20 {
		job, _ := presortedBatch(t, rows)
		w, err := manifest.New(t.TempDir(), job, manifest.Config{})
		if err != nil {
			t.Fatal(err)
		}
		sink := w.Sink(&consumer{})
		ctx, cancel := context.WithCancel(context.Background())
		written := 0
		for range batches {
			_, b := presortedBatch(t, rows)
			b.Job = job
			if err := sink.Write(ctx, b); err != nil {
				break
			}
			written++
			if written == i%batches+1 {
				cancel()
			}
		}
		cancel()
		err = sink.Close(context.Background())
		switch {
		case err == nil:
			var pieces int64
			for _, m := range w.Manifests() {
				pieces += m.Pieces
			}
			if pieces != int64(written*rows) {
				t.Fatalf("round %d: Close committed %d pieces of the %d written", i, pieces, written*rows)
			}
		case !errors.Is(err, context.Canceled):
			t.Fatalf("round %d: Close: %v, want the cancellation", i, err)
		default:
			w.Abort()
		}
	}
}

// TestDeterministic: two runs with fresh serial states give byte-identical
// files, created_at aside; with everything spilled in runs of 7 too.
func TestDeterministic(t *testing.T) {
	var files [3]map[string][]byte
	for i, mem := range []int{0, 0, 7} {
		out := t.TempDir()
		sink, _ := runChain(t, runCfg{out: out, state: t.TempDir(), parquet: true, priced: true, rows: crafted(), labels: labels, memRows: mem})
		files[i] = map[string][]byte{}
		for _, m := range sink.manifests {
			for _, name := range []string{manifest.PiecesCSV, manifest.PiecesParquet, manifest.ManifestJSON} {
				b := readFile(t, filepath.Join(out, manifest.BatchesDir, m.BatchID, name))
				if name == manifest.ManifestJSON {
					var v map[string]any
					json.Unmarshal(b, &v)
					delete(v, "created_at")
					b, _ = json.Marshal(v)
				}
				files[i][m.BatchID+"/"+name] = b
			}
		}
	}
	for i := 1; i < 3; i++ {
		if len(files[i]) != len(files[0]) || len(files[0]) != 6 {
			t.Fatalf("run %d wrote %d files, run 0 %d", i, len(files[i]), len(files[0]))
		}
		for k, v := range files[0] {
			if !bytes.Equal(v, files[i][k]) {
				t.Errorf("run %d: %s differs", i, k)
			}
		}
	}
}

// TestSerialsDifferOnRerun: the same state directory gives new serials, and
// only the serial columns change.
func TestSerialsDifferOnRerun(t *testing.T) {
	state := t.TempDir()
	var csvs [2]string
	for i := range 2 {
		out := t.TempDir()
		sink, _ := runChain(t, runCfg{out: out, state: state, rows: crafted()})
		for _, m := range sink.manifests {
			if !strings.Contains(m.BatchID, "-domestic-") {
				continue
			}
			csvs[i] = string(readFile(t, filepath.Join(out, manifest.BatchesDir, m.BatchID, manifest.PiecesCSV)))
		}
	}
	if csvs[0] == csvs[1] {
		t.Fatal("a rerun on the same serial state reused the serials")
	}
	strip := func(s string) string { // drop the imb and imb_tracking columns
		var out []string
		for _, line := range strings.Split(s, "\n") {
			f := strings.Split(line, ",")
			if len(f) > 9 {
				f = slices.Delete(f, 7, 9)
			}
			out = append(out, strings.Join(f, ","))
		}
		return strings.Join(out, "\n")
	}
	if !strings.HasPrefix(csvs[0], "piece_id,row,batch_id,sequence,tray,presort_level,presort_dest,imb,imb_tracking,imb_routing,") {
		t.Fatalf("header %q", strings.SplitN(csvs[0], "\n", 2)[0])
	}
	if strip(csvs[0]) != strip(csvs[1]) {
		t.Fatal("a rerun changed more than the serial columns")
	}
}

// TestVerifyBoundsProblems: a pieces file wrong on every row lists
// MaxProblems problems and counts the rest.
func TestVerifyBoundsProblems(t *testing.T) {
	out := t.TempDir()
	sink, _ := runChain(t, runCfg{out: out, state: t.TempDir(), rows: crafted(), labels: labels})
	var dom string
	for _, m := range sink.manifests {
		if strings.Contains(m.BatchID, "-domestic-") {
			dom = filepath.Join(out, manifest.BatchesDir, m.BatchID)
		}
	}
	p := filepath.Join(dom, manifest.PiecesCSV)
	lines := strings.SplitAfter(string(readFile(t, p)), "\n")
	body := strings.ReplaceAll(strings.Join(lines[1:], ""), filepath.Base(dom), "another-batch")
	// Every row twice more: each has a wrong batch_id, and the copies a
	// sequence that does not rise.
	if err := os.WriteFile(p, []byte(lines[0]+body+body+body), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := manifest.Verify(dom)
	if err != nil {
		t.Fatal(err)
	}
	b := rep.Batches[0]
	rows := 3 * (len(lines) - 2) // lines ends with an empty string after the last newline
	if len(b.Problems) != manifest.MaxProblems || b.Omitted < rows-manifest.MaxProblems || b.OK() {
		t.Fatalf("%d problems listed, %d omitted, for %d rows with a wrong batch_id: want %d listed and the rest counted",
			len(b.Problems), b.Omitted, rows, manifest.MaxProblems)
	}
}

func TestVerifyDetects(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string
	}{
		{"nothing changed", func(*testing.T, string) {}, ""},
		{"a changed byte", func(t *testing.T, dir string) {
			p := filepath.Join(dir, manifest.PiecesCSV)
			b := readFile(t, p)
			i := bytes.Index(b, []byte("Lovelace"))
			b[i] = 'l'
			os.WriteFile(p, b, 0o644)
		}, "pieces.csv: sha256"},
		{"a missing row", func(t *testing.T, dir string) {
			p := filepath.Join(dir, manifest.PiecesCSV)
			lines := strings.SplitAfter(string(readFile(t, p)), "\n")
			lines = slices.Delete(lines, 3, 4)
			os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644)
		}, "rows, manifest says"},
		{"a wrong level count", func(t *testing.T, dir string) {
			p := filepath.Join(dir, manifest.ManifestJSON)
			b := bytes.Replace(readFile(t, p), []byte(`"5digit": 12`), []byte(`"5digit": 11`), 1)
			os.WriteFile(p, b, 0o644)
		}, "levels {3digit:10 5digit:12 aadc:10 mixed:3} in pieces.csv, manifest says {3digit:10 5digit:11 aadc:10 mixed:3}"},
		{"a wrong tray count", func(t *testing.T, dir string) {
			p := filepath.Join(dir, manifest.ManifestJSON)
			b := bytes.Replace(readFile(t, p), []byte(`"pieces": 4`), []byte(`"pieces": 5`), 1)
			os.WriteFile(p, b, 0o644)
		}, "tray 1: 4 pieces in pieces.csv, manifest says 5"},
		{"a missing file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, manifest.PiecesParquet))
		}, "pieces.parquet: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			sink, _ := runChain(t, runCfg{out: out, state: t.TempDir(), parquet: true, rows: crafted(), labels: labels})
			var dom string
			for _, m := range sink.manifests {
				if strings.Contains(m.BatchID, "-domestic-") {
					dom = filepath.Join(out, manifest.BatchesDir, m.BatchID)
				}
			}
			tt.tamper(t, dom)
			for _, dir := range []string{out, dom} {
				rep, err := manifest.Verify(dir)
				if err != nil {
					t.Fatal(err)
				}
				var problems []string
				for _, b := range rep.Batches {
					problems = append(problems, b.Problems...)
				}
				got := strings.Join(problems, "\n")
				if tt.want == "" {
					if !rep.OK() || got != "" {
						t.Fatalf("verify found %q", got)
					}
					continue
				}
				if rep.OK() || !strings.Contains(got, tt.want) {
					t.Fatalf("problems:\n%s\nwant one containing %q", got, tt.want)
				}
			}
		})
	}
}

func TestVerifyNotABatchDir(t *testing.T) {
	if _, err := manifest.Verify(t.TempDir()); err == nil || !strings.Contains(err.Error(), "neither a batch directory") {
		t.Fatalf("got %v", err)
	}
}

func TestAppendDelivery(t *testing.T) {
	out := t.TempDir()
	sink, _ := runChain(t, runCfg{out: out, state: t.TempDir(), rows: crafted()})
	dir := filepath.Join(out, manifest.BatchesDir, sink.manifests[0].BatchID)
	at := time.Date(2026, 5, 2, 9, 30, 0, 0, time.UTC)
	for i := range 2 {
		d := manifest.Delivery{Vendor: "acme", Host: "sftp.acme.example:22", RemoteDir: "/in", Files: []string{"pieces.csv", "manifest.json"},
			SHA256: map[string]string{"pieces.csv": sink.manifests[0].Files[0].SHA256}, DeliveredAt: at.Add(time.Duration(i) * time.Hour)}
		if err := manifest.AppendDelivery(dir, d); err != nil {
			t.Fatal(err)
		}
	}
	m, err := manifest.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Deliveries) != 2 || m.Deliveries[1].DeliveredAt != at.Add(time.Hour) || m.Deliveries[0].Host != "sftp.acme.example:22" {
		t.Fatalf("deliveries %+v", m.Deliveries)
	}
	if rep, err := manifest.Verify(dir); err != nil || !rep.OK() {
		t.Fatalf("verify after delivery: %v %+v", err, rep)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestAbortLeavesNoFinalFiles: a run that fails before Close leaves no
// pieces file or manifest under its final name.
func TestAbortLeavesNoFinalFiles(t *testing.T) {
	out := t.TempDir()
	job := pipelinetest.NewJob("batch_id", "sequence", "tray", "presort_level", "presort_dest")
	w, err := manifest.New(out, job, manifest.Config{Parquet: true})
	if err != nil {
		t.Fatal(err)
	}
	b := pipelinetest.NewBatch(t, job, 0, 1, map[string]string{"batch_id": "b1", "sequence": "1", "tray": "1", "presort_level": "mixed", "presort_dest": "MXD"})
	if err := w.Add(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	b.Release()
	w.Abort()
	var left []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Fatalf("abort left %v", left)
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := manifest.New(t.TempDir(), pipelinetest.NewJob(), manifest.Config{Columns: []string{"piece_id"}}); err == nil {
		t.Error("columns without batch_id accepted")
	}
	job := pipelinetest.NewJob()
	w, _ := manifest.New(t.TempDir(), job, manifest.Config{})
	b := pipelinetest.NewBatch(t, job, 0, 1, map[string]string{"first_name": "x"})
	defer b.Release()
	if err := w.Add(context.Background(), b); err == nil || !strings.Contains(err.Error(), "wire the batch stage") {
		t.Errorf("got %v", err)
	}
}

// TestColumnNames keeps the writer's column names in step with the stages'.
func TestColumnNames(t *testing.T) {
	pairs := [][2]string{
		{manifest.ColBatchID, batch.ColBatchID}, {manifest.ColSequence, batch.ColSequence}, {manifest.ColTray, batch.ColTray},
		{manifest.ColLevel, batch.ColLevel}, {manifest.ColDest, batch.ColDest}, {manifest.ColVendor, batch.ColVendor},
		{manifest.ColMailClass, batch.ColMailClass}, {manifest.ColMailFormat, batch.ColMailFormat}, {manifest.ColTemplateID, render.ColTemplateID},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("manifest reads %q, the stage writes %q", p[0], p[1])
		}
	}
}

// TestSampleFile runs the AFC sample through ingest ► render ► batch into
// the writer and verifies the result.
func TestSampleFile(t *testing.T) {
	ctx := context.Background()
	in, err := input.Open(ctx, "../../testdata/afc/sample.csv", input.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	job := &pipeline.Job{ID: "sample", Account: "acme", Campaign: "spring", Source: "sample.csv", Schema: pipeline.NewSchema()}
	src, err := ingest.New(job, in, ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := render.New(render.Config{Front: "../../testdata/templates/front.html", Back: "../../testdata/templates/back.txt", PURLSecret: []byte("0123456789abcdef0123")})
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := imb.NewFileSerials(imb.FileSerialsConfig{Dir: t.TempDir()})
	bs, err := batch.New(batch.Config{MailerID: "123456", Serials: fs, LabelList: labels, SpillDir: t.TempDir(), MemoryRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// As the run wires it: job unknown until the first batch, in front of
	// the run directory's sink (here a collecting sink).
	w, err := manifest.New(out, nil, manifest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rest := &pipelinetest.Sink{}
	rep, err := pipeline.Run(ctx, pipeline.Config{}, job, src, []pipeline.Step{{Name: "render", Stage: rs}, {Name: "batch", Stage: bs, Serial: true}}, w.Sink(rest))
	if err != nil {
		t.Fatal(err)
	}
	if !rest.Closed || len(rest.Rows) != int(rep.RowsIn) {
		t.Fatalf("the next sink saw %d rows (closed %v)", len(rest.Rows), rest.Closed)
	}
	var pieces int64
	levels := map[string]int64{}
	for _, m := range w.Manifests() {
		pieces += m.Pieces
		for l, n := range m.Levels {
			levels[l] += n
		}
	}
	if pieces != rep.Accepted || rep.Accepted < 400 {
		t.Fatalf("%d pieces in manifests, %d accepted of %d", pieces, rep.Accepted, rep.RowsIn)
	}
	vr, err := manifest.Verify(out)
	if err != nil || !vr.OK() {
		t.Fatalf("verify: %v %+v", err, vr)
	}
	t.Logf("sample: %d rows in, %d accepted, %d rejected %v; levels %v; %d batches", rep.RowsIn, rep.Accepted, rep.Rejected, rep.Reasons, levels, len(w.Manifests()))
}

// readCSV parses a pieces file: its records and header.
func readCSV(t *testing.T, data []byte) ([][]string, []string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data), csv.ReaderConfig{})
	hdr, err := r.ReadHeader()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, hdr
		}
		if err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(rec))
		for i, f := range rec {
			row[i] = string(f)
		}
		out = append(out, row)
	}
}

// TestDelivered: a batch counts as delivered whatever its manifest's schema
// version; a directory without batches, or a batch without a manifest, has
// none; a corrupt manifest is an error.
func TestDelivered(t *testing.T) {
	dir := t.TempDir()
	if ids, err := manifest.Delivered(dir); err != nil || ids != nil {
		t.Fatalf("no batches/: %q, %v", ids, err)
	}
	writeBatchDir(t, dir, "a-unfinished", "")
	writeBatchDir(t, dir, "b-old-version", `{"schema_version": 0, "deliveries": [{"vendor": "acme"}]}`)
	writeBatchDir(t, dir, "c-not-delivered", `{"schema_version": 1, "deliveries": []}`)
	writeBatchDir(t, dir, "d-delivered", `{"schema_version": 1, "deliveries": [{"vendor": "acme"}, {"vendor": "zeta"}]}`)
	ids, err := manifest.Delivered(dir)
	if err != nil || !slices.Equal(ids, []string{"b-old-version", "d-delivered"}) {
		t.Fatalf("Delivered = %q, %v", ids, err)
	}
	writeBatchDir(t, dir, "e-corrupt", `{"deliveries": [`)
	if _, err := manifest.Delivered(dir); err == nil || !strings.Contains(err.Error(), "e-corrupt") {
		t.Fatalf("corrupt manifest: %v", err)
	}
}

// TestReplaceRemovesOthers: with Replace, Close removes the batch
// directories the writer did not write, finished or not, but keeps one
// delivered meanwhile (New refused a delivered one before).
func TestReplaceRemovesOthers(t *testing.T) {
	dir := t.TempDir()
	w, err := manifest.New(dir, nil, manifest.Config{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	writeBatchDir(t, dir, "stale", `{"schema_version": 1, "deliveries": []}`)
	writeBatchDir(t, dir, "unfinished", "")
	writeBatchDir(t, dir, "late", `{"schema_version": 1, "deliveries": [{"vendor": "acme"}]}`)
	if _, err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, manifest.BatchesDir))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, []string{"late"}) {
		t.Fatalf("left %q, want the delivered batch alone", left)
	}
}

// writeBatchDir makes the batch directory id under dir/batches, with
// manifestJSON as its manifest.json unless empty (a batch never finished).
func writeBatchDir(t *testing.T, dir, id, manifestJSON string) {
	t.Helper()
	d := filepath.Join(dir, manifest.BatchesDir, id)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if manifestJSON != "" {
		if err := os.WriteFile(filepath.Join(d, manifest.ManifestJSON), []byte(manifestJSON), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
