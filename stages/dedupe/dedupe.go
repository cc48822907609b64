package dedupe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/pipeline"
)

// Mode says which rows count as the same recipient.
type Mode string

// Modes.
const (
	// Individual: the same normalized first and last name at the same
	// address key (nameless rows compare by organization).
	Individual Mode = "individual"
	// Household: the same last name at the same address key.
	Household Mode = "household"
	// Address: one piece per address key.
	Address Mode = "address"
	// Off: no in-run dedupe (history, when configured, still applies).
	Off Mode = "off"
)

// ParseMode reads a --dedupe value: individual, household, address or off.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Individual, Household, Address, Off:
		return m, nil
	}
	return "", fmt.Errorf("dedupe mode %q: want individual, household, address or off", s)
}

// History remembers who was mailed in a campaign, across runs. Days are
// counted from 1970-01-01 UTC (day 0 means never). Keys are person keys
// (see [PersonKey]); the store keeps them per account and campaign.
// *FileHistory implements it in a state directory, *PostgresHistory in
// PostgreSQL.
type History interface {
	// Last sets days[i] to the day keys[i] was last recorded for the
	// campaign, or 0 when never. days is at least as long as keys.
	Last(ctx context.Context, account, campaign string, keys []keyset.Key, days []uint32) error
	// Record durably stores that keys were mailed for the campaign on day.
	Record(ctx context.Context, account, campaign string, keys []keyset.Key, day uint32) error
}

// DefaultWindow is how far back history looks when Config.Window is zero.
const DefaultWindow = 30 * 24 * time.Hour

// Config configures the stage. The zero value dedupes individuals with no
// history.
type Config struct {
	// Mode is the in-run dedupe mode. Default (""): Individual.
	Mode Mode
	// History, when set, rejects people already mailed in the job's
	// campaign within Window with duplicate:history. Default (nil): no
	// history check and nothing to commit.
	History History
	// Window is how recent a mailing must be to reject. Default (0):
	// DefaultWindow, 30 days. Only used with History; rounded down to whole
	// days, at least one.
	Window time.Duration
	// Now gives the run's day for the window and for recording. Default:
	// time.Now.
	Now func() time.Time
	// ExpectedRows presizes the in-run table for that many distinct keys,
	// which saves the rehashing of growth (about a fifth of the time over
	// millions of rows). Default (0): the table starts small and doubles.
	ExpectedRows int
}

// Stage rejects the rows that repeat an earlier row of the job with
// duplicate:<mode> and "kept piece <piece_id> row <n>" as detail, and,
// with a History, the people already mailed in the campaign within the
// window with duplicate:history. It keeps the first row in input order,
// so it must run on a Serial step: it owns its table. A Stage serves one
// job.
type Stage struct {
	mode    Mode
	reason  pipeline.Reason
	hist    History
	window  uint32
	today   uint32
	seen    *keyset.Map // mode key → row number of the kept row; nil after Finish
	nseen   int         // seen's size when Finish let it go
	job     *pipeline.Job
	rowKeys rowKeyer

	// Per-batch scratch, reused.
	keys    []keyset.Key
	idx     []int32
	hkeys   []keyset.Key
	hidx    []int32
	days    []uint32
	dupRows []dupRef
	detail  []byte
	hframe  keyset.Framer // person keys
	mframe  keyset.Framer // mode keys, unless they are the person keys

	// The last history reject's day and its detail, reused while the
	// day is the same.
	histDay    uint32
	histDetail string

	rows, kept, noKey, dups, histRejected int64

	pkBuf []byte // PartitionKey's scratch

	// prefaulted is closed when New's prefault of seen is done; nil when
	// there was none.
	prefaulted chan struct{}

	mu        sync.Mutex // guards what the recorder (sink goroutine) touches
	recorder  bool
	recKeys   rowKeyer
	pending   []keyset.Key
	committed bool
}

// prefaultRows is the ExpectedRows from which New prefaults the table:
// about 64k keys, 2^17 slots of 24 bytes, 3 MiB.
const prefaultRows = 1 << 16

// New returns a Stage for cfg.
func New(cfg Config) (*Stage, error) {
	if cfg.Mode == "" {
		cfg.Mode = Individual
	}
	if _, err := ParseMode(string(cfg.Mode)); err != nil {
		return nil, err
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Window < 0 {
		return nil, fmt.Errorf("dedupe: negative history window %v", cfg.Window)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Stage{mode: cfg.Mode, hist: cfg.History, window: max(1, uint32(cfg.Window/(24*time.Hour))),
		today: DayOf(cfg.Now()), seen: keyset.NewMap(max(0, cfg.ExpectedRows))}
	if cfg.Mode != Off {
		s.reason = pipeline.DuplicateFamily.With(string(cfg.Mode))
	}
	if cfg.ExpectedRows >= prefaultRows {
		// A presized table's pages are all first touched within the first
		// few batches, on this stage's goroutine, while every stage before
		// it waits (the kernel clears each page, 1–2.5 ms a MiB on the
		// machines in bench/RESULTS.md). The stage is built while the job
		// is still starting (its input being fingerprinted on one core), so
		// the other core touches them now; Process waits for it.
		done := make(chan struct{})
		go func(m *keyset.Map) {
			m.Prefault()
			close(done)
		}(s.seen)
		s.prefaulted = done
	}
	return s, nil
}

// PartitionKey keys a row by its address key (FNV-1a), which every mode's
// key contains: rows that can be duplicates of each other meet one
// instance. Rows without an address key are never deduped and spread by
// row number. It implements pipeline.Keyer.
func (s *Stage) PartitionKey(r *pipeline.Row) uint64 {
	s.pkBuf = suppression.AppendRowAddressKey(s.pkBuf[:0], r.Field(pipeline.ColStreet), r.Field(pipeline.ColZip), r.Field(pipeline.ColCountry))
	if len(s.pkBuf) == 0 {
		return uint64(r.Num) * 0x9e3779b97f4a7c15
	}
	h := uint64(14695981039346656037)
	for _, c := range s.pkBuf {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// DuplicateHistory is the reason of a row rejected by history.
var DuplicateHistory = pipeline.DuplicateFamily.With("history")

// DayOf returns t's day counted from 1970-01-01 UTC.
func DayOf(t time.Time) uint32 { return uint32(t.Unix() / 86400) }

// Domain tags of the dedupe keys, so keys of different modes never meet
// (history files outlive a change of mode).
var (
	tagIndividual = []byte("individual")
	tagHousehold  = []byte("household")
	tagAddress    = []byte("address")
)

// The kind and tag that start each mode's key, hashed once: SumFields of
// the rest gives keyset.Sum(kind, tag, rest...).
var (
	prefixIndividual = tagHasher(keyset.KindNameAddress, tagIndividual)
	prefixHousehold  = tagHasher(keyset.KindNameAddress, tagHousehold)
	prefixAddress    = tagHasher(keyset.KindAddress, tagAddress)
)

func tagHasher(kind keyset.Kind, tag []byte) keyset.Hasher {
	h := keyset.NewHasher(kind)
	h.WriteField(tag)
	return h
}

// modePrefix returns the prefix of the stage's mode keys.
func (s *Stage) modePrefix() *keyset.Hasher {
	switch s.mode {
	case Household:
		return &prefixHousehold
	case Address:
		return &prefixAddress
	}
	return &prefixIndividual
}

// rowKeyer computes a row's keys with its own buffer.
type rowKeyer struct{ buf []byte }

// parts normalizes the row's name and address fields into k.buf and
// returns views: the address key (nil when the row has none), first, last
// and organization.
func (k *rowKeyer) parts(r *pipeline.Row) (addr, first, last, org []byte) {
	b := suppression.AppendRowAddressKey(k.buf[:0], r.Field(pipeline.ColStreet), r.Field(pipeline.ColZip), r.Field(pipeline.ColCountry))
	na := len(b)
	if na == 0 {
		k.buf = b
		return nil, nil, nil, nil
	}
	b, _ = suppression.AppendName(b, r.Field(pipeline.ColFirstName))
	nf := len(b)
	b, _ = suppression.AppendName(b, r.Field(pipeline.ColLastName))
	nl := len(b)
	if nl == na {
		b, _ = suppression.AppendName(b, r.Field(pipeline.ColOrganization))
	}
	k.buf = b
	return b[:na:na], b[na:nf:nf], b[nf:nl:nl], b[nl:]
}

// PersonKey returns the individual key of a row whose address columns are
// standardized: the normalized first and last name (the organization when
// both are empty) at the address key. It is the individual mode's key and
// the key history keeps. ok is false for a row without an address key.
func PersonKey(r *pipeline.Row) (k keyset.Key, ok bool) {
	var rk rowKeyer
	return rk.person(r)
}

func (k *rowKeyer) person(r *pipeline.Row) (keyset.Key, bool) {
	addr, first, last, org := k.parts(r)
	if addr == nil {
		return keyset.Key{}, false
	}
	return prefixIndividual.SumFields(first, last, org, addr), true
}

// prefetchGroup is how many keys' history slots are loaded ahead.
const prefetchGroup = 16

// dupRef is a duplicate found in a batch: the row, the row number of the
// row kept, and where its detail ends in the batch's detail text.
type dupRef struct {
	row  int32
	end  int32
	kept int64
}

// Process rejects the live rows of b that repeat an earlier row or, with
// history, were mailed recently. Rows without an address key (no street
// or ZIP) are never deduped: they pass on, and are counted.
//
// All keys of the batch are hashed first, then the table slots of all of
// them loaded (keyset.Map.Prefetch), so their cache misses overlap; the
// rows then claim their keys in input order. The duplicates' details are formatted into
// one buffer and converted to a string once per batch: each rejected row's
// Detail is a slice of it.
func (s *Stage) Process(ctx context.Context, b *pipeline.Batch) error {
	switch {
	case s.seen == nil:
		return errors.New("dedupe: Process after Finish")
	case b.Job == nil:
		return errors.New("dedupe: batch has no job")
	case s.job == nil:
		if s.prefaulted != nil {
			<-s.prefaulted
		}
		s.mu.Lock()
		s.job = b.Job
		s.mu.Unlock()
	case s.job != b.Job:
		return fmt.Errorf("dedupe: stage serves job %q, got a batch of job %q", s.job.ID, b.Job.ID)
	}
	n := len(b.Rows)
	s.rows += int64(n)
	// Normalize and frame every row's keys first, then hash them all in
	// one go (keyset.Framer). With history in individual mode the person
	// key is also the mode key: it is hashed once.
	s.idx, s.hidx = s.idx[:0], s.hidx[:0]
	shared := s.mode == Individual && s.hist != nil
	s.hframe.Reset(&prefixIndividual)
	s.mframe.Reset(s.modePrefix())
	for i, r := range b.Rows {
		addr, first, last, org := s.rowKeys.parts(r)
		if addr == nil {
			if s.mode != Off {
				s.noKey++
			}
			continue
		}
		if s.hist != nil {
			s.hframe.Add(first, last, org, addr)
			s.hidx = append(s.hidx, int32(i))
		}
		if s.mode == Off {
			continue
		}
		s.idx = append(s.idx, int32(i))
		switch {
		case shared:
		case s.mode == Household:
			if len(last) == 0 {
				last = org
			}
			s.mframe.Add(last, addr)
		case s.mode == Address:
			s.mframe.Add(addr)
		default:
			s.mframe.Add(first, last, org, addr)
		}
	}
	s.hkeys = s.hframe.Sums(s.hkeys[:0])
	s.keys = s.mframe.Sums(s.keys[:0])
	keys := s.keys
	if shared {
		keys = s.hkeys
	}
	if s.hist != nil && len(s.hkeys) > 0 {
		if cap(s.days) < len(s.hkeys) {
			s.days = make([]uint32, len(s.hkeys))
		}
		days := s.days[:len(s.hkeys)]
		if err := s.hist.Last(ctx, b.Job.Account, b.Job.Campaign, s.hkeys, days); err != nil {
			return fmt.Errorf("dedupe history: %w", err)
		}
		for j, d := range days {
			// Mailed within the window: today-d < window. A day after today
			// (clock moved back) counts as within.
			if d != 0 && (d > s.today || s.today-d < s.window) {
				b.Rows[s.hidx[j]].Reject(DuplicateHistory, s.historyDetail(d))
				s.histRejected++
			}
		}
	}
	if s.mode != Off {
		// Load the table slots of the whole batch first: the loads are
		// independent, so their cache misses overlap.
		s.seen.Prefetch(keys)
		s.dupRows = s.dupRows[:0]
		for j, k := range keys {
			i := s.idx[j]
			r := b.Rows[i]
			if r.Fate != pipeline.Live {
				continue // rejected by history: not mailed, claims nothing
			}
			first, inserted := s.seen.PutIfAbsent(k, uint64(r.Num))
			if !inserted {
				s.dupRows = append(s.dupRows, dupRef{row: i, kept: int64(first)})
			}
		}
		s.rejectDups(b)
	}
	for _, r := range b.Rows {
		if r.Fate == pipeline.Live {
			s.kept++
		}
	}
	return ctx.Err()
}

// rejectDups rejects the rows in s.dupRows, each with "kept piece <piece_id>
// row <n>" naming its kept row. The details are built in one reused
// buffer and made a string once; each row's Detail is a slice of it (so a
// row's detail keeps the batch's detail text, a few dozen bytes per
// duplicate, alive).
func (s *Stage) rejectDups(b *pipeline.Batch) {
	if len(s.dupRows) == 0 {
		return
	}
	d := s.detail[:0]
	for j := range s.dupRows {
		d = appendKeptDetail(d, b.Job, s.dupRows[j].kept)
		s.dupRows[j].end = int32(len(d))
	}
	s.detail = d
	text := string(d)
	start := int32(0)
	for _, dr := range s.dupRows {
		b.Rows[dr.row].Reject(s.reason, text[start:dr.end])
		start = dr.end
	}
	s.dups += int64(len(s.dupRows))
}

// appendKeptDetail appends "kept piece <piece_id> row <n>" for the kept
// row n.
func appendKeptDetail(d []byte, job *pipeline.Job, row int64) []byte {
	id := pipeline.NewPieceID(job, row)
	d = append(d, "kept piece "...)
	d = append(d, id[:]...)
	d = append(d, " row "...)
	return strconv.AppendInt(d, row, 10)
}

// historyDetail returns "last mailed <date>" for day d, reusing the last
// one while the day is the same.
func (s *Stage) historyDetail(d uint32) string {
	if d != s.histDay || s.histDetail == "" {
		s.histDay = d
		s.histDetail = "last mailed " + time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
	}
	return s.histDetail
}

// Recorder wraps the job's sink so that the stage learns which rows were
// finally accepted: for each accepted row that passes through, it notes
// the row's person key, and [Stage.Commit] records them in the history.
// Rows a later stage rejects or holds never reach the sink as accepted,
// so they are not recorded. With no History it returns next unchanged.
// The keys are computed from the row's fields as they reach the sink,
// which later stages do not rewrite (name and address columns).
func (s *Stage) Recorder(next pipeline.Sink) pipeline.Sink {
	if s.hist == nil {
		return next
	}
	s.mu.Lock()
	s.recorder = true
	s.mu.Unlock()
	return &recorder{s: s, next: next}
}

type recorder struct {
	s    *Stage
	next pipeline.Sink
}

// Write notes the person keys of b's accepted rows, then passes b on.
func (r *recorder) Write(ctx context.Context, b *pipeline.Batch) error {
	s := r.s
	s.mu.Lock()
	for _, row := range b.Rows {
		if k, ok := s.recKeys.person(row); ok {
			s.pending = append(s.pending, k)
		}
	}
	s.mu.Unlock()
	return r.next.Write(ctx, b)
}

// Close closes the wrapped sink.
func (r *recorder) Close(ctx context.Context) error { return r.next.Close(ctx) }

// Commit records the accepted rows seen by the [Stage.Recorder] as mailed
// today in the job's campaign. Call it once, after pipeline.Run returned
// without error (and after the outputs are durable); a failed run commits
// nothing, so a rerun does not reject its own rows. With no History it
// does nothing. It fails when history is on but the Recorder was not
// installed, rather than silently recording nobody.
func (s *Stage) Commit(ctx context.Context) error {
	if s.hist == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.recorder:
		return errors.New("dedupe: history commit without Recorder: wrap the job's sink with Stage.Recorder")
	case s.committed:
		return errors.New("dedupe: history already committed")
	case s.job == nil || len(s.pending) == 0:
		s.committed = true
		return nil
	}
	if err := s.hist.Record(ctx, s.job.Account, s.job.Campaign, s.pending, s.today); err != nil {
		return fmt.Errorf("dedupe: record history: %w", err)
	}
	s.committed = true
	return nil
}

// Finish lets go of the table of the keys seen, once the job's input has
// ended (see pipeline.Finisher). It is the largest thing the stage holds,
// 24 bytes a key at under 3/4 load (48 MiB for 1M rows, 192 MiB for 5M),
// and the stages after presort's barrier reuse its memory instead of
// taking more. The report keeps its count.
func (s *Stage) Finish() {
	if s.seen != nil {
		s.nseen = s.seen.Len()
		s.seen = nil
	}
}

// Report is the stage's section of the run report.
type Report struct {
	Mode string `json:"mode"`
	// RowsChecked counts rows the stage saw.
	RowsChecked int64 `json:"rows_checked"`
	// Kept counts rows it let through.
	Kept int64 `json:"kept"`
	// Duplicates counts rejects by mode ("individual", …, "history").
	Duplicates map[string]int64 `json:"duplicates"`
	// NoAddressKey counts rows without an address key, never deduped.
	NoAddressKey int64 `json:"no_address_key"`
	// Keys is the number of distinct keys kept in the run.
	Keys int `json:"keys"`
	// History is present when history is on.
	History *HistoryReport `json:"history,omitempty"`
}

// HistoryReport describes the history check.
type HistoryReport struct {
	WindowDays uint32 `json:"window_days"`
	Rejected   int64  `json:"rejected"`
	// ToRecord counts accepted rows the commit after the run records.
	ToRecord int `json:"to_record"`
}

// Report returns the stage's counts.
func (s *Stage) Report() any {
	rep := Report{Mode: string(s.mode), RowsChecked: s.rows, Kept: s.kept, Duplicates: map[string]int64{},
		NoAddressKey: s.noKey, Keys: s.nseen}
	if s.seen != nil {
		rep.Keys = s.seen.Len()
	}
	if s.mode != Off {
		rep.Duplicates[string(s.mode)] = s.dups
	}
	if s.hist != nil {
		rep.Duplicates["history"] = s.histRejected
		s.mu.Lock()
		rep.History = &HistoryReport{WindowDays: s.window, Rejected: s.histRejected, ToRecord: len(s.pending)}
		s.mu.Unlock()
	}
	return rep
}
