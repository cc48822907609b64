package address

import (
	"context"
	"fmt"
	"sync"

	"github.com/postmill/postmill/internal/zipdb"
)

// Verifier standardizes and validates a batch of addresses. It is where a
// licensed CASS/DPV provider plugs in; [Rules] is the embedded default.
//
// Verify fills out[i] for in[i] (len(out) must be at least len(in)),
// reusing each Result's storage; the caller owns in and out and may reuse
// them for the next batch. An address that cannot be mailed is a Result with
// StatusInvalid, not an error: Verify returns an error only when it cannot
// work at all (a provider is unreachable), and that error fails the job.
// Implementations must be safe for concurrent use.
type Verifier interface {
	Verify(ctx context.Context, in []Fields, out []Result) error
}

// Rules is the embedded Verifier: a pool of Standardizers over the USPS
// ZIP table. It is safe for concurrent use.
type Rules struct {
	pool sync.Pool
}

// NewRules returns the embedded Verifier over db with cfg.
func NewRules(db *zipdb.DB, cfg Config) *Rules {
	r := &Rules{}
	r.pool.New = func() any { return NewStandardizer(db, cfg) }
	return r
}

// Verify standardizes each address of in into out.
func (v *Rules) Verify(ctx context.Context, in []Fields, out []Result) error {
	if len(out) < len(in) {
		return fmt.Errorf("address: verify %d addresses into %d results", len(in), len(out))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s := v.pool.Get().(*Standardizer)
	for i := range in {
		s.StandardizeInto(in[i], &out[i])
	}
	v.pool.Put(s)
	return nil
}
