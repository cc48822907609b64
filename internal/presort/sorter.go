package presort

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/klauspost/compress/s2"
)

// Key orders records: by Hi, then ID, then Num.
type Key struct {
	// Hi carries the caller's major order (group, ADC, ZIP Code).
	Hi uint64
	// ID breaks ties (a piece id), so the order is total and does not depend
	// on how records fell into runs.
	ID [16]byte
	// Num breaks the remaining ties (a source row number).
	Num int64
}

// Compare returns -1, 0 or +1 as k sorts before, with or after o.
func (k *Key) Compare(o *Key) int {
	switch {
	case k.Hi < o.Hi:
		return -1
	case k.Hi > o.Hi:
		return 1
	}
	// ID in byte order, as two big-endian words.
	a, b := binary.BigEndian.Uint64(k.ID[:8]), binary.BigEndian.Uint64(o.ID[:8])
	if a == b {
		a, b = binary.BigEndian.Uint64(k.ID[8:]), binary.BigEndian.Uint64(o.ID[8:])
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case k.Num < o.Num:
		return -1
	case k.Num > o.Num:
		return 1
	}
	return 0
}

const keyLen = 8 + 16 + 8

func (k *Key) put(b []byte) {
	binary.BigEndian.PutUint64(b, k.Hi)
	copy(b[8:24], k.ID[:])
	binary.BigEndian.PutUint64(b[24:], uint64(k.Num))
}

func (k *Key) get(b []byte) {
	k.Hi = binary.BigEndian.Uint64(b)
	copy(k.ID[:], b[8:24])
	k.Num = int64(binary.BigEndian.Uint64(b[24:]))
}

// SorterConfig configures a Sorter.
type SorterConfig struct {
	// Dir holds the run files. Required once a run is spilled.
	Dir string
	// MemoryRows is how many records are kept in memory before they are
	// sorted and spilled as a run. Default (0): 200,000.
	MemoryRows int
	// MemoryBytes bounds the in-memory records' bytes the same way; while a
	// run is being spilled, the next may take a quarter of it more. ScanParts
	// also buffers up to an eighth of it before it spills. Default (0):
	// 64 MiB.
	MemoryBytes int
	// FanIn is the most runs merged at once; more are first merged in
	// groups. Default (0): 32.
	FanIn int
	// ExpectedRecords, a hint, presizes the in-memory entries for that many
	// records (at most MemoryRows), so that the first run does not grow
	// them by doubling. Default (0): grown as records come.
	ExpectedRecords int
	// Compress S2-compresses the run files: about 2.5 times less disk space
	// and I/O for contact records, for about half a second of CPU per
	// million records written and read. Worth it where Dir is on a slow or
	// metered disk. Default (false): runs are written in S2's framing but
	// uncompressed (the blocks' CRCs still catch a run cut short or changed
	// on disk); a run is written once and read once or twice from a local
	// disk, where compressing costs more time than the bytes it saves.
	Compress bool
}

func (c SorterConfig) withDefaults() SorterConfig {
	if c.MemoryRows <= 0 {
		c.MemoryRows = 200_000
	}
	if c.MemoryBytes <= 0 {
		c.MemoryBytes = 64 << 20
	}
	if c.FanIn < 2 {
		c.FanIn = 32
	}
	return c
}

// entry is one in-memory record: its key and where its bytes are.
type entry struct {
	key           Key
	chunk, off, n uint32
}

// chunkSize is the size of the blocks that hold the in-memory records. The
// blocks are kept from run to run, so filling memory again copies nothing
// and allocates nothing.
const chunkSize = 1 << 20

// arena holds the in-memory records in blocks.
type arena struct {
	chunks [][]byte
	cur    int // the block being filled
	size   int // bytes held
}

// add stores rec and returns where it is.
func (a *arena) add(rec []byte) (chunk, off uint32) {
	if len(a.chunks) == 0 || len(a.chunks[a.cur])+len(rec) > cap(a.chunks[a.cur]) {
		if len(a.chunks) > 0 {
			a.cur++
		}
		if a.cur == len(a.chunks) {
			a.chunks = append(a.chunks, make([]byte, 0, max(chunkSize, len(rec))))
		} else if cap(a.chunks[a.cur]) < len(rec) {
			a.chunks[a.cur] = make([]byte, 0, len(rec))
		}
	}
	c := &a.chunks[a.cur]
	off = uint32(len(*c))
	*c = append(*c, rec...)
	a.size += len(rec)
	return uint32(a.cur), off
}

// rec returns e's bytes.
func (a *arena) rec(e *entry) []byte { return a.chunks[e.chunk][e.off : e.off+e.n] }

// trim drops the blocks after the one being filled.
func (a *arena) trim() {
	if len(a.chunks) > a.cur+1 {
		clear(a.chunks[a.cur+1:])
		a.chunks = a.chunks[:a.cur+1]
	}
}

// reset empties the arena and keeps its blocks.
func (a *arena) reset() {
	for i := range a.chunks {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.cur, a.size = 0, 0
}

// Sorter sorts records by key with bounded memory. It is not safe for
// concurrent use. Close removes its files.
type Sorter struct {
	cfg      SorterConfig
	entries  []entry
	items    []sortItem // sortMemory's scratch
	arena    arena
	runs     []string
	finished bool
	enc      *s2.Writer
	bw       *bufio.Writer
	decs     []*s2.Reader // one per run being read
	spilled  int64        // bytes written to run files
	records  int64
	bytes    int64 // record bytes added

	// A run being spilled in the background (see spill): its entries and
	// blocks, which come back for reuse when it is written. pending is nil
	// when no spill is under way. err is the first spill's failure, kept
	// for every later call.
	pending      chan spillResult
	spillEntries []entry
	spillArena   arena
	err          error
}

// NewSorter returns an empty sorter.
func NewSorter(cfg SorterConfig) *Sorter {
	s := &Sorter{cfg: cfg.withDefaults()}
	if n := min(s.cfg.ExpectedRecords, s.cfg.MemoryRows); n > 0 {
		s.entries = make([]entry, 0, n)
	}
	return s
}

// Add adds a record; rec is copied.
func (s *Sorter) Add(k Key, rec []byte) error {
	if s.finished {
		return errors.New("presort: Add after Finish")
	}
	if s.err != nil {
		return s.err
	}
	if len(s.entries) >= s.cfg.MemoryRows || (s.arena.size+len(rec) > s.cfg.MemoryBytes && len(s.entries) > 0) {
		if err := s.spill(); err != nil {
			return err
		}
	} else if s.pending != nil && s.arena.size+len(rec) > s.cfg.MemoryBytes/spillSlack {
		// The new run has outgrown the slack a background spill gets:
		// wait for it rather than take more memory.
		if err := s.wait(); err != nil {
			return err
		}
	}
	c, off := s.arena.add(rec)
	s.entries = append(s.entries, entry{key: k, chunk: c, off: off, n: uint32(len(rec))})
	s.records++
	s.bytes += int64(len(rec))
	return nil
}

// Len is the number of records added.
func (s *Sorter) Len() int64 { return s.records }

// Runs is the number of run files on disk. After Finish, the records added
// last stay in memory and are merged with the runs without being spilled.
func (s *Sorter) Runs() int { return len(s.runs) }

// SpilledBytes is the size on disk of every run written so far,
// intermediate merges and ScanParts buffers included.
func (s *Sorter) SpilledBytes() int64 { return s.spilled }

// sortItem is what sortOrder sorts: a key's leading words, which decide
// almost every comparison, and the index of its entry for the rest. At 24
// bytes against an entry's 48 it halves what the sort moves, and the
// comparison needs no byte swapping.
type sortItem struct {
	hi, id uint64 // Key.Hi and the first 8 bytes of Key.ID, big-endian
	i      uint32
}

// sortMemory sorts the in-memory entries by key. It sorts their order (the
// items), then gathers the entries in that order into the spare entries
// slice, which becomes the entries (the old slice is the spare for the next
// time): the gather's reads land at random but do not wait for each other,
// where permuting the entries in place followed one chain of dependent
// loads, almost half the sort's time. A spare that does not fit, or would
// leave more than a quarter unused, is replaced by one of the exact length.
// No spill may be under way (the spare is the spill's entries until then).
func (s *Sorter) sortMemory() {
	var order []sortItem
	order, s.items = sortOrder(s.entries, s.items)
	n := len(s.entries)
	sorted := s.spillEntries[:0]
	if cap(sorted) < n || cap(sorted)-n > n/4 {
		sorted = make([]entry, 0, n)
	}
	for _, it := range order {
		sorted = append(sorted, s.entries[it.i])
	}
	s.spillEntries, s.entries = s.entries[:0], sorted
}

// sortOrder sorts es's order by key, using scratch (which it grows to
// twice len(es) items): it returns order, es's indexes in key order (es is
// left as it was), and the scratch to keep for the next time.
//
// Keys sort by Hi first, and presort's Hi values are a few bytes that vary
// (group, ADC, ZIP Code) over many records each, so order is a least
// significant digit radix sort by Hi, a byte a pass, skipping bytes every
// key shares; then each run of equal Hi is sorted by the rest of the key. A
// comparison sort spent half its time in mispredicted comparisons.
func sortOrder(es []entry, scratch []sortItem) (order, _ []sortItem) {
	n := len(es)
	if cap(scratch) < 2*n {
		scratch = make([]sortItem, 2*max(n, cap(es)))
	}
	scratch = scratch[:cap(scratch)]
	src, dst := scratch[:n], scratch[n:2*n]
	var counts [8][256]uint32
	for i := range es {
		k := &es[i].key
		src[i] = sortItem{hi: k.Hi, id: binary.BigEndian.Uint64(k.ID[:8]), i: uint32(i)}
		for b := range counts {
			counts[b][byte(k.Hi>>(8*b))]++
		}
	}
	byRest := func(a, b sortItem) int {
		if a.id != b.id {
			return cmp.Compare(a.id, b.id)
		}
		return es[a.i].key.Compare(&es[b.i].key)
	}
	if n < radixMin {
		slices.SortFunc(src, func(a, b sortItem) int {
			if a.hi != b.hi {
				return cmp.Compare(a.hi, b.hi)
			}
			return byRest(a, b)
		})
		return src, scratch
	}
	for b := range counts {
		c := &counts[b]
		if c[byte(src[0].hi>>(8*b))] == uint32(n) {
			continue // every key has this byte
		}
		var sum uint32
		for d, k := range c {
			c[d], sum = sum, sum+k
		}
		shift := 8 * b
		for _, it := range src {
			d := byte(it.hi >> shift)
			dst[c[d]] = it
			c[d]++
		}
		src, dst = dst, src
	}
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && src[hi].hi == src[lo].hi {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(src[lo:hi], byRest)
		}
		lo = hi
	}
	return src, scratch
}

// radixMin is the fewest records sortOrder radix-sorts: below it the passes
// over the counts cost more than comparisons.
const radixMin = 1024

// spillSlack is the share of MemoryBytes that a run may fill while the run
// before it is still being spilled: one part in spillSlack (16 MiB of the
// default 64). Past it, Add waits for the spill.
const spillSlack = 4

// spill sorts the in-memory records and writes them as a run, on a
// goroutine of its own: the caller goes on filling the next run meanwhile
// instead of stopping for the sort and the write (about 0.12 s for 200,000
// contact records, during which every stage before presort would stand
// still). One spill runs at a time. What this takes beyond MemoryBytes is
// the slack of spillSlack, which the next run fills in blocks of its own,
// and a second entries slice: the two alternate.
func (s *Sorter) spill() error {
	if err := s.wait(); err != nil {
		return err
	}
	w, err := s.createRun(&s.runs)
	if err != nil {
		return err
	}
	es, ar := s.entries, s.arena
	// The blocks past the one being filled are empty: they go on with the
	// next run.
	var next arena
	if len(ar.chunks) > ar.cur+1 {
		next.chunks = append(next.chunks, ar.chunks[ar.cur+1:]...)
		ar.chunks = ar.chunks[: ar.cur+1 : ar.cur+1]
	}
	s.arena = next
	s.entries = s.spillEntries[:0]
	if s.entries == nil {
		s.entries = make([]entry, 0, cap(es))
	}
	s.spillEntries, s.spillArena = es, ar
	done := make(chan spillResult, 1)
	s.pending = done
	items := s.items
	s.items = nil // the spill's until it is done
	go func() {
		var order []sortItem
		order, items = sortOrder(es, items)
		for _, it := range order {
			e := &es[it.i]
			w.add(&e.key, ar.rec(e))
		}
		err := w.close()
		done <- spillResult{n: w.cw.n, items: items, err: err}
	}()
	return nil
}

// spillResult is what a background spill hands back.
type spillResult struct {
	n     int64      // bytes written
	items []sortItem // the sort's scratch
	err   error
}

// wait waits for the background spill, if one is under way, and takes its
// entries and blocks back for the runs to come. It returns the spill's
// failure, and keeps returning it.
func (s *Sorter) wait() error {
	if s.pending == nil {
		return s.err
	}
	r := <-s.pending
	s.pending = nil
	s.items = r.items
	s.spilled += r.n
	if r.err != nil {
		s.err = r.err
		return s.err
	}
	s.spillEntries = s.spillEntries[:0]
	// The spilled run's blocks follow those of the run being filled, which
	// takes them as it needs more.
	s.spillArena.reset()
	s.arena.chunks = append(s.arena.chunks, s.spillArena.chunks...)
	s.spillArena = arena{}
	return nil
}

// spillBlock is the S2 block size of run files. S2 rather than zstd: a run
// is written once and read once or twice, so compression speed matters more
// than ratio (zstd's fastest level spent three times the CPU for files a
// third smaller), and small blocks keep the memory of a FanIn-way merge low.
const spillBlock = 256 << 10

// runWriter writes one run file: each record as a uvarint length, the key
// and the record bytes, in S2 blocks (compressed with Compress).
type runWriter struct {
	s   *Sorter
	f   *os.File
	cw  countWriter
	hdr [binary.MaxVarintLen64 + keyLen]byte
}

// createRun creates a run file and appends its name to names, so the file
// is removed with the others whatever happens next.
func (s *Sorter) createRun(names *[]string) (*runWriter, error) {
	if s.cfg.Dir == "" {
		return nil, errors.New("presort: spilling needs a directory (SorterConfig.Dir)")
	}
	if s.enc == nil {
		opts := []s2.WriterOption{s2.WriterConcurrency(1), s2.WriterBlockSize(spillBlock)}
		if !s.cfg.Compress {
			opts = append(opts, s2.WriterUncompressed())
		}
		s.enc = s2.NewWriter(nil, opts...)
		s.bw = bufio.NewWriterSize(nil, 64<<10)
	}
	f, err := os.CreateTemp(s.cfg.Dir, "run-*.s2")
	if err != nil {
		return nil, fmt.Errorf("presort: create run: %w", err)
	}
	*names = append(*names, f.Name())
	w := &runWriter{s: s, f: f}
	w.cw.w = f
	s.enc.Reset(&w.cw)
	s.bw.Reset(s.enc)
	return w, nil
}

// add writes one record. Errors surface in close.
func (w *runWriter) add(k *Key, rec []byte) {
	n := binary.PutUvarint(w.hdr[:], uint64(keyLen+len(rec)))
	k.put(w.hdr[n:])
	w.s.bw.Write(w.hdr[:n+keyLen])
	w.s.bw.Write(rec)
}

// close finishes the file.
func (w *runWriter) close() error {
	err := w.s.bw.Flush()
	if err == nil {
		err = w.s.enc.Close()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("presort: write run %s: %w", w.f.Name(), err)
	}
	return nil
}

// appendRecord appends a record as a run file holds it, uncompressed.
func appendRecord(dst []byte, k *Key, rec []byte) []byte {
	var kb [keyLen]byte
	k.put(kb[:])
	dst = binary.AppendUvarint(dst, uint64(keyLen+len(rec)))
	dst = append(dst, kb[:]...)
	return append(dst, rec...)
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

// Finish ends input and sorts the records in memory. If anything was
// spilled, runs are merged until they and the records in memory make at
// most FanIn inputs; the records in memory are not spilled.
func (s *Sorter) Finish(ctx context.Context) error {
	if s.finished {
		return nil
	}
	if err := s.wait(); err != nil {
		return err
	}
	s.finished = true
	s.sortMemory()
	// Blocks and entries left over from fuller runs are not needed again
	// (sortMemory left the entries in a slice that fits them).
	s.arena.trim()
	s.spillEntries = nil
	s.items = nil
	mem := 0
	if len(s.entries) > 0 {
		mem = 1
	}
	for len(s.runs)+mem > s.cfg.FanIn {
		// Merge just enough of the oldest runs to come down to FanIn inputs.
		g := min(s.cfg.FanIn, len(s.runs)+mem-s.cfg.FanIn+1)
		group := s.runs[:g]
		s.runs = append([]string(nil), s.runs[g:]...)
		err := s.mergeRuns(ctx, group)
		for _, p := range group {
			os.Remove(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mergeRuns merges the runs in paths into a new run.
func (s *Sorter) mergeRuns(ctx context.Context, paths []string) error {
	m, err := s.openMerge(paths, false)
	if err != nil {
		return err
	}
	defer m.close()
	w, err := s.createRun(&s.runs)
	if err != nil {
		return err
	}
	err = m.each(ctx, func(k *Key, rec []byte) error { w.add(k, rec); return nil })
	if cerr := w.close(); err == nil {
		err = cerr
	}
	s.spilled += w.cw.n
	return err
}

// Scan calls fn for every record whose key keep accepts, in key order.
// keep may be nil (every record). The key and record passed to fn are valid
// until fn returns. Scan can be called any number of times after Finish.
func (s *Sorter) Scan(ctx context.Context, keep func(*Key) bool, fn func(k *Key, rec []byte) error) error {
	if !s.finished {
		return errors.New("presort: Scan before Finish")
	}
	if len(s.runs) == 0 {
		for i := range s.entries {
			e := &s.entries[i]
			if keep != nil && !keep(&e.key) {
				continue
			}
			if err := fn(&e.key, s.arena.rec(e)); err != nil {
				return err
			}
		}
		return nil
	}
	m, err := s.openMerge(s.runs, true)
	if err != nil {
		return err
	}
	defer m.close()
	return m.each(ctx, func(k *Key, rec []byte) error {
		if keep != nil && !keep(k) {
			return nil
		}
		return fn(k, rec)
	})
}

// ScanParts calls fn for every record, ordered by part and then by key:
// part puts a record in a part from 0 to len(sizes)-1, or skips it when
// negative. sizes[p] is about how many records part p holds; it only guides
// the work. Records stay valid until fn returns. ScanParts can be called any
// number of times after Finish.
//
// A merge of the runs yields the records in key order, and can pass on one
// part as it goes: so each merge passes on a part and keeps the records of
// the small parts that follow it (in memory up to an eighth of MemoryBytes,
// in S2 files in Dir beyond), which it passes on after. A part that holds
// more than an eighth of the records (and more than that memory) gets a
// merge of its own instead: reading the runs again costs less than writing
// and reading it once more. With one large part first, as presort levels
// usually are (5digit), one merge does all.
func (s *Sorter) ScanParts(ctx context.Context, sizes []int64, part func(*Key) int, fn func(p int, k *Key, rec []byte) error) error {
	if !s.finished {
		return errors.New("presort: ScanParts before Finish")
	}
	parts := len(sizes)
	if parts == 0 {
		return nil
	}
	if len(s.runs) == 0 {
		return s.scanPartsMemory(ctx, parts, part, fn)
	}
	budget := s.cfg.MemoryBytes / 8
	var total int64
	for _, n := range sizes {
		total += max(n, 0)
	}
	avg := s.bytes / max(s.records, 1)
	for first := 0; first < parts; {
		// Parts first+1 .. next-1 are kept; next gets a merge of its own.
		next := first + 1
		for next < parts && !(sizes[next] > total/8 && sizes[next]*avg > int64(budget)) {
			next++
		}
		if err := s.scanPass(ctx, first, next, parts, budget, part, fn); err != nil {
			return err
		}
		first = next
	}
	return nil
}

// scanPass merges the runs once, passing on part first as it comes and
// parts first+1 to next-1 after.
func (s *Sorter) scanPass(ctx context.Context, first, next, parts, budget int, part func(*Key) int, fn func(p int, k *Key, rec []byte) error) error {
	t := &tails{s: s, parts: make([]tailPart, next-first), budget: budget, chunk: min(max(budget/8, 1), tailChunk)}
	defer t.remove()
	m, err := s.openMerge(s.runs, true)
	if err != nil {
		return err
	}
	defer m.close()
	err = m.each(ctx, func(k *Key, rec []byte) error {
		switch p := part(k); {
		case p == first:
			return fn(p, k, rec)
		case p > first && p < next:
			return t.add(p-first, k, rec)
		case p >= parts:
			return fmt.Errorf("presort: part %d out of range [0, %d)", p, parts)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.close()
	for p := first + 1; p < next; p++ {
		if err := t.replay(ctx, p-first, func(_ int, k *Key, rec []byte) error { return fn(p, k, rec) }); err != nil {
			return err
		}
	}
	return nil
}

// scanPartsMemory is ScanParts without runs: part 0 in one pass over the
// sorted records, noting where the others are.
func (s *Sorter) scanPartsMemory(ctx context.Context, parts int, part func(*Key) int, fn func(p int, k *Key, rec []byte) error) error {
	later := make([][]int32, parts)
	for i := range s.entries {
		e := &s.entries[i]
		switch p := part(&e.key); {
		case p == 0:
			if err := fn(0, &e.key, s.arena.rec(e)); err != nil {
				return err
			}
		case p > 0 && p < parts:
			later[p] = append(later[p], int32(i))
		case p >= parts:
			return fmt.Errorf("presort: part %d out of range [0, %d)", p, parts)
		}
	}
	for p := 1; p < parts; p++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, i := range later[p] {
			e := &s.entries[i]
			if err := fn(p, &e.key, s.arena.rec(e)); err != nil {
				return err
			}
		}
	}
	return nil
}

// tails holds the records of ScanParts's later parts, in key order within
// each part: files written so far, then chunks in memory. Chunks of a fixed
// size, reused after a spill, because a growing buffer per part was copied
// and cleared again on every regrowth.
type tails struct {
	s      *Sorter
	parts  []tailPart
	free   [][]byte // spilled chunks, to fill again
	size   int      // bytes in the chunks
	budget int
	chunk  int // bytes of a chunk: an eighth of budget, at most tailChunk
}

type tailPart struct {
	files  []string
	chunks [][]byte // records as in a run file, uncompressed
}

// tailChunk is the largest size of a tails chunk; a larger record gets its
// own.
const tailChunk = 256 << 10

func (t *tails) add(p int, k *Key, rec []byte) error {
	tp := &t.parts[p]
	need := binary.MaxVarintLen64 + keyLen + len(rec)
	last := len(tp.chunks) - 1
	if last < 0 || cap(tp.chunks[last])-len(tp.chunks[last]) < need {
		var c []byte
		if n := len(t.free); n > 0 && need <= t.chunk {
			c, t.free = t.free[n-1][:0], t.free[:n-1]
		} else {
			c = make([]byte, 0, max(t.chunk, need))
		}
		tp.chunks = append(tp.chunks, c)
		last++
	}
	c := tp.chunks[last]
	n := len(c)
	tp.chunks[last] = appendRecord(c, k, rec)
	t.size += len(tp.chunks[last]) - n
	if t.size > t.budget {
		return t.spill()
	}
	return nil
}

// spill writes every part's chunks to a file of its own.
func (t *tails) spill() error {
	for p := range t.parts {
		tp := &t.parts[p]
		if len(tp.chunks) == 0 {
			continue
		}
		w, err := t.s.createRun(&tp.files)
		if err != nil {
			return err
		}
		for _, c := range tp.chunks {
			t.s.bw.Write(c)
		}
		if err := w.close(); err != nil {
			return err
		}
		t.s.spilled += w.cw.n
		for _, c := range tp.chunks {
			if cap(c) == t.chunk {
				t.free = append(t.free, c)
			}
		}
		tp.chunks = tp.chunks[:0]
	}
	t.size = 0
	return nil
}

// replay passes part p's records to fn.
func (t *tails) replay(ctx context.Context, p int, fn func(p int, k *Key, rec []byte) error) error {
	tp := &t.parts[p]
	for _, path := range tp.files {
		m, err := t.s.openMerge([]string{path}, false)
		if err != nil {
			return err
		}
		err = m.each(ctx, func(k *Key, rec []byte) error { return fn(p, k, rec) })
		m.close()
		if err != nil {
			return err
		}
	}
	var k Key
	for _, b := range tp.chunks {
		for len(b) > 0 {
			n, w := binary.Uvarint(b)
			if w <= 0 || n < keyLen || uint64(len(b)-w) < n {
				return errors.New("presort: corrupt part buffer")
			}
			k.get(b[w:])
			if err := fn(p, &k, b[w+keyLen:w+int(n)]); err != nil {
				return err
			}
			b = b[w+int(n):]
		}
	}
	return nil
}

// remove deletes the part files.
func (t *tails) remove() {
	for p := range t.parts {
		for _, path := range t.parts[p].files {
			os.Remove(path)
		}
	}
	t.parts = nil
}

// Close removes the run files.
func (s *Sorter) Close() error {
	if s.pending != nil {
		s.wait() // the run file is removed below whatever became of it
	}
	var first error
	for _, p := range s.runs {
		if err := os.Remove(p); err != nil && first == nil && !errors.Is(err, os.ErrNotExist) {
			first = err
		}
	}
	s.runs = nil
	s.entries, s.items, s.arena = nil, nil, arena{}
	s.spillEntries, s.spillArena = nil, arena{}
	s.decs = nil
	return first
}

// runReader reads one run's records, from a file or, when f is nil, from
// the sorter's records in memory.
type runReader struct {
	f    *os.File
	br   *bufio.Reader
	skip int // bytes of the current record still in br
	key  Key
	rec  []byte
	buf  []byte

	mem   []entry
	arena *arena
}

func (r *runReader) read() error {
	if r.f == nil {
		if len(r.mem) == 0 {
			return io.EOF
		}
		e := &r.mem[0]
		r.mem = r.mem[1:]
		r.key, r.rec = e.key, r.arena.rec(e)
		return nil
	}
	if r.skip > 0 {
		r.br.Discard(r.skip)
		r.skip = 0
	}
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return fmt.Errorf("presort: read run %s: %w", r.f.Name(), err)
	}
	if n < keyLen || n > 1<<30 {
		return fmt.Errorf("presort: run %s: bad record length %d", r.f.Name(), n)
	}
	var b []byte
	if n <= uint64(r.br.Size()) {
		// Read in place: the record stays in br's buffer until the next read.
		if b, err = r.br.Peek(int(n)); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("presort: read run %s: %w", r.f.Name(), err)
		}
		r.skip = int(n)
	} else {
		if uint64(cap(r.buf)) < n {
			r.buf = make([]byte, n, n+n/2)
		}
		b = r.buf[:n]
		if _, err := io.ReadFull(r.br, b); err != nil {
			return fmt.Errorf("presort: read run %s: %w", r.f.Name(), err)
		}
	}
	r.key.get(b)
	r.rec = b[keyLen:]
	return nil
}

// merger is a k-way merge over run readers: a min-heap by key.
type merger struct {
	heap []*runReader
	all  []*runReader
	last *runReader
}

// openMerge starts a merge of the runs in paths and, with mem, the records
// in memory.
func (s *Sorter) openMerge(paths []string, mem bool) (*merger, error) {
	m := &merger{}
	for len(s.decs) < len(paths) {
		s.decs = append(s.decs, s2.NewReader(nil, s2.ReaderMaxBlockSize(spillBlock)))
	}
	add := func(r *runReader) error {
		m.all = append(m.all, r)
		switch err := r.read(); err {
		case nil:
			m.heap = append(m.heap, r)
		case io.EOF:
		default:
			return err
		}
		return nil
	}
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("presort: open run: %w", err)
		}
		d := s.decs[i]
		d.Reset(bufio.NewReaderSize(f, 32<<10))
		if err := add(&runReader{f: f, br: bufio.NewReaderSize(d, 64<<10)}); err != nil {
			m.close()
			return nil, err
		}
	}
	if mem && len(s.entries) > 0 {
		add(&runReader{mem: s.entries, arena: &s.arena})
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m, nil
}

func (m *merger) less(i, j int) bool { return m.heap[i].key.Compare(&m.heap[j].key) < 0 }

func (m *merger) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(r, l) {
			j = r
		}
		if !m.less(j, i) {
			return
		}
		m.heap[i], m.heap[j] = m.heap[j], m.heap[i]
		i = j
	}
}

// next returns the smallest record; it stays valid until the next call.
// each calls fn for every remaining record in key order, checking ctx every
// 4,096 records; it returns nil at the end of the runs.
func (m *merger) each(ctx context.Context, fn func(k *Key, rec []byte) error) error {
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k, rec, err := m.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(k, rec); err != nil {
			return err
		}
	}
}

func (m *merger) next() (*Key, []byte, error) {
	if m.last != nil {
		// Advance the reader whose record was returned last.
		switch err := m.last.read(); err {
		case nil:
			m.down(0)
		case io.EOF:
			n := len(m.heap) - 1
			m.heap[0] = m.heap[n]
			m.heap = m.heap[:n]
			if n > 0 {
				m.down(0)
			}
		default:
			return nil, nil, err
		}
		m.last = nil
	}
	if len(m.heap) == 0 {
		return nil, nil, io.EOF
	}
	r := m.heap[0]
	m.last = r
	return &r.key, r.rec, nil
}

// close closes the run files; it may be called more than once.
func (m *merger) close() {
	for _, r := range m.all {
		if r.f != nil {
			r.f.Close()
		}
	}
	m.all, m.heap, m.last = nil, nil, nil
}
