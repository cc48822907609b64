// Package job runs one embedded batch job end to end: it fingerprints and
// opens the input, builds the job's piece-id identity, wires the configured
// stages between the ingest source and the run-directory sink, runs the
// engine, and writes report.json. The command line and the benchmarks call
// it; the service will call it per uploaded file.
package job

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

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
	// Input options (format, limits).
	InputConfig input.Config
	// Ingest options (batch size, column mapping).
	IngestConfig ingest.Config
	// Parquet writes accepted.parquet instead of accepted.csv.
	Parquet bool
	// Steps are the stages, in order. Default: none (rows pass through).
	Steps []pipeline.Step
	// Engine tunes the engine (transport, progress counter).
	Engine pipeline.Config
	// Transport, when set, opens the links between the job's steps once the
	// job's identity is known (a Kafka transport filters on the job id);
	// close is called after the run. Default: Engine.Transport.
	Transport func(j *pipeline.Job) (tr pipeline.Transport, close func(), err error)
	// Sinks wrap the run-directory sink, innermost first: consumers of the
	// finished rows such as the dedupe history recorder and the batch
	// manifest writer. Default: none.
	Sinks []func(pipeline.Sink) pipeline.Sink
	// Commits run, in order, after the job succeeded and its outputs are in
	// place: state that must record only successful runs (dedupe history).
	Commits []func(ctx context.Context) error
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
	var fp [32]byte
	if spec.SourceID != "" {
		fp = sha256Sum("source-id:" + spec.SourceID)
	} else {
		var err error
		if fp, err = input.Fingerprint(spec.Input, spec.InputConfig); err != nil {
			return nil, err
		}
	}
	in, err := input.Open(ctx, spec.Input, spec.InputConfig)
	if err != nil {
		return nil, err
	}
	defer in.Close()
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
	sink, err := rundir.New(spec.OutDir, j, rundir.Config{Parquet: spec.Parquet})
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
	rep, err := pipeline.Run(ctx, cfg, j, src, spec.Steps, out)
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
