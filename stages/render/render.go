package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"unsafe"

	"github.com/postmill/postmill/internal/mergefield"
	"github.com/postmill/postmill/pipeline"
)

// Columns the stage adds to the job's schema.
const (
	ColTemplateID  = "template_id"  // the creative's id, from Config.TemplateID
	ColPURL        = "purl"         // the piece's PURL code
	ColRenderFront = "render_front" // the rendered front, with Config.Rendered
	ColRenderBack  = "render_back"  // the rendered back, with Config.Rendered
	// MergePrefix starts the name of every merge-value column.
	MergePrefix = "merge_"
)

// Config configures the stage. At least one of Front and Back is required.
type Config struct {
	// Front is the path of the front template; .html or .htm is HTML, any
	// other name text. Default (""): no front.
	Front string
	// FrontSource, when not nil, is the front template's text and Front only
	// names it (for its kind and in errors; "front.txt" when empty).
	// Default (nil): read the file Front.
	FrontSource []byte
	// Back is the path of the back template, as Front. Default (""): no back.
	Back string
	// BackSource is the back template's text, as FrontSource.
	BackSource []byte
	// TemplateID names the creative to the print vendor. Default (""): "t"
	// followed by the first 12 hex digits of sha256 over both templates'
	// file names (without directories) and text, so the same creative always
	// has the same id.
	TemplateID string
	// PURLSecret is the campaign secret PURL codes are derived from, at least
	// mergefield.MinPURLSecret bytes. Default (nil): no purl column, and a
	// template that uses {{purl}} is an error.
	PURLSecret []byte
	// Rendered adds render_front and render_back with the whole rendered
	// templates (for proofs). Default (false): merge values only.
	Rendered bool
}

// side is one template: front or back.
type side struct {
	name string
	src  []byte
	tpl  *mergefield.Template
	prog *mergefield.Program // whole template, compiled in Bind
	col  int                 // render_front/back column, or -1
	back bool
}

// expr is one distinct merge expression: a tag, rendered on its own.
type expr struct {
	text     string // the tag as written, "{{first_name|Friend}}"
	field    string
	tpl      *mergefield.Template
	prog     *mergefield.Program
	column   string // merge_<field>[__n], or "" for a bare {{purl}}
	col      int
	missing  pipeline.Reason
	invalid  pipeline.Reason
	detail   string // "front.html:3:14"
	required bool
}

// Stage renders merge values into piece rows. It is safe for concurrent use
// once bound.
type Stage struct {
	cfg     Config
	sides   []*side
	exprs   []*expr
	tid     []byte
	colTID  int
	colPURL int // -1 without a secret
	pool    sync.Pool
	bound   bool
}

// worker is one goroutine's scratch state.
type worker struct {
	buf []byte
	enc *mergefield.PURLEncoder
}

var _ interface {
	pipeline.Stage
	pipeline.Binder
	pipeline.Reporter
} = (*Stage)(nil)

// New reads and parses the templates. Syntax errors are
// *mergefield.SyntaxError (template, line, column).
func New(cfg Config) (*Stage, error) {
	s := &Stage{cfg: cfg, colPURL: -1}
	for _, t := range []struct {
		path, def string
		src       []byte
	}{{cfg.Front, "front.txt", cfg.FrontSource}, {cfg.Back, "back.txt", cfg.BackSource}} {
		if t.path == "" && t.src == nil {
			continue
		}
		sd := &side{name: t.path, src: t.src, col: -1, back: t.def == "back.txt"}
		if sd.src == nil {
			b, err := os.ReadFile(t.path)
			if err != nil {
				return nil, fmt.Errorf("render: read template: %w", err)
			}
			sd.src = b
		}
		if sd.name == "" {
			sd.name = t.def
		}
		tpl, err := mergefield.Parse(sd.name, sd.src)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		sd.tpl = tpl
		s.sides = append(s.sides, sd)
	}
	if len(s.sides) == 0 {
		return nil, errors.New("render: no template (set Front or Back)")
	}
	if cfg.PURLSecret != nil && len(cfg.PURLSecret) < mergefield.MinPURLSecret {
		return nil, fmt.Errorf("render: %w", mergefield.ErrShortSecret)
	}
	if err := s.collectExprs(); err != nil {
		return nil, err
	}
	for _, e := range s.exprs {
		if e.field == mergefield.PURLField && cfg.PURLSecret == nil {
			return nil, fmt.Errorf("render: template %s uses {{purl}} but no PURL secret is configured", e.detail)
		}
	}
	s.tid = []byte(cfg.TemplateID)
	if cfg.TemplateID == "" {
		h := sha256.New()
		for _, sd := range s.sides {
			base := filepath.Base(sd.name)
			fmt.Fprintf(h, "%d:%s%d:", len(base), base, len(sd.src))
			h.Write(sd.src)
		}
		s.tid = []byte("t" + hex.EncodeToString(h.Sum(nil))[:12])
	}
	s.tid = s.tid[:len(s.tid):len(s.tid)]
	s.pool.New = func() any {
		w := &worker{buf: make([]byte, 0, 1024)}
		if cfg.PURLSecret != nil {
			w.enc, _ = mergefield.NewPURLEncoder(cfg.PURLSecret) // length checked above
		}
		return w
	}
	return s, nil
}

// TemplateID returns the template id the stage writes.
func (s *Stage) TemplateID() string { return string(s.tid) }

// collectExprs finds every distinct tag of the templates and parses each on
// its own, as a text template, so its value can be rendered alone.
func (s *Stage) collectExprs() error {
	seen := map[string]bool{}
	perField := map[string]int{}
	for _, sd := range s.sides {
		for _, tg := range scanTags(sd.src) {
			key := string(normalizeTag(tg.text))
			if seen[key] {
				continue
			}
			seen[key] = true
			tpl, err := mergefield.ParseKind(sd.name, mergefield.Text, tg.text)
			if err != nil { // the whole template parsed, so its tags do
				return fmt.Errorf("render: template %s:%d:%d: %w", sd.name, tg.line, tg.col, err)
			}
			fs := tpl.Fields()
			if len(fs) != 1 {
				return fmt.Errorf("render: template %s:%d:%d: cannot isolate tag %q", sd.name, tg.line, tg.col, tg.text)
			}
			f := fs[0]
			e := &expr{text: string(tg.text), field: f.Name, tpl: tpl, required: f.Required, col: -1,
				missing: pipeline.MissingMergeField.With(f.Name), invalid: pipeline.InvalidMergeField.With(f.Name),
				detail: fmt.Sprintf("%s:%d:%d", sd.name, tg.line, tg.col)}
			if !(f.Name == mergefield.PURLField && key == "{{purl}}") {
				perField[f.Name]++
				e.column = MergePrefix + f.Name
				if n := perField[f.Name]; n > 1 {
					e.column += "__" + strconv.Itoa(n)
				}
			}
			s.exprs = append(s.exprs, e)
		}
	}
	return nil
}

// tag is one tag's text and position in a template.
type tag struct {
	text      []byte
	line, col int
}

// scanTags returns the tags of a template that mergefield parsed without
// error, following its grammar: "{{{{" is a literal "{{", a tag runs from
// "{{" to the first "}}" that a backslash does not escape.
func scanTags(src []byte) []tag {
	var out []tag
	line, lineStart := 1, 0
	for i := 0; i < len(src); {
		switch {
		case src[i] == '\n':
			line, lineStart = line+1, i+1
			i++
		case bytes.HasPrefix(src[i:], []byte("{{{{")):
			i += 4
		case bytes.HasPrefix(src[i:], []byte("{{")):
			j := i + 2
			for j < len(src) && !(src[j] == '}' && j+1 < len(src) && src[j+1] == '}') {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+2, len(src))
			out = append(out, tag{text: src[i:end], line: line, col: i - lineStart + 1})
			i = end
		default:
			i++
		}
	}
	return out
}

// normalizeTag drops the spaces after "{{" and before "}}", so
// {{ first_name }} and {{first_name}} are one expression.
func normalizeTag(t []byte) []byte {
	in := bytes.TrimSuffix(bytes.TrimPrefix(t, []byte("{{")), []byte("}}"))
	in = bytes.Trim(in, " \t")
	return append(append([]byte("{{"), in...), "}}"...)
}

// absent is the index given to an optional field the job does not carry:
// beyond every row's fields, so it renders as blank and takes its default.
const absent = math.MaxInt32

// Bind adds the stage's columns and compiles the templates against the
// job's columns. A field that a template requires and the job lacks is an
// error naming the template, line and column.
func (s *Stage) Bind(sc *pipeline.Schema) error {
	if s.bound {
		return errors.New("render: stage bound twice")
	}
	s.bound = true
	s.colTID = sc.Add(ColTemplateID)
	if s.cfg.PURLSecret != nil {
		s.colPURL = sc.Add(ColPURL)
	}
	required := map[string]bool{}
	for _, sd := range s.sides {
		for _, f := range sd.tpl.Fields() {
			required[f.Name] = required[f.Name] || f.Required
		}
	}
	resolve := func(name string) (int, bool) {
		if name == mergefield.PURLField && s.colPURL >= 0 {
			return s.colPURL, true
		}
		if i, ok := sc.Index(name); ok {
			return i, true
		}
		if !required[name] {
			return absent, true
		}
		return 0, false
	}
	for _, sd := range s.sides {
		p, err := mergefield.Compile(sd.tpl, resolve)
		if err != nil {
			return fmt.Errorf("render: %w", err)
		}
		sd.prog = p
	}
	for _, e := range s.exprs {
		p, err := mergefield.Compile(e.tpl, resolve)
		if err != nil {
			return fmt.Errorf("render: %s: %w", e.detail, err)
		}
		e.prog = p
		if e.column != "" {
			e.col = sc.Add(e.column)
		}
	}
	if s.cfg.Rendered {
		for _, sd := range s.sides {
			name := ColRenderFront
			if sd.back {
				name = ColRenderBack
			}
			sd.col = sc.Add(name)
		}
	}
	return nil
}

// Columns returns the merge-value columns the stage writes, in order.
func (s *Stage) Columns() []string {
	var out []string
	for _, e := range s.exprs {
		if e.column != "" {
			out = append(out, e.column)
		}
	}
	return out
}

// Process renders every live row of b, rejecting rows a template cannot be
// filled for.
func (s *Stage) Process(ctx context.Context, b *pipeline.Batch) error {
	if !s.bound {
		return errors.New("render: Process before Bind")
	}
	w := s.pool.Get().(*worker)
	defer s.pool.Put(w)
	for _, r := range b.Rows {
		s.row(w, b, r)
	}
	return nil
}

// setField stores v in column col, growing a row built before the stage
// added its columns.
func setField(r *pipeline.Row, col int, v []byte) {
	if col >= len(r.Fields) {
		r.Fields = append(r.Fields, make([][]byte, col+1-len(r.Fields))...)
	}
	r.Fields[col] = v
}

func (s *Stage) row(w *worker, b *pipeline.Batch, r *pipeline.Row) {
	if s.colPURL >= 0 {
		// The encoder copies the id before hashing, so a view is enough.
		w.buf = w.enc.Append(w.buf[:0], unsafe.String(&r.ID[0], len(r.ID)))
		setField(r, s.colPURL, b.Copy(w.buf))
	}
	for _, e := range s.exprs {
		var p mergefield.Problem
		w.buf, p = e.prog.Append(w.buf[:0], r.Fields)
		if !p.OK() {
			reason := e.missing
			if p.Kind == mergefield.ProblemInvalid {
				reason = e.invalid
			}
			r.Reject(reason, e.detail)
			return
		}
		if e.col >= 0 {
			setField(r, e.col, b.Copy(w.buf))
		}
	}
	if s.cfg.Rendered {
		for _, sd := range s.sides {
			var p mergefield.Problem
			w.buf, p = sd.prog.Append(w.buf[:0], r.Fields)
			if p.OK() {
				setField(r, sd.col, b.Copy(w.buf))
			}
		}
	}
	setField(r, s.colTID, s.tid)
}

// Section is the stage's part of the run report.
type Section struct {
	TemplateID string   `json:"template_id"` // the id written
	Templates  []string `json:"templates"`   // template names, front first
	Columns    []string `json:"columns"`     // merge columns written
	PURL       bool     `json:"purl"`        // whether PURL codes were made
}

// Report returns the template id and the columns written.
func (s *Stage) Report() any {
	sec := Section{TemplateID: string(s.tid), Columns: s.Columns(), PURL: s.colPURL >= 0}
	for _, sd := range s.sides {
		sec.Templates = append(sec.Templates, sd.name)
	}
	return sec
}
