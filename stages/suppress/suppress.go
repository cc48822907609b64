package suppress

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/pipeline"
)

// Lists is the suppression store the stage checks rows against, a batch at
// a time. Lookup sets out[i] to the entry that suppresses probes[i] for a
// row of account and campaign (account lists first, then the campaign's),
// or to the zero Match; out is at least as long as probes. It must only
// consult that account's and that campaign's lists, must not keep probes,
// and is called from several goroutines at once. An error means the store
// cannot answer (it stops the job); a row is never let through unchecked.
// *suppression.Index implements it in memory; a PostgreSQL store will for
// the service.
type Lists interface {
	Lookup(ctx context.Context, account, campaign string, probes []suppression.Probe, out []suppression.Match) error
}

// listDescriber is the optional ability of a store to describe the lists
// that apply to a job, for the report; *suppression.Index has it.
type listDescriber interface {
	ListInfo(account, campaign string) []suppression.ListInfo
}

// Config configures the stage.
type Config struct {
	// Lists is the store to check. Required.
	Lists Lists
}

// Stage rejects the rows that are on a suppression list of their account
// or campaign with suppressed:<account|campaign>:<kind> and the list's
// name as detail. It is stateless apart from its counters: run it on a
// parallel step. The tenant is each batch's Job.Account and Job.Campaign,
// so one Stage can serve batches of several jobs without mixing lists.
type Stage struct {
	lists   Lists
	reasons [3][8]pipeline.Reason
	scratch sync.Pool

	rows, suppressed atomic.Int64
	byReason         [3][8]atomic.Int64
	mu               sync.Mutex
	byList           map[string]int64
	job              atomic.Pointer[pipeline.Job]
}

// New returns a Stage over cfg.Lists.
func New(cfg Config) (*Stage, error) {
	if cfg.Lists == nil {
		return nil, errors.New("suppress: no lists")
	}
	s := &Stage{lists: cfg.Lists, byList: map[string]int64{}}
	s.scratch.New = func() any { return new(scratch) }
	for _, lv := range []suppression.Level{suppression.LevelAccount, suppression.LevelCampaign} {
		for _, k := range suppression.Kinds {
			s.reasons[lv][k] = pipeline.Suppressed.With(lv.String() + ":" + k.String())
		}
	}
	return s, nil
}

// scratch is one Process call's working memory, pooled.
type scratch struct {
	probes  []suppression.Probe
	matches []suppression.Match
}

// Process checks every live row of b against its account's and campaign's
// lists.
func (s *Stage) Process(ctx context.Context, b *pipeline.Batch) error {
	if b.Job == nil {
		return errors.New("suppress: batch has no job")
	}
	s.job.CompareAndSwap(nil, b.Job)
	sc := s.scratch.Get().(*scratch)
	defer s.scratch.Put(sc)
	n := len(b.Rows)
	sc.probes = grow(sc.probes, n)
	sc.matches = grow(sc.matches, n)
	for i, r := range b.Rows {
		sc.probes[i] = suppression.Probe{Email: r.Field(pipeline.ColEmail), ExternalID: r.Field(pipeline.ColExternalID),
			First: r.Field(pipeline.ColFirstName), Last: r.Field(pipeline.ColLastName),
			Street: r.Field(pipeline.ColStreet), Zip: r.Field(pipeline.ColZip), Country: r.Field(pipeline.ColCountry)}
	}
	if err := s.lists.Lookup(ctx, b.Job.Account, b.Job.Campaign, sc.probes, sc.matches); err != nil {
		return fmt.Errorf("suppression lookup: %w", err)
	}
	s.rows.Add(int64(n))
	hits := 0
	var lastList string
	var lastCount int64
	for i, m := range sc.matches {
		if m.Level == suppression.LevelNone {
			continue
		}
		if int(m.Level) >= len(s.reasons) || int(m.Kind) >= len(s.reasons[0]) || s.reasons[m.Level][m.Kind] == "" {
			return fmt.Errorf("suppression lookup: match of unknown level %d or kind %d", m.Level, m.Kind)
		}
		b.Rows[i].Reject(s.reasons[m.Level][m.Kind], m.List)
		s.byReason[m.Level][m.Kind].Add(1)
		hits++
		if m.List != lastList && lastCount > 0 {
			s.countList(lastList, lastCount)
			lastCount = 0
		}
		lastList = m.List
		lastCount++
	}
	if lastCount > 0 {
		s.countList(lastList, lastCount)
	}
	s.suppressed.Add(int64(hits))
	// Drop the views into the batch before the scratch goes back to the pool.
	clear(sc.probes[:n])
	clear(sc.matches[:n])
	return nil
}

func (s *Stage) countList(name string, n int64) {
	s.mu.Lock()
	s.byList[name] += n
	s.mu.Unlock()
}

func grow[T any](p []T, n int) []T {
	if cap(p) < n {
		return make([]T, n)
	}
	return p[:n]
}

// Report is the stage's section of the run report.
type Report struct {
	// RowsChecked counts rows the stage saw.
	RowsChecked int64 `json:"rows_checked"`
	// Suppressed counts rows it rejected.
	Suppressed int64 `json:"suppressed"`
	// ByReason counts rejects by "<level>:<kind>" ("account:email").
	ByReason map[string]int64 `json:"by_reason"`
	// ByKind counts rejects by entry kind, over both levels.
	ByKind map[string]int64 `json:"by_kind"`
	// Lists has one entry per list that applies to the job (when the store
	// can describe them) or that suppressed a row.
	Lists []ListReport `json:"lists"`
}

// ListReport is one list's line in the report: what it holds and how many
// rows it suppressed.
type ListReport struct {
	suppression.ListInfo
	Suppressed int64 `json:"suppressed"`
}

// Report returns the stage's counts.
func (s *Stage) Report() any {
	rep := Report{RowsChecked: s.rows.Load(), Suppressed: s.suppressed.Load(),
		ByReason: map[string]int64{}, ByKind: map[string]int64{}}
	for _, lv := range []suppression.Level{suppression.LevelAccount, suppression.LevelCampaign} {
		for _, k := range suppression.Kinds {
			if n := s.byReason[lv][k].Load(); n > 0 {
				rep.ByReason[lv.String()+":"+k.String()] = n
				rep.ByKind[k.String()] += n
			}
		}
	}
	s.mu.Lock()
	byList := make(map[string]int64, len(s.byList))
	for k, v := range s.byList {
		byList[k] = v
	}
	s.mu.Unlock()
	if d, ok := s.lists.(listDescriber); ok {
		if job := s.job.Load(); job != nil {
			for _, li := range d.ListInfo(job.Account, job.Campaign) {
				rep.Lists = append(rep.Lists, ListReport{ListInfo: li, Suppressed: byList[li.Name]})
				delete(byList, li.Name)
			}
		}
	}
	rest := make([]string, 0, len(byList))
	for name := range byList {
		rest = append(rest, name)
	}
	sort.Strings(rest)
	for _, name := range rest {
		rep.Lists = append(rep.Lists, ListReport{ListInfo: suppression.ListInfo{Name: name}, Suppressed: byList[name]})
	}
	return rep
}
