package batch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/presort"
	"github.com/postmill/postmill/pipeline"
)

// Columns the stage adds to the job's schema.
const (
	ColVendor      = "vendor"        // Config.Vendor
	ColMailClass   = "mail_class"    // Config.MailClass
	ColMailFormat  = "mail_format"   // Config.Format
	ColBatchID     = "batch_id"      // the print batch, see BatchID
	ColLevel       = "presort_level" // 5digit, 3digit, aadc, mixed or international
	ColDest        = "presort_dest"  // the tray's destination: ZIP, prefix, ADC, MXD or INTL
	ColTray        = "tray"          // tray number, from 1 within the batch
	ColSequence    = "sequence"      // piece number, from 1 within the batch
	ColIMb         = "imb"           // 65 bar letters F, A, D, T
	ColIMbTracking = "imb_tracking"  // the 20-digit tracking code
	ColIMbRouting  = "imb_routing"   // the routing code: ZIP, 5 or 9 digits
)

// Columns the stage reads when the job has them (the validate stage adds them).
const (
	ColZip4   = "address_zip4"   // ZIP+4, 4 digits or empty
	ColStatus = "address_status" // valid, corrected, international or invalid
)

// EmitRows is how many pieces Flush puts in each batch it emits: twice a
// source's (pipeline.DefaultBatchRows), since after presort's barrier every
// batch is one ledger call (and one journal line) in the account stage, and
// in a 1M-row run 1,024 there took 2% more CPU than 2,048.
const EmitRows = 2048

// Defaults.
const (
	DefaultVendor      = "default" // Config.Vendor
	DefaultTrayMax     = 500       // Config.TrayMax
	DefaultSerialBlock = 100_000   // Config.SerialBlock
	// ServiceTypeFirstClass is STID 700: First-Class Mail, basic option, no
	// address correction service (USPS STID table). Full-Service or ACS
	// mailings configure their own.
	ServiceTypeFirstClass = "700"
	// ServiceTypeMarketing is STID 300: USPS Marketing Mail, basic option, no
	// address correction service.
	ServiceTypeMarketing = "300"
)

// Config configures the stage. The zero value presorts First-Class 4x6
// postcards for vendor "default" without barcodes.
type Config struct {
	// Vendor names the print vendor the batches go to. Default (""): "default".
	Vendor string
	// MailClass is first_class or marketing. Default (""): first_class.
	MailClass ledger.MailClass
	// Format is postcard_4x6, postcard_6x9, postcard_6x11 or letter.
	// Default (""): postcard_4x6.
	Format ledger.Format
	// TrayMax is the most pieces in a tray. Default (0): 500.
	TrayMax int
	// GroupMin is the fewest pieces that make a 5-digit, 3-digit or ADC
	// group. Default (0): 10, as USPS requires.
	GroupMin int
	// LabelList is the path of a labeling list (CSV zip3,adc; see package
	// internal/presort). Default (""): no ADC level; leftovers are mixed.
	LabelList string
	// Labels is a labeling list already loaded; it wins over LabelList.
	// Default (nil): use LabelList.
	Labels *presort.LabelList
	// MailerID is the 6- or 9-digit USPS Mailer ID in the IMb. Default (""):
	// no IMb is assigned and the imb columns stay empty.
	MailerID string
	// ServiceType is the 3-digit Service Type ID. Default (""): 700 for
	// first_class, 300 for marketing.
	ServiceType string
	// BarcodeID is the 2-digit barcode identifier. Default (""): "00".
	BarcodeID string
	// Serials allocates IMb serial numbers; required with MailerID.
	// Default (nil): none.
	Serials imb.Allocator
	// SerialBlock is the most serials reserved at once. Default (0): 100,000.
	// The last block of a job is cut to the pieces left, so none are wasted.
	SerialBlock int
	// SpillDir is where sorted runs are spilled, in a private subdirectory
	// that Flush or Close removes. Default (""): os.TempDir().
	SpillDir string
	// MemoryRows is how many pieces are kept in memory before a sorted run
	// is spilled. Default (0): 200,000.
	MemoryRows int
	// MemoryBytes bounds the bytes of the pieces kept in memory the same
	// way. Default (0): 64 MiB.
	MemoryBytes int
	// FanIn is the most runs merged at once. Default (0): 32.
	FanIn int
	// CompressSpills S2-compresses the spilled runs (presort.SorterConfig's
	// Compress): less disk for more CPU. Default (false): uncompressed.
	CompressSpills bool
	// ExpectedRows, a hint, presizes what presort keeps in memory for that
	// many pieces (at most MemoryRows). Default (0): grown as pieces come.
	ExpectedRows int
}

func (c Config) withDefaults() Config {
	if c.Vendor == "" {
		c.Vendor = DefaultVendor
	}
	if c.MailClass == "" {
		c.MailClass = ledger.FirstClass
	}
	if c.Format == "" {
		c.Format = ledger.Postcard4x6
	}
	if c.TrayMax <= 0 {
		c.TrayMax = DefaultTrayMax
	}
	if c.GroupMin <= 0 {
		c.GroupMin = presort.DefaultMin
	}
	if c.ServiceType == "" {
		c.ServiceType = ServiceTypeFirstClass
		if c.MailClass == ledger.Marketing {
			c.ServiceType = ServiceTypeMarketing
		}
	}
	if c.BarcodeID == "" {
		c.BarcodeID = "00"
	}
	if c.SerialBlock <= 0 {
		c.SerialBlock = DefaultSerialBlock
	}
	return c
}

// Validate checks the configuration after defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch c.MailClass {
	case ledger.FirstClass, ledger.Marketing:
	default:
		return fmt.Errorf("batch: mail class %q: want first_class or marketing", c.MailClass)
	}
	switch c.Format {
	case ledger.Postcard4x6, ledger.Postcard6x9, ledger.Postcard6x11, ledger.Letter:
	default:
		return fmt.Errorf("batch: format %q: want postcard_4x6, postcard_6x9, postcard_6x11 or letter", c.Format)
	}
	if c.MailerID != "" {
		if err := (imb.Tracking{BarcodeID: c.BarcodeID, ServiceType: c.ServiceType, MailerID: c.MailerID}).Validate(); err != nil {
			return fmt.Errorf("batch: IMb settings: %w", err)
		}
		if c.Serials == nil {
			return errors.New("batch: a Mailer ID needs a serial allocator (Config.Serials)")
		}
	}
	return nil
}

// Groups of pieces within a job, in emitting order.
const (
	groupDomestic      = 0
	groupInternational = 1
)

// Stage presorts a job's pieces. It is stateful: run it in a Serial step.
type Stage struct {
	cfg      Config
	labels   *presort.LabelList
	sorter   *presort.Sorter
	spillDir string
	dom      *presort.Counts
	intl     int64
	job      *pipeline.Job
	nextSeq  uint64
	rec      []byte
	bound    bool
	section  Section
	notes    map[string]pipeline.Reason // note codes decoded so far

	colZip4, colStatus                       int
	colVendor, colClass, colFormat, colBatch int
	colLevel, colDest, colTray, colSeq       int
	colIMb, colTracking, colRouting          int
}

var _ interface {
	pipeline.Stage
	pipeline.Flusher
	pipeline.Binder
	pipeline.Reporter
} = (*Stage)(nil)

// New returns a stage for cfg, for one job. It loads the labeling list and
// creates a private spill directory; call Close when the job ends without
// Flush.
func New(cfg Config) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	s := &Stage{cfg: cfg, labels: cfg.Labels, dom: presort.NewCounts()}
	if s.labels == nil && cfg.LabelList != "" {
		l, err := presort.LoadLabelList(cfg.LabelList)
		if err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
		s.labels = l
	}
	dir, err := os.MkdirTemp(cfg.SpillDir, "postmill-presort-*")
	if err != nil {
		return nil, fmt.Errorf("batch: create spill directory: %w", err)
	}
	s.spillDir = dir
	s.sorter = presort.NewSorter(presort.SorterConfig{Dir: dir, MemoryRows: cfg.MemoryRows, MemoryBytes: cfg.MemoryBytes,
		FanIn: cfg.FanIn, ExpectedRecords: cfg.ExpectedRows, Compress: cfg.CompressSpills})
	return s, nil
}

// Bind adds the stage's columns and finds address_zip4 and address_status.
func (s *Stage) Bind(sc *pipeline.Schema) error {
	if s.bound {
		return errors.New("batch: stage bound twice")
	}
	s.bound = true
	s.colZip4, s.colStatus = -1, -1
	if i, ok := sc.Index(ColZip4); ok {
		s.colZip4 = i
	}
	if i, ok := sc.Index(ColStatus); ok {
		s.colStatus = i
	}
	s.colVendor = sc.Add(ColVendor)
	s.colClass = sc.Add(ColMailClass)
	s.colFormat = sc.Add(ColMailFormat)
	s.colBatch = sc.Add(ColBatchID)
	s.colLevel = sc.Add(ColLevel)
	s.colDest = sc.Add(ColDest)
	s.colTray = sc.Add(ColTray)
	s.colSeq = sc.Add(ColSequence)
	s.colIMb = sc.Add(ColIMb)
	s.colTracking = sc.Add(ColIMbTracking)
	s.colRouting = sc.Add(ColIMbRouting)
	return nil
}

// Process copies every live row into the sort and defers it; a domestic
// row without a usable ZIP Code is rejected.
func (s *Stage) Process(ctx context.Context, b *pipeline.Batch) error {
	if !s.bound {
		return errors.New("batch: Process before Bind")
	}
	if s.job == nil {
		s.job = b.Job
	}
	s.nextSeq = max(s.nextSeq, b.Seq+1)
	for _, r := range b.Rows {
		k := presort.Key{ID: r.ID, Num: r.Num}
		if s.international(r) {
			k.Hi = groupInternational<<56 | uint64(packCountry(r.Field(pipeline.ColCountry)))
			s.intl++
		} else {
			zip5, zip4p, ok := parseZip(r.Field(pipeline.ColZip), s.field(r, s.colZip4))
			if !ok {
				r.Reject(pipeline.PresortZipUnusable, fmt.Sprintf("address_zip %q", r.Field(pipeline.ColZip)))
				continue
			}
			k.Hi = uint64(presort.ADCRank(s.labels, zip5))<<32 | uint64(zip5*10001+zip4p)
			s.dom.Add(zip5)
		}
		s.rec = encodeRecord(s.rec[:0], r)
		if err := s.sorter.Add(k, s.rec); err != nil {
			return fmt.Errorf("batch: %w", err)
		}
		r.Defer()
	}
	return nil
}

// PartitionKey is the same for every piece: all of a job's pieces meet one
// instance (a distributed transport mixes in the job, so jobs spread over
// instances). A print batch is one presort with one tray and sequence
// numbering, and one instance emits the job's batches in the order one
// process does (domestic, then foreign), which the account stage charges
// in. It implements pipeline.Keyer.
func (s *Stage) PartitionKey(r *pipeline.Row) uint64 { return 0 }

func (s *Stage) field(r *pipeline.Row, col int) []byte {
	if col < 0 {
		return nil
	}
	return r.Field(col)
}

// international reports whether r is a foreign piece: address_status says
// so, or, without a status, address_country names another country.
func (s *Stage) international(r *pipeline.Row) bool {
	if st := bytes.TrimSpace(s.field(r, s.colStatus)); len(st) > 0 {
		return string(st) == "international"
	}
	c := bytes.TrimSpace(r.Field(pipeline.ColCountry))
	if len(c) == 0 {
		return false
	}
	for _, us := range [...]string{"US", "USA", "U.S.", "U.S.A.", "UNITED STATES", "UNITED STATES OF AMERICA"} {
		if bytes.EqualFold(c, []byte(us)) {
			return false
		}
	}
	return true
}

// packCountry packs the first four bytes of a country, upper-cased, so
// foreign pieces sort by country.
func packCountry(c []byte) uint32 {
	c = bytes.TrimSpace(c)
	var v uint32
	for i := range 4 {
		v <<= 8
		if i < len(c) {
			ch := c[i]
			if ch >= 'a' && ch <= 'z' {
				ch -= 'a' - 'A'
			}
			v |= uint32(ch)
		}
	}
	return v
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func atoi(b []byte) uint32 {
	var n uint32
	for _, c := range b {
		n = n*10 + uint32(c-'0')
	}
	return n
}

// parseZip reads a 5-digit ZIP Code and an optional ZIP+4; zip4p is the
// ZIP+4 plus one, or 0 when there is none, so pieces without one sort first.
func parseZip(zip, zip4 []byte) (zip5, zip4p uint32, ok bool) {
	zip, zip4 = bytes.TrimSpace(zip), bytes.TrimSpace(zip4)
	switch {
	case len(zip) == 5:
	case len(zip) == 9 && len(zip4) == 0:
		zip, zip4 = zip[:5], zip[5:]
	case len(zip) == 10 && zip[5] == '-' && len(zip4) == 0:
		zip, zip4 = zip[:5], zip[6:]
	default:
		return 0, 0, false
	}
	if !allDigits(zip) {
		return 0, 0, false
	}
	zip5 = atoi(zip)
	if len(zip4) == 4 && allDigits(zip4) {
		zip4p = atoi(zip4) + 1
	}
	return zip5, zip4p, true
}

// encodeRecord appends a row's line, notes and fields: uvarint line, uvarint
// note count, each note as uvarint length and bytes, uvarint field count,
// each field as uvarint length and bytes. Trailing empty fields are left
// out. Piece id and row number travel in the sort key.
func encodeRecord(dst []byte, r *pipeline.Row) []byte {
	dst = binary.AppendUvarint(dst, uint64(r.Line))
	dst = binary.AppendUvarint(dst, uint64(len(r.Notes)))
	for _, n := range r.Notes {
		dst = binary.AppendUvarint(dst, uint64(len(n)))
		dst = append(dst, n...)
	}
	fields := r.Fields
	for len(fields) > 0 && len(fields[len(fields)-1]) == 0 {
		fields = fields[:len(fields)-1]
	}
	dst = binary.AppendUvarint(dst, uint64(len(fields)))
	for _, f := range fields {
		dst = binary.AppendUvarint(dst, uint64(len(f)))
		dst = append(dst, f...)
	}
	return dst
}

var errCorrupt = errors.New("batch: corrupt presort record")

func uvarint(rec []byte) (uint64, []byte, error) {
	if len(rec) > 0 && rec[0] < 0x80 {
		return uint64(rec[0]), rec[1:], nil
	}
	v, n := binary.Uvarint(rec)
	if n <= 0 {
		return 0, nil, errCorrupt
	}
	return v, rec[n:], nil
}

func chunk(rec []byte) ([]byte, []byte, error) {
	n, rest, err := uvarint(rec)
	if err != nil || uint64(len(rest)) < n {
		return nil, nil, errCorrupt
	}
	return rest[:n:n], rest[n:], nil
}

// maxNotes bounds the note codes decodeRecord keeps as strings.
const maxNotes = 1024

// decodeRecord fills r (a fresh row of b) from a record. The record is
// copied into b's arena once and the fields are views of that copy.
func (s *Stage) decodeRecord(b *pipeline.Batch, r *pipeline.Row, rec []byte) error {
	rec = b.Copy(rec)
	line, rec, err := uvarint(rec)
	if err != nil {
		return err
	}
	r.Line = int64(line)
	nn, rec, err := uvarint(rec)
	if err != nil {
		return err
	}
	for range nn {
		var n []byte
		if n, rec, err = chunk(rec); err != nil {
			return err
		}
		r.Note(s.note(n))
	}
	nf, rec, err := uvarint(rec)
	if err != nil {
		return err
	}
	for i := range int(nf) {
		var f []byte
		if f, rec, err = chunk(rec); err != nil {
			return err
		}
		if len(f) > 0 {
			setField(r, i, f)
		}
	}
	return nil
}

// note returns n as a Reason, reusing the string of a code seen before.
func (s *Stage) note(n []byte) pipeline.Reason {
	if v, ok := s.notes[string(n)]; ok {
		return v
	}
	v := pipeline.Reason(n)
	if len(s.notes) < maxNotes {
		if s.notes == nil {
			s.notes = map[string]pipeline.Reason{}
		}
		s.notes[string(v)] = v
	}
	return v
}

// setField stores v in column col, growing the row if needed.
func setField(r *pipeline.Row, col int, v []byte) {
	if col >= len(r.Fields) {
		r.Fields = append(r.Fields, make([][]byte, col+1-len(r.Fields))...)
	}
	r.Fields[col] = v
}

// BatchID returns the id of one group's batch: readable parts, then 10 hex
// digits of sha256 over the account, campaign, job id and group, so the same
// job always gives the same ids and two jobs never share one.
func BatchID(job *pipeline.Job, vendor string, class ledger.MailClass, format ledger.Format, scope string) string {
	h := sha256.New()
	for _, p := range []string{job.Account, job.Campaign, job.ID, vendor, string(class), string(format), scope} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return fmt.Sprintf("%s-%s-%s-%s-%s", slug(vendor), class, format, scope, hex.EncodeToString(h.Sum(nil))[:10])
}

// slug keeps a-z, 0-9 and _ of s, lower-cased, replacing runs of others by _.
func slug(s string) string {
	var b strings.Builder
	under := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	out := strings.TrimSuffix(b.String(), "_")
	if out == "" {
		return "vendor"
	}
	return out
}

// Section is the stage's part of the run report.
type Section struct {
	Batches      []BatchSummary `json:"batches"`           // one per group, in emitting order
	Runs         int            `json:"spilled_runs"`      // sorted runs on disk at the merge
	SpilledBytes int64          `json:"spilled_bytes"`     // bytes spilled to disk
	Serials      []SerialBlock  `json:"serials,omitempty"` // IMb serial blocks reserved
}

// BatchSummary describes one emitted batch.
type BatchSummary struct {
	BatchID string           `json:"batch_id"` // the batch_id column
	Scope   string           `json:"scope"`    // domestic or international
	Pieces  int64            `json:"pieces"`   // pieces emitted
	Levels  map[string]int64 `json:"levels"`   // pieces per presort level
	Trays   int64            `json:"trays"`    // trays used
}

// SerialBlock is a block of IMb serials reserved for the job.
type SerialBlock struct {
	MailerID string `json:"mailer_id"` // the Mailer ID
	First    uint64 `json:"first"`     // first serial of the block
	Count    int    `json:"count"`     // serials in the block
}

// Report returns the batches emitted and the spill statistics.
func (s *Stage) Report() any { return s.section }

// Close removes the spill files and directory. Flush calls it; call it too
// when a job fails before Flush. It may be called more than once.
func (s *Stage) Close() error {
	err := s.sorter.Close()
	if s.spillDir != "" {
		if rerr := os.RemoveAll(s.spillDir); rerr != nil && err == nil {
			err = rerr
		}
		s.spillDir = ""
	}
	return err
}

// itoa appends v in decimal.
func itoa(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }
