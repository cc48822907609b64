package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"

	"github.com/postmill/postmill/internal/imb"
)

func cmdIMb(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "imb", "[TRACKING20 [ROUTING]]",
		"Prints the 65 bars (F, A, D, T) of the Intelligent Mail barcode for a 20-digit tracking code\n"+
			"and a 0, 5, 9 or 11-digit routing code (USPS-B-3200). With no arguments it reads lines\n"+
			"\"TRACKING20 ROUTING\" from standard input and prints one bar string per line; a bad line\n"+
			"prints an error naming its line number and the command exits 1 at the end.",
		"postmill imb 01234567094987654321 01234567891")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	switch len(pos) {
	case 1, 2:
		routing := ""
		if len(pos) == 2 {
			routing = pos[1]
		}
		bars, err := imb.Encode(pos[0], routing)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, bars)
		return nil
	case 0:
	default:
		return usagef("want TRACKING20 [ROUTING], got %d arguments", len(pos))
	}
	// Stream mode: no allocation per line beyond the scanner's buffer.
	sc := bufio.NewScanner(e.stdin)
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	defer w.Flush()
	var out []byte
	bad := 0
	for line := 1; sc.Scan(); line++ {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) == 0 {
			continue
		}
		var routing []byte
		if len(fields) > 1 {
			routing = fields[1]
		}
		if len(fields) > 2 {
			fmt.Fprintf(e.stderr, "postmill imb: line %d: want TRACKING20 ROUTING, got %d fields\n", line, len(fields))
			bad++
			continue
		}
		out, err = imb.Append(out[:0], fields[0], routing)
		if err != nil {
			fmt.Fprintf(e.stderr, "postmill imb: line %d: %v\n", line, err)
			bad++
			continue
		}
		out = append(out, '\n')
		w.Write(out)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read standard input: %w", err)
	}
	if bad > 0 {
		w.Flush()
		return exitCode(1)
	}
	return nil
}
