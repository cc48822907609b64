package pipeline

import (
	"encoding/hex"
	"fmt"
	"sort"
	"time"
)

// ReportSchemaVersion is the version of the report.json layout; it changes
// only when a field changes meaning or goes away.
const ReportSchemaVersion = 1

// Report is the account of one run. Its JSON form is report.json, whose
// layout is documented in the README.
type Report struct {
	SchemaVersion int           `json:"schema_version"`
	Job           JobInfo       `json:"job"`
	RowsIn        int64         `json:"rows_in"`
	Accepted      int64         `json:"accepted"`
	Rejected      int64         `json:"rejected"`
	Held          int64         `json:"held"`
	Reasons       Counts        `json:"reasons"`
	Notes         Counts        `json:"notes"`
	Stages        []StageReport `json:"stages"`
	// Sections holds the stages' own counts (see [Reporter]), by step name.
	Sections map[string]any `json:"sections,omitempty"`
	// Outputs lists files the sinks wrote, by role ("accepted", "rejects").
	Outputs    map[string]string `json:"outputs,omitempty"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
	WallMS     float64           `json:"wall_ms"`
}

// JobInfo identifies the job in the report.
type JobInfo struct {
	ID          string `json:"id"`
	Account     string `json:"account,omitempty"`
	Campaign    string `json:"campaign,omitempty"`
	Source      string `json:"source"`
	Fingerprint string `json:"fingerprint"`
}

// StageReport counts one step's rows. RowsIn = RowsOut + Rejected + Held
// for a step that emits nothing at flush.
type StageReport struct {
	Name     string `json:"name"`
	RowsIn   int64  `json:"rows_in"`
	RowsOut  int64  `json:"rows_out"`
	Rejected int64  `json:"rejected"`
	Held     int64  `json:"held"`
	// BusyMS is the time spent inside the stage, summed over its workers.
	BusyMS float64 `json:"busy_ms"`
	// WallMS is the time from the step's first batch to its end of input.
	WallMS float64 `json:"wall_ms"`
}

// Counts maps a reason code to a row count.
type Counts map[Reason]int64

// Sorted returns the reasons ordered by count, highest first, then by name.
func (c Counts) Sorted() []Reason {
	out := make([]Reason, 0, len(c))
	for r := range c {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if c[out[i]] != c[out[j]] {
			return c[out[i]] > c[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

func newJobInfo(j *Job) JobInfo {
	return JobInfo{ID: j.ID, Account: j.Account, Campaign: j.Campaign, Source: j.Source,
		Fingerprint: hex.EncodeToString(j.Fingerprint[:])}
}

// AccountingError says that a run's counts do not add up: a row was lost or
// counted twice. It is a bug, never a data problem.
type AccountingError struct {
	RowsIn, Accepted, Rejected, Held int64
	Why                              string
}

// Error gives the counts that do not add up and why.
func (e *AccountingError) Error() string {
	return fmt.Sprintf("row accounting does not add up: rows_in %d != accepted %d + rejected %d + held %d (%s)",
		e.RowsIn, e.Accepted, e.Rejected, e.Held, e.Why)
}

// Check verifies the accounting invariants: rows_in = accepted + rejected +
// held, the reasons sum to rejected + held, and each stage's rows balance.
func (r *Report) Check() error {
	fail := func(why string) error {
		return &AccountingError{RowsIn: r.RowsIn, Accepted: r.Accepted, Rejected: r.Rejected, Held: r.Held, Why: why}
	}
	if r.RowsIn != r.Accepted+r.Rejected+r.Held {
		return fail("terminal states")
	}
	var sum int64
	for _, n := range r.Reasons {
		sum += n
	}
	if sum != r.Rejected+r.Held {
		return fail(fmt.Sprintf("reasons sum to %d", sum))
	}
	var stageRejected, stageHeld int64
	for _, s := range r.Stages {
		stageRejected += s.Rejected
		stageHeld += s.Held
	}
	if stageRejected != r.Rejected || stageHeld != r.Held {
		return fail(fmt.Sprintf("stages rejected %d and held %d", stageRejected, stageHeld))
	}
	return nil
}
