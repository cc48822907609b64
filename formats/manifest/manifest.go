package manifest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/postmill/postmill/formats/atomicfile"
	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/parquet"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
)

// SchemaVersion is the manifest.json schema version; it changes only when a
// field changes meaning or goes away.
const SchemaVersion = 1

// File and directory names.
const (
	BatchesDir    = "batches"        // under the run directory, one subdirectory per batch
	PiecesCSV     = "pieces.csv"     // the pieces in presort order
	PiecesParquet = "pieces.parquet" // the same rows, with Config.Parquet
	ManifestJSON  = "manifest.json"  // the Manifest
)

// Columns the writer reads; the batch, render and account stages write them.
const (
	ColPieceID    = "piece_id"      // the row's piece id, not a schema column
	ColRow        = "row"           // the row's source row number, not a schema column
	ColBatchID    = "batch_id"      // the batch a piece belongs to
	ColSequence   = "sequence"      // the piece's number in its batch
	ColTray       = "tray"          // the piece's tray number
	ColLevel      = "presort_level" // the piece's presort level
	ColDest       = "presort_dest"  // the tray's destination
	ColVendor     = "vendor"        // the print vendor
	ColMailClass  = "mail_class"    // first_class or marketing
	ColMailFormat = "mail_format"   // the piece format
	ColTemplateID = "template_id"   // the creative
	ColPostage    = "postage"       // the piece's postage in dollars (account stage)
)

// DefaultColumns are the columns of the pieces files unless configured:
// what a print vendor needs to print, sort and barcode each piece, and
// nothing it does not (no e-mail, no external ids). "merge_*" stands for
// every merge-value column of the render stage, in schema order. Columns the
// job does not have are left out.
var DefaultColumns = []string{
	ColPieceID, ColRow, ColBatchID, ColSequence, ColTray, ColLevel, ColDest,
	"imb", "imb_tracking", "imb_routing",
	"first_name", "last_name", "organization",
	"address_street", "address_street2", "address_city", "address_state", "address_zip", "address_zip4", "address_country",
	ColTemplateID, "purl", "merge_*", ColPostage,
}

// required are the columns Verify recounts; a pieces file always has them.
var required = []string{ColPieceID, ColBatchID, ColSequence, ColTray, ColLevel, ColDest}

// Config configures a Writer. The zero value writes pieces.csv with
// DefaultColumns.
type Config struct {
	// Parquet also writes pieces.parquet (the same rows). Default: false.
	Parquet bool
	// Columns are the pieces files' columns, in order; "merge_*" expands to
	// the merge columns, piece_id and row are the row's id and source row
	// number. It must include piece_id, batch_id, sequence, tray,
	// presort_level and presort_dest. Default (nil): DefaultColumns.
	Columns []string
	// Now stamps created_at. Default (nil): time.Now.
	Now func() time.Time
	// PageCache writes the pieces files through the page cache instead of
	// with direct I/O (see atomicfile). Default: direct I/O where the file
	// system takes it.
	PageCache bool
	// Replace makes the writer's batches the directory's only ones, as a
	// run's are: New refuses a directory holding a batch that records a
	// delivery (ErrDelivered: rewritten, it would lose the record and be
	// delivered again), and Close removes the batch directories it did not
	// write (an earlier run's, which this run's outputs supersede). Default:
	// false, batches are added beside those already there.
	Replace bool
}

// ErrDelivered is wrapped by New's error, with Config.Replace, for a
// directory that holds a delivered batch.
var ErrDelivered = errors.New("holds batches already delivered")

// Manifest is the content of manifest.json.
type Manifest struct {
	SchemaVersion int    `json:"schema_version"` // SchemaVersion
	BatchID       string `json:"batch_id"`       // the directory's name
	// Account is the tenant (sub-account); Campaign and JobID the run.
	Account  string `json:"account"`
	Campaign string `json:"campaign"` // the job's campaign
	JobID    string `json:"job_id"`   // the job's id
	// Vendor, MailClass and Format are the batch's group.
	Vendor    string `json:"vendor"`
	MailClass string `json:"mail_class"` // first_class or marketing
	Format    string `json:"format"`     // postcard_4x6, …, letter
	// TemplateIDs are the distinct template ids of the pieces, sorted.
	TemplateIDs []string `json:"template_ids"`
	// Pieces is the number of pieces (rows of pieces.csv).
	Pieces int64 `json:"pieces"`
	// Levels counts pieces per presort level.
	Levels map[string]int64 `json:"levels"`
	// Trays lists every tray in order.
	Trays []Tray `json:"trays"`
	// Postage is the sum of the pieces' postage in dollars ("12.3400"), or
	// null when the run priced nothing (no account stage).
	Postage *string `json:"postage"`
	// Files are the batch's data files with their checksums.
	Files []File `json:"files"`
	// CreatedAt is when the manifest was written.
	CreatedAt time.Time `json:"created_at"`
	// Deliveries record every hand-off of the batch to a vendor, oldest first.
	Deliveries []Delivery `json:"deliveries"`
}

// Tray is one tray of a batch.
type Tray struct {
	Tray   int64  `json:"tray"`   // tray number
	Level  string `json:"level"`  // presort level of its pieces
	Dest   string `json:"dest"`   // destination (ZIP, prefix, ADC, MXD, INTL)
	Pieces int64  `json:"pieces"` // pieces in it
}

// File is one data file of a batch.
type File struct {
	Name   string `json:"name"`   // file name in the batch directory
	SHA256 string `json:"sha256"` // hex sha256 of the content
	Rows   int64  `json:"rows"`   // data rows, header excluded
	Bytes  int64  `json:"bytes"`  // size
}

// Delivery records one upload of a batch to a vendor.
type Delivery struct {
	Vendor    string `json:"vendor"`     // the vendor delivered to
	Host      string `json:"host"`       // host:port of its SFTP server
	RemoteDir string `json:"remote_dir"` // directory on the server
	// Files are the names uploaded, in upload order.
	Files []string `json:"files"`
	// SHA256 maps each uploaded file's name to the hex sha256 of what was
	// uploaded.
	SHA256      map[string]string `json:"sha256"`
	DeliveredAt time.Time         `json:"delivered_at"` // when the upload completed
}

// Writer writes the batch directories of one run. It is not safe for
// concurrent use; the engine calls a sink from one goroutine (and the Sink
// around it calls Add from one goroutine of its own).
type Writer struct {
	dir   string
	job   *pipeline.Job
	cfg   Config
	cols  []int // schema index per output column; -1 piece id, -2 row
	names []string
	colOf map[string]int
	// Schema indexes of the columns every piece is tallied by; -1 when the
	// job has none.
	templateCol, postageCol int
	batches                 map[string]*batchWriter
	order                   []string
	rec                     [][]byte
	num                     []byte
	closed                  bool
	done                    []Manifest
	sink                    *sink // the Sink around the writer, if any
}

// batchWriter is one batch being written.
type batchWriter struct {
	id        string
	dir       string
	m         Manifest
	csvFile   *atomicfile.File
	csvHash   hash.Hash
	csvCount  *countWriter
	csv       *csv.Writer
	pqFile    *atomicfile.File
	pqHash    hash.Hash
	pqCount   *countWriter
	pq        *parquet.Writer
	trayIndex map[int64]int
	templates map[string]bool
	postage   ledger.Amount
	priced    bool

	// The last row's level, tray, template and postage: pieces come in
	// presort order, so these change seldom and are looked up when they do.
	lastLevel, lastTray, lastTemplate, lastPostage []byte
	levelRun                                       int64 // pieces of lastLevel not yet in m.Levels
	trayAt                                         int   // lastTray's index in m.Trays
	postageAmt                                     ledger.Amount
}

// countLevelRun adds the pieces counted for the last level to the manifest.
func (bw *batchWriter) countLevelRun() {
	if bw.levelRun > 0 {
		bw.m.Levels[string(bw.lastLevel)] += bw.levelRun
		bw.levelRun = 0
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

// Write counts what it passes on.
func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// New returns a writer of batch directories under dir/batches for job. job
// may be nil: the writer then takes the job of the first batch it is given.
func New(dir string, job *pipeline.Job, cfg Config) (*Writer, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Columns == nil {
		cfg.Columns = DefaultColumns
	}
	for _, r := range required {
		if !slices.Contains(cfg.Columns, r) {
			return nil, fmt.Errorf("manifest: the pieces columns must include %s", r)
		}
	}
	if cfg.Replace {
		delivered, err := Delivered(dir)
		if err != nil {
			return nil, err
		}
		if len(delivered) > 0 {
			return nil, fmt.Errorf("manifest: %s %w (%s): a run there would replace them and lose their delivery records; write it to a new directory",
				dir, ErrDelivered, strings.Join(delivered, ", "))
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, BatchesDir), 0o755); err != nil {
		return nil, fmt.Errorf("manifest: create batches directory: %w", err)
	}
	return &Writer{dir: dir, job: job, cfg: cfg, batches: map[string]*batchWriter{}}, nil
}

// Delivered returns the ids of the batches under dir/batches whose
// manifests record a delivery, sorted.
func Delivered(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, BatchesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n, err := deliveries(filepath.Join(dir, BatchesDir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // no manifest: a batch never finished, so never delivered
		}
		if err != nil {
			return nil, err
		}
		if n > 0 {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// deliveries counts the deliveries batchDir's manifest records, whatever
// its schema version (an earlier postmill's batch counts too).
func deliveries(batchDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(batchDir, ManifestJSON))
	if err != nil {
		return 0, err
	}
	var m struct {
		Deliveries []json.RawMessage `json:"deliveries"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, fmt.Errorf("manifest: %s: %w", filepath.Join(batchDir, ManifestJSON), err)
	}
	return len(m.Deliveries), nil
}

// removeOthers removes the batch directories under batches/ that the writer
// did not write: with Replace, the run's batches are the directory's only
// ones.
func (w *Writer) removeOthers() error {
	root := filepath.Join(w.dir, BatchesDir)
	entries, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	for _, e := range entries {
		if _, ours := w.batches[e.Name()]; ours || !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		n, err := deliveries(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist): // unfinished, so never delivered
		case err != nil, n > 0:
			continue // unreadable, or delivered while this run ran: kept
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("manifest: remove an earlier run's batch: %w", err)
		}
	}
	return nil
}

// resolve maps the configured columns onto the job's final schema.
func (w *Writer) resolve() error {
	sc := w.job.Schema
	w.templateCol, w.postageCol = -1, -1
	if i, ok := sc.Index(ColTemplateID); ok {
		w.templateCol = i
	}
	if i, ok := sc.Index(ColPostage); ok {
		w.postageCol = i
	}
	w.colOf = map[string]int{}
	add := func(name string, idx int) {
		if _, dup := w.colOf[name]; dup {
			return
		}
		w.colOf[name] = len(w.names)
		w.names = append(w.names, name)
		w.cols = append(w.cols, idx)
	}
	for _, c := range w.cfg.Columns {
		switch {
		case c == ColPieceID:
			add(c, -1)
		case c == ColRow:
			add(c, -2)
		case strings.HasSuffix(c, "*"):
			for i, n := range sc.Names() {
				if strings.HasPrefix(n, strings.TrimSuffix(c, "*")) {
					add(n, i)
				}
			}
		default:
			if i, ok := sc.Index(c); ok {
				add(c, i)
			} else if slices.Contains(required, c) {
				return fmt.Errorf("manifest: the job has no %s column: wire the batch stage before the manifest writer", c)
			}
		}
	}
	return nil
}

// Add writes the live rows of b to their batches' pieces files. It reads
// b.Rows only and neither keeps nor releases b.
func (w *Writer) Add(ctx context.Context, b *pipeline.Batch) error {
	if w.closed {
		return errors.New("manifest: Add after Close")
	}
	if w.job == nil {
		w.job = b.Job
	}
	if w.names == nil {
		if err := w.resolve(); err != nil {
			return err
		}
	}
	sc := w.job.Schema
	batchCol, _ := sc.Index(ColBatchID)
	var (
		lastID []byte // presorted pieces come in runs of one batch
		bw     *batchWriter
	)
	for _, r := range b.Rows {
		id := r.Field(batchCol)
		if len(id) == 0 {
			return fmt.Errorf("manifest: piece %s (row %d) has no batch_id", r.ID, r.Num)
		}
		if bw == nil || !bytes.Equal(id, lastID) {
			bw, lastID = w.batches[string(id)], id
		}
		if bw == nil {
			var err error
			if bw, err = w.open(string(id), r); err != nil {
				return err
			}
		}
		if err := w.write(bw, r); err != nil {
			return err
		}
	}
	return nil
}

// value returns r's value of the pieces files' column i; w.num holds the
// row number.
func (w *Writer) value(r *pipeline.Row, i int) []byte {
	switch c := w.cols[i]; c {
	case -1:
		return r.ID[:]
	case -2:
		return w.num
	default:
		return r.Field(c)
	}
}

// fieldAt returns r's column i, or nil for i = -1.
func fieldAt(r *pipeline.Row, i int) []byte {
	if i < 0 {
		return nil
	}
	return r.Field(i)
}

func (w *Writer) field(r *pipeline.Row, name string) []byte {
	if i, ok := w.job.Schema.Index(name); ok {
		return r.Field(i)
	}
	return nil
}

// open starts a batch's directory and files.
func (w *Writer) open(id string, first *pipeline.Row) (*batchWriter, error) {
	if id == "." || id == ".." || strings.ContainsAny(id, `/\`) {
		return nil, fmt.Errorf("manifest: batch id %q cannot name a directory", id)
	}
	dir := filepath.Join(w.dir, BatchesDir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("manifest: create batch directory: %w", err)
	}
	bw := &batchWriter{id: id, dir: dir, trayIndex: map[int64]int{}, templates: map[string]bool{},
		m: Manifest{SchemaVersion: SchemaVersion, BatchID: id, Account: w.job.Account, Campaign: w.job.Campaign, JobID: w.job.ID,
			Vendor: string(w.field(first, ColVendor)), MailClass: string(w.field(first, ColMailClass)), Format: string(w.field(first, ColMailFormat)),
			Levels: map[string]int64{}, Trays: []Tray{}, Deliveries: []Delivery{}}}
	w.batches[id] = bw
	w.order = append(w.order, id)
	files := atomicfile.Options{PageCache: w.cfg.PageCache}
	f, err := files.Create(filepath.Join(dir, PiecesCSV))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	// The file hashes what it writes, on its own goroutine where it has one.
	bw.csvFile, bw.csvHash = f, sha256.New()
	f.Hash(bw.csvHash)
	bw.csvCount = &countWriter{w: f}
	bw.csv = csv.NewWriter(bw.csvCount)
	bw.csv.WriteStrings(w.names)
	if w.cfg.Parquet {
		f, err := files.Create(filepath.Join(dir, PiecesParquet))
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		bw.pqFile, bw.pqHash = f, sha256.New()
		f.Hash(bw.pqHash)
		// A plain writer: the Parquet writer closes an io.Closer, and the
		// file must stay open until it is synced.
		bw.pqCount = &countWriter{w: f}
		if bw.pq, err = parquet.NewWriter(struct{ io.Writer }{bw.pqCount}, w.names); err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
	}
	return bw, nil
}

func (w *Writer) write(bw *batchWriter, r *pipeline.Row) error {
	w.rec = w.rec[:0]
	w.num = strconv.AppendInt(w.num[:0], r.Num, 10)
	for i := range w.cols {
		w.rec = append(w.rec, w.value(r, i))
	}
	if err := bw.csv.Write(w.rec); err != nil {
		return fmt.Errorf("manifest: write %s: %w", bw.csvFile.Path(), err)
	}
	if bw.pq != nil {
		if err := bw.pq.Write(w.rec); err != nil {
			return fmt.Errorf("manifest: write %s: %w", bw.pqFile.Path(), err)
		}
	}
	m := &bw.m
	m.Pieces++
	level := w.rec[w.colOf[ColLevel]]
	if !bytes.Equal(level, bw.lastLevel) {
		bw.countLevelRun()
		bw.lastLevel = append(bw.lastLevel[:0], level...)
	}
	bw.levelRun++
	if tb := w.rec[w.colOf[ColTray]]; len(bw.lastTray) == 0 || !bytes.Equal(tb, bw.lastTray) {
		tray, err := strconv.ParseInt(string(tb), 10, 64)
		if err != nil {
			return fmt.Errorf("manifest: piece %s: tray %q: %w", r.ID, tb, err)
		}
		i, ok := bw.trayIndex[tray]
		if !ok {
			i = len(m.Trays)
			bw.trayIndex[tray] = i
			m.Trays = append(m.Trays, Tray{Tray: tray, Level: string(level), Dest: string(w.rec[w.colOf[ColDest]])})
		}
		bw.trayAt = i
		bw.lastTray = append(bw.lastTray[:0], tb...)
	}
	m.Trays[bw.trayAt].Pieces++
	if t := fieldAt(r, w.templateCol); len(t) > 0 && !bytes.Equal(t, bw.lastTemplate) {
		bw.templates[string(t)] = true
		bw.lastTemplate = append(bw.lastTemplate[:0], t...)
	}
	if p := fieldAt(r, w.postageCol); len(p) > 0 {
		if !bytes.Equal(p, bw.lastPostage) || len(bw.lastPostage) == 0 {
			a, err := ledger.ParseAmount(string(p))
			if err != nil {
				return fmt.Errorf("manifest: piece %s: postage: %w", r.ID, err)
			}
			bw.postageAmt = a
			bw.lastPostage = append(bw.lastPostage[:0], p...)
		}
		bw.postage += bw.postageAmt
		bw.priced = true
	}
	return nil
}

// Close finishes every batch: it flushes and commits the pieces files, then
// writes each manifest.json, and returns the manifests in batch id order.
// On error it removes what it had not committed.
func (w *Writer) Close(ctx context.Context) ([]Manifest, error) {
	if w.closed {
		return nil, errors.New("manifest: Close twice")
	}
	w.closed = true
	ids := slices.Clone(w.order)
	slices.Sort(ids)
	var out []Manifest
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			w.Abort()
			return nil, err
		}
		m, err := w.finish(w.batches[id])
		if err != nil {
			w.Abort()
			return nil, err
		}
		out = append(out, m)
	}
	if w.cfg.Replace {
		if err := w.removeOthers(); err != nil {
			return nil, err
		}
	}
	if err := atomicfile.SyncDir(filepath.Join(w.dir, BatchesDir)); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	w.done = out
	return out, nil
}

// Manifests returns what Close returned: the manifests written, by batch id.
func (w *Writer) Manifests() []Manifest { return w.done }

// Sink returns next with the writer in front of it: every batch goes to Add
// and then to next (which releases it); Close closes the writer, then next.
// When next is a [pipeline.Consumer], the writer adds each batch on a
// goroutine of its own while next consumes it, up to sinkAhead batches
// behind, and the batch is released once both are done with it. It fits
// job.Spec.Sinks. When the run fails the engine does not call Close: call
// Abort.
func (w *Writer) Sink(next pipeline.Sink) pipeline.Sink {
	s := &sink{w: w, next: next}
	w.sink = s
	return s
}

// sinkAhead is how many batches the consumer after the writer may be ahead
// of it. Waiting for each other batch by batch, the two left a core idle for
// a third of the run after presort.
const sinkAhead = 2

type sink struct {
	w    *Writer
	next pipeline.Sink

	// With a consumer next: batches for the adding goroutine, closed by
	// Close or Abort; done is closed when the goroutine has returned, and
	// addErr (set before) is the first error of Add.
	work   chan *sharedBatch
	done   chan struct{}
	addErr error
}

// sharedBatch is a batch read by the writer and the consumer after it at
// the same time; the last of the two to finish releases it.
type sharedBatch struct {
	b     *pipeline.Batch
	users atomic.Int32
}

func (sb *sharedBatch) done() {
	if sb.users.Add(-1) == 0 {
		sb.b.Release()
	}
}

// Write adds b's accepted rows to the batches and passes b on. When next can
// consume a batch without releasing it, both write at the same time.
func (s *sink) Write(ctx context.Context, b *pipeline.Batch) error {
	c, ok := s.next.(pipeline.Consumer)
	if !ok {
		if err := s.w.Add(ctx, b); err != nil {
			b.Release()
			return err
		}
		return s.next.Write(ctx, b)
	}
	if s.work == nil {
		s.work, s.done = make(chan *sharedBatch, sinkAhead), make(chan struct{})
		go s.add(ctx)
	}
	select {
	case <-s.done: // Add failed: no batch goes to the files after that
		b.Release()
		return s.addErr
	default:
	}
	sb := &sharedBatch{b: b}
	sb.users.Store(2)
	select {
	case s.work <- sb:
	case <-s.done: // Add failed
		b.Release()
		return s.addErr
	case <-ctx.Done():
		b.Release()
		return ctx.Err()
	}
	err := c.Consume(ctx, b)
	sb.done()
	return err
}

// add runs Add on each batch in turn until the work channel is closed, Add
// fails, or ctx is done (an error too: batches may be left unadded).
func (s *sink) add(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case sb, ok := <-s.work:
			if !ok {
				return
			}
			err := s.w.Add(ctx, sb.b)
			sb.done()
			if err != nil {
				s.addErr = err
				return
			}
		case <-ctx.Done():
			// Batches may be left unadded: Close must not commit.
			s.addErr = ctx.Err()
			return
		}
	}
}

// stop ends the adding goroutine and returns its error, if any.
func (s *sink) stop() error {
	if s.work == nil {
		return nil
	}
	close(s.work)
	<-s.done
	s.work = nil
	return s.addErr
}

// Close waits for the writer to add every batch, closes it, then closes
// next.
func (s *sink) Close(ctx context.Context) error {
	if err := s.stop(); err != nil {
		return err
	}
	if _, err := s.w.Close(ctx); err != nil {
		return err
	}
	return s.next.Close(ctx)
}

func (w *Writer) finish(bw *batchWriter) (Manifest, error) {
	bw.countLevelRun()
	m := &bw.m
	if err := bw.csv.Flush(); err != nil {
		return Manifest{}, fmt.Errorf("manifest: write %s: %w", bw.csvFile.Path(), err)
	}
	if err := bw.csvFile.Commit(); err != nil {
		return Manifest{}, fmt.Errorf("manifest: %w", err)
	}
	m.Files = append(m.Files, File{Name: PiecesCSV, SHA256: hex.EncodeToString(bw.csvHash.Sum(nil)), Rows: m.Pieces, Bytes: bw.csvCount.n})
	if bw.pq != nil {
		if err := bw.pq.Close(); err != nil {
			return Manifest{}, fmt.Errorf("manifest: write %s: %w", bw.pqFile.Path(), err)
		}
		if err := bw.pqFile.Commit(); err != nil {
			return Manifest{}, fmt.Errorf("manifest: %w", err)
		}
		m.Files = append(m.Files, File{Name: PiecesParquet, SHA256: hex.EncodeToString(bw.pqHash.Sum(nil)), Rows: m.Pieces, Bytes: bw.pqCount.n})
	}
	m.TemplateIDs = []string{}
	for t := range bw.templates {
		m.TemplateIDs = append(m.TemplateIDs, t)
	}
	slices.Sort(m.TemplateIDs)
	if bw.priced {
		s := bw.postage.String()
		m.Postage = &s
	}
	m.CreatedAt = w.cfg.Now().UTC()
	if err := writeManifest(bw.dir, m); err != nil {
		return Manifest{}, err
	}
	return *m, nil
}

// Abort removes the temporary files of batches not yet committed.
func (w *Writer) Abort() {
	if w.sink != nil {
		w.sink.stop()
	}
	for _, bw := range w.batches {
		if bw.csvFile != nil {
			bw.csvFile.Abort()
		}
		if bw.pqFile != nil {
			bw.pqFile.Abort()
		}
	}
}

// writeManifest writes dir/manifest.json atomically and syncs dir.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: encode: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ManifestJSON), append(b, '\n')); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}

// Read reads a batch directory's manifest.json.
func Read(batchDir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(batchDir, ManifestJSON))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", filepath.Join(batchDir, ManifestJSON), err)
	}
	if m.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("manifest: %s: schema_version %d, want %d", filepath.Join(batchDir, ManifestJSON), m.SchemaVersion, SchemaVersion)
	}
	return &m, nil
}

// AppendDelivery adds d to batchDir's manifest.json, replacing the file
// atomically. An flock on the batch directory serializes concurrent
// appenders, in this process and others. DeliveredAt defaults to now.
func AppendDelivery(batchDir string, d Delivery) error {
	lock, err := os.Open(batchDir)
	if err != nil {
		return fmt.Errorf("manifest: append delivery: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("manifest: lock %s: %w", batchDir, err)
	}
	m, err := Read(batchDir)
	if err != nil {
		return err
	}
	if d.DeliveredAt.IsZero() {
		d.DeliveredAt = time.Now()
	}
	d.DeliveredAt = d.DeliveredAt.UTC()
	if d.Files == nil {
		d.Files = []string{}
	}
	if d.SHA256 == nil {
		d.SHA256 = map[string]string{}
	}
	m.Deliveries = append(m.Deliveries, d)
	return writeManifest(batchDir, m)
}
