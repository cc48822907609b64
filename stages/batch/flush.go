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

	// per destination
	level     []byte
	haveDest  bool
	destKey   uint32
	destN     int64
	destI     int64
	destLabel []byte

	// IMb
	tracking       imb.Tracking
	serial, serEnd uint64
	domLeft        int64
	scratch        []byte
}

func (e *emitter) flushOut() error {
	if e.out == nil || len(e.out.Rows) == 0 {
		return nil
	}
	b := e.out
	e.out = nil
	return e.emit(b)
}

// nextSerial returns the next serial, reserving a block when the last is used up.
func (e *emitter) nextSerial() (uint64, error) {
	if e.serial == e.serEnd {
		n := int(min(int64(e.s.cfg.SerialBlock), e.domLeft))
		first, err := e.s.cfg.Serials.Reserve(e.ctx, e.s.cfg.MailerID, n)
		if err != nil {
			return 0, fmt.Errorf("reserve IMb serials: %w", err)
		}
		e.serial, e.serEnd = first, first+uint64(n)
		e.s.section.Serials = append(e.s.section.Serials, SerialBlock{MailerID: e.s.cfg.MailerID, First: first, Count: n})
	}
	v := e.serial
	e.serial++
	e.domLeft--
	return v, nil
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
	if err := decodeRecord(b, r, rec); err != nil {
		return fmt.Errorf("piece %s: %w", r.ID, err)
	}
	s := e.s
	cfg := &s.cfg
	e.sequence++
	tray := e.trays + presort.TrayOf(e.destI, e.destN, cfg.TrayMax) + 1
	e.destI++
	setField(r, s.colVendor, b.Copy([]byte(cfg.Vendor)))
	setField(r, s.colClass, b.Copy([]byte(cfg.MailClass)))
	setField(r, s.colFormat, b.Copy([]byte(cfg.Format)))
	setField(r, s.colBatch, b.Copy(e.batchID))
	setField(r, s.colLevel, b.Copy(e.level))
	setField(r, s.colDest, b.Copy(e.destLabel))
	setField(r, s.colTray, b.Copy(itoa(e.scratch[:0], tray)))
	setField(r, s.colSeq, b.Copy(itoa(e.scratch[:0], e.sequence)))
	if domestic && cfg.MailerID != "" {
		serial, err := e.nextSerial()
		if err != nil {
			return err
		}
		e.tracking.Serial = serial
		buf := e.tracking.AppendTo(e.scratch[:0])
		nt := len(buf)
		buf = appendPadded(buf, zip5, 5)
		if zip4p > 0 {
			buf = appendPadded(buf, zip4p-1, 4)
		}
		nr := len(buf)
		buf, err = imb.Append(buf, buf[:nt], buf[nt:nr])
		if err != nil {
			return fmt.Errorf("piece %s: IMb: %w", r.ID, err)
		}
		e.scratch = buf
		setField(r, s.colTracking, b.Copy(buf[:nt]))
		setField(r, s.colRouting, b.Copy(buf[nt:nr]))
		setField(r, s.colIMb, b.Copy(buf[nr:]))
	}
	if len(b.Rows) >= pipeline.DefaultBatchRows {
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

// endDest closes the current destination's trays.
func (e *emitter) endDest() {
	if e.haveDest {
		e.trays += presort.Trays(e.destN, e.s.cfg.TrayMax)
		e.haveDest = false
	}
}

// Flush emits every piece in presort order and removes the spill files.
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
	e := &emitter{s: s, ctx: ctx, emit: emit, domLeft: s.dom.Total(), scratch: make([]byte, 0, 128),
		tracking: imb.Tracking{BarcodeID: s.cfg.BarcodeID, ServiceType: s.cfg.ServiceType, MailerID: s.cfg.MailerID}}
	if s.dom.Total() > 0 {
		e.startGroup("domestic")
		for _, lvl := range presort.DomesticLevels {
			n := plan.Count(lvl)
			if n == 0 {
				continue
			}
			e.level = []byte(lvl.String())
			e.summary.Levels[lvl.String()] = n
			keep := func(k *presort.Key) bool {
				return k.Hi>>56 == groupDomestic && plan.Level(uint32(k.Hi&0xffffffff)/10001) == lvl
			}
			err := s.sorter.Scan(ctx, keep, func(k *presort.Key, rec []byte) error {
				z := uint32(k.Hi & 0xffffffff)
				zip5, zip4p := z/10001, z%10001
				key, n, label := plan.Dest(e.destLabel[:0], zip5, lvl)
				if !e.haveDest || key != e.destKey {
					e.endDest()
					e.haveDest, e.destKey, e.destN, e.destI = true, key, n, 0
				}
				e.destLabel = label
				return e.piece(k, rec, zip5, zip4p, true)
			})
			if err != nil {
				return fmt.Errorf("batch: %w", err)
			}
			e.endDest()
		}
		e.summary.Pieces, e.summary.Trays = e.sequence, e.trays
	}
	if s.intl > 0 {
		e.startGroup("international")
		lvl := presort.LevelInternational
		e.level = []byte(lvl.String())
		e.summary.Levels[lvl.String()] = s.intl
		e.haveDest, e.destKey, e.destN, e.destI = true, 0, s.intl, 0
		e.destLabel = append(e.destLabel[:0], "INTL"...)
		err := s.sorter.Scan(ctx, func(k *presort.Key) bool { return k.Hi>>56 == groupInternational },
			func(k *presort.Key, rec []byte) error { return e.piece(k, rec, 0, 0, false) })
		if err != nil {
			return fmt.Errorf("batch: %w", err)
		}
		e.endDest()
		e.summary.Pieces, e.summary.Trays = e.sequence, e.trays
	}
	if err := e.flushOut(); err != nil {
		return err
	}
	return nil
}
