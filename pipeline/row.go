package pipeline

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"

	"github.com/postmill/postmill/internal/keyset"
)

// Fate is what a stage decided for a row.
type Fate uint8

// Fates. A row is Live until a stage rejects or holds it; a Live row that
// reaches the sink is accepted.
const (
	Live Fate = iota
	Rejected
	Held
	// Deferred rows were copied by a [Flusher] stage, which emits them again
	// at end of input; the engine drops them from the batch without counting
	// a terminal state.
	Deferred
)

// String names the fate as the report does.
func (f Fate) String() string {
	switch f {
	case Live:
		return "accepted"
	case Rejected:
		return "rejected"
	case Held:
		return "held"
	case Deferred:
		return "deferred"
	}
	return "unknown"
}

// PieceIDLen is the length of a piece id's text form.
const PieceIDLen = 16

// PieceID identifies a piece across replays: the same account, campaign,
// source and row give the same id, so every sink can be idempotent.
type PieceID [PieceIDLen]byte

var pieceIDEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewPieceID derives a piece id from the job's identity and the source row
// number: the first 80 bits of MurmurHash3-128(jobKey, row) in lowercase
// Crockford base32, where jobKey = sha256(account, campaign, fingerprint)
// with each field length-prefixed, computed once per job. The ids need to
// be stable and well spread, not secret (PURL codes are the secret ones), so
// the per-row hash is a fast non-cryptographic one: 80 bits keep the chance
// of any collision among 10^9 pieces of one tenant below 1 in 10^6. It does
// not allocate.
func NewPieceID(job *Job, row int64) PieceID {
	key := job.pieceKey()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(row))
	sum := keyset.Sum(keyset.KindPieceID, key[:], n[:])
	var id PieceID
	pieceIDEncoding.Encode(id[:], sum[:10])
	return id
}

// pieceKey hashes the job's identity once.
func (j *Job) pieceKey() [32]byte {
	j.keyOnce.Do(func() {
		h := sha256.New()
		var n [8]byte
		for _, f := range []string{j.Account, j.Campaign} {
			binary.BigEndian.PutUint64(n[:], uint64(len(f)))
			h.Write(n[:])
			h.Write([]byte(f))
		}
		h.Write(j.Fingerprint[:])
		h.Sum(j.key[:0])
	})
	return j.key
}

// String returns the id's text form.
func (p PieceID) String() string { return string(p[:]) }

// Row is one piece row. Its fields are byte-slice views into the owning
// batch's arena: valid while the batch is, never to be kept after Process
// returns (copy what you need).
type Row struct {
	// Num is the source row number: the 1-based index of the data record in
	// its input, header excluded. Together with the job it fixes the piece id.
	Num int64
	// Line is the input line on which the record starts (1-based); for a
	// record with embedded newlines it differs from Num by more than the
	// header.
	Line int64
	// ID is the piece id.
	ID PieceID
	// Fields holds the values by schema column index; a column the input
	// lacks is empty.
	Fields [][]byte
	// Raw is the record as it stood in the input, kept for the rejects file.
	Raw []byte

	// Fate is what the stages decided; Reason says why for Rejected and Held.
	Fate   Fate
	Reason Reason
	// Detail adds the specifics a reason code cannot carry (the piece kept by
	// dedupe, the column count seen), for the rejects file.
	Detail string
	// Notes are informational codes (note:decoded_cp1252, corrections) that
	// do not change the fate.
	Notes []Reason
}

// Field returns column i's value, empty when the row has no such column.
func (r *Row) Field(i int) []byte {
	if i < len(r.Fields) {
		return r.Fields[i]
	}
	return nil
}

// Reject ends the row with a reason. Stages call it; the engine moves the row
// out of the live set after the stage returns.
func (r *Row) Reject(reason Reason, detail string) {
	r.Fate, r.Reason, r.Detail = Rejected, reason, detail
}

// Hold ends the row's journey for this run with a reason; held rows are
// reported and can be released later.
func (r *Row) Hold(reason Reason, detail string) {
	r.Fate, r.Reason, r.Detail = Held, reason, detail
}

// Defer marks a row that a [Flusher] stage has copied and will emit at end
// of input.
func (r *Row) Defer() { r.Fate = Deferred }

// Note adds an informational code.
func (r *Row) Note(n Reason) { r.Notes = append(r.Notes, n) }

// reset readies a new or recycled row for cols columns, every one empty.
func (r *Row) reset(cols int) {
	r.Num, r.Line, r.ID = 0, 0, PieceID{}
	if cap(r.Fields) < cols {
		r.Fields = make([][]byte, cols)
	}
	r.Fields = r.Fields[:cols] // cleared by recycle
	r.Fate, r.Reason = Live, ""
}

// recycle empties a row going back to its batch's pool. It clears the
// fields here rather than in reset because here the last reader of the row
// has just walked them, so they are in cache, while a row taken from the
// pool has not been touched for a whole trip through the pipeline; it also
// lets go of the views into old arenas sooner.
func (r *Row) recycle() {
	clear(r.Fields[:cap(r.Fields)])
	r.Raw, r.Detail = nil, ""
	r.Notes = r.Notes[:0]
}
