package suppression

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/postmill/postmill/formats"
	"github.com/postmill/postmill/formats/compress"
	"github.com/postmill/postmill/formats/input"
	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/stages/ingest"
)

// LoadConfig tunes list loading. The zero value opens files as
// `postmill run` does and standardizes addresses with the embedded ZIP
// table.
type LoadConfig struct {
	// Input configures opening (format, limits). Default: sniffed, default
	// limits.
	Input input.Config
	// Mapping maps headers (as written or normalized) to columns and wins
	// over the alias table, as --map does for inputs. Default: none.
	Mapping map[string]string
	// ZIPs is the USPS ZIP table list addresses are standardized with.
	// Default (nil): zipdb.Load(), loaded only when a list has address
	// columns.
	ZIPs *zipdb.DB
	// Address configures the standardizer. Default: the zero address.Config.
	Address address.Config
}

// File is a list file and the scope it applies to.
type File struct {
	Path  string
	Scope Scope
}

// LoadError says why a list could not be loaded: which file, which line
// (0 when the problem is not on one line) and what is wrong. Nothing of a
// list that fails is ever used.
type LoadError struct {
	Path   string
	Line   int64
	Reason string
	// Err is the underlying error, when there is one.
	Err error
}

// Error names the file, the line and the reason.
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("suppression list ")
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }

// Load loads every file into a new Index and returns it only when all of
// them loaded: a list is never half-loaded and a failed load leaves
// nothing behind. The first problem is returned as a *LoadError.
func Load(ctx context.Context, files []File, cfg LoadConfig) (*Index, error) {
	x := NewIndex()
	for _, f := range files {
		l, err := LoadFile(ctx, f.Path, f.Scope, cfg)
		if err != nil {
			return nil, err
		}
		x.Add(l)
	}
	return x, nil
}

// LoadFile reads one list file of any input format (CSV, TSV, JSON Lines,
// Parquet; gzip or zstd) into a new List for scope. See the package
// documentation for the columns and kinds. Errors are *LoadError.
func LoadFile(ctx context.Context, path string, scope Scope, cfg LoadConfig) (*List, error) {
	in, err := input.Open(ctx, path, cfg.Input)
	if err != nil {
		return nil, &LoadError{Path: path, Reason: "cannot open", Err: err}
	}
	defer in.Close()
	size := int64(-1)
	if in.Codec == compress.None && in.Format != input.Parquet {
		size = in.Size
	}
	return readList(ctx, in, path, scope, cfg, size)
}

// sampleRecords is how many records readList reads before it sizes the
// list's table from the file size.
const sampleRecords = 4096

// listColumns are the input column indexes of the kind columns, -1 when
// absent.
type listColumns struct {
	kind, email, extID, first, last                   int
	street, street2, city, state, zip, country, width int
}

func (c *listColumns) hasAddress() bool { return c.street >= 0 }

// ReadList reads a list from rr (positioned after its header) into a new
// List named name for scope. Errors are *LoadError naming name.
func ReadList(ctx context.Context, rr formats.RecordReader, name string, scope Scope, cfg LoadConfig) (*List, error) {
	return readList(ctx, rr, name, scope, cfg, -1)
}

// readList is ReadList for an input of size bytes (-1 when unknown or
// compressed). With a known size it sizes the table once from the first
// records' average length, instead of doubling it: a 10-million-entry list
// then peaks at its final 256 MiB, not 384 MiB plus garbage.
func readList(ctx context.Context, rr formats.RecordReader, name string, scope Scope, cfg LoadConfig, size int64) (*List, error) {
	fail := func(line int64, format string, args ...any) error {
		return &LoadError{Path: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	cols, err := mapColumns(rr.Header(), cfg.Mapping)
	if err != nil {
		return nil, &LoadError{Path: name, Line: 1, Reason: err.Error()}
	}
	var std *address.Standardizer
	if cols.hasAddress() {
		db := cfg.ZIPs
		if db == nil {
			if db, err = zipdb.Load(); err != nil {
				return nil, &LoadError{Path: name, Reason: "load ZIP table", Err: err}
			}
		}
		std = address.NewStandardizer(db, cfg.Address)
	}

	l := NewList(name, scope, 0)
	sk := scope.Key()
	var (
		p                                        entry
		emailBuf, idBuf, firstBuf, lastBuf, aBuf []byte
		pending                                  [16]keyset.Key
		pendingKind                              [16]keyset.Kind
		np                                       int
		sampled                                  int64
	)
	flush := func() {
		l.set.Prefetch(pending[:np])
		for i := range np {
			l.Add(pendingKind[i], pending[i])
		}
		np = 0
	}
	add := func(kind keyset.Kind) {
		k, _ := p.key(sk, kind)
		pending[np], pendingKind[np] = k, kind
		np++
		if np == len(pending) {
			flush()
		}
	}
	cell := func(f [][]byte, i int) []byte {
		if i < 0 {
			return nil
		}
		return trim(f[i])
	}
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		fields, err := rr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *formats.RowError
			if errors.As(err, &re) {
				line := re.Line
				if line == 0 {
					line = rr.Line()
				}
				if re.Detail != "" {
					return nil, &LoadError{Path: name, Line: line, Reason: re.Detail, Err: re.Err}
				}
				return nil, &LoadError{Path: name, Line: line, Reason: "unreadable record", Err: re.Err}
			}
			return nil, &LoadError{Path: name, Line: rr.Line(), Reason: "read", Err: err}
		}
		line := rr.Line()
		if size > 0 {
			sampled += int64(len(rr.Raw())) + 1
			if l.records == sampleRecords {
				flush()
				l.resize(int(float64(size) / float64(sampled) * float64(l.entryCount()) * 1.02))
				size = -1
			}
		}
		if len(fields) != cols.width {
			return nil, fail(line, "%d cells, header has %d", len(fields), cols.width)
		}
		l.records++
		p = entry{}
		if v := cell(fields, cols.email); len(v) > 0 {
			var ok bool
			if emailBuf, ok = AppendEmail(emailBuf[:0], v); !ok {
				return nil, fail(line, "email column does not hold an email address")
			}
			p.Email = emailBuf
		}
		if v := cell(fields, cols.extID); len(v) > 0 {
			var ok bool
			if idBuf, ok = AppendExternalID(idBuf[:0], v); !ok {
				return nil, fail(line, "external_id holds control characters")
			}
			p.ExternalID = idBuf
		}
		if std != nil {
			f := address.Fields{Street: cell(fields, cols.street), Street2: cell(fields, cols.street2),
				City: cell(fields, cols.city), State: cell(fields, cols.state), Zip: cell(fields, cols.zip),
				Country: cell(fields, cols.country)}
			if len(f.Street)+len(f.Street2)+len(f.City)+len(f.State)+len(f.Zip) > 0 {
				res := std.Standardize(f)
				if res.Status == address.StatusInvalid {
					why := string(res.Problem)
					if res.Detail != "" {
						why += " (" + res.Detail + ")"
					}
					return nil, fail(line, "address does not standardize: %s", why)
				}
				aBuf = res.AppendKey(aBuf[:0])
				p.Address = aBuf
			}
		}
		for _, part := range [2]struct {
			col int
			buf *[]byte
			dst *[]byte
		}{{cols.first, &firstBuf, &p.First}, {cols.last, &lastBuf, &p.Last}} {
			if v := cell(fields, part.col); len(v) > 0 {
				out, ok := AppendName((*part.buf)[:0], v)
				if !ok {
					return nil, fail(line, "%s holds characters that are not a name", rr.Header()[part.col])
				}
				*part.buf = out
				*part.dst = out
			}
		}

		named := len(p.First) > 0 || len(p.Last) > 0
		if v := cell(fields, cols.kind); len(v) > 0 {
			kind, ok := ParseKind(string(v))
			if !ok {
				return nil, fail(line, "unknown kind %q (want email, external_id, address or name_address)", truncate(v))
			}
			if _, has := p.key(sk, kind); !has {
				return nil, fail(line, "kind %s but no %s value", kind, kind)
			}
			add(kind)
			continue
		}
		yielded := false
		if len(p.Email) > 0 {
			add(keyset.KindEmail)
			yielded = true
		}
		if len(p.ExternalID) > 0 {
			add(keyset.KindExternalID)
			yielded = true
		}
		if len(p.Address) > 0 {
			if named {
				add(keyset.KindNameAddress)
			} else {
				add(keyset.KindAddress)
			}
			yielded = true
		}
		if !yielded {
			return nil, fail(line, "no email, external_id or address value")
		}
	}
	flush()
	l.seal()
	return l, nil
}

// entry is one list record's values in matching form.
type entry struct {
	Email, ExternalID, First, Last, Address []byte
}

// key returns the entry's key of kind, false when it has no such value.
func (e *entry) key(scope keyset.Key, kind keyset.Kind) (keyset.Key, bool) {
	switch kind {
	case keyset.KindEmail:
		return EntryKey(scope, kind, e.Email, nil, nil), len(e.Email) > 0
	case keyset.KindExternalID:
		return EntryKey(scope, kind, e.ExternalID, nil, nil), len(e.ExternalID) > 0
	case keyset.KindAddress:
		return EntryKey(scope, kind, e.Address, nil, nil), len(e.Address) > 0
	case keyset.KindNameAddress:
		return EntryKey(scope, kind, e.Address, e.First, e.Last), len(e.Address) > 0 && len(e.First)+len(e.Last) > 0
	}
	return keyset.Key{}, false
}

// truncate shortens a bad value quoted in an error.
func truncate(v []byte) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}

// kindHeaders are the normalized headers of an explicit kind column.
var kindHeaders = map[string]bool{"kind": true, "entry_kind": true, "suppression_kind": true}

// mapColumns finds the kind columns of a list header through the same
// aliases and explicit mapping as the ingest source.
func mapColumns(header []string, explicit map[string]string) (*listColumns, error) {
	c := &listColumns{kind: -1, email: -1, extID: -1, first: -1, last: -1, street: -1, street2: -1,
		city: -1, state: -1, zip: -1, country: -1, width: len(header)}
	schema := pipeline.NewSchema()
	m, err := ingest.MapHeader(schema, header, explicit)
	if err != nil {
		return nil, err
	}
	for i, si := range m.Columns {
		var dst *int
		switch si {
		case pipeline.ColEmail:
			dst = &c.email
		case pipeline.ColExternalID:
			dst = &c.extID
		case pipeline.ColFirstName:
			dst = &c.first
		case pipeline.ColLastName:
			dst = &c.last
		case pipeline.ColStreet:
			dst = &c.street
		case pipeline.ColStreet2:
			dst = &c.street2
		case pipeline.ColCity:
			dst = &c.city
		case pipeline.ColState:
			dst = &c.state
		case pipeline.ColZip:
			dst = &c.zip
		case pipeline.ColCountry:
			dst = &c.country
		default:
			if kindHeaders[schema.Name(si)] {
				if c.kind >= 0 {
					return nil, fmt.Errorf("columns %d and %d are both a kind column", c.kind+1, i+1)
				}
				dst = &c.kind
			}
		}
		if dst != nil {
			*dst = i
		}
	}
	if c.email < 0 && c.extID < 0 && c.street < 0 {
		return nil, fmt.Errorf("no kind column: want email, external_id or the address columns (address_street, address_zip, …); header is %q", header)
	}
	if (c.first >= 0 || c.last >= 0) && c.street < 0 && c.email < 0 && c.extID < 0 {
		return nil, fmt.Errorf("name columns without address columns")
	}
	return c, nil
}
