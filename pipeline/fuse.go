package pipeline

import (
	"context"
	"errors"
	"sync"
)

// Fuse returns a stage that runs stages one after another on each batch:
// each sees only the rows the ones before it left live, as if they were
// steps of their own, without a hop between them (a Kafka worker that runs
// validate and suppress together decodes and encodes each batch once). It
// binds each stage that is a [Binder], in order. The stages must not be
// flushing ([Flusher]); Fuse returns an error for one that is. The fused
// stage is safe for concurrent use if each of its stages is.
func Fuse(stages ...Stage) (Stage, error) {
	if len(stages) == 0 {
		return nil, errors.New("fuse: no stages")
	}
	for _, st := range stages {
		if _, ok := st.(Flusher); ok {
			return nil, errors.New("fuse: a flushing stage needs all input and cannot be fused")
		}
	}
	return &fused{stages: stages}, nil
}

type fused struct {
	stages []Stage
	views  sync.Pool // *[]*Row
}

// Process runs each stage on the rows still live, then leaves b.Rows as it
// was given, every row with its fate, for the caller to settle.
func (f *fused) Process(ctx context.Context, b *Batch) error {
	all := b.Rows
	defer func() { b.Rows = all }()
	vp, _ := f.views.Get().(*[]*Row)
	if vp == nil {
		vp = new([]*Row)
	}
	defer f.views.Put(vp)
	for i, st := range f.stages {
		if i > 0 {
			live := (*vp)[:0]
			for _, r := range all {
				if r.Fate == Live {
					live = append(live, r)
				}
			}
			*vp = live
			if len(live) == 0 {
				return nil
			}
			b.Rows = live
		}
		if err := st.Process(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// Bind binds each stage that is a Binder, in order.
func (f *fused) Bind(s *Schema) error {
	for _, st := range f.stages {
		if bd, ok := st.(Binder); ok {
			if err := bd.Bind(s); err != nil {
				return err
			}
		}
	}
	return nil
}
