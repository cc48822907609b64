package main

import (
	"context"
	"os"
	"sync"

	"github.com/postmill/postmill/formats/input"
)

// fingerprintAhead starts hashing the regular files among files
// (input.Fingerprint, which piece ids need before the first row) on one
// goroutine, in order, and returns for each a function that waits for its
// hash. The run calls it before it loads the ZIP table and its lists: the
// hash of a 1M-row file takes about 0.1 s of one core, which otherwise
// passes after the loading with the other core idle. Standard input and
// other files that are not regular are left to the job, which reads them
// once. Cancelling ctx stops the hashing; what was not hashed then
// returns ctx's error.
func fingerprintAhead(ctx context.Context, files []string, cfg input.Config) map[string]func() (input.Print, error) {
	type result struct {
		print input.Print
		err   error
	}
	type ahead struct {
		path string
		done chan result
	}
	out := make(map[string]func() (input.Print, error))
	var todo []ahead
	for _, f := range files {
		if _, dup := out[f]; dup {
			continue
		}
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			continue
		}
		done := make(chan result, 1)
		todo = append(todo, ahead{f, done})
		out[f] = sync.OnceValues(func() (input.Print, error) {
			r := <-done
			return r.print, r.err
		})
	}
	if len(todo) == 0 {
		return out
	}
	go func() {
		for _, a := range todo {
			if err := ctx.Err(); err != nil {
				a.done <- result{err: err}
				continue
			}
			p, err := input.Fingerprint(a.path, cfg)
			a.done <- result{p, err}
		}
	}()
	return out
}
