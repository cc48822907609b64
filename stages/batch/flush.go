package batch

import (
	"context"
	"fmt"

	"github.com/postmill/postmill/internal/imb"
	"github.com/postmill/postmill/internal/presort"
	"github.com/postmill/postmill/pipeline"
)

// emitter builds output batches of presorted pieces.
type emitter struct {
	s    *Stage
	ctx  context.Context
	emit func(*pipeline.Batch) error
	out  *pipeline.Batch

	// per group
	batchID  []byte
	sequence int64
	trays    int64 // trays used by the destinations done so far
	summary  *BatchSummary

	// per level
	level []byte

	// per destination
	haveDest  bool
	destZip   uint32 // the ZIP Code destKey and destLabel were found for
	destKey   uint32
	destN     int64
	destI     int64
	destLabel []byte

	// IMb
	tracking       imb.Tracking
	serial, serEnd uint64
	domLeft        int64
	ahead          chan reserved // the next block, reserved while this one is used
	scratch        []byte
}

// reserved is the outcome of reserving a block of serials.
type reserved struct {
	first uint64
	n     int
	err   error
}

func (e *emitter) flushOut() error {
	if e.out == nil || len(e.out.Rows) == 0 {
		return nil
	}
	b := e.out
	e.out = nil
	return e.emit(b)
}

// nextSerial returns the next serial. When a block is used up it goes on
// with the next, which a goroutine reserved while the block was in use:
// reserving writes and fsyncs the serial state (10-30 ms here), and every
// stage after presort would otherwise wait for it, ten times a million
// pieces.
func (e *emitter) nextSerial() (uint64, error) {
	if e.serial == e.serEnd {
		var r reserved
		if e.ahead != nil {
			r, e.ahead = <-e.ahead, nil
		} else {
			r = e.reserve(int(min(int64(e.s.cfg.SerialBlock), e.domLeft)))
		}
		if r.err != nil {
			return 0, fmt.Errorf("reserve IMb serials: %w", r.err)
		}
		e.useBlock(r)
		if rest := e.domLeft - int64(r.n); rest > 0 {
			n := int(min(int64(e.s.cfg.SerialBlock), rest))
			e.ahead = make(chan reserved, 1)
			go func(ch chan<- reserved) { ch <- e.reserve(n) }(e.ahead)
		}
	}
	v := e.serial
	e.serial++
	e.domLeft--
	return v, nil
}

// reserve reserves a block of n serials.
func (e *emitter) reserve(n int) reserved {
	first, err := e.s.cfg.Serials.Reserve(e.ctx, e.s.cfg.MailerID, n)
	return reserved{first: first, n: n, err: err}
}

// useBlock makes r the block serials come from and reports it.
func (e *emitter) useBlock(r reserved) {
	e.serial, e.serEnd = r.first, r.first+uint64(r.n)
	e.s.section.Serials = append(e.s.section.Serials, SerialBlock{MailerID: e.s.cfg.MailerID, First: r.first, Count: r.n})
}

// close waits for a block still being reserved, so nothing touches the
// serial state after Flush returns; one reserved but never used (the flush
// failed) is reported all the same.
func (e *emitter) close() {
	if e.ahead == nil {
		return
	}
	if r := <-e.ahead; r.err == nil {
		e.useBlock(r)
	}
	e.ahead = nil
}

// piece emits one presorted piece.
func (e *emitter) piece(k *presort.Key, rec []byte, zip5, zip4p uint32, domestic bool) error {
	if e.out == nil {
		e.out = pipeline.NewBatch(e.s.job, e.s.nextSeq)
		e.s.nextSeq++
	}
	b := e.out
	r := b.AddRow()
	r.Num, r.ID = k.Num, pipeline.PieceID(k.ID)
	if err := e.s.decodeRecord(b, r, rec); err != nil {
		return fmt.Errorf("piece %s: %w", r.ID, err)
	}
	s := e.s
	cfg := &s.cfg
	e.sequence++
	tray := e.trays + presort.TrayOf(e.destI, e.destN, cfg.TrayMax) + 1
	e.destI++

	// The added values go into the batch's arena in one copy.
	var end [11]int
	buf := append(e.scratch[:0], cfg.Vendor...)
	end[0] = len(buf)
	buf = append(buf, cfg.MailClass...)
	end[1] = len(buf)
	buf = append(buf, cfg.Format...)
	end[2] = len(buf)
	buf = append(buf, e.batchID...)
	end[3] = len(buf)
	buf = append(buf, e.level...)
	end[4] = len(buf)
	buf = append(buf, e.destLabel...)
	end[5] = len(buf)
	buf = itoa(buf, tray)
	end[6] = len(buf)
	buf = itoa(buf, e.sequence)
	end[7] = len(buf)
	nv := 8
	if domestic && cfg.MailerID != "" {
		serial, err := e.nextSerial()
		if err != nil {
			return err
		}
		e.tracking.Serial = serial
		buf = e.tracking.AppendTo(buf)
		end[8] = len(buf)
		buf = appendPadded(buf, zip5, 5)
		if zip4p > 0 {
			buf = appendPadded(buf, zip4p-1, 4)
		}
		end[9] = len(buf)
		buf, err = imb.Append(buf, buf[end[7]:end[8]], buf[end[8]:end[9]])
		if err != nil {
			return fmt.Errorf("piece %s: IMb: %w", r.ID, err)
		}
		end[10] = len(buf)
		nv = 11
	}
	e.scratch = buf
	vals := b.Copy(buf)
	cols := [11]int{s.colVendor, s.colClass, s.colFormat, s.colBatch, s.colLevel, s.colDest, s.colTray, s.colSeq,
		s.colTracking, s.colRouting, s.colIMb}
	start := 0
	for i := range nv {
		if end[i] > start {
			setField(r, cols[i], vals[start:end[i]:end[i]])
		}
		start = end[i]
	}
	if len(b.Rows) >= EmitRows {
		return e.flushOut()
	}
	return nil
}

func appendPadded(dst []byte, v uint32, width int) []byte {
	var tmp [10]byte
	n := len(tmp)
	for ; v > 0 || n == len(tmp); v /= 10 {
		n--
		tmp[n] = byte('0' + v%10)
	}
	for i := len(tmp) - n; i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, tmp[n:]...)
}

// startGroup begins a batch.
func (e *emitter) startGroup(scope string) {
	cfg := &e.s.cfg
	id := BatchID(e.s.job, cfg.Vendor, cfg.MailClass, cfg.Format, scope)
	e.batchID = []byte(id)
	e.sequence, e.trays, e.haveDest = 0, 0, false
	e.s.section.Batches = append(e.s.section.Batches, BatchSummary{BatchID: id, Scope: scope, Levels: map[string]int64{}})
	e.summary = &e.s.section.Batches[len(e.s.section.Batches)-1]
}

// endGroup closes the current batch, if any.
func (e *emitter) endGroup() {
	e.endDest()
	if e.summary != nil {
		e.summary.Pieces, e.summary.Trays = e.sequence, e.trays
		e.summary = nil
	}
}

// endDest closes the current destination's trays.
func (e *emitter) endDest() {
	if e.haveDest {
		e.trays += presort.Trays(e.destN, e.s.cfg.TrayMax)
		e.haveDest = false
	}
}

// Flush emits every piece in presort order and removes the spill files.
// The presort levels are known from the counts before anything is read, so
// one merge of the sorted runs yields every level: the domestic levels
// present, in order, then the foreign pieces, each a part of
// presort.Sorter.ScanParts.
func (s *Stage) Flush(ctx context.Context, emit func(*pipeline.Batch) error) error {
	defer s.Close()
	if err := s.sorter.Finish(ctx); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	s.section.Runs, s.section.SpilledBytes = s.sorter.Runs(), s.sorter.SpilledBytes()
	if s.job == nil || s.sorter.Len() == 0 {
		return nil
	}
	plan := presort.NewPlan(s.dom, s.labels, s.cfg.GroupMin)
	e := &emitter{s: s, ctx: ctx, emit: emit, domLeft: s.dom.Total(), scratch: make([]byte, 0, 256),
		tracking: imb.Tracking{BarcodeID: s.cfg.BarcodeID, ServiceType: s.cfg.ServiceType, MailerID: s.cfg.MailerID}}
	defer e.close()

	// Parts in emitting order, and the part of each level (-1: none).
	var levels []presort.Level
	var sizes []int64
	var partOf [presort.LevelInternational + 1]int
	for i := range partOf {
		partOf[i] = -1
	}
	for _, lvl := range presort.DomesticLevels {
		if plan.Count(lvl) > 0 {
			partOf[lvl] = len(levels)
			levels = append(levels, lvl)
			sizes = append(sizes, plan.Count(lvl))
		}
	}
	if s.intl > 0 {
		partOf[presort.LevelInternational] = len(levels)
		levels = append(levels, presort.LevelInternational)
		sizes = append(sizes, s.intl)
	}
	names := make([][]byte, len(levels))
	for i, lvl := range levels {
		names[i] = []byte(lvl.String())
	}
	part := func(k *presort.Key) int {
		if k.Hi>>56 == groupInternational {
			return partOf[presort.LevelInternational]
		}
		return partOf[plan.Level(uint32(k.Hi&0xffffffff)/10001)]
	}

	if s.dom.Total() > 0 {
		e.startGroup("domestic")
		for _, lvl := range levels {
			if lvl != presort.LevelInternational {
				e.summary.Levels[lvl.String()] = plan.Count(lvl)
			}
		}
	}
	cur := -1
	var lvl presort.Level
	err := s.sorter.ScanParts(ctx, sizes, part, func(p int, k *presort.Key, rec []byte) error {
		if p != cur {
			cur, lvl = p, levels[p]
			e.endDest()
			e.level = names[p]
			if lvl == presort.LevelInternational {
				e.endGroup()
				e.startGroup("international")
				e.summary.Levels[lvl.String()] = s.intl
				e.haveDest, e.destKey, e.destN, e.destI = true, 0, s.intl, 0
				e.destLabel = append(e.destLabel[:0], "INTL"...)
			}
		}
		if lvl == presort.LevelInternational {
			return e.piece(k, rec, 0, 0, false)
		}
		z := uint32(k.Hi & 0xffffffff)
		zip5, zip4p := z/10001, z%10001
		if !e.haveDest || zip5 != e.destZip {
			// A destination is one ZIP Code or a range of them: look it up
			// only when the ZIP Code changes.
			key, n, label := plan.Dest(e.destLabel[:0], zip5, lvl)
			if !e.haveDest || key != e.destKey {
				e.endDest()
				e.haveDest, e.destKey, e.destN, e.destI = true, key, n, 0
			}
			e.destLabel, e.destZip = label, zip5
		}
		return e.piece(k, rec, zip5, zip4p, true)
	})
	s.section.SpilledBytes = s.sorter.SpilledBytes()
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	e.endGroup()
	return e.flushOut()
}
