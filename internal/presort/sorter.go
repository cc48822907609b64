package presort

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/klauspost/compress/zstd"
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
	if c := bytes.Compare(k.ID[:], o.ID[:]); c != 0 {
		return c
	}
	switch {
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
	// MemoryBytes bounds the in-memory records' bytes the same way.
	// Default (0): 64 MiB.
	MemoryBytes int
	// FanIn is the most runs merged at once; more are first merged in
	// groups. Default (0): 32.
	FanIn int
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
	key    Key
	off, n uint32
}

// Sorter sorts records by key with bounded memory. It is not safe for
// concurrent use. Close removes its files.
type Sorter struct {
	cfg      SorterConfig
	entries  []entry
	arena    []byte
	runs     []string
	finished bool
	enc      *zstd.Encoder
	decs     []*zstd.Decoder
	spilled  int64 // compressed bytes written
	records  int64
}

// NewSorter returns an empty sorter.
func NewSorter(cfg SorterConfig) *Sorter {
	return &Sorter{cfg: cfg.withDefaults()}
}

// Add adds a record; rec is copied.
func (s *Sorter) Add(k Key, rec []byte) error {
	if s.finished {
		return errors.New("presort: Add after Finish")
	}
	if len(s.entries) >= s.cfg.MemoryRows || (len(s.arena)+len(rec) > s.cfg.MemoryBytes && len(s.entries) > 0) {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.entries = append(s.entries, entry{key: k, off: uint32(len(s.arena)), n: uint32(len(rec))})
	s.arena = append(s.arena, rec...)
	s.records++
	return nil
}

// Len is the number of records added.
func (s *Sorter) Len() int64 { return s.records }

// Runs is the number of run files on disk.
func (s *Sorter) Runs() int { return len(s.runs) }

// SpilledBytes is the compressed size of every run written so far,
// intermediate merges included.
func (s *Sorter) SpilledBytes() int64 { return s.spilled }

func (s *Sorter) sortMemory() {
	slices.SortFunc(s.entries, func(a, b entry) int { return a.key.Compare(&b.key) })
}

// spill sorts the in-memory records and writes them as a run.
func (s *Sorter) spill() error {
	if s.cfg.Dir == "" {
		return errors.New("presort: spilling needs a directory (SorterConfig.Dir)")
	}
	s.sortMemory()
	i := 0
	err := s.writeRun(func() (*Key, []byte, error) {
		if i == len(s.entries) {
			return nil, nil, io.EOF
		}
		e := &s.entries[i]
		i++
		return &e.key, s.arena[e.off : e.off+e.n], nil
	})
	if err != nil {
		return err
	}
	s.entries = s.entries[:0]
	s.arena = s.arena[:0]
	return nil
}

// writeRun writes the records next returns, in order, to a new run file.
func (s *Sorter) writeRun(next func() (*Key, []byte, error)) error {
	f, err := os.CreateTemp(s.cfg.Dir, "run-*.zst")
	if err != nil {
		return fmt.Errorf("presort: create run: %w", err)
	}
	s.runs = append(s.runs, f.Name())
	if s.enc == nil {
		s.enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20), zstd.WithLowerEncoderMem(true))
		if err != nil {
			f.Close()
			return fmt.Errorf("presort: zstd: %w", err)
		}
	}
	cw := &countWriter{w: f}
	s.enc.Reset(cw)
	bw := bufio.NewWriterSize(s.enc, 64<<10)
	var hdr [binary.MaxVarintLen64 + keyLen]byte
	for {
		k, rec, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.Close()
			return err
		}
		n := binary.PutUvarint(hdr[:], uint64(keyLen+len(rec)))
		k.put(hdr[n:])
		bw.Write(hdr[:n+keyLen])
		bw.Write(rec)
	}
	err = bw.Flush()
	if err == nil {
		err = s.enc.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	s.spilled += cw.n
	if err != nil {
		return fmt.Errorf("presort: write run %s: %w", f.Name(), err)
	}
	return nil
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

// Finish ends input. If anything was spilled, the last in-memory records
// are spilled too and runs are merged until at most FanIn remain.
func (s *Sorter) Finish(ctx context.Context) error {
	if s.finished {
		return nil
	}
	s.finished = true
	if len(s.runs) == 0 {
		s.sortMemory()
		return nil
	}
	if len(s.entries) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.entries, s.arena = nil, nil
	for len(s.runs) > s.cfg.FanIn {
		group := s.runs[:s.cfg.FanIn]
		rest := append([]string(nil), s.runs[s.cfg.FanIn:]...)
		s.runs = rest
		m, err := s.openMerge(group)
		if err != nil {
			return err
		}
		err = s.writeRun(func() (*Key, []byte, error) {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			return m.next()
		})
		m.close()
		for _, p := range group {
			os.Remove(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
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
			if err := fn(&e.key, s.arena[e.off:e.off+e.n]); err != nil {
				return err
			}
		}
		return nil
	}
	m, err := s.openMerge(s.runs)
	if err != nil {
		return err
	}
	defer m.close()
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
		if keep != nil && !keep(k) {
			continue
		}
		if err := fn(k, rec); err != nil {
			return err
		}
	}
}

// Close removes the run files.
func (s *Sorter) Close() error {
	var first error
	for _, p := range s.runs {
		if err := os.Remove(p); err != nil && first == nil && !errors.Is(err, os.ErrNotExist) {
			first = err
		}
	}
	s.runs = nil
	s.entries, s.arena = nil, nil
	for _, d := range s.decs {
		d.Close()
	}
	s.decs = nil
	return first
}

// runReader reads one run's records.
type runReader struct {
	f   *os.File
	br  *bufio.Reader
	key Key
	rec []byte
	buf []byte
}

func (r *runReader) read() error {
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
	if uint64(cap(r.buf)) < n {
		r.buf = make([]byte, n, n+n/2)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.br, r.buf); err != nil {
		return fmt.Errorf("presort: read run %s: %w", r.f.Name(), err)
	}
	r.key.get(r.buf)
	r.rec = r.buf[keyLen:]
	return nil
}

// merger is a k-way merge over run readers: a min-heap by key.
type merger struct {
	heap    []*runReader
	all     []*runReader
	started bool
	last    *runReader
}

func (s *Sorter) openMerge(paths []string) (*merger, error) {
	m := &merger{}
	for len(s.decs) < len(paths) {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(8<<20))
		if err != nil {
			return nil, fmt.Errorf("presort: zstd: %w", err)
		}
		s.decs = append(s.decs, d)
	}
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("presort: open run: %w", err)
		}
		d := s.decs[i]
		if err := d.Reset(bufio.NewReaderSize(f, 32<<10)); err != nil {
			f.Close()
			m.close()
			return nil, fmt.Errorf("presort: open run %s: %w", p, err)
		}
		r := &runReader{f: f, br: bufio.NewReaderSize(d, 32<<10)}
		m.all = append(m.all, r)
		switch err := r.read(); err {
		case nil:
			m.heap = append(m.heap, r)
		case io.EOF:
		default:
			m.close()
			return nil, err
		}
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

func (m *merger) close() {
	for _, r := range m.all {
		r.f.Close()
	}
}
