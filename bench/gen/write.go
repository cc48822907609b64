package gen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/formats/parquet"
)

// Format is the encoding of the contact file.
type Format uint8

// Formats.
const (
	CSV     Format = iota // comma-separated, LF line ends
	CSVGzip               // CSV compressed with gzip
	CSVZstd               // CSV compressed with zstd
	Parquet               // Parquet of nullable text columns, zstd pages
	JSONL                 // JSON Lines: an object of every column, as strings, per row
)

var formatNames = [...]string{"csv", "csv.gz", "csv.zst", "parquet", "jsonl"}

// String returns the format's name, which is also its file extension: "csv",
// "csv.gz", "csv.zst", "parquet" or "jsonl".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// ParseFormat reads a format name as String writes it; "gzip", "zstd" and
// "csv.zstd" are accepted too.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "csv":
		return CSV, nil
	case "csv.gz", "gzip", "gz":
		return CSVGzip, nil
	case "csv.zst", "csv.zstd", "zstd", "zst":
		return CSVZstd, nil
	case "parquet":
		return Parquet, nil
	case "jsonl", "ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("%w: unknown format %q (want csv, csv.gz, csv.zst, parquet or jsonl)", ErrConfig, s)
}

// checkEvery is how many rows pass between checks of the context.
const checkEvery = 4096

// WriteContacts writes the generator's remaining rows to w as format, with a
// header. It does not close w. Call it once; afterwards the side-file
// writers have all they need.
func (g *Generator) WriteContacts(ctx context.Context, w io.Writer, format Format) error {
	if format == Parquet {
		// Hidden behind a bare io.Writer: the Parquet writer closes a
		// writer that can be closed, and w is the caller's to close.
		pw, err := parquet.NewWriter(struct{ io.Writer }{w}, Columns())
		if err != nil {
			return err
		}
		if err := g.drain(ctx, pw.Write); err != nil {
			pw.Close()
			return err
		}
		return pw.Close()
	}
	if format == JSONL {
		bw := bufio.NewWriterSize(w, 256<<10)
		var line []byte
		err := g.drain(ctx, func(fields [][]byte) error {
			line = appendJSONObject(line[:0], fields)
			_, err := bw.Write(line)
			return err
		})
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write contacts: %w", ferr)
		}
		return err
	}
	var closer io.Closer
	out := w
	switch format {
	case CSV:
	case CSVGzip:
		gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		out, closer = gz, gz
	case CSVZstd:
		zw, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		out, closer = zw, zw
	default:
		return fmt.Errorf("%w: unknown format %v", ErrConfig, format)
	}
	cw := csv.NewWriter(out)
	if err := cw.WriteStrings(columns[:]); err != nil {
		return fmt.Errorf("write contacts: %w", err)
	}
	err := g.drain(ctx, cw.Write)
	if ferr := cw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write contacts: %w", ferr)
	}
	if closer != nil {
		if cerr := closer.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write contacts: %w", cerr)
		}
	}
	return err
}

// drain hands every remaining row to write.
func (g *Generator) drain(ctx context.Context, write func([][]byte) error) error {
	var rec Record
	for n := 0; g.Next(&rec); n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := write(rec.Fields[:]); err != nil {
			return fmt.Errorf("write contacts: %w", err)
		}
	}
	return nil
}

// Write generates cfg's contact file to w as format and returns what it
// holds. It does not close w; the side files are not written (see WriteAll).
func Write(ctx context.Context, w io.Writer, cfg Config, format Format) (Stats, error) {
	g, err := New(cfg)
	if err != nil {
		return Stats{}, err
	}
	err = g.WriteContacts(ctx, w, format)
	return g.Stats(), err
}

// WriteSuppressEmails writes suppress-email.csv (column email) for the rows
// generated so far: the email of every SuppressedEmail row, in lower case,
// and as many emails that match no contact.
func (g *Generator) WriteSuppressEmails(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.WriteStrings([]string{"email"})
	var b []byte
	for i := range g.supEmails {
		b = g.t.appendEmail(b[:0], &g.supEmails[i], false)
		cw.Field(b, false)
		cw.EndRecord()
	}
	return cw.Flush()
}

var suppressAddressColumns = []string{"address_street", "address_street2", "address_city", "address_state", "address_zip"}

// SuppressAddressColumns returns the header of suppress-address.csv.
func SuppressAddressColumns() []string { return append([]string(nil), suppressAddressColumns...) }

// WriteSuppressAddresses writes suppress-address.csv for the rows generated
// so far: the address of every SuppressedAddress row, written differently
// from the row (abbreviated or spelled out the other way, in another case),
// and as many addresses that match no contact.
func (g *Generator) WriteSuppressAddresses(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.WriteStrings(suppressAddressColumns)
	var b []byte
	var f [5][]byte
	for i := range g.supAddrs {
		e := &g.supAddrs[i]
		b = g.appendAddress(b[:0], &e.a, &e.st, &f)
		cw.Write(f[:])
	}
	return cw.Flush()
}

// appendAddress writes an address's five columns into b and points f at them.
func (g *Generator) appendAddress(b []byte, a *address, st *style, f *[5][]byte) []byte {
	t := g.t
	sp := spacer{}
	start := len(b)
	var ends [5]int
	b = t.appendStreet(b, a, st, &sp)
	ends[0] = len(b)
	if !st.unitInline {
		b = t.appendUnit(b, a, st, &sp)
	}
	ends[1] = len(b)
	b = t.appendCity(b, a, st)
	ends[2] = len(b)
	b = t.appendState(b, a, st)
	ends[3] = len(b)
	b = t.appendZIP(b, a, st)
	ends[4] = len(b)
	for i, e := range ends {
		f[i] = b[start:e:e]
		start = e
	}
	return b
}

var coaColumns = []string{"first_name", "last_name", "old_address_street", "old_address_street2", "old_address_city",
	"old_address_state", "old_address_zip", "new_address_street", "new_address_street2", "new_address_city",
	"new_address_state", "new_address_zip", "move_type", "move_date", "status"}

// COAColumns returns the header of coa.csv, the change-of-address file.
func COAColumns() []string { return append([]string(nil), coaColumns...) }

// WriteCOA writes coa.csv for the rows generated so far: every Moved row's
// name and address as the old address, standardized (upper case, Pub 28
// abbreviations), and as many moves of people who are not contacts. The
// new_* columns are empty unless status is new_address.
func (g *Generator) WriteCOA(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.WriteStrings(coaColumns)
	var b, name []byte
	var f [15][]byte
	var old, to [5][]byte
	std := style{}
	for i := range g.coa {
		e := &g.coa[i]
		name = appendCased(name[:0], g.t.first[e.p.first], caseUpper)
		n := len(name)
		name = appendCased(name, g.t.last[e.p.last], caseUpper)
		f[0], f[1] = name[:n], name[n:]
		b = g.appendAddress(b[:0], &e.p.addr, &std, &old)
		copy(f[2:7], old[:])
		if e.status == moveNewAddress {
			b = g.appendAddress(b, &e.to, &std, &to)
			copy(f[7:12], to[:])
		} else {
			for j := 7; j < 12; j++ {
				f[j] = nil
			}
		}
		f[12] = []byte(moveTypes[e.typ])
		f[13] = []byte(g.t.months[e.month])
		f[14] = []byte(moveStatuses[e.status])
		cw.Write(f[:])
	}
	return cw.Flush()
}

// Files names the files WriteAll wrote.
type Files struct {
	Contacts        string // contacts.<format>
	SuppressEmail   string // suppress-email.csv
	SuppressAddress string // suppress-address.csv
	COA             string // coa.csv
}

// WriteAll generates cfg into dir (created if missing): contacts.<format>,
// suppress-email.csv, suppress-address.csv and coa.csv. Each file is
// written under a temporary name and renamed into place when complete.
func WriteAll(ctx context.Context, dir string, cfg Config, format Format) (Files, Stats, error) {
	g, err := New(cfg)
	if err != nil {
		return Files{}, Stats{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, Stats{}, fmt.Errorf("gen: %w", err)
	}
	files := Files{
		Contacts:        filepath.Join(dir, "contacts."+format.String()),
		SuppressEmail:   filepath.Join(dir, "suppress-email.csv"),
		SuppressAddress: filepath.Join(dir, "suppress-address.csv"),
		COA:             filepath.Join(dir, "coa.csv"),
	}
	steps := []struct {
		path  string
		write func(io.Writer) error
	}{
		{files.Contacts, func(w io.Writer) error { return g.WriteContacts(ctx, w, format) }},
		{files.SuppressEmail, g.WriteSuppressEmails},
		{files.SuppressAddress, g.WriteSuppressAddresses},
		{files.COA, g.WriteCOA},
	}
	for _, s := range steps {
		if err := writeFile(s.path, s.write); err != nil {
			return Files{}, g.Stats(), err
		}
	}
	return files, g.Stats(), nil
}

// writeFile writes path through a temporary file that is synced and renamed.
func writeFile(path string, write func(io.Writer) error) (err error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("gen: %s: %w", filepath.Base(path), err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}

// appendJSONObject appends a JSON Lines record of fields under the column
// names, every value a string (an empty one too: the first object's keys
// are a JSON Lines file's header, so every object carries them all).
func appendJSONObject(dst []byte, fields [][]byte) []byte {
	dst = append(dst, '{')
	for i, name := range columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, name)
		dst = append(dst, ':')
		var v []byte
		if i < len(fields) {
			v = fields[i]
		}
		dst = appendJSONString(dst, v)
	}
	return append(dst, '}', '\n')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control bytes escaped, every other byte as it is.
func appendJSONString[T string | []byte](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
