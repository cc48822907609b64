// Package job runs one embedded batch job end to end: it fingerprints and
// opens the input, builds the job's piece-id identity, wires the configured
// stages between the ingest source and the run-directory sink, runs the
// engine, and writes report.json. The command line and the benchmarks call
// it; the service will call it per uploaded file.
package job

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/formats/rundir"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/ingest"
)

// Spec describes an embedded job.
type Spec struct {
	// Input is the path of the contact file.
	Input string
	// OutDir is where accepted.csv, rejects.csv, held.csv and report.json go.
	OutDir string
	// Account and Campaign identify the tenant and campaign; they enter the
	// piece ids. Default: "default" for both.
	Account, Campaign string
	// SourceID replaces the content fingerprint (an upload's idempotency
	// key). Default: sha256 of the decompressed input.
	SourceID string
	// Fingerprint, when set and SourceID is not, returns the input's
	// fingerprint (input.Fingerprint of Input), computed ahead: a caller
	// that has other work before the job, such as loading lists, can hash
	// the input meanwhile on another core. Default (nil): Run hashes the
	// input before reading it. Either way, Run fails with input.ErrChanged
	// if the file it reads is not the version that was hashed.
	Fingerprint func() (input.Print, error)
	// Input options (format, limits).
	InputConfig input.Config
	// Ingest options (batch size, column mapping).
	IngestConfig ingest.Config
	// Parquet writes accepted.parquet instead of accepted.csv.
	Parquet bool
	// PageCache writes the outputs through the page cache instead of with
	// direct I/O.
	PageCache bool
	// Steps are the stages, in order. Default: none (rows pass through).
	Steps []pipeline.Step
	// Engine tunes the engine (transport, progress counter).
	Engine pipeline.Config
	// Transport, when set, opens the links between the job's steps once the
	// job's identity is known (a Kafka transport filters on the job id);
	// close is called after the run. Default: Engine.Transport.
	Transport func(j *pipeline.Job) (tr pipeline.Transport, close func(), err error)
	// Remote, when set, runs the first stages elsewhere (Kafka workers):
	// the ingest source publishes to Remote.Send, and the local Steps take
	// their input from Remote.Receive. Default: every step runs here.
	Remote func(j *pipeline.Job) (*Remote, error)
	// Sinks wrap the run-directory sink, innermost first: consumers of the
	// finished rows such as the dedupe history recorder and the batch
	// manifest writer. Default: none.
	Sinks []func(pipeline.Sink) pipeline.Sink
	// Commits run, in order, after the job succeeded and its outputs are in
	// place: state that must record only successful runs (dedupe history).
	Commits []func(ctx context.Context) error
}

// Remote links a job to stages that run in other processes.
type Remote struct {
	// Send receives the ingested batches and the end of input.
	Send pipeline.Sender
	// Receive yields the batches the remote stages finished, then EOF.
	Receive pipeline.Receiver
	// Steps are the stages the remote workers run; they are bound to the
	// job's schema here, so the columns they add have the same places on
	// both sides.
	Steps []pipeline.Step
	// Sections, when set, returns the report sections the remote keyed
	// stages sent back, by "<stage>.<partition>" (kafka.Receiver.Sections);
	// they are merged per stage into the report. Default: none.
	Sections func() map[string]json.RawMessage
	// Close releases both; called after the run.
	Close func()
}

// Result is what a finished job produced.
type Result struct {
	Report *pipeline.Report
	// Input describes the file read.
	Format, Codec string
	Size          int64
	// Mapping says where each input column went.
	Header  []string
	Mapping *ingest.Mapping
}

// Progress can be polled while a job runs.
type Progress struct {
	// Rows counts rows that reached the sink.
	Rows atomic.Int64
	in   atomic.Pointer[input.Input]
}

// Bytes returns how many input bytes were read, and the input's size (-1
// when unknown).
func (p *Progress) Bytes() (read, size int64) {
	in := p.in.Load()
	if in == nil {
		return 0, -1
	}
	return in.BytesRead(), in.Size
}

// Run runs the job. progress may be nil.
func Run(ctx context.Context, spec Spec, progress *Progress) (*Result, error) {
	if spec.Account == "" {
		spec.Account = "default"
	}
	if spec.Campaign == "" {
		spec.Campaign = "default"
	}
	fingerprint := spec.Fingerprint
	switch {
	case spec.SourceID != "":
		fingerprint = func() (input.Print, error) { return input.Print{Sum: sha256Sum("source-id:" + spec.SourceID)}, nil }
	case fingerprint == nil:
		fingerprint = func() (input.Print, error) { return input.Fingerprint(spec.Input, spec.InputConfig) }
	}
	printed, err := fingerprint()
	if err != nil {
		return nil, err
	}
	fp := printed.Sum
	in, err := input.Open(ctx, spec.Input, spec.InputConfig)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if !printed.Version.Same(in.Version()) {
		return nil, fmt.Errorf("%s: after its fingerprint was taken: %w", spec.Input, input.ErrChanged)
	}
	if progress != nil {
		progress.in.Store(in)
	}
	j := &pipeline.Job{
		ID:          fmt.Sprintf("%s-%s", filepath.Base(spec.Input), hex.EncodeToString(fp[:4])),
		Account:     spec.Account,
		Campaign:    spec.Campaign,
		Source:      spec.Input,
		Fingerprint: fp,
		Schema:      pipeline.NewSchema(),
	}
	src, err := ingest.New(j, in, spec.IngestConfig)
	if err != nil {
		return nil, err
	}
	sink, err := rundir.New(spec.OutDir, j, rundir.Config{Parquet: spec.Parquet, PageCache: spec.PageCache})
	if err != nil {
		return nil, err
	}
	cfg := spec.Engine
	if progress != nil {
		cfg.Progress = &progress.Rows
	}
	if spec.Transport != nil {
		tr, closeTr, err := spec.Transport(j)
		if err != nil {
			sink.Abort()
			return nil, err
		}
		defer closeTr()
		cfg.Transport = tr
	}
	var out pipeline.Sink = sink
	for _, wrap := range spec.Sinks {
		out = wrap(out)
	}
	var rep *pipeline.Report
	if spec.Remote != nil {
		rep, err = runRemote(ctx, spec, cfg, j, src, out)
	} else {
		rep, err = pipeline.Run(ctx, cfg, j, src, spec.Steps, out)
	}
	var acct *pipeline.AccountingError
	if err != nil && !errors.As(err, &acct) {
		sink.Abort()
		return nil, err
	}
	rep.Outputs = sink.Outputs()
	rep.Outputs["report"] = rundir.ReportJSON
	if werr := rundir.WriteReport(spec.OutDir, rep); werr != nil {
		return nil, werr
	}
	res := &Result{Report: rep, Format: string(in.Format), Codec: string(in.Codec), Size: in.Size,
		Header: in.Header(), Mapping: src.Mapping()}
	if err != nil {
		return res, err
	}
	for _, commit := range spec.Commits {
		if err := commit(ctx); err != nil {
			return res, fmt.Errorf("after the run: %w", err)
		}
	}
	return res, nil
}

// Stdin copies standard input to a temporary file in dir, so a job can
// fingerprint it and read it again; the caller removes the file.
func Stdin(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".stdin-*")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.ReadFrom(os.Stdin); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return f.Name(), nil
}

// runRemote runs ingest here, publishing to the remote stages, and the
// local steps on what comes back. The report is the local run's, whose
// first step counts every row that arrived (with what the remote stages
// rejected); a row that went out and did not come back is an accounting
// error.
func runRemote(ctx context.Context, spec Spec, cfg pipeline.Config, j *pipeline.Job, src pipeline.Source, out pipeline.Sink) (*pipeline.Report, error) {
	remote, err := spec.Remote(j)
	if err != nil {
		return nil, err
	}
	defer remote.Close()
	// Every column is in place before the two runs start: they share the
	// job's schema, and binding the local steps later would change it under
	// the ingest run.
	for _, st := range append(append([]pipeline.Step(nil), remote.Steps...), spec.Steps...) {
		if b, ok := st.Stage.(pipeline.Binder); ok {
			if err := b.Bind(j.Schema); err != nil {
				return nil, fmt.Errorf("bind stage %s: %w", st.Name, err)
			}
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	var sent *pipeline.Report
	g.Go(func() error {
		rep, err := pipeline.Run(gctx, pipeline.Config{Now: cfg.Now}, j, src, nil, senderSink{remote.Send})
		sent = rep
		return err
	})
	var rep *pipeline.Report
	g.Go(func() error {
		var err error
		local := cfg
		local.Bound = true
		rep, err = pipeline.Run(gctx, local, j, &receiverSource{r: remote.Receive, job: j}, spec.Steps, out)
		return err
	})
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if remote.Sections != nil {
		for name, sec := range MergeSections(remote.Sections()) {
			if rep.Sections == nil {
				rep.Sections = map[string]any{}
			}
			rep.Sections[name] = sec
		}
	}
	if sent.RowsIn != rep.RowsIn {
		return rep, &pipeline.AccountingError{RowsIn: sent.RowsIn, Accepted: rep.Accepted, Rejected: rep.Rejected, Held: rep.Held,
			Why: fmt.Sprintf("%d rows went to the remote stages, %d came back", sent.RowsIn, rep.RowsIn)}
	}
	return rep, nil
}

// senderSink publishes every batch to the remote stages.
type senderSink struct{ s pipeline.Sender }

func (k senderSink) Write(ctx context.Context, b *pipeline.Batch) error { return k.s.Send(ctx, b) }
func (k senderSink) Close(ctx context.Context) error                    { return k.s.CloseSend(ctx) }

// receiverSource reads what the remote stages finished and puts the
// batches back under the local job, after checking that their columns are
// the job's. A row that arrives again (a worker died and its successor
// published the same rows again) is dropped by row number, so each input
// row reaches the sinks once. It acknowledges a batch as it takes it: if
// this process dies, the job is run again, and the sinks dedupe on piece
// id.
type receiverSource struct {
	r       pipeline.Receiver
	job     *pipeline.Job
	checked *pipeline.Job
	seen    []uint64 // bit n: row number n arrived
}

// fresh keeps the rows whose number has not arrived before.
func (k *receiverSource) fresh(rows []*pipeline.Row) []*pipeline.Row {
	out := rows[:0]
	for _, r := range rows {
		n := uint64(r.Num)
		w := n / 64
		if w >= uint64(len(k.seen)) {
			k.seen = append(k.seen, make([]uint64, int(w)+1-len(k.seen)+len(k.seen)/2)...)
		}
		if k.seen[w]&(1<<(n%64)) != 0 {
			continue
		}
		k.seen[w] |= 1 << (n % 64)
		out = append(out, r)
	}
	clear(rows[len(out):])
	return out
}

func (k *receiverSource) Next(ctx context.Context) (*pipeline.Batch, error) {
	b, err := k.r.Receive(ctx)
	if err != nil {
		return nil, err
	}
	if b.Job != k.checked {
		if got, want := b.Job.Schema.Names(), k.job.Schema.Names(); !slices.Equal(got, want) {
			return nil, fmt.Errorf("batches from the remote stages have columns %v, this job %v (are the workers configured like this run?)", got, want)
		}
		k.checked = b.Job
	}
	b.Job = k.job
	b.Rows, b.Done = k.fresh(b.Rows), k.fresh(b.Done)
	if a, ok := k.r.(pipeline.Acker); ok {
		if err := a.Ack(ctx, b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// MergeSections merges the report sections of a stage's distributed
// instances, keyed "<stage>.<partition>", into one per stage: objects merge
// by key, numbers add up, lists concatenate, and other values keep the
// first instance's (by partition), except "balance", an account's balance
// after its last debit, which keeps the lowest.
func MergeSections(parts map[string]json.RawMessage) map[string]any {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		sa, pa := splitSection(a)
		sb, pb := splitSection(b)
		if sa != sb {
			return strings.Compare(sa, sb)
		}
		return pa - pb
	})
	out := map[string]any{}
	for _, k := range keys {
		var v any
		if json.Unmarshal(parts[k], &v) != nil {
			continue
		}
		stage, _ := splitSection(k)
		if prev, ok := out[stage]; ok {
			out[stage] = mergeJSON(prev, v, "")
		} else {
			out[stage] = v
		}
	}
	return out
}

// splitSection splits "dedupe.2" into its stage and partition.
func splitSection(k string) (string, int) {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return k, 0
	}
	p, err := strconv.Atoi(k[i+1:])
	if err != nil {
		return k, 0
	}
	return k[:i], p
}

func mergeJSON(a, b any, key string) any {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return a
		}
		for k, v := range bv {
			if old, ok := av[k]; ok {
				av[k] = mergeJSON(old, v, k)
			} else {
				av[k] = v
			}
		}
		return av
	case float64:
		bv, ok := b.(float64)
		if !ok {
			return a
		}
		if key == "balance" {
			return min(av, bv)
		}
		return av + bv
	case []any:
		if bv, ok := b.([]any); ok {
			return append(av, bv...)
		}
		return a
	case nil:
		return b
	}
	return a
}
