package main

import (
	"context"
	"fmt"

	"github.com/postmill/postmill/formats/manifest"
)

// cmdVerify rechecks batch manifests: every file's sha256, size and row
// count, and the counts per presort level and tray.
func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "DIR...",
		"Rechecks print batches: for each batch directory (one holding manifest.json) or run\n"+
			"output directory (checks every batch under batches/), recomputes the sha256, size and row\n"+
			"count of every file in the manifest and recounts the pieces per presort level and tray\n"+
			"from pieces.csv. Prints one line per batch and exits 1 if anything does not match.",
		"postmill verify out/")
	quiet := fs.Bool("quiet", false, "print only the batches that fail")
	dirs, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return usagef("no directory to verify")
	}
	failed := 0
	total := 0
	for _, dir := range dirs {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep, err := manifest.Verify(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "postmill verify: %v\n", err)
			failed++
			continue
		}
		for _, b := range rep.Batches {
			total++
			if b.OK() {
				if !*quiet {
					fmt.Fprintf(e.stdout, "ok    %s  %d pieces, %d files\n", b.BatchID, b.Pieces, b.Files)
				}
				continue
			}
			failed++
			for _, p := range b.Problems {
				fmt.Fprintf(e.stdout, "FAIL  %s  %s\n", b.BatchID, p)
			}
			if b.Omitted > 0 {
				fmt.Fprintf(e.stdout, "FAIL  %s  and %d more problems\n", b.BatchID, b.Omitted)
			}
		}
	}
	if !*quiet {
		fmt.Fprintf(e.stdout, "%d batches verified, %d failed\n", total, failed)
	}
	if failed > 0 {
		return exitCode(1)
	}
	return nil
}
