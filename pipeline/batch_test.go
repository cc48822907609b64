package pipeline

import (
	"fmt"
	"testing"
	"unsafe"
)

// TestRecycledRowsAreEmpty fills rows, sends them back to the pool the two
// ways rows go back (Release, and Settle for deferred rows), and checks that
// rows taken again have every field empty and no raw text, detail or notes
// left from their last use, whatever column count the new job has.
func TestRecycledRowsAreEmpty(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cols     int // the next job's columns
		deferred bool
	}{
		{"released, same columns", NumStandardCols + 4, false},
		{"released, fewer columns", NumStandardCols, false},
		{"released, more columns", NumStandardCols + 9, false},
		{"deferred", NumStandardCols + 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := &Job{Schema: schemaOf(NumStandardCols + 4)}
			b := NewBatch(full, 0)
			for i := range 4 {
				r := b.AddRow()
				r.Num = int64(i + 1)
				for c := range r.Fields {
					r.Fields[c] = b.Copy([]byte{'a' + byte(c)})
				}
				r.Raw, r.Detail = []byte("raw"), "detail"
				r.Note("note:x")
				if i%2 == 1 {
					r.Reject("x:y", "detail")
				} else if tc.deferred {
					r.Defer()
				}
			}
			b.Settle()
			b2 := b
			if !tc.deferred {
				b.Release()
				b2 = NewBatch(&Job{Schema: schemaOf(tc.cols)}, 1)
				b2.pool = b.pool // the same pool whatever sync.Pool hands out
			} else {
				b2.Job = &Job{Schema: schemaOf(tc.cols)}
			}
			want := len(b2.pool)
			if want == 0 {
				t.Fatal("no row went back to the pool")
			}
			for range want {
				r := b2.AddRow()
				if len(r.Fields) != tc.cols || r.Raw != nil || r.Detail != "" || len(r.Notes) != 0 || r.Fate != Live || r.Reason != "" || r.Num != 0 {
					t.Fatalf("recycled row: %d fields, raw %q, detail %q, notes %v, fate %v, reason %q, num %d",
						len(r.Fields), r.Raw, r.Detail, r.Notes, r.Fate, r.Reason, r.Num)
				}
				for c, f := range r.Fields[:cap(r.Fields)] {
					if f != nil {
						t.Fatalf("recycled row: field %d holds %q", c, f)
					}
				}
			}
		})
	}
}

// schemaOf returns a schema of the standard columns and extra ones up to n.
func schemaOf(n int) *Schema {
	s := NewSchema()
	for s.Len() < n {
		s.Add(fmt.Sprintf("extra_%d", s.Len()))
	}
	return s
}

// TestRowsInMemoryOrder: a batch's rows are allocated in blocks, next to
// each other in memory in the order AddRow hands them out, and after a
// Release the same rows come back in the order they had: the live rows,
// then those a stage moved to Done.
func TestRowsInMemoryOrder(t *testing.T) {
	job := &Job{Schema: NewSchema()}
	b := &Batch{Job: job}
	const n = 3*rowBlock + rowBlock/2
	var first []*Row
	for range n {
		first = append(first, b.AddRow())
	}
	// Blocks of 8, 8, 16, 32, 64, 128, 128, ...
	newBlock := map[int]bool{}
	for start, size := 0, 8; start < n; start, size = start+size, min(max(start+size, 8), rowBlock) {
		newBlock[start] = true
	}
	for i := 1; i < n; i++ {
		if newBlock[i] {
			continue
		}
		// Consecutive rows of a block are adjacent Row structs with
		// adjacent field lists.
		if d := uintptr(unsafe.Pointer(first[i])) - uintptr(unsafe.Pointer(first[i-1])); d != unsafe.Sizeof(Row{}) {
			t.Fatalf("rows %d and %d are %d bytes apart, want %d", i-1, i, d, unsafe.Sizeof(Row{}))
		}
		a, c := unsafe.Pointer(unsafe.SliceData(first[i-1].Fields)), unsafe.Pointer(unsafe.SliceData(first[i].Fields))
		if d := uintptr(c) - uintptr(a); d != uintptr(job.Schema.Len())*unsafe.Sizeof([]byte(nil)) {
			t.Fatalf("field lists of rows %d and %d are %d bytes apart", i-1, i, d)
		}
	}
	for i, r := range b.Rows {
		if i%3 == 0 {
			r.Reject("test:reason", "")
		}
	}
	b.Settle()
	b.Release() // b is ours alone still: nothing else takes from the pool here
	b.Job = job
	var want []*Row
	for _, done := range []bool{false, true} {
		for i, r := range first {
			if (i%3 == 0) == done {
				want = append(want, r)
			}
		}
	}
	for i := range n {
		if r := b.AddRow(); r != want[i] {
			t.Fatalf("row %d after Release is not the one expected", i)
		}
	}
}
