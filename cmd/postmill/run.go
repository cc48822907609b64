package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/postmill/postmill/formats/arrowbatch"
	"github.com/postmill/postmill/formats/compress"
	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/formats/manifest"
	"github.com/postmill/postmill/internal/flock"
	"github.com/postmill/postmill/internal/hugeheap"
	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/job"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/kafka"
	"github.com/postmill/postmill/stages/account"
	"github.com/postmill/postmill/stages/batch"
	"github.com/postmill/postmill/stages/dedupe"
	"github.com/postmill/postmill/stages/ingest"
	"github.com/postmill/postmill/stages/render"
	"github.com/postmill/postmill/stages/suppress"
	"github.com/postmill/postmill/stages/validate"
)

// runFlags are the flags of `postmill run`, by stage.
type runFlags struct {
	out, account, campaign, sourceID, format, inFormat, mapping, mapFile *string
	directIO                                                             *bool
	batchRows, maxRecord, maxFields                                      *int
	maxBytes                                                             *int64
	progress                                                             *string
	quiet                                                                *bool
	// validate
	coa          *string
	domesticOnly *bool
	// suppress, dedupe
	suppress, suppressCampaign stringList
	dedupe                     *string
	history                    *bool
	historyWindow              *time.Duration
	state                      *stateStore
	// render
	front, back, templateID, purlSecret *string
	// batch
	vendor, mailClass, mailFormat, labelList, mailerID, serviceType, barcodeID, spillDir *string
	trayMax, memoryRows                                                                  *int
	spillCompress                                                                        *bool
	// account
	creditType, rateCard *string
	// profiling and memory
	cpuProfile  *string
	traceFile   *string
	memProfile  *string
	hugePages   *bool
	flushProcs  *int
	memoryLimit *string
	// kafka
	brokers, prefix, remoteStages *string
	partitions                    *int
	kafkaCompression              *string
}

func addRunFlags(fs *flagSet) *runFlags {
	f := &runFlags{}
	f.out = fs.String("out", "", "output `directory` (required)")
	f.account = fs.String("account", "", "tenant (sub-account) the rows belong to; enters the piece ids, and with --credit-type is charged in the ledger under --state (default \"default\")")
	f.campaign = fs.String("campaign", "", "campaign the rows mail for; enters the piece ids (default \"default\")")
	f.sourceID = fs.String("source-id", "", "idempotency key replacing the content fingerprint in piece ids")
	f.format = fs.String("format", "csv", "output format for accepted rows and pieces: csv or parquet")
	f.directIO = fs.Bool("direct-io", true, "write the row files (accepted, rejects, held, pieces) with direct I/O where the file system takes it, skipping the page cache; false writes them through it (network file systems, outputs read back at once)")
	f.inFormat = fs.String("input-format", "", "force the input format: csv, tsv, jsonl or parquet (default: sniffed)")
	f.mapping = fs.String("map", "", "column mapping `HEADER=column,...`, wins over the built-in aliases")
	f.mapFile = fs.String("map-file", "", "column mapping file: CSV of header,column lines")
	f.batchRows = fs.Int("batch-rows", pipeline.DefaultBatchRows, "rows per batch read from the input (presort emits its own batches of "+strconv.Itoa(batch.EmitRows)+" pieces)")
	f.maxBytes = fs.Int64("max-bytes", compress.DefaultMaxBytes, "most decompressed bytes read from one file (bomb guard)")
	f.maxRecord = fs.Int("max-record-bytes", 1<<20, "longest record accepted, in bytes")
	f.maxFields = fs.Int("max-fields", 4096, "most columns accepted in a record")
	f.progress = fs.String("progress", "auto", "progress bar on stderr: auto (when a terminal), always or never")
	f.quiet = fs.Bool("quiet", false, "print no summary")

	f.coa = fs.String("coa", "", "change-of-address `file` (an NCOA provider's return) applied by the validate stage")
	f.domesticOnly = fs.Bool("domestic-only", false, "reject non-US addresses (invalid_address:international_not_allowed)")

	fs.Var(&f.suppress, "suppress", "account-level suppression list `file` (repeatable; any input format)")
	fs.Var(&f.suppressCampaign, "suppress-campaign", "campaign-level suppression list `file` (repeatable)")
	f.dedupe = fs.String("dedupe", "individual", "dedupe mode: individual, household, address or off")
	f.history = fs.Bool("history", false, "reject people already mailed in this campaign within --history-window (kept in --state)")
	f.historyWindow = fs.Duration("history-window", 30*24*time.Hour, "how far back --history looks")
	f.state = stateFlag(fs)

	f.front = fs.String("template-front", "", "front template `file` (.html or .txt) with {{merge_fields}}")
	f.back = fs.String("template-back", "", "back template `file`")
	f.templateID = fs.String("template-id", "", "template id the print vendor knows the creative by (default: derived from the templates)")
	f.purlSecret = fs.String("purl-secret", "", "campaign secret for {{purl}} codes (at least 16 bytes; use POSTMILL_PURL_SECRET)")

	f.vendor = fs.String("vendor", "default", "print vendor the batches go to")
	f.mailClass = fs.String("mail-class", "first_class", "mail class: first_class or marketing")
	f.mailFormat = fs.String("mail-format", "postcard_4x6", "piece format: postcard_4x6, postcard_6x9, postcard_6x11 or letter")
	f.trayMax = fs.Int("tray-max", 500, "most pieces in a tray")
	f.labelList = fs.String("label-list", "", "USPS labeling list `file` (CSV zip3,adc) enabling AADC presort")
	f.mailerID = fs.String("mailer-id", "", "USPS Mailer ID (6 or 9 digits); with it every domestic piece gets an Intelligent Mail barcode")
	f.serviceType = fs.String("service-type", "", "IMb service type id (3 digits; default: 700 First-Class, 300 Marketing)")
	f.barcodeID = fs.String("barcode-id", "00", "IMb barcode id (2 digits)")
	f.spillDir = fs.String("spill-dir", "", "where presort spills sorted runs (default: a temporary directory)")
	f.memoryRows = fs.Int("presort-memory-rows", 200_000, "pieces presort keeps in memory before it spills a sorted run")
	f.spillCompress = fs.Bool("spill-compress", false, "S2-compress presort's spilled runs: less disk (about 40%), more CPU; for a slow --spill-dir")

	f.creditType = fs.String("credit-type", "", "credit type debited per piece from --account (default: nothing is charged)")
	f.rateCard = fs.String("rate-card", "", "rate card JSON `file` (default: the embedded USPS card)")
	f.cpuProfile = fs.String("cpuprofile", "", "write a CPU profile of the run to `file` (go tool pprof)")
	f.traceFile = fs.String("trace", "", "write an execution trace of the run to `file` (go tool trace): where stages wait")
	f.memProfile = fs.String("memprofile", "", "write a profile of the run's allocations to `file` at its end (go tool pprof -sample_index=alloc_space)")
	f.hugePages = fs.Bool("huge-pages", true, "back the heap with transparent huge pages where the system grants them on request (THP \"madvise\"): far fewer page faults, a few MB more memory; skipped under strict overcommit; false where the kernel's compaction for them stalls")
	f.flushProcs = fs.Int("flush-extra-procs", 1, "Ps (GOMAXPROCS) added while presort flushes and the outputs are written, after all input is read: blocking writes and fsyncs there hold a P each, which one spare keeps from idling a core; 0 adds none")
	f.memoryLimit = fs.String("memory-limit", "512MiB", "soft memory limit for the Go runtime (`SIZE` in B, KiB, MiB or GiB; 0: none; GOMEMLIMIT wins): the garbage collector works harder near it instead of growing the heap")
	f.brokers = fs.String("brokers", "", "run the links between stages over Kafka: bootstrap brokers `HOST:PORT,...` (default: in-process)")
	f.prefix = fs.String("prefix", kafka.DefaultPrefix, "Kafka topic name prefix (with --brokers)")
	f.partitions = fs.Int("partitions", kafka.DefaultPartitions, "partitions of the topics created (with --brokers)")
	f.kafkaCompression = fs.String("kafka-compression", arrowbatch.CompressStream.String(), "how batches are compressed on Kafka (with --brokers): zstd (the Arrow stream in one zstd frame), arrow-zstd (Arrow's own buffer compression, which any Arrow reader takes) or none (for a fast network, when CPU is short); every receiver reads all three")
	f.remoteStages = fs.String("remote-stages", "", "with --brokers: the first stages, `NAME,...` (validate, suppress), run by `postmill worker` processes; this run ingests, publishes to the first one's topic and runs the rest on what comes back")
	return f
}

// shared holds what every job of one `postmill run` uses: loaded once,
// before any row, so a bad list or file stops the run before it starts.
type shared struct {
	zips    *zipdb.DB
	coa     *ncoa.File
	lists   *suppression.Index
	mode    dedupe.Mode
	hist    dedupe.History
	ledger  *ledger.Ledger
	rates   *ledger.RateCard
	serials imb.Allocator
	mapping map[string]string
	// compression is --kafka-compression, parsed.
	compression arrowbatch.Compression
}

// inputConfig is the input options of the flags.
func (f *runFlags) inputConfig() input.Config {
	return input.Config{Format: input.Format(*f.inFormat), Compress: compress.Config{MaxBytes: *f.maxBytes},
		MaxRecordBytes: *f.maxRecord, MaxFields: *f.maxFields}
}

func (f *runFlags) prepare(ctx context.Context, e *env) (*shared, func(), error) {
	sh := &shared{}
	// The database pool, if a store opened one, is closed with the rest.
	cleanup := func() { f.state.close() }
	var err error
	if *f.format != "csv" && *f.format != "parquet" {
		return nil, cleanup, usagef("--format %q: want csv or parquet", *f.format)
	}
	if sh.compression, err = arrowbatch.ParseCompression(*f.kafkaCompression); err != nil {
		return nil, cleanup, usagef("--kafka-compression: %v", err)
	}
	if sh.mapping, err = ingest.ParseMapping(*f.mapping); err != nil {
		return nil, cleanup, usagef("--map: %v", err)
	}
	if *f.mapFile != "" {
		m, err := readMappingFile(*f.mapFile)
		if err != nil {
			return nil, cleanup, err
		}
		for k, v := range sh.mapping {
			m[k] = v
		}
		sh.mapping = m
	}
	if sh.mode, err = dedupe.ParseMode(*f.dedupe); err != nil {
		return nil, cleanup, usagef("--dedupe: %v", err)
	}
	if sh.zips, err = zipdb.Load(); err != nil {
		return nil, cleanup, err
	}
	if *f.coa != "" {
		if sh.coa, err = ncoa.LoadFile(*f.coa, sh.zips); err != nil {
			return nil, cleanup, err
		}
	}
	// Suppression lists load completely, or the run stops before any row.
	acct, camp := orDefault(*f.account), orDefault(*f.campaign)
	var lists []suppression.File
	for _, p := range f.suppress {
		lists = append(lists, suppression.File{Path: p, Scope: suppression.AccountScope(acct)})
	}
	for _, p := range f.suppressCampaign {
		lists = append(lists, suppression.File{Path: p, Scope: suppression.CampaignScope(acct, camp)})
	}
	if sh.lists, err = suppression.Load(ctx, lists, suppression.LoadConfig{ZIPs: sh.zips}); err != nil {
		return nil, cleanup, err
	}
	if *f.history {
		if *f.state.url != "" {
			pool, err := f.state.db(ctx)
			if err != nil {
				return nil, cleanup, err
			}
			sh.hist = dedupe.NewPostgresHistory(pool, 0)
		} else {
			sh.hist = dedupe.NewFileHistory(*f.state.dir, 0)
		}
	}
	if sh.rates, err = loadRateCard(*f.rateCard); err != nil {
		return nil, cleanup, err
	}
	if *f.creditType != "" {
		if *f.account == "" {
			return nil, cleanup, usagef("--credit-type needs --account: the sub-account charged")
		}
		if sh.ledger, err = openLedger(ctx, e, f.state); err != nil {
			return nil, cleanup, err
		}
		prev := cleanup
		cleanup = func() { prev(); sh.ledger.Close() }
		// The run acts on its charges only by committing its outputs, and
		// syncs the ledger first (syncedSink): the account stage need not
		// wait for an fsync per batch.
		if fs, ok := sh.ledger.Store().(*ledger.FileStore); ok {
			fs.SyncBehind()
		}
	}
	if *f.mailerID != "" {
		if *f.state.url != "" {
			pool, err := f.state.db(ctx)
			if err != nil {
				return nil, cleanup, err
			}
			sh.serials = imb.NewPostgresSerials(pool, imb.PostgresSerialsConfig{})
		} else {
			if err := os.MkdirAll(*f.state.dir, 0o755); err != nil {
				return nil, cleanup, fmt.Errorf("create state directory: %w", err)
			}
			if sh.serials, err = imb.NewFileSerials(imb.FileSerialsConfig{Dir: *f.state.dir}); err != nil {
				return nil, cleanup, err
			}
		}
	}
	return sh, cleanup, nil
}

// chain is one job's stages and the sinks and commits that go with them.
type chain struct {
	steps    []pipeline.Step
	sinks    []func(pipeline.Sink) pipeline.Sink
	commits  []func(context.Context) error
	account  *account.Stage
	batch    *batch.Stage
	manifest *manifest.Writer
}

// close releases what the chain holds (presort spill files).
func (c *chain) close() {
	if c.batch != nil {
		c.batch.Close()
	}
}

// build wires the stages of one job, in the order of DESIGN.md: validate,
// suppress, dedupe, render, batch, account; the manifest writer is a sink.
// sizeHint is the input's size in bytes (0 when unknown); dedupe sizes its
// table and presort its in-memory run from it.
func (f *runFlags) build(sh *shared, dir string, sizeHint int64) (*chain, error) {
	c := &chain{}
	for _, name := range f.stageNames() {
		st, err := f.newStage(sh, name, sizeHint)
		if err != nil {
			c.close()
			return nil, err
		}
		switch st := st.(type) {
		case *dedupe.Stage:
			c.sinks = append(c.sinks, st.Recorder)
			c.commits = append(c.commits, st.Commit)
		case *batch.Stage:
			c.batch = st
		case *account.Stage:
			c.account = st
		}
		step := pipeline.Step{Name: name, Stage: st, Serial: keyedStages[name]}
		if bs, ok := st.(*batch.Stage); ok && *f.flushProcs > 0 {
			step.Stage = flushProcs{Stage: bs, extra: *f.flushProcs}
		}
		c.steps = append(c.steps, step)
	}
	var err error
	if c.manifest, err = manifest.New(dir, nil, manifest.Config{Parquet: *f.format == "parquet", PageCache: !*f.directIO, Replace: true}); err != nil {
		c.close()
		return nil, err
	}
	// Innermost first: the manifest writer wraps the run directory, so the
	// two write each batch at the same time.
	c.sinks = append([]func(pipeline.Sink) pipeline.Sink{c.manifest.Sink}, c.sinks...)
	if sh.ledger != nil {
		// Outermost: every charge is durable before any output is committed.
		c.sinks = append(c.sinks, func(next pipeline.Sink) pipeline.Sink { return syncedSink{next, sh.ledger} })
	}
	return c, nil
}

// outDirs names the output subdirectory of each of several input files:
// the file's name without a compression suffix and its extension ("-" is
// stdin), and -2, -3… after a name already taken, so that two files called
// alike (a/x.csv and b/x.csv, x.csv and x.csv.gz) never write over each
// other's outputs.
func outDirs(files []string) []string {
	dirs := make([]string, len(files))
	taken := map[string]bool{}
	for i, file := range files {
		name := "stdin"
		if file != "-" {
			name = filepath.Base(file)
			for _, z := range []string{".gz", ".gzip", ".zst", ".zstd"} {
				name = strings.TrimSuffix(name, z)
			}
			name = strings.TrimSuffix(name, filepath.Ext(name))
			if name == "" || name == "." {
				name = "input"
			}
		}
		dir := name
		for k := 2; taken[dir]; k++ {
			dir = fmt.Sprintf("%s-%d", name, k)
		}
		taken[dir] = true
		dirs[i] = dir
	}
	return dirs
}

// profile starts a profiler (start and stop are pprof's or trace's) writing
// to path, and returns what stops it; with no path it does nothing.
func profile(path string, start func(io.Writer) error, stop func()) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return func() { stop(); f.Close() }, nil
}

// syncedSink syncs the ledger before its sink commits the outputs.
type syncedSink struct {
	pipeline.Sink
	ledger *ledger.Ledger
}

// Close syncs the ledger, then closes the sink.
func (s syncedSink) Close(ctx context.Context) error {
	if err := s.ledger.Sync(); err != nil {
		return fmt.Errorf("sync the ledger before committing the outputs: %w", err)
	}
	return s.Sink.Close(ctx)
}

// stageNames is the chain of the run's flags, in the order of DESIGN.md:
// render only with a template.
func (f *runFlags) stageNames() []string {
	if *f.front != "" || *f.back != "" {
		return []string{"validate", "suppress", "dedupe", "render", "batch", "account"}
	}
	return []string{"validate", "suppress", "dedupe", "batch", "account"}
}

// newStage builds the stage called name from the flags and what the stages
// share. sizeHint is the input's size in bytes (0 when unknown); dedupe
// sizes its table and presort its in-memory run from it.
func (f *runFlags) newStage(sh *shared, name string, sizeHint int64) (pipeline.Stage, error) {
	class, format := ledger.MailClass(*f.mailClass), ledger.Format(*f.mailFormat)
	switch name {
	case "validate":
		return validate.New(validate.Config{DomesticOnly: *f.domesticOnly, COA: sh.coa, ZIPs: sh.zips})
	case "suppress":
		return suppress.New(suppress.Config{Lists: sh.lists})
	case "dedupe":
		// Contact rows run 80–150 bytes in CSV; a table sized for the file
		// avoids rehashing as it grows (a compressed file just grows it).
		st, err := dedupe.New(dedupe.Config{Mode: sh.mode, History: sh.hist, Window: *f.historyWindow,
			ExpectedRows: int(sizeHint / 100)})
		if err != nil {
			return nil, usageError{err}
		}
		return st, nil
	case "render":
		var secret []byte
		if *f.purlSecret != "" {
			secret = []byte(*f.purlSecret)
		}
		return render.New(render.Config{Front: *f.front, Back: *f.back, TemplateID: *f.templateID, PURLSecret: secret})
	case "batch":
		// About a row per 100 bytes, as for dedupe.
		st, err := batch.New(batch.Config{Vendor: *f.vendor, MailClass: class, Format: format,
			TrayMax: *f.trayMax, LabelList: *f.labelList, MailerID: *f.mailerID, ServiceType: *f.serviceType,
			BarcodeID: *f.barcodeID, Serials: sh.serials, SpillDir: *f.spillDir, MemoryRows: *f.memoryRows,
			CompressSpills: *f.spillCompress, ExpectedRows: int(sizeHint / 100)})
		if err != nil {
			return nil, usageError{err}
		}
		return st, nil
	case "account":
		st, err := account.New(account.Config{Ledger: sh.ledger, Account: *f.account, CreditType: *f.creditType,
			Campaign: *f.campaign, RateCard: sh.rates, MailClass: class, Format: format})
		if err != nil {
			return nil, usageError{err}
		}
		return st, nil
	}
	return nil, fmt.Errorf("unknown stage (want one of %s)", strings.Join(f.stageNames(), ", "))
}

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "run", "FILE... --out DIR",
		"Runs a batch job over each contact file (CSV, TSV, JSON Lines or Parquet; gzip or zstd\n"+
			"detected by content): validate, suppress, dedupe, render, presort and barcode, price and\n"+
			"charge. Writes accepted.csv, rejects.csv, held.csv, report.json and batches/<id>/ (pieces.csv\n"+
			"and manifest.json per print batch) to --out. With several files, each gets its own\n"+
			"subdirectory of --out, named after the file without its extensions (-2, -3, ... when two\n"+
			"files share a name). '-' reads standard input.",
		"postmill run testdata/afc/sample.csv --out out/ --mailer-id 123456 --template-front testdata/templates/front.html")
	f := addRunFlags(fs)
	files, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if *f.out == "" {
		return usagef("--out is required")
	}
	if len(files) == 0 {
		return usagef("no input file")
	}
	if *f.sourceID != "" && len(files) > 1 {
		// The key replaces the content in the piece ids: row n of every
		// file would get the same id, and a file's pieces would pass for
		// another's already charged.
		return usagef("--source-id names one input: give one file with it, not %d", len(files))
	}
	if *f.flushProcs < 0 {
		return usagef("--flush-extra-procs %d: want 0 or more", *f.flushProcs)
	}
	if err := setMemoryLimit(e, *f.memoryLimit); err != nil {
		return err
	}
	if *f.hugePages {
		reserveHugeHeap()
	}
	var fps map[string]func() (input.Print, error)
	if *f.sourceID == "" {
		fctx, stop := context.WithCancel(ctx)
		defer stop()
		fps = fingerprintAhead(fctx, files, f.inputConfig())
	}
	sh, cleanup, err := f.prepare(ctx, e)
	defer cleanup()
	if err != nil {
		return err
	}
	stopCPU, err := profile(*f.cpuProfile, pprof.StartCPUProfile, pprof.StopCPUProfile)
	if err != nil {
		return err
	}
	defer stopCPU()
	stopTrace, err := profile(*f.traceFile, trace.Start, trace.Stop)
	if err != nil {
		return err
	}
	defer stopTrace()
	var allocs io.Writer
	stopMem, err := profile(*f.memProfile, func(w io.Writer) error { allocs = w; return nil },
		func() {
			runtime.GC() // the profile holds what the last finished cycle saw
			pprof.Lookup("allocs").WriteTo(allocs, 0)
		})
	if err != nil {
		return err
	}
	defer stopMem()
	failed := false
	dirs := outDirs(files)
	seen := map[[32]byte]string{} // content fingerprint → the file that had it
	for i, file := range files {
		if fp := fps[file]; fp != nil {
			// The job waits for its fingerprint first anyway.
			if p, err := fp(); err == nil {
				if prev, dup := seen[p.Sum]; dup {
					fmt.Fprintf(e.stderr, "postmill run: %s: the same content as %s, so the same piece ids: its pieces would be produced a second time; skipped\n", file, prev)
					failed = true
					continue
				}
				seen[p.Sum] = file
			}
		}
		dir := *f.out
		if len(files) > 1 {
			dir = filepath.Join(*f.out, dirs[i])
		}
		ok, err := runOne(ctx, e, f, sh, file, dir, fps)
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

// kafkaConfig is the Kafka transport of job j's run: a consumer group per
// run, whose links read this job only.
func (f *runFlags) kafkaConfig(sh *shared, j *pipeline.Job) kafka.Config {
	return kafka.Config{Brokers: splitList(*f.brokers), Prefix: *f.prefix, Partitions: *f.partitions,
		GroupPrefix: fmt.Sprintf("%s.run.%s.%d", *f.prefix, j.ID, time.Now().UnixNano()), Job: j.ID,
		Compression: sh.compression}
}

// outLock is the lock file of an output directory.
const outLock = ".postmill.lock"

// lockOut creates dir and locks it for this process until the returned
// function is called: a run and a release rewrite an output directory's
// files and a deliver reads its batches; two at once would mix them.
func lockOut(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	f, err := flock.TryLock(filepath.Join(dir, outLock))
	if errors.Is(err, flock.ErrLocked) {
		return nil, fmt.Errorf("%s: another postmill run, release or deliver is using it", dir)
	}
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// collectFrom is the input size from which runOne collects the heap before
// the job: 16 MiB, about 140,000 contact rows.
const collectFrom = 16 << 20

// runOne runs one file's job. It returns false when the job failed (said on
// stderr), and an error only for what stops the whole command.
func runOne(ctx context.Context, e *env, f *runFlags, sh *shared, file, dir string, fps map[string]func() (input.Print, error)) (bool, error) {
	unlock, err := lockOut(dir)
	if err != nil {
		return false, err
	}
	defer unlock()
	// Stages are built per job: their report sections count one run.
	var size int64
	if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	c, err := f.build(sh, dir, size)
	if err != nil {
		return false, err
	}
	defer c.close()
	if sh.ledger != nil {
		// Every price this run can need, before anything is charged.
		if err := c.account.Preflight(ctx, nil); err != nil {
			fmt.Fprintf(e.stderr, "postmill run: %v\n", err)
			return false, nil
		}
	}
	path := file
	if file == "-" {
		if path, err = job.Stdin(dir); err != nil {
			return false, err
		}
		defer os.Remove(path)
	}
	spec := job.Spec{
		Input: path, OutDir: dir, Account: *f.account, Campaign: *f.campaign, SourceID: *f.sourceID,
		InputConfig:  f.inputConfig(),
		Fingerprint:  fps[file],
		IngestConfig: ingest.Config{BatchRows: *f.batchRows, Mapping: sh.mapping},
		Parquet:      *f.format == "parquet",
		PageCache:    !*f.directIO,
		Steps:        c.steps,
		Sinks:        c.sinks,
		Commits:      c.commits,
	}
	var deadLetters int64
	if *f.remoteStages != "" {
		local, err := remoteSplit(f, c.steps)
		if err != nil {
			return false, err
		}
		spec.Steps = local
		first, back := splitList(*f.remoteStages)[0], "sink"
		if len(local) > 0 {
			back = local[0].Name
		}
		spec.Remote = func(j *pipeline.Job) (*job.Remote, error) {
			cfg := f.kafkaConfig(sh, j)
			tr, err := kafka.New(cfg)
			if err != nil {
				return nil, usageError{err}
			}
			send, err := tr.NewSender(ctx, cfg.Topic(first))
			if err != nil {
				tr.Close()
				return nil, err
			}
			recv, err := tr.NewReceiver(ctx, cfg.Topic(back), cfg.Group(back))
			if err != nil {
				send.Close()
				tr.Close()
				return nil, err
			}
			return &job.Remote{Send: send, Receive: recv, Steps: c.steps[:len(c.steps)-len(local)], Sections: recv.Sections, Close: func() {
				recv.Close()
				send.Close()
				deadLetters = tr.DeadLetters()[j.ID]
				tr.Close()
			}}, nil
		}
	} else if *f.brokers != "" {
		spec.Transport = func(j *pipeline.Job) (pipeline.Transport, func(), error) {
			tr, err := kafka.New(f.kafkaConfig(sh, j))
			if err != nil {
				return nil, nil, usageError{err}
			}
			return tr, func() { deadLetters = tr.DeadLetters()[j.ID]; tr.Close() }, nil
		}
	}
	p := &job.Progress{}
	show := *f.progress == "always" || (*f.progress == "auto" && e.stderrTTY)
	stopBar := startProgress(e.stderr, p, show)
	// Collect what loading the lists and building the stages left behind
	// before the job starts. Without it the job's first collections come at
	// points the startup's allocations set, and in about half the runs the
	// heap grew by some 90 MB more before it reused freed memory (dedupe's
	// table once its input ends among it): peak RSS 370-400 instead of
	// 280-300 MB at 1M rows, and, every fresh page costing the kernel's
	// clearing, about 0.2 s more CPU. With this collection all runs were
	// in the low mode (bench/RESULTS.md). It takes ~10 ms, beside the input
	// still being hashed; a job over a small file gains nothing from it, and
	// a run over many small files would pay it for each.
	if size >= collectFrom {
		runtime.GC()
	}
	res, err := job.Run(ctx, spec, p)
	stopBar()
	if err != nil {
		c.manifest.Abort()
		var acct *pipeline.AccountingError
		if errors.As(err, &acct) && res != nil {
			summary(e.stdout, file, dir, res, nil)
			fmt.Fprintf(e.stderr, "postmill run: %s: %v\n", file, err)
			return false, exitCode(3)
		}
		fmt.Fprintf(e.stderr, "postmill run: %v\n", err)
		return false, nil
	}
	if !*f.quiet {
		summary(e.stdout, file, dir, res, c.manifest.Manifests())
	}
	if deadLetters > 0 {
		fmt.Fprintf(e.stderr, "postmill run: %s: %d batches went to the dead-letter topic %s.dlq\n", file, deadLetters, *f.prefix)
		return false, nil
	}
	return true, nil
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
func summary(w io.Writer, file, dir string, res *job.Result, batches []manifest.Manifest) {
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
	if len(batches) > 0 {
		fmt.Fprintf(w, "  print batches: %d\n", len(batches))
		for _, m := range batches {
			fmt.Fprintf(w, "    %s  %s pieces\n", filepath.Join(dir, "batches", m.BatchID), group(int64(m.Pieces)))
		}
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

// remoteSplit checks that --remote-stages names the first stages of the
// chain, in order, and returns the rest.
func remoteSplit(f *runFlags, steps []pipeline.Step) ([]pipeline.Step, error) {
	if *f.brokers == "" {
		return nil, usagef("--remote-stages needs --brokers")
	}
	names := splitList(*f.remoteStages)
	if len(names) > len(steps) {
		return nil, usagef("--remote-stages: the chain has %d stages", len(steps))
	}
	for i, n := range names {
		if steps[i].Name != n {
			return nil, usagef("--remote-stages: stage %d of the chain is %s, not %s (remote stages must be the first ones, in order)", i+1, steps[i].Name, n)
		}
	}
	return steps[len(names):], nil
}

// stageByName builds the stages of `postmill worker`, configured by the
// same POSTMILL_* environment variables as `postmill run` (POSTMILL_COA,
// POSTMILL_SUPPRESS, POSTMILL_TEMPLATE_FRONT, …). What the stages share
// (lists, ZIP table, ledger, IMb serials) is loaded once, at the first
// call; each call builds a fresh stage. With a job, the stage serves that
// job: the account stage charges the job's account for its campaign.
// closeAll releases what the stages share (the ledger); call it once the
// stages are done.
func stageByName(ctx context.Context, e *env) (factory StageFactory, closeAll func()) {
	var (
		once    sync.Once
		f       *runFlags
		sh      *shared
		err     error
		cleanup = func() {}
	)
	closeAll = func() {
		once.Do(func() {}) // a later call builds nothing
		cleanup()
	}
	return func(name string, j *pipeline.Job) (pipeline.Step, error) {
		once.Do(func() {
			fs := newFlags(e, "worker", "", "", "")
			f = addRunFlags(fs)
			if _, err = fs.parse(e, nil); err != nil {
				return
			}
			sh, cleanup, err = f.prepare(ctx, e)
		})
		if f == nil && err == nil {
			err = errors.New("stages closed")
		}
		if err != nil {
			return pipeline.Step{}, err
		}
		ff := *f
		if j != nil {
			if j.Account != "" && j.Account != "default" {
				ff.account = &j.Account
			}
			if j.Campaign != "" && j.Campaign != "default" {
				ff.campaign = &j.Campaign
			}
		}
		st, err := ff.newStage(sh, name, 0)
		if err != nil {
			return pipeline.Step{}, err
		}
		return pipeline.Step{Name: name, Stage: st, Serial: keyedStages[name]}, nil
	}, closeAll
}

// reserveHugeHeap marks as much heap for huge pages as the memory limit
// allows (512 MiB without one), before the heap fills: a 1M-row run then
// takes 3,400 page faults instead of 85,000 and about 1 s less CPU (see
// package hugeheap). The range is address space only until used.
func reserveHugeHeap() {
	n := debug.SetMemoryLimit(-1)
	if n <= 0 || n == math.MaxInt64 {
		n = 512 << 20
	}
	hugeheap.Reserve(int(min(n, 4<<30)))
}

// setMemoryLimit applies --memory-limit unless GOMEMLIMIT is set. A batch
// job's live state (dedupe keys, the ledger's charged pieces, presort's
// in-memory run) is a few hundred MB at millions of rows; without a limit
// the collector lets the heap grow to twice that.
func setMemoryLimit(e *env, v string) error {
	if e.getenv("GOMEMLIMIT") != "" {
		return nil
	}
	n, err := parseSize(v)
	if err != nil {
		return usagef("--memory-limit %q: %v", v, err)
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
	}
	return nil
}

// parseSize reads 512MiB, 2GiB, 1048576.
func parseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a size such as 512MiB")
	}
	return n * mult, nil
}
