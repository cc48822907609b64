package ledger

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/postmill/postmill/internal/flock"
)

// FileStoreName is the journal file a FileStore keeps in its state directory.
const FileStoreName = "ledger.jsonl"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CorruptError reports a journal line that fails its checksum or cannot be
// decoded and is not the last line (a torn last line is truncated instead).
type CorruptError struct {
	// Path is the journal file.
	Path string
	// Line is the 1-based line number.
	Line int
	// Off is the byte offset where the line starts.
	Off int64
	// Err says what is wrong with it.
	Err error
}

// Error names the file and line.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("ledger journal %s: line %d (offset %d) is corrupt: %v", e.Path, e.Line, e.Off, e.Err)
}

// Unwrap returns the underlying problem.
func (e *CorruptError) Unwrap() error { return e.Err }

// FileStore is the embedded ledger: an append-only JSON Lines journal
// (FileStoreName) in a state directory, one line per committed call, each
// line {"crc":"<crc32c of rec, hex>","rec":{...}}. Every call writes its line
// and fsyncs before returning, so an acknowledged call survives a crash;
// after SyncBehind, calls return at once and Sync makes them durable.
// State (balances, usage, and the charged piece ids as 16-byte keys) is
// rebuilt in memory on open. One process at a time may open a directory
// (an exclusive lock file enforces it on Unix); calls from many goroutines
// are serialized.
type FileStore struct {
	path string
	lock *os.File

	mu     sync.Mutex
	f      *os.File
	size   int64
	broken error // set when a failed write could not be undone; every later write fails

	// With syncBehind, lines wait in pend for the background writer, which
	// writes and fsyncs them a group at a time (see SyncBehind).
	syncBehind bool
	pend       []byte               // lines not yet handed to the writer
	spare      []byte               // the buffer the writer last wrote, to fill again
	writing    bool                 // the writer is writing or fsyncing a group
	wrote      *sync.Cond           // signalled on s.mu when the writer takes the queue or stops
	bgErr      error                // the writer's failure, reported once
	fsync      func(*os.File) error // (*os.File).Sync; tests make it fail
	maxPending int                  // queued bytes beyond which a call waits: maxPending
	groupEvery time.Duration        // the least time between the starts of two groups: groupEvery
	synced     time.Time            // when the writer last finished a group
	waiters    int                  // callers waiting for the writer (Sync, Close, a full queue)
	hurry      chan struct{}        // wakes a writer waiting for its group's turn

	nextTx      int64
	accounts    map[string]*Account
	creditTypes map[string]*CreditType
	balances    map[balanceKey]int64
	charges     chargeIndex
	debits      []debitRef
	debitIndex  map[int64]int32
	usage       map[usageKey]*Usage
	txs         []Transaction
	line        []byte

	// scratch of Debit, kept from call to call
	keys []pieceKey
	seen map[pieceKey]struct{}
}

type balanceKey struct{ account, unit string }

type usageKey struct{ account, campaign, creditType string }

// pieceKey is a piece id as a fixed-size key: storedKey for what is kept in
// a database, keyOf for the file store's memory.
type pieceKey [16]byte

type charge struct {
	debit    int32 // index into debits
	refunded bool
}

type debitRef struct {
	txID                        int64
	account, parent, creditType string
	campaign                    string
	marginPerPiece              Amount
}

// keyOf keys a piece id in the file store's memory, which is rebuilt from
// the journal's ids on open and so may key them as it likes: postmill's own
// ids (16 base32 characters of a hash) are their own key, with no hashing
// per lookup; any other id is keyed by storedKey. An id of 16 bytes would
// have to equal a SHA-256 prefix to meet another id's key: a 128-bit
// preimage.
func keyOf(id string) pieceKey {
	var k pieceKey
	if len(id) == len(k) {
		copy(k[:], id)
		return k
	}
	return storedKey(id)
}

// storedKey is the first 16 bytes of a piece id's SHA-256: the key a
// database keeps (ledger_charges.piece_key). It must never change, or pieces
// charged before would be charged again.
func storedKey(id string) pieceKey {
	sum := sha256.Sum256([]byte(id))
	return pieceKey(sum[:16])
}

// fileRecord is the content of one journal line.
type fileRecord struct {
	Accounts    []Account    `json:"accounts,omitempty"`
	CreditTypes []CreditType `json:"credit_types,omitempty"`
	Txs         []fileTx     `json:"txs,omitempty"`
}

// fileTx is a transaction as journaled: debits list the pieces they charged
// and the parent that booked the margin, refunds the pieces they reversed.
type fileTx struct {
	Transaction
	Parent   string   `json:"parent,omitempty"`
	PieceIDs []string `json:"piece_ids,omitempty"`
}

type fileLine struct {
	CRC string          `json:"crc"`
	Rec json.RawMessage `json:"rec"`
}

// OpenFileStore opens (creating if needed) the journal in dir and replays it.
// A torn or corrupt last line — what a crash during a write leaves — is cut
// off and described in the returned warnings; a corrupt line before the last
// is a *CorruptError. The caller closes the store.
func OpenFileStore(ctx context.Context, dir string) (*FileStore, []string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("open file ledger: create state dir: %w", err)
	}
	lock, err := flock.TryLock(filepath.Join(dir, "ledger.lock"))
	if err != nil {
		return nil, nil, fmt.Errorf("open file ledger in %s (is another postmill using this state dir?): %w", dir, err)
	}
	s := &FileStore{
		path:        filepath.Join(dir, FileStoreName),
		lock:        lock,
		nextTx:      1,
		accounts:    map[string]*Account{},
		creditTypes: map[string]*CreditType{},
		balances:    map[balanceKey]int64{},
		debitIndex:  map[int64]int32{},
		usage:       map[usageKey]*Usage{},
		fsync:       (*os.File).Sync,
		maxPending:  maxPending,
		groupEvery:  groupEvery,
		hurry:       make(chan struct{}, 1),
	}
	_, statErr := os.Stat(s.path)
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		lock.Close()
		return nil, nil, fmt.Errorf("open file ledger: %w", err)
	}
	s.f = f
	if errors.Is(statErr, os.ErrNotExist) {
		if err := syncDir(dir); err != nil {
			s.Close()
			return nil, nil, fmt.Errorf("open file ledger: %w", err)
		}
	}
	warnings, err := s.replay(ctx)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(s.size, io.SeekStart); err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("open file ledger: seek: %w", err)
	}
	return s, warnings, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync state dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync state dir: %w", err)
	}
	return nil
}

func (s *FileStore) replay(ctx context.Context) ([]string, error) {
	r := bufio.NewReaderSize(s.f, 1<<20)
	var (
		off      int64
		lineNo   int
		warnings []string
	)
	for {
		if lineNo%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("replay ledger journal %s: %w", s.path, err)
			}
		}
		b, err := r.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("replay ledger journal %s: read line %d: %w", s.path, lineNo+1, err)
		}
		lineNo++
		var rec *fileRecord
		var bad error
		if err == io.EOF { // no trailing newline: the write was cut short
			bad = errors.New("no line end (torn write)")
		} else {
			rec, bad = decodeLine(b)
		}
		if bad != nil {
			if _, perr := r.Peek(1); perr == io.EOF { // the last line: truncate it
				if terr := s.f.Truncate(off); terr != nil {
					return nil, fmt.Errorf("replay ledger journal %s: truncate torn line %d: %w", s.path, lineNo, terr)
				}
				if serr := s.f.Sync(); serr != nil {
					return nil, fmt.Errorf("replay ledger journal %s: sync after truncate: %w", s.path, serr)
				}
				warnings = append(warnings, fmt.Sprintf("ledger journal %s: dropped torn last line %d (%d bytes at offset %d): %v; the call that wrote it was never made durable (nor, unless the store wrote behind, acknowledged)",
					s.path, lineNo, len(b), off, bad))
				break
			}
			return nil, &CorruptError{Path: s.path, Line: lineNo, Off: off, Err: bad}
		}
		if err := s.apply(rec); err != nil {
			return nil, &CorruptError{Path: s.path, Line: lineNo, Off: off, Err: err}
		}
		off += int64(len(b))
	}
	s.size = off
	return warnings, nil
}

func decodeLine(b []byte) (*fileRecord, error) {
	var l fileLine
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	want, err := strconv.ParseUint(l.CRC, 16, 32)
	if err != nil || len(l.CRC) != 8 {
		return nil, fmt.Errorf("bad crc field %q", l.CRC)
	}
	if got := crc32.Checksum(l.Rec, castagnoli); uint32(want) != got {
		return nil, fmt.Errorf("crc32c mismatch: line says %08x, content is %08x", want, got)
	}
	var rec fileRecord
	if err := json.Unmarshal(l.Rec, &rec); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	return &rec, nil
}

// apply updates the in-memory state with a committed record. Replay and live
// writes share it, so a reopened store equals the one that wrote the file.
func (s *FileStore) apply(rec *fileRecord) error {
	for i := range rec.Accounts {
		a := rec.Accounts[i]
		s.accounts[a.ID] = &a
	}
	for i := range rec.CreditTypes {
		ct := rec.CreditTypes[i]
		s.creditTypes[ct.ID] = &ct
	}
	for i := range rec.Txs {
		t := &rec.Txs[i]
		if t.ID < s.nextTx {
			return fmt.Errorf("transaction id %d out of order (next is %d)", t.ID, s.nextTx)
		}
		s.nextTx = t.ID + 1
		for _, e := range t.Entries {
			k := balanceKey{e.Account, e.Unit}
			if v := s.balances[k] + e.Amount; v != 0 {
				s.balances[k] = v
			} else {
				delete(s.balances, k)
			}
		}
		switch t.Kind {
		case KindDebit:
			idx := int32(len(s.debits))
			s.debits = append(s.debits, debitRef{txID: t.ID, account: t.Account, parent: t.Parent, creditType: t.CreditType, campaign: t.Campaign, marginPerPiece: t.MarginPerPiece})
			s.debitIndex[t.ID] = idx
			for _, id := range t.PieceIDs {
				s.charges.put(keyOf(id), charge{debit: idx})
			}
			s.addUsage(t, t.Pieces, 0)
		case KindRefund:
			for _, id := range t.PieceIDs {
				k := keyOf(id)
				c, ok := s.charges.get(k)
				if !ok {
					return fmt.Errorf("refund %d of piece %q that was never charged", t.ID, id)
				}
				c.refunded = true
				s.charges.put(k, c)
			}
			s.addUsage(t, 0, t.Pieces)
		}
		t.PieceIDs = nil
		s.txs = append(s.txs, t.Transaction)
	}
	return nil
}

func (s *FileStore) addUsage(t *fileTx, charged, refunded int64) {
	k := usageKey{t.Account, t.Campaign, t.CreditType}
	u := s.usage[k]
	if u == nil {
		u = &Usage{Account: t.Account, Campaign: t.Campaign, CreditType: t.CreditType}
		s.usage[k] = u
	}
	u.Charged += charged
	u.Refunded += refunded
	u.Margin += Amount(int64(t.MarginPerPiece) * (charged - refunded))
}

// commit appends rec as one line and fsyncs it (or, with syncBehind, queues
// it for the background writer), then applies it in memory.
func (s *FileStore) commit(rec *fileRecord) error {
	if err := s.bgErr; err != nil {
		s.bgErr = nil
		return err
	}
	if s.broken != nil {
		return fmt.Errorf("file ledger %s is unusable after an earlier failed write: %w", s.path, s.broken)
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode journal record: %w", err)
	}
	s.line = s.line[:0]
	s.line = append(s.line, `{"crc":"`...)
	s.line = append(s.line, fmt.Sprintf("%08x", crc32.Checksum(body, castagnoli))...)
	s.line = append(s.line, `","rec":`...)
	s.line = append(s.line, body...)
	s.line = append(s.line, "}\n"...)
	if s.syncBehind {
		// Applied now, durable later: see SyncBehind. A writer far behind
		// (a stalled disk) holds calls back rather than the queue growing.
		s.pend = append(s.pend, s.line...)
		s.startWriter()
		if len(s.pend) > s.maxPending {
			s.await(func() bool { return len(s.pend) <= s.maxPending || !s.writing })
		}
	} else {
		if _, err := s.f.Write(s.line); err != nil {
			if terr := s.f.Truncate(s.size); terr != nil {
				s.broken = terr
			} else if _, serr := s.f.Seek(s.size, io.SeekStart); serr != nil {
				s.broken = serr
			}
			return fmt.Errorf("append to ledger journal %s: %w", s.path, err)
		}
		if err := s.fsync(s.f); err != nil {
			// After a failed fsync the kernel may have dropped the pages; the
			// file's content is unknown, so refuse further writes.
			s.broken = err
			return fmt.Errorf("fsync ledger journal %s: %w", s.path, err)
		}
	}
	s.size += int64(len(s.line))
	if len(s.line) > 4<<20 {
		s.line = nil
	}
	if err := s.apply(rec); err != nil {
		s.broken = err
		return fmt.Errorf("apply committed record: %w", err)
	}
	return nil
}

// Define implements Store.
func (s *FileStore) Define(ctx context.Context, accounts []Account, creditTypes []CreditType) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, ct := range creditTypes {
		if err := ct.Validate(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err := checkDefine(accounts, func(id string) (*Account, error) { return s.accounts[id], nil })
	if err != nil {
		return err
	}
	return s.commit(&fileRecord{Accounts: accounts, CreditTypes: creditTypes})
}

func (s *FileStore) account(id string) (*Account, error) {
	a := s.accounts[id]
	if a == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownAccount, id)
	}
	return a, nil
}

func (s *FileStore) creditType(id string) (*CreditType, error) {
	ct := s.creditTypes[id]
	if ct == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCreditType, id)
	}
	return ct, nil
}

// Transfer implements Store.
func (s *FileStore) Transfer(ctx context.Context, t Transfer) (Transaction, error) {
	if err := ctx.Err(); err != nil {
		return Transaction{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.creditType(t.CreditType); err != nil {
		return Transaction{}, err
	}
	to, err := s.account(t.To)
	if err != nil {
		return Transaction{}, err
	}
	var from *Account
	if t.Kind != KindPurchase {
		if from, err = s.account(t.From); err != nil {
			return Transaction{}, err
		}
	}
	if err := checkTransfer(t, from, to); err != nil {
		return Transaction{}, err
	}
	if from != nil {
		if have := s.balances[balanceKey{from.ID, t.CreditType}]; have < t.Credits {
			return Transaction{}, fmt.Errorf("%w: %q holds %d, needs %d", ErrInsufficient, from.ID, have, t.Credits)
		}
	}
	tx := Transaction{ID: s.nextTx, Kind: t.Kind, Time: time.Now().UTC(), Account: t.To, CreditType: t.CreditType, Entries: transferEntries(t)}
	if err := s.commit(&fileRecord{Txs: []fileTx{{Transaction: tx}}}); err != nil {
		return Transaction{}, err
	}
	return tx, nil
}

// Debit implements Store: one journal line and one fsync per call.
func (s *FileStore) Debit(ctx context.Context, d DebitRequest) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, err := s.account(d.Account)
	if err != nil {
		return Result{}, err
	}
	ct, err := s.creditType(d.CreditType)
	if err != nil {
		return Result{}, err
	}
	var parent *Account
	if acct.Parent != "" {
		if parent, err = s.account(acct.Parent); err != nil {
			return Result{}, err
		}
	}
	balance := s.balances[balanceKey{acct.ID, ct.ID}]
	s.keys = s.keys[:0]
	for _, id := range d.PieceIDs {
		s.keys = append(s.keys, keyOf(id))
	}
	if s.seen == nil {
		s.seen = make(map[pieceKey]struct{}, len(s.keys))
	}
	s.charges.prefetch(s.keys)
	statuses, charged := planDebit(s.keys, balance, s.seen, func(i int) bool {
		_, ok := s.charges.get(s.keys[i])
		return !ok
	})
	res := Result{Statuses: statuses, Balance: balance}
	res.tally()
	if len(charged) == 0 {
		return res, nil
	}
	m := Margin(ct.PricePerCredit, acct.Commission(parent))
	n := int64(len(charged))
	entries, total, err := debitEntries(acct.ID, acct.Parent, ct.ID, n, m)
	if err != nil {
		return Result{}, err
	}
	ids := make([]string, len(charged))
	for j, i := range charged {
		ids[j] = d.PieceIDs[i]
	}
	tx := fileTx{
		Transaction: Transaction{ID: s.nextTx, Kind: KindDebit, Time: time.Now().UTC(), Account: acct.ID, CreditType: ct.ID,
			Campaign: d.Campaign, Pieces: n, MarginPerPiece: m, Entries: entries},
		Parent:   acct.Parent,
		PieceIDs: ids,
	}
	if err := s.commit(&fileRecord{Txs: []fileTx{tx}}); err != nil {
		return Result{}, err
	}
	res.TxID = tx.ID
	res.Balance = balance - n
	res.Margin = total
	return res, nil
}

// Refund implements Store: all refund transactions of the call share one line.
func (s *FileStore) Refund(ctx context.Context, pieceIDs []string) (RefundResult, error) {
	if err := ctx.Err(); err != nil {
		return RefundResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := RefundResult{Statuses: make([]RefundStatus, len(pieceIDs))}
	groups := map[int32][]string{}
	var order []int32
	seen := make(map[pieceKey]bool, len(pieceIDs))
	for i, id := range pieceIDs {
		k := keyOf(id)
		c, ok := s.charges.get(k)
		switch {
		case !ok:
			res.Statuses[i] = StatusNotCharged
		case c.refunded || seen[k]:
			res.Statuses[i] = StatusAlreadyRefunded
		default:
			seen[k] = true
			res.Statuses[i] = StatusRefunded
			if _, ok := groups[c.debit]; !ok {
				order = append(order, c.debit)
			}
			groups[c.debit] = append(groups[c.debit], id)
			res.Refunded++
		}
	}
	if len(order) == 0 {
		return res, nil
	}
	rec := &fileRecord{}
	now := time.Now().UTC()
	next := s.nextTx
	for _, di := range order {
		d := s.debits[di]
		ids := groups[di]
		n := int64(len(ids))
		entries, total, err := debitEntries(d.account, d.parent, d.creditType, n, d.marginPerPiece)
		if err != nil {
			return RefundResult{}, err
		}
		if d.parent != "" && total > 0 {
			if have := s.balances[balanceKey{d.parent, UnitMoney}]; have < int64(total) {
				return RefundResult{}, fmt.Errorf("%w: parent %q holds margin %s, refund needs %s", ErrInsufficient, d.parent, Amount(have), total)
			}
		}
		rec.Txs = append(rec.Txs, fileTx{
			Transaction: Transaction{ID: next, Kind: KindRefund, Time: now, Account: d.account, CreditType: d.creditType,
				Campaign: d.campaign, Pieces: n, MarginPerPiece: d.marginPerPiece, Reverses: d.txID, Entries: negate(entries)},
			Parent:   d.parent,
			PieceIDs: ids,
		})
		res.TxIDs = append(res.TxIDs, next)
		next++
	}
	if err := s.commit(rec); err != nil {
		return RefundResult{}, err
	}
	return res, nil
}

// Snapshot implements Store.
func (s *FileStore) Snapshot(ctx context.Context) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := &Snapshot{}
	for _, a := range s.accounts {
		snap.Accounts = append(snap.Accounts, *a)
	}
	for _, ct := range s.creditTypes {
		snap.CreditTypes = append(snap.CreditTypes, *ct)
	}
	for k, v := range s.balances {
		snap.Balances = append(snap.Balances, Balance{Account: k.account, Unit: k.unit, Amount: v})
	}
	for _, u := range s.usage {
		snap.Usage = append(snap.Usage, *u)
	}
	sortSnapshot(snap)
	return snap, nil
}

func sortSnapshot(s *Snapshot) {
	sort.Slice(s.Accounts, func(i, j int) bool { return s.Accounts[i].ID < s.Accounts[j].ID })
	sort.Slice(s.CreditTypes, func(i, j int) bool { return s.CreditTypes[i].ID < s.CreditTypes[j].ID })
	sort.Slice(s.Balances, func(i, j int) bool {
		a, b := s.Balances[i], s.Balances[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Unit < b.Unit
	})
	sort.Slice(s.Usage, func(i, j int) bool {
		a, b := s.Usage[i], s.Usage[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Campaign != b.Campaign {
			return a.Campaign < b.Campaign
		}
		return a.CreditType < b.CreditType
	})
}

// Transactions implements Store.
func (s *FileStore) Transactions(ctx context.Context, fn func(Transaction) error) error {
	s.mu.Lock()
	txs := s.txs[:len(s.txs):len(s.txs)]
	s.mu.Unlock()
	for i, t := range txs {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the journal and releases the directory lock.
func (s *FileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.f != nil {
		errs = append(errs, s.waitWriter())
		errs = append(errs, s.f.Close())
		s.f = nil
		s.broken = errors.New("closed")
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
		s.lock = nil
	}
	return errors.Join(errs...)
}

// SyncBehind makes each later call return once its journal line is queued
// (its effect applied in memory, so later calls see it): a background
// writer appends the queued lines and fsyncs them, a group at a time, and
// starts on the next group only once the last one is durable. The journal
// on disk is so always a prefix of the calls, at most its last line torn (cut
// off on open), never a hole. A group starts at most every groupEvery
// (100 ms) unless a caller waits for the writer: an fsync blocks the thread
// that makes it, and Go gives that thread's processor to other goroutines
// only after several milliseconds, so back-to-back fsyncs of small groups
// took a whole core's worth of time from a busy run. Sync waits until every
// call is durable; a crash before then loses the calls since the last group
// (at most about groupEvery's worth), which the caller must not have acted on
// outside this process: postmill run commits its outputs only after Sync. A
// failed write or fsync makes the next call, Sync and Close fail. The default
// is one write and fsync per call before it returns.
func (s *FileStore) SyncBehind() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncBehind = true
	if s.wrote == nil {
		s.wrote = sync.NewCond(&s.mu)
	}
}

// Sync waits until every call so far is durable. It fails if any write
// failed, so a caller that syncs before acting learns of it.
func (s *FileStore) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.waitWriter(); err != nil {
		return err
	}
	if s.broken != nil {
		return fmt.Errorf("file ledger %s is unusable after an earlier failed write: %w", s.path, s.broken)
	}
	return nil
}

// startWriter starts the background writer unless it is running or nothing
// is queued. It hands the writer the queue at once if a group is due, so the
// lines queued from now on wait for the next one. s.mu is held.
func (s *FileStore) startWriter() {
	if s.writing || len(s.pend) == 0 || s.broken != nil {
		return
	}
	s.writing = true
	var group []byte
	if s.groupDue() {
		group = s.takeQueue()
	}
	go s.writer(s.f, group)
}

// groupDue reports whether the writer may start a group now. s.mu is held.
func (s *FileStore) groupDue() bool {
	return s.waiters > 0 || time.Since(s.synced) >= s.groupEvery
}

// takeQueue returns the queued lines and empties the queue. s.mu is held.
func (s *FileStore) takeQueue() []byte {
	group := s.pend
	s.pend, s.spare = s.spare[:0], nil
	s.wrote.Broadcast() // the queue is empty again
	return group
}

// writer appends group (when nil, the queue once a group is due) and fsyncs
// it, then the lines queued meanwhile, until none are left or a write
// fails. A group starts groupEvery after the last one finished unless a
// caller waits.
func (s *FileStore) writer(f *os.File, group []byte) {
	for {
		if group == nil {
			s.mu.Lock()
			if !s.groupDue() {
				wait := s.groupEvery - time.Since(s.synced)
				s.mu.Unlock()
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-s.hurry:
					t.Stop()
				}
				s.mu.Lock()
			}
			group = s.takeQueue()
			s.mu.Unlock()
		}
		_, err := f.Write(group)
		if err != nil {
			err = fmt.Errorf("append to ledger journal %s: %w", s.path, err)
		} else if serr := s.fsync(f); serr != nil {
			err = fmt.Errorf("fsync ledger journal %s: %w", s.path, serr)
		}
		s.mu.Lock()
		s.synced = time.Now()
		if err != nil {
			s.broken, s.bgErr, s.writing = err, err, false
			s.wrote.Broadcast()
			s.mu.Unlock()
			return
		}
		if len(group) <= 4<<20 {
			s.spare = group[:0]
		}
		if len(s.pend) == 0 {
			s.writing = false
			s.wrote.Broadcast()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		group = nil
	}
}

// await waits until done holds, re-checked whenever the writer takes the
// queue or stops, and meanwhile hurries a writer waiting for its next
// group's turn. s.mu is held.
func (s *FileStore) await(done func() bool) {
	s.waiters++
	select {
	case s.hurry <- struct{}{}:
	default: // a wake-up is already pending
	}
	for !done() {
		s.wrote.Wait()
	}
	s.waiters--
}

// maxPending is the most queued bytes a call adds to before it waits for
// the background writer.
const maxPending = 64 << 20

// groupEvery is the least time from the end of one background group to the
// start of the next while no caller waits (see SyncBehind).
const groupEvery = 100 * time.Millisecond

// waitWriter waits until the queued lines are durable, or returns the
// background writer's failure. s.mu is held.
func (s *FileStore) waitWriter() error {
	if s.wrote == nil {
		return nil
	}
	s.startWriter()
	s.await(func() bool { return !s.writing })
	if err := s.bgErr; err != nil {
		s.bgErr = nil
		return err
	}
	return nil
}
