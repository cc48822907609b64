package dedupe

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/postmill/postmill/internal/keyset"
)

// DefaultRetain is how long FileHistory keeps an entry when not told.
const DefaultRetain = 400 * 24 * time.Hour

// FileHistory is the embedded [History]: one keyset.Map file (person key →
// day last mailed) per account and campaign under DIR/dedupe-history/,
// named by a hash of the two so any tenant or campaign name is a safe file
// name. Files are read once and cached; Record writes the whole file
// atomically (temporary file, fsync, rename), so a crash leaves the old
// history or the new one. A damaged file fails the job (keyset's
// *FormatError) instead of being taken for an empty history. Entries older
// than the retention are dropped when a file is written. It is safe for
// concurrent use within one process; two processes recording the same
// campaign at once would each write their own view (last one wins).
type FileHistory struct {
	dir    string
	retain uint32
	mu     sync.Mutex
	maps   map[string]*keyset.Map
}

// NewFileHistory returns the history kept under stateDir. retain bounds how
// long an entry is kept; 0 means DefaultRetain (400 days).
func NewFileHistory(stateDir string, retain time.Duration) *FileHistory {
	if retain <= 0 {
		retain = DefaultRetain
	}
	return &FileHistory{dir: filepath.Join(stateDir, "dedupe-history"), retain: max(1, uint32(retain/(24*time.Hour))),
		maps: map[string]*keyset.Map{}}
}

// Path returns the file that holds account's history for campaign.
func (h *FileHistory) Path(account, campaign string) string {
	sum := sha256.New()
	var n [8]byte
	for _, f := range []string{account, campaign} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		sum.Write(n[:])
		sum.Write([]byte(f))
	}
	return filepath.Join(h.dir, hex.EncodeToString(sum.Sum(nil)[:16])+".keys")
}

// load returns the cached map of path, reading it on first use. The caller
// holds h.mu.
func (h *FileHistory) load(path string) (*keyset.Map, error) {
	if m, ok := h.maps[path]; ok {
		return m, nil
	}
	m, err := keyset.LoadMapFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		m, err = keyset.NewMap(0), nil
	}
	if err != nil {
		return nil, fmt.Errorf("dedupe history: %w", err)
	}
	h.maps[path] = m
	return m, nil
}

// Last sets days[i] to the day keys[i] was last recorded for the campaign,
// 0 when never.
func (h *FileHistory) Last(ctx context.Context, account, campaign string, keys []keyset.Key, days []uint32) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.load(h.Path(account, campaign))
	if err != nil {
		return err
	}
	days = days[:len(keys)]
	for g := 0; g < len(keys); g += prefetchGroup {
		end := min(g+prefetchGroup, len(keys))
		m.Prefetch(keys[g:end])
		for i := g; i < end; i++ {
			v, _ := m.Get(keys[i])
			days[i] = uint32(v)
		}
	}
	return ctx.Err()
}

// Record stores day for each key (keeping a later day already there),
// drops entries older than the retention, and writes the campaign's file
// atomically.
func (h *FileHistory) Record(ctx context.Context, account, campaign string, keys []keyset.Key, day uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	path := h.Path(account, campaign)
	m, err := h.load(path)
	if err != nil {
		return err
	}
	next := keyset.NewMap(m.Len() + len(keys))
	for k, v := range m.All() {
		if uint64(day) < v || uint64(day)-v < uint64(h.retain) {
			next.Put(k, v)
		}
	}
	for _, k := range keys {
		if old, inserted := next.PutIfAbsent(k, uint64(day)); !inserted && old < uint64(day) {
			next.Put(k, uint64(day))
		}
	}
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return fmt.Errorf("dedupe history: %w", err)
	}
	if err := next.SaveFile(path); err != nil {
		return fmt.Errorf("dedupe history: %w", err)
	}
	h.maps[path] = next
	return nil
}
