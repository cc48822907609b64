package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/ingest"
	"github.com/postmill/postmill/stages/validate"
)

func cmdStandardize(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "standardize", "[FILE]",
		"Standardizes the addresses of a CSV file (or standard input when FILE is missing or '-')\n"+
			"and writes it to standard output: every input column in order, the address columns in\n"+
			"USPS Publication 28 form (address_zip as the 5-digit ZIP, or a foreign postal code), then\n"+
			"address_zip4, address_status (valid, corrected, international, invalid) and address_notes\n"+
			"(the corrections, or the reason an address is invalid, ';'-joined). Columns are found by\n"+
			"the standard names and the aliases of 'postmill run'. A count per status goes to stderr.",
		"postmill standardize --coa moves.csv contacts.csv > standardized.csv")
	coa := fs.String("coa", "", "change-of-address `file` (NCOA provider return, see internal/ncoa) applied after standardization")
	domestic := fs.Bool("domestic-only", false, "mark non-US addresses invalid (invalid_address:international_not_allowed)")
	quiet := fs.Bool("quiet", false, "print no counts on stderr")
	files, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return usagef("one input file at most, got %d", len(files))
	}
	in, name := e.stdin, "-"
	if len(files) == 1 && files[0] != "-" {
		name = files[0]
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	db, err := zipdb.Load()
	if err != nil {
		return err
	}
	cfg := validate.Config{DomesticOnly: *domestic, ZIPs: db}
	if *coa != "" {
		if cfg.COA, err = ncoa.LoadFile(*coa, db); err != nil {
			return err
		}
	}
	stage, err := validate.New(cfg)
	if err != nil {
		return err
	}

	rr := csv.NewReader(in, csv.ReaderConfig{Name: name})
	header, err := rr.ReadHeader()
	if err != nil {
		return err
	}
	job := &pipeline.Job{ID: "standardize", Source: name, Schema: pipeline.NewSchema()}
	src, err := ingest.New(job, rr, ingest.Config{})
	if err != nil {
		return err
	}
	if err := stage.Bind(job.Schema); err != nil {
		return err
	}
	// Output: the input's columns in order, then the added ones the input
	// does not already have (so standardizing twice keeps the columns).
	cols := slices.Clone(src.Mapping().Columns)
	outHeader := slices.Clone(header)
	for _, c := range []string{validate.ColZip4, validate.ColStatus, validate.ColNotes} {
		i, _ := job.Schema.Index(c)
		if !slices.Contains(cols, i) {
			cols = append(cols, i)
			outHeader = append(outHeader, c)
		}
	}
	statusCol, _ := job.Schema.Index(validate.ColStatus)
	notesCol, _ := job.Schema.Index(validate.ColNotes)
	w := csv.NewWriter(e.stdout)
	if err := w.WriteStrings(outHeader); err != nil {
		return err
	}
	sink := &standardizeSink{w: w, cols: cols, status: statusCol, notes: notesCol, stderr: e.stderr, name: name}
	rep, err := pipeline.Run(ctx, pipeline.Config{}, job, src, []pipeline.Step{{Name: "validate", Stage: stage}}, sink)
	if err != nil {
		return err
	}
	if !*quiet {
		r := stage.Report().(validate.Report)
		fmt.Fprintf(e.stderr, "standardize: %d rows: %d valid, %d corrected, %d international, %d invalid",
			rep.RowsIn, r.Status["valid"], r.Status["corrected"], r.Status["international"], rep.Rejected)
		if r.NCOA != nil {
			fmt.Fprintf(e.stderr, "; change of address: %d new address, %d no forwarding, %d box closed",
				r.NCOA["new_address"], r.NCOA["no_forwarding"], r.NCOA["box_closed"])
		}
		fmt.Fprintln(e.stderr)
	}
	return nil
}

// standardizeSink writes every row, accepted or rejected, in input order.
type standardizeSink struct {
	w             *csv.Writer
	cols          []int
	status, notes int
	stderr        io.Writer
	name          string
	rows          []*pipeline.Row
}

func (s *standardizeSink) Write(ctx context.Context, b *pipeline.Batch) error {
	defer b.Release()
	s.rows = append(s.rows[:0], b.Rows...)
	s.rows = append(s.rows, b.Done...)
	slices.SortFunc(s.rows, func(x, y *pipeline.Row) int { return int(x.Num - y.Num) })
	for _, r := range s.rows {
		if r.Fate == pipeline.Rejected && len(r.Field(s.status)) == 0 {
			// Rejected by the reader (a malformed record): its cells are
			// not known; say so on stderr and in the row.
			fmt.Fprintf(s.stderr, "standardize: %s line %d: %s %s\n", s.name, r.Line, r.Reason, r.Detail)
			for i, c := range s.cols {
				var v []byte
				switch c {
				case s.status:
					v = []byte("invalid")
				case s.notes:
					v = []byte(r.Reason)
				}
				s.w.Field(v, i > 0)
			}
		} else {
			for i, c := range s.cols {
				s.w.Field(r.Field(c), i > 0)
			}
		}
		if err := s.w.EndRecord(); err != nil {
			return fmt.Errorf("write standardized rows: %w", err)
		}
	}
	clear(s.rows)
	return nil
}

func (s *standardizeSink) Close(ctx context.Context) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write standardized rows: %w", err)
	}
	return nil
}
