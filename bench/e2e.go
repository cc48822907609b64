package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/postmill/postmill/bench/gen"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/batch"
)

// Config says what to run. Zero values: 1M rows, seed 1, CSV input, a
// temporary working directory.
type Config struct {
	Rows    int
	Seed    uint64
	Format  string
	WorkDir string
	// Binary is a postmill binary to use instead of building one.
	Binary string
	// Runs is how many times postmill runs over the same data, each with a
	// fresh ledger and output directory; the result is the run of median
	// wall time, with every run's wall time listed. Default (0): once.
	// In-process only.
	Runs int
	// Against is a second postmill binary, the baseline: with it, each of
	// the Runs rounds runs both binaries over the same data, in turns
	// (which goes first alternates), so that a shared machine's drift
	// weighs on both alike; the result carries the baseline's figures
	// (Baseline). In-process only.
	Against string
	// Kafka runs every link between stages over Kafka: an in-process
	// Kafka-protocol broker (kfake) on 127.0.0.1 is started for the run.
	Kafka bool
	// Partitions is the partition count of the Kafka topics. Default: 3.
	Partitions int
	// Workers, with Kafka, runs every stage in `postmill worker`
	// processes, this many per stage, and the run only ingests and writes
	// the outputs (--remote-stages). Without DatabaseURL the account stage
	// gets one process, the owner of the file ledger. Default (0): every
	// stage runs in the run's process.
	Workers int
	// Fuse, with Workers, runs validate and suppress fused in the same
	// workers (postmill worker --stage validate,suppress): one hop less.
	Fuse bool
	// DatabaseURL, with Workers, keeps the workers' ledger and IMb serials
	// in this PostgreSQL database (migrated and emptied of ledger rows
	// first), so every stage gets Workers processes. Default: files.
	DatabaseURL string
	// CPUProfile, when set, has each measured run write a CPU profile
	// (postmill run --cpuprofile) and merges them into this file (go tool
	// pprof -proto): the profile-guided optimization profile of
	// cmd/postmill/default.pgo is made so (make pgo). The baseline's runs
	// are not profiled. Default: none.
	CPUProfile string
}

// Result is what a run measured.
type Result struct {
	Config    Config
	Stats     gen.Stats
	GenWall   time.Duration
	InputSize int64
	Wall      time.Duration
	UserCPU   time.Duration
	SysCPU    time.Duration
	PeakRSSKB int64
	// WorkerCPU and WorkerRSSKB are the worker processes' CPU time and
	// largest peak RSS, with Workers.
	WorkerCPU   time.Duration
	WorkerRSSKB int64
	WorkerProcs int
	// WorkerCPUByStage is the CPU time of each stage's workers.
	WorkerCPUByStage map[string]time.Duration
	// Walls are the wall times of every run, fastest first, with Runs.
	Walls []time.Duration
	// Baseline is what the Against binary measured, with Against.
	Baseline  *Baseline
	Report    pipeline.Report
	Outputs   map[string]int64
	Batches   int
	Funnel    []FunnelLine
	GoVersion string
	CPUs      int
	// CPU names the processor (model, family and model number from
	// /proc/cpuinfo, where there is one): wall times differ between hosts
	// of the same core count, so the figures carry it.
	CPU string
	// MemoryBytes is the machine's memory (MemTotal of /proc/meminfo); 0
	// where unknown.
	MemoryBytes int64

	stopWorkers func()
}

// Baseline compares the measured binary with the Against binary, run in
// turns over the same data.
type Baseline struct {
	Binary string
	// Walls and CPU (user + sys) of each round, in round order, for the
	// baseline and for the measured binary.
	Walls, MeasuredWalls []time.Duration
	CPU, MeasuredCPU     []time.Duration
	PeakRSSKB            int64 // the baseline's largest
	// Wins is how many rounds the measured binary took less wall time in.
	Wins int
}

// phases splits a run at presort's barrier: the input is read in
// ingest's wall time, and what presort emits flows out, through account and
// the sinks to their commit, in the rest of the pipeline's wall time (ingest
// starts with the pipeline; the batch stage cannot end before it).
func phases(rep *pipeline.Report) (input, after time.Duration, ok bool) {
	var in, batch *pipeline.StageReport
	for i := range rep.Stages {
		switch rep.Stages[i].Name {
		case "ingest":
			in = &rep.Stages[i]
		case "batch":
			batch = &rep.Stages[i]
		}
	}
	if in == nil || batch == nil || rep.WallMS < in.WallMS {
		return 0, 0, false
	}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	return ms(in.WallMS), ms(rep.WallMS - in.WallMS), true
}

// median returns the middle of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// FunnelLine compares one reason with the generator's ground truth.
type FunnelLine struct {
	Reason   string
	Observed int64
	Expected int64 // -1 when the generator has no ground truth for it
}

// moduleRoot finds the directory of go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the postmill module")
	}
	return filepath.Dir(mod), nil
}

// Run generates the data, runs postmill over it and checks the accounting.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Rows <= 0 {
		cfg.Rows = 1_000_000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Format == "" {
		cfg.Format = "csv"
	}
	if cfg.Runs > 1 && cfg.Kafka {
		return nil, errors.New("-runs repeats in-process runs only")
	}
	if cfg.Against != "" && cfg.Kafka {
		return nil, errors.New("-against compares in-process runs only")
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	work := cfg.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "postmill-bench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(work)
	}
	bin := cfg.Binary
	if bin == "" {
		bin = filepath.Join(work, "postmill")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/postmill")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build postmill: %v\n%s", err, out)
		}
	}
	res := &Result{Config: cfg, GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), CPU: cpuName(), MemoryBytes: memTotal()}

	format, err := gen.ParseFormat(cfg.Format)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(work, "data")
	t0 := time.Now()
	files, stats, err := gen.WriteAll(ctx, data, gen.Config{Rows: cfg.Rows, Seed: cfg.Seed}, format)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	res.GenWall, res.Stats = time.Since(t0), stats
	if st, err := os.Stat(files.Contacts); err == nil {
		res.InputSize = st.Size()
	}

	var runs []*Result
	var profiles []string
	var base *Baseline
	if cfg.Against != "" {
		base = &Baseline{Binary: cfg.Against}
	}
	for i := range max(cfg.Runs, 1) {
		r := *res
		dir := work
		if cfg.Runs > 1 || base != nil {
			dir = filepath.Join(work, fmt.Sprintf("run-%d", i+1))
		}
		// With a baseline, the two binaries take turns going first.
		baseline := func() error {
			b := *res
			bres, err := b.execute(ctx, cfg, cfg.Against, root, dir+"-baseline", files, "")
			if err != nil {
				return fmt.Errorf("baseline %s: %w", cfg.Against, err)
			}
			base.Walls = append(base.Walls, bres.Wall)
			base.CPU = append(base.CPU, bres.UserCPU+bres.SysCPU)
			base.PeakRSSKB = max(base.PeakRSSKB, bres.PeakRSSKB)
			return os.RemoveAll(dir + "-baseline")
		}
		if base != nil && i%2 == 0 {
			if err := baseline(); err != nil {
				return nil, err
			}
		}
		var prof string
		if cfg.CPUProfile != "" {
			prof = filepath.Join(work, "profiles", fmt.Sprintf("run-%d.pprof", i+1))
			if err := os.MkdirAll(filepath.Dir(prof), 0o755); err != nil {
				return nil, err
			}
			profiles = append(profiles, prof)
		}
		got, err := r.execute(ctx, cfg, bin, root, dir, files, prof)
		if err != nil {
			return got, err
		}
		if base != nil && i%2 == 1 {
			if err := baseline(); err != nil {
				return nil, err
			}
		}
		runs = append(runs, got)
		if base != nil {
			base.MeasuredWalls = append(base.MeasuredWalls, got.Wall)
			base.MeasuredCPU = append(base.MeasuredCPU, got.UserCPU+got.SysCPU)
			if got.Wall < base.Walls[i] {
				base.Wins++
			}
		}
		if i+1 < cfg.Runs {
			os.RemoveAll(dir) // outputs and spills of this run
		}
	}
	// The run of median wall time stands for all; the others' times are
	// listed next to it.
	slices.SortFunc(runs, func(a, b *Result) int { return cmp.Compare(a.Wall, b.Wall) })
	med := runs[len(runs)/2]
	for _, r := range runs {
		med.Walls = append(med.Walls, r.Wall)
	}
	med.Baseline = base
	if cfg.CPUProfile != "" {
		if err := mergeProfiles(ctx, cfg.CPUProfile, profiles); err != nil {
			return med, err
		}
	}
	return med, nil
}

// mergeProfiles merges CPU profiles into one file with go tool pprof.
func mergeProfiles(ctx context.Context, dst string, profiles []string) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	var stderr strings.Builder
	merge := exec.CommandContext(ctx, "go", append([]string{"tool", "pprof", "-proto"}, profiles...)...)
	merge.Stdout, merge.Stderr = f, &stderr
	err = merge.Run()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("merge CPU profiles into %s: %v\n%s", dst, err, stderr.String())
	}
	return nil
}

// execute runs postmill once over the generated files, with its ledger
// and outputs under work, and checks the accounting; with profile set,
// postmill writes a CPU profile there.
func (res *Result) execute(ctx context.Context, cfg Config, bin, root, work string, files gen.Files, profile string) (*Result, error) {
	// A ledger with enough credits for every piece, so nothing is held,
	// and outputs written afresh: a ledger left by an earlier run in the
	// same directory would find every piece already charged, and replay
	// its journal first — another job.
	state := filepath.Join(work, "state")
	out := filepath.Join(work, "out")
	for _, d := range []string{state, out} {
		if err := os.RemoveAll(d); err != nil {
			return nil, err
		}
	}
	credits := fmt.Sprint(cfg.Rows + 1000)
	if err := setupLedger(ctx, bin, credits, "--state", state); err != nil {
		return nil, err
	}

	var profileArgs []string
	if profile != "" {
		profileArgs = []string{"--cpuprofile", profile}
	}
	var kafkaArgs []string
	if cfg.Kafka {
		if cfg.Partitions <= 0 {
			cfg.Partitions = 3
		}
		cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
		if err != nil {
			return nil, fmt.Errorf("start the Kafka-protocol broker: %w", err)
		}
		defer cluster.Close()
		kafkaArgs = []string{"--brokers", strings.Join(cluster.ListenAddrs(), ","), "--prefix", "bench",
			"--partitions", fmt.Sprint(cfg.Partitions)}
		if cfg.Workers > 0 {
			stopWorkers, err := startWorkers(ctx, cfg, bin, root, work, files, strings.Join(cluster.ListenAddrs(), ","), credits, res)
			if err != nil {
				return nil, err
			}
			defer stopWorkers()
			kafkaArgs = append(kafkaArgs, "--remote-stages", strings.Join(chain[:len(chain)-1], ","))
		}
	}
	run := exec.CommandContext(ctx, bin, append([]string{"run", files.Contacts, "--out", out, "--state", state,
		"--account", "client", "--credit-type", "pc4x6", "--campaign", "bench",
		// Made-up presort prices (the embedded USPS card has none; see README).
		"--rate-card", filepath.Join(root, "stages/account/testdata/fixture-ratecard.json"),
		"--suppress", files.SuppressEmail, "--suppress", files.SuppressAddress, "--coa", files.COA,
		"--mailer-id", "123456", "--label-list", filepath.Join(root, "testdata/labels/adc-sample.csv"),
		"--template-front", filepath.Join(root, "testdata/templates/front.html"),
		"--template-back", filepath.Join(root, "testdata/templates/back.txt"),
		"--purl-secret", "bench-campaign-secret-0123456789",
		"--progress", "never", "--quiet"}, append(kafkaArgs, profileArgs...)...)...)
	var stderr bytes.Buffer
	run.Stderr = &stderr
	t0 := time.Now()
	err := run.Run()
	res.Wall = time.Since(t0)
	if run.ProcessState != nil {
		ru := run.ProcessState.SysUsage().(*syscall.Rusage)
		res.UserCPU = time.Duration(ru.Utime.Nano())
		res.SysCPU = time.Duration(ru.Stime.Nano())
		res.PeakRSSKB = ru.Maxrss
	}
	if err != nil {
		return res, fmt.Errorf("postmill run: %v\n%s", err, stderr.Bytes())
	}
	if cfg.Workers > 0 {
		res.stopWorkers()
	}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(raw, &res.Report); err != nil {
		return res, fmt.Errorf("report.json: %w", err)
	}
	res.Outputs = map[string]int64{}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(out, p)
		key := rel
		if strings.HasPrefix(rel, "batches"+string(filepath.Separator)) {
			key = "batches/*/" + filepath.Base(p)
			if filepath.Base(p) == "manifest.json" {
				res.Batches++
			}
		}
		res.Outputs[key] += info.Size()
		return nil
	})
	res.Funnel = funnel(&res.Report, &res.Stats)
	if err := res.Report.Check(); err != nil {
		return res, fmt.Errorf("ROW ACCOUNTING FAILED: %w", err)
	}
	if res.Report.RowsIn != int64(cfg.Rows) {
		return res, fmt.Errorf("ROW ACCOUNTING FAILED: generated %d rows, report counts %d in", cfg.Rows, res.Report.RowsIn)
	}
	if charged, ok := accountCharged(&res.Report); ok && charged != res.Report.Accepted {
		return res, fmt.Errorf("CHARGING FAILED: %d pieces accepted, %d charged (a ledger that was not fresh?)", res.Report.Accepted, charged)
	}
	return res, nil
}

// accountCharged returns the pieces the account stage charged, from its
// report section, and whether the report has one.
func accountCharged(rep *pipeline.Report) (int64, bool) {
	sec, _ := rep.Sections["account"].(map[string]any)
	v, ok := sec["charged"].(float64)
	return int64(v), ok
}

// funnel lists every reason the run produced, with the generator's ground
// truth where it has one.
func funnel(rep *pipeline.Report, s *gen.Stats) []FunnelLine {
	expected := map[string]int64{
		"duplicate:individual":            s.DupExact + s.DupVariant,
		"invalid_address:zip_unknown":     s.InvalidZIPUnknown,
		"invalid_address:street_missing":  s.InvalidStreetMissing,
		"invalid_address:primary_missing": s.InvalidPrimaryMissing,
		"invalid_address:garbage":         s.InvalidGarbage,
		"suppressed:account:email":        s.SuppressedEmail,
		"suppressed:account:address":      s.SuppressedAddress,
		"moved:no_forwarding":             s.MovedNoForwarding,
		"moved:box_closed":                s.MovedBoxClosed,
	}
	var out []FunnelLine
	seen := map[string]bool{}
	for _, r := range rep.Reasons.Sorted() {
		e, ok := expected[string(r)]
		if !ok {
			e = -1
		}
		out = append(out, FunnelLine{string(r), rep.Reasons[r], e})
		seen[string(r)] = true
	}
	for r, e := range expected {
		if !seen[r] && e > 0 {
			out = append(out, FunnelLine{r, 0, e})
		}
	}
	return out
}

// Table prints the results.
func (r *Result) Table(w io.Writer) {
	rep := &r.Report
	transport := "in-process"
	if r.Config.Kafka {
		transport = fmt.Sprintf("Kafka (kfake on 127.0.0.1, %d partitions, batches of %d rows in, %d after presort, zstd)",
			r.Config.Partitions, pipeline.DefaultBatchRows, batch.EmitRows)
		if r.Config.Workers > 0 {
			transport += fmt.Sprintf(", every stage in %d postmill worker processes", r.WorkerProcs)
		}
	}
	fmt.Fprintf(w, "postmill end-to-end benchmark: %d rows (seed %d, %s, %.1f MB input; generated in %.1f s), links %s\n",
		r.Config.Rows, r.Config.Seed, r.Config.Format, float64(r.InputSize)/1e6, r.GenWall.Seconds(), transport)
	mem := ""
	if r.MemoryBytes > 0 {
		mem = fmt.Sprintf(", %.1f GiB memory", float64(r.MemoryBytes)/(1<<30))
	}
	fmt.Fprintf(w, "machine: %d CPUs (%s)%s, %s\n\n", r.CPUs, r.CPU, mem, r.GoVersion)
	fmt.Fprintf(w, "%-10s %12s %12s %10s %10s %12s\n", "stage", "rows in", "rows out", "rejected", "busy ms", "rows/s busy")
	for _, s := range rep.Stages {
		rate := 0.0
		if s.BusyMS > 0 {
			rate = float64(s.RowsIn) / (s.BusyMS / 1000)
		}
		fmt.Fprintf(w, "%-10s %12d %12d %10d %10.0f %12.0f\n", s.Name, s.RowsIn, s.RowsOut, s.Rejected+s.Held, s.BusyMS, rate)
	}
	rows := float64(rep.RowsIn)
	fmt.Fprintf(w, "\nend to end: wall %.2f s, %.0f rows/s; CPU user %.2f s + sys %.2f s; peak RSS %.0f MB\n",
		r.Wall.Seconds(), rows/r.Wall.Seconds(), r.UserCPU.Seconds(), r.SysCPU.Seconds(), float64(r.PeakRSSKB)/1024)
	if len(r.Walls) > 1 {
		fmt.Fprintf(w, "  the median of %d runs over the same data; wall times:", len(r.Walls))
		for _, d := range r.Walls {
			fmt.Fprintf(w, " %.2f", d.Seconds())
		}
		fmt.Fprintln(w, " s")
	}
	if t, ok := r.target(); ok {
		fmt.Fprintln(w, t)
	}
	if in, ps, ok := phases(rep); ok && !r.Config.Kafka {
		fmt.Fprintf(w, "phases: input read in %.2f s; presort's flush, account and the sinks %.2f s after (presort needs all input first); %.2f s outside the pipeline (loading lists, fingerprinting the input, the report)\n",
			in.Seconds(), ps.Seconds(), (r.Wall - in - ps).Seconds())
	}
	if b := r.Baseline; b != nil {
		fmt.Fprintf(w, "against %s, in turns: median wall %.2f s against %.2f s, CPU %.2f s against %.2f s, peak RSS %.0f MB; faster in %d of %d rounds\n",
			b.Binary, median(b.MeasuredWalls).Seconds(), median(b.Walls).Seconds(), median(b.MeasuredCPU).Seconds(), median(b.CPU).Seconds(),
			float64(b.PeakRSSKB)/1024, b.Wins, len(b.Walls))
	}
	if r.Config.Workers > 0 {
		fmt.Fprintf(w, "workers: %d processes, CPU %.2f s, largest peak RSS %.0f MB (the table's stage lines are the run's own: it only ingests and writes)\n",
			r.WorkerProcs, r.WorkerCPU.Seconds(), float64(r.WorkerRSSKB)/1024)
		fmt.Fprintf(w, "  worker CPU by stage:")
		stages := chain[:len(chain)-1]
		if r.Config.Fuse {
			stages = append([]string{"validate,suppress"}, stages[2:]...)
		}
		for _, st := range stages {
			fmt.Fprintf(w, " %s %.2f s", st, r.WorkerCPUByStage[st].Seconds())
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "funnel: rows in %d = accepted %d + rejected %d + held %d; %d print batches\n",
		rep.RowsIn, rep.Accepted, rep.Rejected, rep.Held, r.Batches)
	fmt.Fprintf(w, "  %-40s %10s %10s\n", "reason", "observed", "generated")
	for _, f := range r.Funnel {
		exp := "-"
		if f.Expected >= 0 {
			exp = fmt.Sprint(f.Expected)
		}
		fmt.Fprintf(w, "  %-40s %10d %10s\n", f.Reason, f.Observed, exp)
	}
	fmt.Fprintln(w, "outputs:")
	for _, k := range sortedKeys(r.Outputs) {
		fmt.Fprintf(w, "  %-28s %10.1f MB\n", k, float64(r.Outputs[k])/1e6)
	}
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

const (
	resultsStart = "<!-- e2e:start (rewritten by go run ./bench -results bench/RESULTS.md) -->"
	resultsEnd   = "<!-- e2e:end -->"
)

// UpdateResults rewrites the end-to-end section of a RESULTS.md file.
func (r *Result) UpdateResults(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var b strings.Builder
	runs := ""
	if r.Config.Runs > 1 {
		runs = fmt.Sprintf(" -runs %d", r.Config.Runs)
	}
	if r.Config.Against != "" {
		runs += " -against " + r.Config.Against
	}
	fmt.Fprintf(&b, "%s\n\nCommand: `go run ./bench -rows %d%s -results bench/RESULTS.md` (`make bench`; run on %s)\n\n```\n",
		resultsStart, r.Config.Rows, runs, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	r.Table(&b)
	fmt.Fprintf(&b, "```\n\n%s", resultsEnd)
	s := string(doc)
	i, j := strings.Index(s, resultsStart), strings.Index(s, resultsEnd)
	if i >= 0 && j > i {
		s = s[:i] + b.String() + s[j+len(resultsEnd):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n## End to end (issue 9)\n\n" + b.String() + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// setupLedger gives account client (under agency) credits postcard
// credits, in the ledger that where names (--state DIR or --database-url URL).
func setupLedger(ctx context.Context, bin, credits string, where ...string) error {
	for _, args := range [][]string{
		{"ledger", "account", "--id", "agency", "--commission", "10"},
		{"ledger", "account", "--id", "client", "--parent", "agency"},
		{"ledger", "credit-type", "--id", "pc4x6", "--stock", "14pt", "--size", "postcard_4x6", "--class", "first_class", "--price", "0.90"},
		{"ledger", "buy", "--account", "agency", "--credit-type", "pc4x6", "--count", credits},
		{"ledger", "distribute", "--from", "agency", "--to", "client", "--credit-type", "pc4x6", "--count", credits},
	} {
		if out, err := exec.CommandContext(ctx, bin, append(args, where...)...).CombinedOutput(); err != nil {
			return fmt.Errorf("postmill %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// chain is the stages in order, then the run's sink.
var chain = []string{"validate", "suppress", "dedupe", "render", "batch", "account", "sink"}

// startWorkers starts cfg.Workers `postmill worker` processes per stage,
// configured through POSTMILL_* like the run; res.stopWorkers stops them
// (SIGTERM) and adds up their CPU time and peak RSS.
func startWorkers(ctx context.Context, cfg Config, bin, root, work string, files gen.Files, brokers, credits string, res *Result) (func(), error) {
	state := filepath.Join(work, "worker-state")
	env := append(os.Environ(),
		"POSTMILL_STATE="+state,
		"POSTMILL_SUPPRESS="+files.SuppressEmail+string(filepath.ListSeparator)+files.SuppressAddress,
		"POSTMILL_COA="+files.COA,
		"POSTMILL_MAILER_ID=123456",
		"POSTMILL_LABEL_LIST="+filepath.Join(root, "testdata/labels/adc-sample.csv"),
		"POSTMILL_TEMPLATE_FRONT="+filepath.Join(root, "testdata/templates/front.html"),
		"POSTMILL_TEMPLATE_BACK="+filepath.Join(root, "testdata/templates/back.txt"),
		"POSTMILL_PURL_SECRET=bench-campaign-secret-0123456789",
		"POSTMILL_RATE_CARD="+filepath.Join(root, "stages/account/testdata/fixture-ratecard.json"),
		// The tenant whose suppression lists these are.
		"POSTMILL_ACCOUNT=client", "POSTMILL_CAMPAIGN=bench",
		"POSTMILL_BROKERS="+brokers, "POSTMILL_PREFIX=bench", "POSTMILL_PARTITIONS="+fmt.Sprint(cfg.Partitions))
	ledgerWhere := []string{"--state", state}
	if cfg.DatabaseURL != "" {
		env = append(env, "POSTMILL_DATABASE_URL="+cfg.DatabaseURL)
		ledgerWhere = []string{"--database-url", cfg.DatabaseURL}
		if out, err := exec.CommandContext(ctx, bin, "migrate", "--database-url", cfg.DatabaseURL).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("postmill migrate: %v\n%s", err, out)
		}
	}
	if err := setupLedger(ctx, bin, credits, ledgerWhere...); err != nil {
		return nil, err
	}
	var procs []*exec.Cmd
	stop := func() {
		for _, p := range procs {
			p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			p.Wait()
			if ru, ok := p.ProcessState.SysUsage().(*syscall.Rusage); ok {
				cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				res.WorkerCPU += cpu
				if res.WorkerCPUByStage == nil {
					res.WorkerCPUByStage = map[string]time.Duration{}
				}
				res.WorkerCPUByStage[p.Args[3]] += cpu
				res.WorkerRSSKB = max(res.WorkerRSSKB, ru.Maxrss)
			}
		}
		if len(procs) > 0 {
			res.WorkerProcs = len(procs)
		}
		procs = nil
	}
	res.stopWorkers = stop
	for i, stage := range chain[:len(chain)-1] {
		next := chain[i+1]
		if cfg.Fuse && stage == "suppress" {
			continue // runs in the validate workers
		}
		if cfg.Fuse && stage == "validate" {
			stage, next = "validate,suppress", "dedupe"
		}
		n := cfg.Workers
		wenv := env
		if stage == "account" {
			// Only the account stage charges: the others need no ledger.
			wenv = append(append([]string(nil), env...), "POSTMILL_CREDIT_TYPE=pc4x6")
			if cfg.DatabaseURL == "" {
				n = 1 // the file ledger has one owner
			}
		}
		for range n {
			p := exec.CommandContext(ctx, bin, "worker", "--stage", stage, "--next", next)
			p.Env = wenv
			p.Stderr = io.Discard
			if err := p.Start(); err != nil {
				stop()
				return nil, fmt.Errorf("start worker %s: %w", stage, err)
			}
			procs = append(procs, p)
		}
	}
	return stop, nil
}

// Issue 9's targets for 1M rows in-process on a 2-core machine.
const (
	targetRows    = 1_000_000
	targetWall    = 3 * time.Second
	targetRowsSec = 350_000
)

// target says whether the run met issue 9's wall-time and throughput
// targets; ok is false where they do not apply (another row count, Kafka).
func (r *Result) target() (line string, ok bool) {
	if r.Config.Rows != targetRows || r.Config.Kafka || r.Wall <= 0 {
		return "", false
	}
	rate := float64(r.Report.RowsIn) / r.Wall.Seconds()
	verdict := "met"
	if r.Wall > targetWall || rate < targetRowsSec {
		verdict = "NOT met"
	}
	return fmt.Sprintf("target (issue 9, 2 cores): wall ≤ %.0f s and ≥ %d rows/s: %s", targetWall.Seconds(), targetRowsSec, verdict), true
}

// cpuName reads the processor's model name, family and model number from
// /proc/cpuinfo; elsewhere it gives the architecture.
func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	return parseCPUInfo(b, runtime.GOARCH)
}

// parseCPUInfo takes the first processor's "model name", "cpu family" and
// "model" lines of a /proc/cpuinfo text; fallback names what it lacks.
func parseCPUInfo(b []byte, fallback string) string {
	var name, family, model string
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			if strings.TrimSpace(line) == "" && name != "" {
				break // the end of the first processor's block
			}
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "model name":
			name = v
		case "cpu family":
			family = v
		case "model":
			model = v
		}
	}
	switch {
	case name == "":
		return fallback
	case family != "" && model != "":
		return fmt.Sprintf("%s, family %s model %s", name, family, model)
	}
	return name
}

// memTotal reads MemTotal from /proc/meminfo, in bytes; 0 where there is
// none.
func memTotal() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	return parseMemTotal(b)
}

// parseMemTotal finds the "MemTotal: N kB" line of a /proc/meminfo text.
func parseMemTotal(b []byte) int64 {
	for line := range strings.Lines(string(b)) {
		v, ok := strings.CutPrefix(line, "MemTotal:")
		if !ok {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(v), " ")
		kb, err := strconv.ParseInt(num, 10, 64)
		if err != nil || strings.TrimSpace(unit) != "kB" {
			return 0
		}
		return kb << 10
	}
	return 0
}
