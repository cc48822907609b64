package arrowbatch_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/benchcpu"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/klauspost/compress/zstd"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/pipeline"
)

// row is a decoded row detached from its batch, for comparison.
type row struct {
	Num, Line int64
	ID        pipeline.PieceID
	Fate      pipeline.Fate
	Reason    pipeline.Reason
	Detail    string
	Notes     []pipeline.Reason
	Raw       string
	Fields    []string
}

type flat struct {
	JobID, Account, Campaign, Source string
	Fingerprint                      [32]byte
	Columns                          []string
	Seq                              uint64
	Rows, Done                       []row
}

func flatten(b *pipeline.Batch) flat {
	f := flat{JobID: b.Job.ID, Account: b.Job.Account, Campaign: b.Job.Campaign, Source: b.Job.Source,
		Fingerprint: b.Job.Fingerprint, Columns: append([]string(nil), b.Job.Schema.Names()...), Seq: b.Seq}
	conv := func(r *pipeline.Row) row {
		out := row{Num: r.Num, Line: r.Line, ID: r.ID, Fate: r.Fate, Reason: r.Reason, Detail: r.Detail,
			Notes: append([]pipeline.Reason{}, r.Notes...), Raw: string(r.Raw)}
		for i := 0; i < b.Job.Schema.Len(); i++ {
			out.Fields = append(out.Fields, string(r.Field(i)))
		}
		return out
	}
	for _, r := range b.Rows {
		f.Rows = append(f.Rows, conv(r))
	}
	for _, r := range b.Done {
		f.Done = append(f.Done, conv(r))
	}
	return f
}

func newJob(extra ...string) *pipeline.Job {
	s := pipeline.NewSchema()
	for _, e := range extra {
		s.Add(e)
	}
	j := &pipeline.Job{ID: "job-1", Account: "acme", Campaign: "spring", Source: "data.csv", Schema: s}
	for i := range j.Fingerprint {
		j.Fingerprint[i] = byte(i * 7)
	}
	return j
}

// build makes a batch: live rows first, then done ones, as the engine
// leaves them after settling.
func build(j *pipeline.Job, seq uint64, rows []row) *pipeline.Batch {
	b := pipeline.NewBatch(j, seq)
	var done []*pipeline.Row
	for _, in := range rows {
		r := b.AddRow()
		r.Num, r.Line, r.ID = in.Num, in.Line, pipeline.NewPieceID(j, in.Num)
		r.Fate, r.Reason, r.Detail = in.Fate, in.Reason, in.Detail
		r.Notes = append(r.Notes, in.Notes...)
		r.Raw = b.Copy([]byte(in.Raw))
		for i, v := range in.Fields {
			r.Fields[i] = b.Copy([]byte(v))
		}
		if r.Fate != pipeline.Live {
			done = append(done, r)
		}
	}
	live := b.Rows[:0]
	for _, r := range b.Rows {
		if r.Fate == pipeline.Live {
			live = append(live, r)
		}
	}
	b.Rows = live
	b.Done = append(b.Done, done...)
	return b
}

var compressions = []struct {
	name string
	c    arrowbatch.Compression
}{{"stream", arrowbatch.CompressStream}, {"buffers", arrowbatch.CompressBuffers}, {"none", arrowbatch.CompressNone}}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		job   *pipeline.Job
		seq   uint64
		rows  []row
		empty bool
	}{
		{name: "empty batch", job: newJob(), seq: 0, empty: true},
		{name: "live rows", job: newJob("var_field_1"), seq: 3, rows: []row{
			{Num: 1, Line: 2, Fields: []string{"Ada", "Lovelace", "", "12 Main St", "", "Springfield", "IL", "62701", "US", "ada@example.com", "x1", "gold"}},
			{Num: 2, Line: 3, Fields: []string{"Bob"}},
		}},
		{name: "rejected and held rows in done", job: newJob(), seq: 1 << 40, rows: []row{
			{Num: 1, Line: 2, Fields: []string{"a"}},
			{Num: 2, Line: 3, Fate: pipeline.Rejected, Reason: pipeline.MalformedColumnCount, Detail: "3 cells, header has 4", Raw: "a,b,c"},
			{Num: 3, Line: 5, Fields: []string{"c"}},
			{Num: 4, Line: 6, Fate: pipeline.Held, Reason: pipeline.HeldInsufficient, Detail: "needs 1 letter credit", Fields: []string{"d"}},
		}},
		{name: "notes", job: newJob(), rows: []row{
			{Num: 7, Line: 8, Notes: []pipeline.Reason{pipeline.NoteDecodedCP1252}, Fields: []string{"Zoë"}},
			{Num: 8, Line: 9, Fate: pipeline.Rejected, Reason: pipeline.MissingMergeField.With("var_field_1"),
				Notes: []pipeline.Reason{pipeline.NoteDecodedCP1252, "note:other"}},
		}},
		{name: "all fields empty", job: newJob("a", "b"), rows: []row{{Num: 1}, {Num: 2, Fields: make([]string, 13)}}},
		{name: "non-ASCII and binary raw", job: newJob("größe", "名前"), rows: []row{
			{Num: 1, Line: 1, Raw: "M\xfcller,\x00\xff", Fields: []string{"Jürgen", "Müller", "Ölwerke GmbH", "Straße 1", "", "Köln",
				"", "", "DE", "", "", "XXL", "山田"}},
			{Num: 2, Line: 2, Fate: pipeline.Rejected, Reason: pipeline.MalformedQuote, Detail: "zitat «offen»", Raw: "\"open"},
		}},
	}
	for _, tt := range tests {
		for _, comp := range compressions {
			t.Run(fmt.Sprintf("%s/%s", tt.name, comp.name), func(t *testing.T) {
				in := build(tt.job, tt.seq, tt.rows)
				want := flatten(in)
				enc := arrowbatch.Encoder{Compression: comp.c}
				p, err := enc.Encode(nil, in)
				if err != nil {
					t.Fatal(err)
				}
				in.Release()
				out, err := arrowbatch.Decode(p)
				if err != nil {
					t.Fatal(err)
				}
				defer out.Release()
				got := flatten(out)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("round trip changed the batch:\n got %+v\nwant %+v", got, want)
				}
			})
		}
	}
}

// TestDecoderSharesJob checks that a decoder gives every batch of a job the
// same *Job and calls NewJob once, before the rows are built, so a bound
// stage's extra columns are there.
func TestDecoderSharesJob(t *testing.T) {
	j := newJob("var_field_1")
	var calls int
	d := arrowbatch.Decoder{NewJob: func(j *pipeline.Job) error {
		calls++
		j.Schema.Add("address_zip4")
		return nil
	}}
	var jobs []*pipeline.Job
	for seq := uint64(0); seq < 3; seq++ {
		b := build(j, seq, []row{{Num: int64(seq) + 1, Fields: []string{"x"}}})
		p, err := arrowbatch.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		out, err := d.Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Rows[0].Fields) != j.Schema.Len()+1 {
			t.Fatalf("decoded row has %d fields, want room for the bound column (%d)", len(out.Rows[0].Fields), j.Schema.Len()+1)
		}
		jobs = append(jobs, out.Job)
	}
	if calls != 1 || jobs[0] != jobs[1] || jobs[1] != jobs[2] {
		t.Fatalf("NewJob called %d times; jobs %p %p %p", calls, jobs[0], jobs[1], jobs[2])
	}
}

// foreign encodes a one-row stream with the given metadata version, or
// none when version is empty: a batch from another build.
func foreign(t testing.TB, version string) []byte {
	t.Helper()
	mem := memory.NewGoAllocator()
	var md *arrow.Metadata
	if version != "" {
		m := arrow.NewMetadata([]string{arrowbatch.VersionKey}, []string{version})
		md = &m
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, md)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).Append(1)
	rec := bld.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithZstd())
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func validPayload(t testing.TB, c arrowbatch.Compression) []byte {
	t.Helper()
	b := build(newJob(), 5, []row{{Num: 1, Fields: []string{"a", "b"}}, {Num: 2, Fate: pipeline.Rejected, Reason: pipeline.MalformedQuote}})
	defer b.Release()
	enc := arrowbatch.Encoder{Compression: c}
	p, err := enc.Encode(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecodeErrors(t *testing.T) {
	valid := validPayload(t, arrowbatch.CompressNone)
	zstdOf := func(p []byte) []byte {
		z, _ := zstd.NewWriter(nil)
		return z.EncodeAll(p, nil)
	}
	tests := []struct {
		name string
		p    []byte
		want error
	}{
		{"empty", nil, arrowbatch.ErrTruncated},
		{"json", []byte(`{"rows":[1,2,3]}`), arrowbatch.ErrNotArrow},
		{"csv", []byte("first_name,last_name\nAda,Lovelace\n"), arrowbatch.ErrNotArrow},
		{"zstd of text", zstdOf([]byte("hello, world")), arrowbatch.ErrNotArrow},
		{"zstd of half a stream", zstdOf(valid[:len(valid)/2]), arrowbatch.ErrTruncated},
		{"corrupt zstd", corrupt(zstdOf(valid)), arrowbatch.ErrMalformed},
		{"continuation only", []byte{0xff, 0xff}, arrowbatch.ErrTruncated},
		{"forged metadata length", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3}, arrowbatch.ErrNotArrow},
		{"half", valid[:len(valid)/2], arrowbatch.ErrTruncated},
		{"no end marker", valid[:len(valid)-8], arrowbatch.ErrTruncated},
		{"last byte missing", valid[:len(valid)-1], arrowbatch.ErrTruncated},
		{"trailing garbage", append(append([]byte{}, valid...), 1, 2, 3), arrowbatch.ErrMalformed},
		{"unknown version", foreign(t, "99"), arrowbatch.ErrSchemaVersion},
		{"no version", foreign(t, ""), arrowbatch.ErrSchemaVersion},
		{"right version, wrong columns", foreign(t, strconv.Itoa(arrowbatch.Version)), arrowbatch.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := arrowbatch.Decode(tt.p)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want an error wrapping %v", b, err, tt.want)
			}
			t.Log(err)
		})
	}
}

// corrupt flips the bits of a stretch in the middle of p.
func corrupt(p []byte) []byte {
	for i := len(p) / 3; i < len(p)/3+16; i++ {
		p[i] ^= 0xff
	}
	return p
}

// TestDecodeEveryTruncation cuts a valid payload at every length: each must
// fail cleanly as truncated.
func TestDecodeEveryTruncation(t *testing.T) {
	for _, comp := range compressions {
		t.Run(comp.name, func(t *testing.T) {
			valid := validPayload(t, comp.c)
			for n := 0; n < len(valid); n++ {
				if _, err := arrowbatch.Decode(valid[:n]); !errors.Is(err, arrowbatch.ErrTruncated) {
					t.Fatalf("cut at %d of %d: got %v, want ErrTruncated", n, len(valid), err)
				}
			}
		})
	}
}

func TestDecodeMemoryBudget(t *testing.T) {
	j := newJob()
	b := pipeline.NewBatch(j, 0)
	big := bytes.Repeat([]byte("a"), 1<<20)
	for i := 0; i < 4; i++ {
		r := b.AddRow()
		r.Num = int64(i + 1)
		r.Raw = b.Copy(big)
	}
	p, err := arrowbatch.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) > 64<<10 {
		t.Fatalf("4 MiB of one byte compressed to %d bytes: is zstd on?", len(p))
	}
	d := arrowbatch.Decoder{MaxBytes: 1 << 20}
	if _, err := d.Decode(p); !errors.Is(err, arrowbatch.ErrMalformed) {
		t.Fatalf("decode past the budget: got %v, want ErrMalformed", err)
	}
	if out, err := (&arrowbatch.Decoder{}).Decode(p); err != nil || len(out.Rows) != 4 {
		t.Fatalf("decode within the default budget: %v", err)
	}
}

// benchBatch is a batch of n rows shaped like an AFC export row.
func benchBatch(n int) *pipeline.Batch {
	j := newJob("var_field_1", "var_field_2")
	b := pipeline.NewBatch(j, 0)
	for i := 0; i < n; i++ {
		r := b.AddRow()
		r.Num, r.Line = int64(i+1), int64(i+2)
		r.ID = pipeline.NewPieceID(j, r.Num)
		for c, v := range []string{"Jane", "Doe", "", fmt.Sprintf("%d Oak Street", i), "Apt 4", "Springfield", "IL",
			"62701", "US", fmt.Sprintf("jane%d@example.com", i), fmt.Sprintf("ext-%d", i), "gold", "2026-10-01"} {
			r.Fields[c] = b.Copy([]byte(v))
		}
		if i%10 == 0 {
			r.Reject(pipeline.MalformedQuote, "")
		}
	}
	live := b.Rows[:0]
	for _, r := range b.Rows {
		if r.Fate == pipeline.Live {
			live = append(live, r)
		} else {
			b.Done = append(b.Done, r)
		}
	}
	b.Rows = live
	return b
}

// BenchmarkRoundTrip encodes and decodes a 2,048-row batch and reports rows/s
// and the encoded size per row, for each compression.
func BenchmarkRoundTrip(b *testing.B) {
	const n = pipeline.DefaultBatchRows
	in := benchBatch(n)
	for _, comp := range compressions {
		b.Run(comp.name, func(b *testing.B) {
			enc := arrowbatch.Encoder{Compression: comp.c}
			var dec arrowbatch.Decoder
			var buf []byte
			b.ReportAllocs()
			cpu0 := benchcpu.Time()
			for b.Loop() {
				var err error
				buf, err = enc.Encode(buf[:0], in)
				if err != nil {
					b.Fatal(err)
				}
				out, err := dec.Decode(buf)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(benchcpu.Time()-cpu0)/float64(n*b.N), "cpu-ns/row")
			b.ReportMetric(float64(len(buf))/n, "bytes/row")
		})
	}
}

func TestParseCompression(t *testing.T) {
	for _, c := range []arrowbatch.Compression{arrowbatch.CompressStream, arrowbatch.CompressBuffers, arrowbatch.CompressNone} {
		got, err := arrowbatch.ParseCompression(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCompression(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	if got := arrowbatch.CompressStream.String(); got != "zstd" {
		t.Errorf("the default is named %q, want zstd", got)
	}
	if _, err := arrowbatch.ParseCompression("lz4"); err == nil || !strings.Contains(err.Error(), `unknown compression "lz4" (want zstd, arrow-zstd or none)`) {
		t.Errorf("lz4: %v", err)
	}
}
