package batch

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// piece is a test row: ZIP, ZIP+4 and status.
type piece struct{ zip, zip4, status, country string }

func newJob() *pipeline.Job {
	return pipelinetest.NewJob(ColZip4, ColStatus, "var_field_1")
}

// rowsOf turns pieces into row maps with a name that tells them apart.
func rowsOf(ps []piece) []map[string]string {
	var out []map[string]string
	for i, p := range ps {
		m := map[string]string{"first_name": fmt.Sprint("P", i+1), "address_zip": p.zip, ColZip4: p.zip4, ColStatus: p.status, "address_country": p.country}
		switch p.status {
		case "":
			m[ColStatus] = "valid"
		case "-": // no status column value: the country decides
			m[ColStatus] = ""
		}
		out = append(out, m)
	}
	return out
}

// runStage runs the stage over ps split into batches of 50 rows and returns
// the sink and report.
func runStage(t *testing.T, cfg Config, ps []piece) (*pipelinetest.Sink, *pipeline.Report) {
	t.Helper()
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	job := newJob()
	rows := rowsOf(ps)
	var batches []*pipeline.Batch
	for i := 0; i < len(rows); i += 50 {
		batches = append(batches, pipelinetest.NewBatch(t, job, uint64(i/50), int64(i+1), rows[i:min(i+50, len(rows))]...))
	}
	return pipelinetest.RunStage(t, pipeline.Step{Name: "batch", Stage: st, Serial: true}, job, batches...)
}

func repeat(n int, p piece) []piece {
	out := make([]piece, n)
	for i := range out {
		out[i] = p
	}
	return out
}

func live(s *pipelinetest.Sink) []pipelinetest.Result {
	var out []pipelinetest.Result
	for _, r := range s.Rows {
		if r.Fate == pipeline.Live {
			out = append(out, r)
		}
	}
	return out
}

func TestLevels(t *testing.T) {
	labels := filepath.Join("..", "..", "testdata", "labels", "adc-sample.csv")
	var ps []piece
	ps = append(ps, repeat(10, piece{zip: "10001"})...)           // 5digit
	ps = append(ps, repeat(9, piece{zip: "20001"})...)            // mixed: 9 alone
	ps = append(ps, repeat(6, piece{zip: "30301"})...)            // 3digit with 30302
	ps = append(ps, repeat(4, piece{zip: "30302"})...)            //
	ps = append(ps, repeat(5, piece{zip: "60001"})...)            // aadc: 600 and 601 share ADC CHICAGO
	ps = append(ps, repeat(5, piece{zip: "60101"})...)            //
	ps = append(ps, repeat(2, piece{status: "international"})...) // own group
	ps = append(ps, piece{country: "Canada", status: "-"})        // no status: the country decides
	tests := []struct {
		name   string
		labels string
		want   map[string]string // zip → level
	}{
		{"with labeling list", labels, map[string]string{"10001": "5digit", "20001": "mixed", "30301": "3digit", "30302": "3digit", "60001": "aadc", "60101": "aadc", "": "international"}},
		{"without labeling list", "", map[string]string{"10001": "5digit", "20001": "mixed", "30301": "3digit", "60001": "mixed", "60101": "mixed", "": "international"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, rep := runStage(t, Config{LabelList: tt.labels}, ps)
			if rep.Accepted != int64(len(ps)) {
				t.Fatalf("accepted %d of %d: %v", rep.Accepted, len(ps), rep.Reasons)
			}
			rows := live(sink)
			order := map[string]int{"5digit": 1, "3digit": 2, "aadc": 3, "mixed": 4, "international": 5}
			prev := 0
			seq := map[string]int{}
			for _, r := range rows {
				zip, lvl := r.Fields["address_zip"], r.Fields[ColLevel]
				if want, ok := tt.want[zip]; ok && lvl != want {
					t.Errorf("zip %q: level %s, want %s", zip, lvl, want)
				}
				if order[lvl] < prev {
					t.Errorf("level %s after a later level", lvl)
				}
				prev = order[lvl]
				id := r.Fields[ColBatchID]
				seq[id]++
				if r.Fields[ColSequence] != fmt.Sprint(seq[id]) {
					t.Errorf("sequence %s, want %d", r.Fields[ColSequence], seq[id])
				}
				intl := lvl == "international"
				if intl != strings.Contains(id, "-international-") || (intl && r.Fields[ColDest] != "INTL") {
					t.Errorf("batch id %s, level %s, dest %s", id, lvl, r.Fields[ColDest])
				}
				if r.Fields[ColVendor] != "default" || r.Fields[ColMailClass] != "first_class" || r.Fields[ColMailFormat] != "postcard_4x6" {
					t.Errorf("group columns %v", r.Fields)
				}
			}
			if len(seq) != 2 {
				t.Fatalf("batches %v, want domestic and international", seq)
			}
		})
	}
}

func TestNineVersusTen(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{9, "mixed"}, {10, "5digit"}, {11, "5digit"}} {
		sink, _ := runStage(t, Config{}, repeat(tt.n, piece{zip: "94105"}))
		for _, r := range live(sink) {
			if r.Fields[ColLevel] != tt.want {
				t.Fatalf("%d pieces: level %s, want %s", tt.n, r.Fields[ColLevel], tt.want)
			}
		}
	}
}

func TestTraySplits(t *testing.T) {
	ps := append(repeat(10, piece{zip: "10001"}), repeat(12, piece{zip: "10002"})...)
	ps = append(ps, repeat(3, piece{zip: "55555"})...)
	sink, _ := runStage(t, Config{TrayMax: 4}, ps)
	var got []string
	for _, r := range live(sink) {
		got = append(got, r.Fields[ColDest]+":"+r.Fields[ColTray])
	}
	want := strings.Fields("10001:1 10001:1 10001:1 10001:1 10001:2 10001:2 10001:2 10001:3 10001:3 10001:3 " +
		"10002:4 10002:4 10002:4 10002:4 10002:5 10002:5 10002:5 10002:5 10002:6 10002:6 10002:6 10002:6 MXD:7 MXD:7 MXD:7")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("trays\n got %v\nwant %v", got, want)
	}
}

func TestZIPOrderAndPreservedFields(t *testing.T) {
	ps := []piece{{zip: "10001", zip4: "0002"}, {zip: "10001"}, {zip: "100011234"}, {zip: "10001-0001"}}
	ps = append(ps, repeat(8, piece{zip: "10001", zip4: "9999"})...)
	sink, rep := runStage(t, Config{}, ps)
	rows := live(sink)
	var zips []string
	for _, r := range rows[:5] {
		zips = append(zips, fmt.Sprint(r.Num, ":", r.Fields["address_zip"], "+", r.Fields[ColZip4]))
	}
	want := []string{"2:10001+", "4:10001-0001+", "1:10001+0002", "3:100011234+"}
	if !reflect.DeepEqual(zips[:4], want) {
		t.Fatalf("order %v, want %v", zips, want)
	}
	job := newJob()
	for _, r := range rows {
		if r.ID != pipeline.NewPieceID(job, r.Num).String() || r.Fields["first_name"] != fmt.Sprint("P", r.Num) {
			t.Fatalf("row %d lost its identity: %s %v", r.Num, r.ID, r.Fields)
		}
	}
	if rep.Stages[1].RowsIn != 12 || rep.Stages[1].RowsOut != 12 {
		t.Fatalf("stage counts %+v", rep.Stages[1])
	}
}

func TestRejectUnusableZIP(t *testing.T) {
	sink, rep := runStage(t, Config{}, []piece{{zip: "1234"}, {zip: "abcde"}, {zip: "10001"}})
	sink.RequireFate(t, 1, pipeline.Rejected, pipeline.PresortZipUnusable)
	sink.RequireFate(t, 2, pipeline.Rejected, pipeline.PresortZipUnusable)
	sink.RequireFate(t, 3, pipeline.Live, "")
	if !pipeline.PresortZipUnusable.Registered() || rep.Rejected != 2 {
		t.Fatal("reason not registered or not counted")
	}
}

func serials(t *testing.T, dir string) *imb.FileSerials {
	t.Helper()
	fs, err := imb.NewFileSerials(imb.FileSerialsConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestIMb(t *testing.T) {
	ps := append(repeat(12, piece{zip: "10001", zip4: "1234"}), repeat(3, piece{zip: "60601"})...)
	ps = append(ps, piece{status: "international", country: "FR"})
	cfg := Config{MailerID: "123456", Serials: serials(t, t.TempDir()), SerialBlock: 5}
	sink, _ := runStage(t, cfg, ps)
	seen := map[string]bool{}
	for _, r := range live(sink) {
		if r.Fields[ColLevel] == "international" {
			if r.Fields[ColIMb] != "" || r.Fields[ColIMbTracking] != "" {
				t.Fatalf("international piece has an IMb: %v", r.Fields)
			}
			continue
		}
		bars := r.Fields[ColIMb]
		if len(bars) != imb.Bars || strings.Trim(bars, "FADT") != "" {
			t.Fatalf("imb %q", bars)
		}
		tracking, routing, err := imb.Decode(bars)
		if err != nil {
			t.Fatal(err)
		}
		wantRouting := r.Fields["address_zip"] + r.Fields[ColZip4]
		if tracking != r.Fields[ColIMbTracking] || routing != wantRouting || r.Fields[ColIMbRouting] != wantRouting {
			t.Fatalf("decoded %s/%s, columns %s/%s, want routing %s", tracking, routing, r.Fields[ColIMbTracking], r.Fields[ColIMbRouting], wantRouting)
		}
		tr, err := imb.ParseTracking(tracking)
		if err != nil || tr.BarcodeID != "00" || tr.ServiceType != "700" || tr.MailerID != "123456" {
			t.Fatalf("tracking %s: %+v %v", tracking, tr, err)
		}
		if seen[tracking] {
			t.Fatalf("serial repeated: %s", tracking)
		}
		seen[tracking] = true
	}
	if len(seen) != 15 {
		t.Fatalf("%d barcodes, want 15", len(seen))
	}
}

func TestSerialsUniqueAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	ps := repeat(25, piece{zip: "10001"})
	seen := map[string]int{}
	for run := range 2 {
		sink, _ := runStage(t, Config{MailerID: "987654321", Serials: serials(t, dir)}, ps)
		for _, r := range live(sink) {
			if prev, dup := seen[r.Fields[ColIMbTracking]]; dup {
				t.Fatalf("run %d reuses %s from run %d", run, r.Fields[ColIMbTracking], prev)
			}
			seen[r.Fields[ColIMbTracking]] = run
		}
	}
	if len(seen) != 50 {
		t.Fatalf("%d distinct serials, want 50", len(seen))
	}
}

// randomPieces makes n pieces over a few hundred ZIP Codes, some foreign.
func randomPieces(n int) []piece {
	r := rand.New(rand.NewPCG(7, 8))
	out := make([]piece, n)
	for i := range out {
		switch {
		case r.IntN(50) == 0:
			out[i] = piece{status: "international", country: []string{"CA", "FR", "MX"}[r.IntN(3)]}
		case r.IntN(30) == 0: // sparse prefixes of ADC CHICAGO: aadc
			out[i] = piece{zip: fmt.Sprintf("%03d%02d", 602+r.IntN(4), r.IntN(100))}
		case r.IntN(60) == 0: // sparse unlisted prefixes: mixed
			out[i] = piece{zip: fmt.Sprintf("%03d%02d", 700+r.IntN(50), r.IntN(100))}
		default:
			z := []int{100, 101, 112, 331, 600, 601, 606, 802, 941}[r.IntN(9)]*100 + r.IntN(6)
			p := piece{zip: fmt.Sprintf("%05d", z)}
			if r.IntN(2) == 0 {
				p.zip4 = fmt.Sprintf("%04d", r.IntN(10000))
			}
			out[i] = p
		}
	}
	return out
}

// TestSpillMatchesMemory runs the same pieces with everything in memory and
// with runs of 7 rows merged 3 at a time, plain and S2-compressed; the
// output must be identical, barcodes included (a fresh serial state each
// run).
func TestSpillMatchesMemory(t *testing.T) {
	ps := randomPieces(600)
	labels := filepath.Join("..", "..", "testdata", "labels", "adc-sample.csv")
	var outs [3][]pipelinetest.Result
	for i, tc := range []struct {
		mem      int
		compress bool
	}{{0, false}, {7, false}, {7, true}} {
		mem := tc.mem
		spill := t.TempDir()
		cfg := Config{LabelList: labels, TrayMax: 20, MailerID: "123456", Serials: serials(t, t.TempDir()), MemoryRows: mem, FanIn: 3, SpillDir: spill,
			CompressSpills: tc.compress}
		st, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		job := newJob()
		rows := rowsOf(ps)
		var batches []*pipeline.Batch
		for j := 0; j < len(rows); j += 64 {
			batches = append(batches, pipelinetest.NewBatch(t, job, uint64(j/64), int64(j+1), rows[j:min(j+64, len(rows))]...))
		}
		sink, _ := pipelinetest.RunStage(t, pipeline.Step{Name: "batch", Stage: st, Serial: true}, job, batches...)
		sec := st.Report().(Section)
		if mem == 7 && (sec.Runs == 0 || sec.SpilledBytes == 0) {
			t.Fatalf("nothing spilled: %+v", sec)
		}
		if mem == 0 && sec.Runs != 0 {
			t.Fatalf("spilled with the default memory: %+v", sec)
		}
		if left, _ := os.ReadDir(spill); len(left) != 0 {
			t.Fatalf("spill directory not cleaned: %v", left)
		}
		outs[i] = live(sink)
	}
	if len(outs[0]) != len(ps) || !reflect.DeepEqual(outs[0], outs[1]) || !reflect.DeepEqual(outs[0], outs[2]) {
		t.Fatalf("spilled output differs from in-memory output (%d, %d, %d compressed rows)", len(outs[0]), len(outs[1]), len(outs[2]))
	}
	levels := map[string]int{}
	for _, r := range outs[0] {
		levels[r.Fields[ColLevel]]++
	}
	for _, l := range []string{"5digit", "3digit", "aadc", "mixed", "international"} {
		if levels[l] == 0 {
			t.Errorf("no %s pieces in %v: the crafted input should exercise every level", l, levels)
		}
	}
}

func TestBatchIDDeterministic(t *testing.T) {
	j1 := &pipeline.Job{ID: "a.csv-1", Account: "acme", Campaign: "spring"}
	j2 := &pipeline.Job{ID: "a.csv-1", Account: "other", Campaign: "spring"}
	a := BatchID(j1, "Print Co.", ledger.FirstClass, ledger.Postcard4x6, "domestic")
	if a != BatchID(j1, "Print Co.", ledger.FirstClass, ledger.Postcard4x6, "domestic") {
		t.Fatal("not deterministic")
	}
	if !strings.HasPrefix(a, "print_co-first_class-postcard_4x6-domestic-") || len(a) != len("print_co-first_class-postcard_4x6-domestic-")+10 {
		t.Fatalf("batch id %q", a)
	}
	if a == BatchID(j2, "Print Co.", ledger.FirstClass, ledger.Postcard4x6, "domestic") {
		t.Fatal("two accounts share a batch id")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{MailClass: "periodicals"}, "mail class"},
		{Config{Format: "flat"}, "format"},
		{Config{MailerID: "12345", Serials: serials(t, t.TempDir())}, "IMb settings"},
		{Config{MailerID: "123456"}, "serial allocator"},
		{Config{MailerID: "123456", BarcodeID: "05", Serials: serials(t, t.TempDir())}, "IMb settings"},
		{Config{LabelList: "no/such.csv"}, "labeling list"},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.want)
		}
	}
	if ServiceTypeMarketing != (Config{MailClass: ledger.Marketing}).withDefaults().ServiceType {
		t.Error("marketing default STID")
	}
}

// TestFlushBatches: Flush emits full batches of EmitRows rows, then the
// rest, every piece once.
func TestFlushBatches(t *testing.T) {
	n := 2*EmitRows + 100
	ps := append(repeat(n-300, piece{zip: "10001"}), repeat(300, piece{zip: "10002"})...)
	sink, rep := runStage(t, Config{}, ps)
	if got := len(live(sink)); got != n || rep.Accepted != int64(n) {
		t.Fatalf("%d rows out, %d accepted, want %d", got, rep.Accepted, n)
	}
	// The input batches of 50 reach the sink empty (their rows deferred).
	if got, in := sink.Batches, (n+49)/50; got-in != 3 {
		t.Fatalf("%d batches emitted, want 3 (two full, one of 100)", got-in)
	}
}
