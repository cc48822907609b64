package imb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ReuseWindow is how long a serial number must stay unused for its Mailer ID
// after it was issued: USPS requires IMbs to be unique for 45 days.
const ReuseWindow = 45 * 24 * time.Hour

// ErrSerialsExhausted means a Mailer ID has no block of serials left that was
// not issued within ReuseWindow; the wrapping error names the Mailer ID.
var ErrSerialsExhausted = errors.New("imb: serial numbers exhausted")

// Allocator reserves blocks of IMb serial numbers that are unique per Mailer
// ID for at least ReuseWindow.
type Allocator interface {
	// Reserve reserves n consecutive serials for mailerID and returns the
	// first; the block is first..first+n-1 and fits in SerialWidth(mailerID)
	// digits. An error means nothing was reserved.
	Reserve(ctx context.Context, mailerID string, n int) (first uint64, err error)
}

// FileSerialsConfig configures a FileSerials.
type FileSerialsConfig struct {
	// Dir is the state directory, shared by every process allocating for the
	// same Mailer IDs. Required; it must exist.
	Dir string
	// Now is the clock used to date reservations. Default (nil): time.Now.
	Now func() time.Time
}

// FileSerials is an Allocator that keeps one counter file per Mailer ID in a
// directory. It is safe for concurrent use by goroutines and processes
// (flock(2) on a lock file per Mailer ID) and crash-safe (the state file is
// replaced atomically and synced before Reserve returns).
type FileSerials struct {
	dir string
	now func() time.Time
}

var _ Allocator = (*FileSerials)(nil)

// NewFileSerials returns a FileSerials on cfg.Dir, which must be an existing directory.
func NewFileSerials(cfg FileSerialsConfig) (*FileSerials, error) {
	if cfg.Dir == "" {
		return nil, errors.New("imb: FileSerialsConfig.Dir is required")
	}
	fi, err := os.Stat(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("imb: serial state directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("imb: serial state directory %s is not a directory", cfg.Dir)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &FileSerials{dir: cfg.Dir, now: now}, nil
}

// serialState is the JSON content of imb-serials-<MID>.json.
type serialState struct {
	Version  int    `json:"version"`
	MailerID string `json:"mailer_id"`
	// Width is the serial width in digits; serials run 0..10^Width-1.
	Width int `json:"width"`
	// Next is the first serial of the next block, unless it must wrap.
	Next uint64 `json:"next"`
	// Issued lists the ranges handed out within ReuseWindow, oldest first.
	Issued []issuedRange `json:"issued"`
}

// issuedRange is a run of serials [Start, End) handed out between First and Last.
type issuedRange struct {
	Start uint64    `json:"start"`
	End   uint64    `json:"end"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// mergeSpan bounds how long one issuedRange may keep absorbing adjacent
// blocks, so the log stays at about one entry per day of ReuseWindow.
const mergeSpan = 24 * time.Hour

// Reserve reserves n consecutive serials for mailerID and returns the first.
// Blocks never straddle the end of the serial range: when the counter cannot
// fit n more serials it restarts at 0, but only if no serial of the new block
// was issued within ReuseWindow; otherwise it returns an error wrapping
// ErrSerialsExhausted. It waits for other processes holding the Mailer ID's
// lock until ctx is done.
func (s *FileSerials) Reserve(ctx context.Context, mailerID string, n int) (uint64, error) {
	if err := checkMailerID(mailerID); err != nil {
		return 0, err
	}
	width := SerialWidth(mailerID)
	limit := pow10(width)
	if n <= 0 || uint64(n) > limit {
		return 0, fmt.Errorf("imb: mailer ID %s: cannot reserve %d serials of %d digits", mailerID, n, width)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	unlock, err := s.lock(ctx, mailerID)
	if err != nil {
		return 0, err
	}
	defer unlock()

	path := s.statePath(mailerID)
	st, err := readState(path, mailerID, width)
	if err != nil {
		return 0, err
	}
	now := s.now()
	st.prune(now)

	first := st.Next
	if first+uint64(n) > limit {
		first = 0
	}
	end := first + uint64(n)
	for _, r := range st.Issued {
		if r.Start < end && first < r.End {
			return 0, fmt.Errorf("%w: mailer ID %s: serials %d-%d were issued at %s, reusable after %s",
				ErrSerialsExhausted, mailerID, max(first, r.Start), min(end, r.End)-1,
				r.Last.UTC().Format(time.RFC3339), r.Last.Add(ReuseWindow).UTC().Format(time.RFC3339))
		}
	}
	st.record(first, end, now)
	st.Next = end
	if st.Next == limit {
		st.Next = 0
	}
	if err := writeState(path, st); err != nil {
		return 0, err
	}
	return first, nil
}

// prune drops ranges whose last issue is more than ReuseWindow before now.
func (st *serialState) prune(now time.Time) {
	kept := st.Issued[:0]
	for _, r := range st.Issued {
		if now.Sub(r.Last) <= ReuseWindow {
			kept = append(kept, r)
		}
	}
	st.Issued = kept
}

// record logs [start, end) as issued at now, extending the newest entry when
// the block follows it and the entry is less than mergeSpan old.
func (st *serialState) record(start, end uint64, now time.Time) {
	if k := len(st.Issued) - 1; k >= 0 {
		r := &st.Issued[k]
		if r.End == start && now.Sub(r.First) < mergeSpan && !now.Before(r.Last) {
			r.End, r.Last = end, now
			return
		}
	}
	st.Issued = append(st.Issued, issuedRange{Start: start, End: end, First: now, Last: now})
}

func (s *FileSerials) statePath(mailerID string) string {
	return filepath.Join(s.dir, "imb-serials-"+mailerID+".json")
}

// lock takes an exclusive flock on the Mailer ID's lock file, polling so
// that ctx can cancel the wait. The returned func releases it.
func (s *FileSerials) lock(ctx context.Context, mailerID string) (func(), error) {
	path := filepath.Join(s.dir, "imb-serials-"+mailerID+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("imb: serial lock: %w", err)
	}
	wait := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("imb: serial lock %s: %w", path, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("imb: waiting for serial lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, 10*time.Millisecond)
	}
	return func() {
		// Closing the descriptor releases the lock.
		f.Close()
	}, nil
}

// readState loads the state file, or a fresh state when it does not exist.
func readState(path, mailerID string, width int) (*serialState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &serialState{Version: 1, MailerID: mailerID, Width: width}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("imb: serial state: %w", err)
	}
	var st serialState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("imb: serial state %s: %w", path, err)
	}
	if st.Version != 1 || st.MailerID != mailerID || st.Width != width || st.Next >= pow10(width) {
		return nil, fmt.Errorf("imb: serial state %s: unexpected content (version %d, mailer ID %q, width %d, next %d)",
			path, st.Version, st.MailerID, st.Width, st.Next)
	}
	return &st, nil
}

// writeState replaces the state file atomically and durably: write a
// temporary file, fsync it, rename it over the old one, fsync the directory.
// The caller holds the lock, so the temporary name is private to it.
func writeState(path string, st *serialState) error {
	b, err := json.MarshalIndent(st, "", "\t")
	if err != nil {
		return fmt.Errorf("imb: serial state: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("imb: serial state: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("imb: writing serial state %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}
