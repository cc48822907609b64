package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/postmill/postmill/formats/compress"
	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/internal/job"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/dedupe"
	"github.com/postmill/postmill/stages/ingest"
	"github.com/postmill/postmill/stages/suppress"
	"github.com/postmill/postmill/stages/validate"
)

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "run", "FILE... --out DIR",
		"Runs a batch job over each contact file (CSV, TSV, JSON Lines or Parquet; gzip or zstd\n"+
			"detected by content) and writes accepted.csv, rejects.csv, held.csv and report.json to --out.\n"+
			"With several files, each gets its own subdirectory of --out. '-' reads standard input.",
		"postmill run testdata/afc/sample.csv --out out/")
	out := fs.String("out", "", "output `directory` (required)")
	account := fs.String("account", "", "tenant (sub-account) the rows belong to; enters the piece ids (default \"default\")")
	campaign := fs.String("campaign", "", "campaign the rows mail for; enters the piece ids (default \"default\")")
	sourceID := fs.String("source-id", "", "idempotency key replacing the content fingerprint in piece ids")
	format := fs.String("format", "csv", "output format for accepted rows: csv or parquet")
	inFormat := fs.String("input-format", "", "force the input format: csv, tsv, jsonl or parquet (default: sniffed)")
	mapping := fs.String("map", "", "column mapping `HEADER=column,...`, wins over the built-in aliases")
	mapFile := fs.String("map-file", "", "column mapping file: CSV of header,column lines")
	batchRows := fs.Int("batch-rows", pipeline.DefaultBatchRows, "rows per batch")
	maxBytes := fs.Int64("max-bytes", compress.DefaultMaxBytes, "most decompressed bytes read from one file (bomb guard)")
	maxRecord := fs.Int("max-record-bytes", 1<<20, "longest record accepted, in bytes")
	maxFields := fs.Int("max-fields", 4096, "most columns accepted in a record")
	progress := fs.String("progress", "auto", "progress bar on stderr: auto (when a terminal), always or never")
	quiet := fs.Bool("quiet", false, "print no summary")
	coa := fs.String("coa", "", "change-of-address `file` (an NCOA provider's return) applied by the validate stage")
	domesticOnly := fs.Bool("domestic-only", false, "reject non-US addresses (invalid_address:international_not_allowed)")
	var suppressFiles, suppressCampaignFiles stringList
	fs.Var(&suppressFiles, "suppress", "account-level suppression list `file` (repeatable; any input format)")
	fs.Var(&suppressCampaignFiles, "suppress-campaign", "campaign-level suppression list `file` (repeatable)")
	dedupeMode := fs.String("dedupe", "individual", "dedupe mode: individual, household, address or off")
	history := fs.Bool("history", false, "reject people already mailed in this campaign within --history-window (kept in --state)")
	historyWindow := fs.Duration("history-window", 30*24*time.Hour, "how far back --history looks")
	state := stateFlag(fs)
	files, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if len(files) == 0 {
		return usagef("no input file")
	}
	if *format != "csv" && *format != "parquet" {
		return usagef("--format %q: want csv or parquet", *format)
	}
	explicit, err := ingest.ParseMapping(*mapping)
	if err != nil {
		return usagef("--map: %v", err)
	}
	if *mapFile != "" {
		m, err := readMappingFile(*mapFile)
		if err != nil {
			return err
		}
		for k, v := range explicit {
			m[k] = v
		}
		explicit = m
	}
	mode, err := dedupe.ParseMode(*dedupeMode)
	if err != nil {
		return usagef("--dedupe: %v", err)
	}
	zips, err := zipdb.Load()
	if err != nil {
		return err
	}
	// Suppression lists load completely, or the run stops before any row.
	acct, camp := orDefault(*account), orDefault(*campaign)
	var lists []suppression.File
	for _, f := range suppressFiles {
		lists = append(lists, suppression.File{Path: f, Scope: suppression.AccountScope(acct)})
	}
	for _, f := range suppressCampaignFiles {
		lists = append(lists, suppression.File{Path: f, Scope: suppression.CampaignScope(acct, camp)})
	}
	index, err := suppression.Load(ctx, lists, suppression.LoadConfig{ZIPs: zips})
	if err != nil {
		return err
	}
	var hist dedupe.History
	if *history {
		hist = dedupe.NewFileHistory(*state, 0)
	}
	var coaFile *ncoa.File
	if *coa != "" {
		if coaFile, err = ncoa.LoadFile(*coa, zips); err != nil {
			return err
		}
	}
	failed := false
	for _, file := range files {
		// Stages are built per job: their report sections count one run.
		validator, err := validate.New(validate.Config{DomesticOnly: *domesticOnly, COA: coaFile, ZIPs: zips})
		if err != nil {
			return err
		}
		suppressor, err := suppress.New(suppress.Config{Lists: index})
		if err != nil {
			return err
		}
		deduper, err := dedupe.New(dedupe.Config{Mode: mode, History: hist, Window: *historyWindow})
		if err != nil {
			return usageError{err}
		}
		steps := []pipeline.Step{
			{Name: "validate", Stage: validator},
			{Name: "suppress", Stage: suppressor},
			{Name: "dedupe", Stage: deduper, Serial: true},
		}
		dir := *out
		if len(files) > 1 {
			dir = filepath.Join(*out, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
		}
		path := file
		if file == "-" {
			if path, err = job.Stdin(dir); err != nil {
				return err
			}
			defer os.Remove(path)
		}
		spec := job.Spec{
			Input: path, OutDir: dir, Account: *account, Campaign: *campaign, SourceID: *sourceID,
			InputConfig: input.Config{Format: input.Format(*inFormat), Compress: compress.Config{MaxBytes: *maxBytes},
				MaxRecordBytes: *maxRecord, MaxFields: *maxFields},
			IngestConfig: ingest.Config{BatchRows: *batchRows, Mapping: explicit},
			Parquet:      *format == "parquet",
			Steps:        steps,
			Sinks:        []func(pipeline.Sink) pipeline.Sink{deduper.Recorder},
			Commits:      []func(context.Context) error{deduper.Commit},
		}
		p := &job.Progress{}
		show := *progress == "always" || (*progress == "auto" && e.stderrTTY)
		stopBar := startProgress(e.stderr, p, show)
		res, err := job.Run(ctx, spec, p)
		stopBar()
		if err != nil {
			var acct *pipeline.AccountingError
			if errors.As(err, &acct) && res != nil {
				summary(e.stdout, file, dir, res)
				fmt.Fprintf(e.stderr, "postmill run: %s: %v\n", file, err)
				return exitCode(3)
			}
			fmt.Fprintf(e.stderr, "postmill run: %v\n", err)
			failed = true
			continue
		}
		if !*quiet {
			summary(e.stdout, file, dir, res)
		}
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

// orDefault is the account or campaign a job gets when none is given; it
// matches internal/job's default.
func orDefault(s string) string {
	if s == "" {
		return "default"
	}
	return s
}

func readMappingFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ",")
		if !ok {
			return nil, fmt.Errorf("%s line %d: want header,column", path, i+1)
		}
		out[strings.Trim(strings.TrimSpace(k), `"`)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out, nil
}

// startProgress draws a progress line on w every 200 ms until stopped:
// rows, rows/s, and an ETA when the input's size is known.
func startProgress(w io.Writer, p *job.Progress, show bool) func() {
	if !show {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				rows := p.Rows.Load()
				el := time.Since(start).Seconds()
				line := fmt.Sprintf("%s rows  %s rows/s", group(rows), group(int64(float64(rows)/el)))
				if read, size := p.Bytes(); size > 0 && read > 0 {
					frac := float64(read) / float64(size)
					eta := time.Duration(el*(1-frac)/frac) * time.Second
					line += fmt.Sprintf("  %3.0f%%  ETA %s", 100*frac, eta.Round(time.Second))
				}
				fmt.Fprintf(w, "\r\033[K%s", line)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// summary prints the one-screen account of a job.
func summary(w io.Writer, file, dir string, res *job.Result) {
	r := res.Report
	fmt.Fprintf(w, "postmill run %s (%s, %s) → %s\n", file, res.Format, res.Codec, dir)
	fmt.Fprintf(w, "  rows in    %12s\n", group(r.RowsIn))
	fmt.Fprintf(w, "  accepted   %12s\n", group(r.Accepted))
	fmt.Fprintf(w, "  rejected   %12s\n", group(r.Rejected))
	fmt.Fprintf(w, "  held       %12s\n", group(r.Held))
	if len(r.Reasons) > 0 {
		fmt.Fprintln(w, "  reasons:")
		for _, k := range r.Reasons.Sorted() {
			fmt.Fprintf(w, "    %-44s %10s\n", k, group(r.Reasons[k]))
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "  notes:")
		for _, k := range r.Notes.Sorted() {
			fmt.Fprintf(w, "    %-44s %10s\n", k, group(r.Notes[k]))
		}
	}
	fmt.Fprintln(w, "  stages:          rows in   rows out   rejected    held    busy ms")
	for _, s := range r.Stages {
		fmt.Fprintf(w, "    %-12s %10s %10s %10s %7s %10.1f\n", s.Name, group(s.RowsIn), group(s.RowsOut), group(s.Rejected), group(s.Held), s.BusyMS)
	}
	rate := 0.0
	if r.WallMS > 0 {
		rate = float64(r.RowsIn) / (r.WallMS / 1000)
	}
	fmt.Fprintf(w, "  wall %.2f s, %s rows/s\n", r.WallMS/1000, group(int64(rate)))
	names := make([]string, 0, len(r.Outputs))
	for _, f := range r.Outputs {
		names = append(names, filepath.Join(dir, f))
	}
	sort.Strings(names)
	fmt.Fprintf(w, "  outputs: %s\n", strings.Join(names, " "))
}

// group formats n with thousands separators.
func group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func cmdReasons(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "reasons", "", "Lists every reason code a row can end with, and what it means.", "postmill reasons --markdown")
	md := fs.Bool("markdown", false, "print a Markdown table (as in the README)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *md {
		fmt.Fprintln(e.stdout, "| reason | meaning |\n| --- | --- |")
	}
	for _, r := range pipeline.Reasons() {
		if *md {
			fmt.Fprintf(e.stdout, "| `%s` | %s |\n", r, r.Description())
		} else {
			fmt.Fprintf(e.stdout, "%-44s %s\n", r, r.Description())
		}
	}
	return nil
}
