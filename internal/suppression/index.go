package suppression

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/postmill/postmill/internal/keyset"
)

// List is one loaded suppression list: the entry keys of one file (or one
// stored list) at one scope. A List is immutable once built and safe for
// concurrent lookups.
type List struct {
	// Name identifies the list in reject details and reports: the file
	// path as given.
	Name string
	// Scope is where the list applies.
	Scope Scope

	set     *keyset.Set
	kinds   KindSet
	records int64
	entries [numKinds]int64
	// filter is the Bloom prefilter of set, built by seal once the list is
	// complete; nil before.
	filter atomic.Pointer[listFilter]
}

// listFilter is a list's Bloom prefilter and the number of keys it was
// built from: a filter that no longer matches the set's size (a list added
// to after it was sealed, which the contract forbids) is not used, so a
// lookup can never miss an entry because of it.
type listFilter struct {
	bloom *keyset.Bloom
	keys  int
}

// seal builds the list's Bloom prefilter (keyset.BloomBitsPerKey bits per
// key: 12.5 MB for 10 million entries), unless it is already built for
// the current keys. Loaders call it when a list is complete; Index calls it
// when a list is published. The filter lets a lookup skip the large table
// for almost every row that is not on the list.
func (l *List) seal() {
	n := l.set.Len()
	if f := l.filter.Load(); f != nil && f.keys == n {
		return
	}
	l.filter.Store(&listFilter{bloom: l.set.Bloom(keyset.BloomBitsPerKey), keys: n})
}

// bloom returns the list's prefilter, or nil when there is none that
// covers every key.
func (l *List) bloom() *keyset.Bloom {
	if f := l.filter.Load(); f != nil && f.keys == l.set.Len() {
		return f.bloom
	}
	return nil
}

// NewList returns an empty list, to be filled with Add; loaders use it.
func NewList(name string, scope Scope, hint int) *List {
	return &List{Name: name, Scope: scope, set: keyset.NewSet(hint)}
}

// Add adds an entry key of kind, counting it, and reports whether the key
// was new. Call it only while building the list, before it is published
// (publishing builds the list's lookup filter from the keys it then has).
func (l *List) Add(kind keyset.Kind, k keyset.Key) bool {
	l.kinds = l.kinds.With(kind)
	l.entries[kind]++
	return l.set.Add(k)
}

// AddBatch adds entry keys of one kind as Add does, a group at a time
// through keyset's Prefetch so the table's cache misses overlap; loaders
// and stores building large lists use it.
func (l *List) AddBatch(kind keyset.Kind, keys []keyset.Key) {
	for len(keys) > 0 {
		g := min(len(keys), 16)
		l.set.Prefetch(keys[:g])
		for _, k := range keys[:g] {
			l.Add(kind, k)
		}
		keys = keys[g:]
	}
}

// entryCount is the number of entries added, repeats included.
func (l *List) entryCount() int64 {
	var n int64
	for _, c := range l.entries {
		n += c
	}
	return n
}

// resize moves the keys to a table sized for hint keys, when that is
// larger than the current one; only while building.
func (l *List) resize(hint int) {
	if hint <= l.set.Len() {
		return
	}
	next := keyset.NewSet(hint)
	for k := range l.set.All() {
		next.Add(k)
	}
	l.set = next
}

// Len returns the number of distinct entry keys.
func (l *List) Len() int { return l.set.Len() }

// Info describes the list for the run report.
func (l *List) Info() ListInfo {
	li := ListInfo{Name: l.Name, Level: l.Scope.Level.String(), Records: l.records, Keys: l.set.Len(),
		Entries: map[string]int64{}}
	for _, k := range Kinds {
		if l.entries[k] > 0 {
			li.Entries[k.String()] = l.entries[k]
		}
	}
	return li
}

// ListInfo is what the run report says about a list.
type ListInfo struct {
	Name    string `json:"name"`
	Level   string `json:"level"`
	Records int64  `json:"records"`
	// Entries counts entries by kind; a record may yield several.
	Entries map[string]int64 `json:"entries"`
	// Keys is the number of distinct keys (entries less repeats).
	Keys int `json:"keys"`
}

// Match is the list entry that suppresses a probe.
type Match struct {
	// Level is LevelNone when nothing matched.
	Level Level
	Kind  keyset.Kind
	// List is the matching list's name.
	List string
}

// scopeLists are the lists of one scope, with the scope key hashed once
// and the prefix of its entry keys hashed once per kind.
type scopeLists struct {
	key    keyset.Key
	kinds  KindSet
	lists  []*List
	prefix [numKinds]keyset.Hasher // entryHasher(key, kind) for each kind in kinds
}

// Index is an in-memory suppression store for any number of accounts and
// campaigns: each scope's lists, looked up by batch. Lookups are safe from
// many goroutines; Replace and Add publish a new set of lists for a scope
// atomically, so a lookup sees a scope's lists either before or after a
// change, never half of one.
type Index struct {
	mu     sync.RWMutex
	scopes map[Scope]*scopeLists
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{scopes: map[Scope]*scopeLists{}} }

// Replace makes lists the only lists of scope; with no lists it removes the
// scope's lists. Every list must have that scope.
func (x *Index) Replace(scope Scope, lists ...*List) error {
	for _, l := range lists {
		if l.Scope != scope {
			return fmt.Errorf("suppression: list %s has scope %s, not %s", l.Name, l.Scope, scope)
		}
	}
	x.publish(scope, lists)
	return nil
}

// Add adds l to the lists of its scope.
func (x *Index) Add(l *List) {
	x.mu.RLock()
	old := x.scopes[l.Scope]
	x.mu.RUnlock()
	var lists []*List
	if old != nil {
		lists = append(lists, old.lists...)
	}
	x.publish(l.Scope, append(lists, l))
}

func (x *Index) publish(scope Scope, lists []*List) {
	for _, l := range lists {
		l.seal()
	}
	var sl *scopeLists
	if len(lists) > 0 {
		sl = &scopeLists{key: scope.Key(), lists: lists}
		for _, l := range lists {
			sl.kinds |= l.kinds
		}
		for _, k := range Kinds {
			if sl.kinds.Has(k) {
				sl.prefix[k] = entryHasher(sl.key, k)
			}
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if sl == nil {
		delete(x.scopes, scope)
		return
	}
	x.scopes[scope] = sl
}

// Lists returns the lists that apply to a row of account and campaign:
// the account's, then the campaign's.
func (x *Index) Lists(account, campaign string) []*List {
	a, c := x.get(account, campaign)
	var out []*List
	for _, sl := range [2]*scopeLists{a, c} {
		if sl != nil {
			out = append(out, sl.lists...)
		}
	}
	return out
}

// ListInfo describes the lists that apply to account and campaign, for the
// run report.
func (x *Index) ListInfo(account, campaign string) []ListInfo {
	var out []ListInfo
	for _, l := range x.Lists(account, campaign) {
		out = append(out, l.Info())
	}
	return out
}

func (x *Index) get(account, campaign string) (acct, camp *scopeLists) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.scopes[AccountScope(account)], x.scopes[CampaignScope(account, campaign)]
}

// lookupScratch holds one Lookup call's keys; pooled because an Index
// serves many goroutines.
type lookupScratch struct {
	buf   []byte
	frame keyset.Framer
	keys  []keyset.Key
	idx   []int32
	cand  []int32      // indexes into keys that a list's filter passes
	ckeys []keyset.Key // keys[cand[c]]
	found []bool
}

var scratchPool = sync.Pool{New: func() any { return new(lookupScratch) }}

// Lookup sets out[i] to the entry that suppresses probes[i] for a row of
// account and campaign, or to the zero Match. Probes are normalized with
// [ProbeKey] for the kinds the consulted lists hold. The account's lists are
// checked first, then the campaign's; within a level the kinds go in
// [Kinds] order and lists in the order they were added. Another account's
// or campaign's lists are never consulted (and could not match anyway:
// the scope is part of every key). It normalizes and hashes each probe once
// per level and kind that has lists. Each list first passes the keys
// through its Bloom prefilter (one cache line per key, in a filter a
// twentieth of the table's size), which drops all but about 1% of the keys
// that are not on the list; only the rest are checked in the list's table, through keyset's batched path, so
// the table's cache misses overlap. out must be at least as long as probes.
// It does not allocate in the steady state.
func (x *Index) Lookup(ctx context.Context, account, campaign string, probes []Probe, out []Match) error {
	out = out[:len(probes)]
	clear(out)
	acct, camp := x.get(account, campaign)
	if acct == nil && camp == nil {
		return nil
	}
	sc := scratchPool.Get().(*lookupScratch)
	defer scratchPool.Put(sc)
	// A chunk at a time: few enough probes that their values, keys and
	// matches stay in the CPU caches while the filters and tables are
	// probed, many enough to overlap the cache misses.
	for c := 0; c < len(probes); c += lookupChunk {
		end := min(c+lookupChunk, len(probes))
		sc.lookup(acct, camp, probes[c:end], out[c:end])
	}
	return ctx.Err()
}

// lookupChunk is how many probes Lookup handles together.
const lookupChunk = 256

// lookup is Lookup for one chunk of probes.
func (sc *lookupScratch) lookup(acct, camp *scopeLists, probes []Probe, out []Match) {
	for li, sl := range [2]*scopeLists{acct, camp} {
		if sl == nil {
			continue
		}
		level := LevelAccount + Level(li)
		for _, kind := range Kinds {
			if !sl.kinds.Has(kind) {
				continue
			}
			// Normalize and frame every probe first, then hash them all
			// (keyset.Framer): the hashes read bytes long stored, and
			// consecutive ones overlap.
			sc.frame.Reset(&sl.prefix[kind])
			sc.idx = sc.idx[:0]
			for i := range probes {
				if out[i].Level != LevelNone {
					continue
				}
				var parts valueParts
				var ok bool
				if sc.buf, parts, ok = appendProbeValue(sc.buf[:0], kind, &probes[i]); ok {
					sc.frame.Add(parts.list()...)
					sc.idx = append(sc.idx, int32(i))
				}
			}
			if len(sc.idx) == 0 {
				continue
			}
			sc.keys = sc.frame.Sums(sc.keys[:0])
			for _, l := range sl.lists {
				if l.kinds.Has(kind) {
					sc.check(l, level, kind, out)
				}
			}
		}
	}
}

// check looks sc.keys (of rows sc.idx) up in l and sets the Match of each
// row found that has none yet.
func (sc *lookupScratch) check(l *List, level Level, kind keyset.Kind, out []Match) {
	keys, cand := sc.keys, []int32(nil)
	if f := l.bloom(); f != nil {
		sc.cand = f.AppendMaybe(sc.cand[:0], sc.keys)
		if len(sc.cand) == 0 {
			return
		}
		cand = sc.cand
		if cap(sc.ckeys) < len(cand) {
			sc.ckeys = make([]keyset.Key, len(sc.keys))
		}
		keys = sc.ckeys[:len(cand)]
		for c, j := range cand {
			keys[c] = sc.keys[j]
		}
	}
	if cap(sc.found) < len(keys) {
		sc.found = make([]bool, len(sc.keys))
	}
	found := sc.found[:len(keys)]
	if l.set.HasBatch(keys, found) == 0 {
		return
	}
	for c, f := range found {
		if !f {
			continue
		}
		j := c
		if cand != nil {
			j = int(cand[c])
		}
		if i := sc.idx[j]; out[i].Level == LevelNone {
			out[i] = Match{Level: level, Kind: kind, List: l.Name}
		}
	}
}
