package render

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/mergefield"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

var secret = []byte("campaign-secret-0123456789")

// run renders rows through the stage in a one-step chain.
func run(t *testing.T, cfg Config, rows ...map[string]string) (*pipelinetest.Sink, *pipeline.Job) {
	t.Helper()
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob("var_field_1", "var_field_2")
	if err := st.Bind(job.Schema); err != nil {
		t.Fatal(err)
	}
	b := pipelinetest.NewBatch(t, job, 0, 1, rows...)
	if err := st.Process(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	sink := &pipelinetest.Sink{}
	sink.Write(context.Background(), b)
	return sink, job
}

func TestRenderRows(t *testing.T) {
	tests := []struct {
		name   string
		front  string
		back   string
		row    map[string]string
		want   map[string]string // columns expected; "" asserts the column is empty
		reason pipeline.Reason
		detail string
	}{
		{
			name:  "two fields",
			front: "Hi {{first_name}}, code {{var_field_1}}",
			row:   map[string]string{"first_name": "Ada", "var_field_1": "SPRING"},
			want:  map[string]string{"merge_first_name": "Ada", "merge_var_field_1": "SPRING", "template_id": "tid"},
		},
		{
			name:  "default for a blank value",
			front: "Hi {{first_name|title|Friend}}",
			row:   map[string]string{"first_name": "  "},
			want:  map[string]string{"merge_first_name": "Friend"},
		},
		{
			name:  "filters applied",
			front: "{{first_name|title}} {{last_name|upper}}",
			row:   map[string]string{"first_name": "o'brien", "last_name": "hopper"},
			want:  map[string]string{"merge_first_name": "O'Brien", "merge_last_name": "HOPPER"},
		},
		{
			name:   "missing required field",
			front:  "Dear\n  {{first_name}}",
			row:    map[string]string{"last_name": "Hopper"},
			reason: "missing_merge_field:first_name",
			detail: "front.txt:2:3",
		},
		{
			name:   "bad date",
			front:  "Ends {{var_field_2|date:Jan 2}}",
			row:    map[string]string{"var_field_2": "next week"},
			reason: "invalid_merge_field:var_field_2",
			detail: "front.txt:1:6",
		},
		{
			name:  "date formatted",
			front: "Ends {{var_field_2|date:January 2, 2006}}",
			row:   map[string]string{"var_field_2": "2026-10-02"},
			want:  map[string]string{"merge_var_field_2": "October 2, 2026"},
		},
		{
			name:  "blank date with default",
			front: "Ends {{var_field_2|date:Jan 2|Soon}}",
			row:   map[string]string{},
			want:  map[string]string{"merge_var_field_2": "Soon"},
		},
		{
			name:  "optional field the job lacks renders its default",
			front: "{{nickname|Friend}} {{first_name}}",
			row:   map[string]string{"first_name": "Ada"},
			want:  map[string]string{"merge_nickname": "Friend", "merge_first_name": "Ada"},
		},
		{
			name:  "same field, two expressions",
			front: "{{first_name|upper}}",
			back:  "{{first_name|lower}} {{ first_name|upper }}",
			row:   map[string]string{"first_name": "Ada"},
			want:  map[string]string{"merge_first_name": "ADA", "merge_first_name__2": "ada"},
		},
		{
			name:   "required on the back only",
			front:  "{{first_name|Friend}}",
			back:   "{{first_name}}",
			row:    map[string]string{},
			reason: "missing_merge_field:first_name",
			detail: "back.txt:1:1",
		},
		{
			name:  "merge values are not HTML-escaped",
			front: "<p>{{organization}}</p>",
			row:   map[string]string{"organization": "AT&T <Labs>"},
			want:  map[string]string{"merge_organization": "AT&T <Labs>"},
		},
		{
			name:  "literal braces and escapes",
			front: "{{{{not a tag}} {{first_name|a \\| b}}",
			row:   map[string]string{},
			want:  map[string]string{"merge_first_name": "a | b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{FrontSource: []byte(tt.front), TemplateID: "tid"}
			if tt.back != "" {
				cfg.BackSource = []byte(tt.back)
			}
			sink, _ := run(t, cfg, tt.row)
			got := sink.Rows[0]
			if got.Reason != tt.reason || got.Detail != tt.detail {
				t.Fatalf("fate %s %q %q, want %q %q", got.Fate, got.Reason, got.Detail, tt.reason, tt.detail)
			}
			if tt.reason != "" {
				if got.Fate != pipeline.Rejected || !got.Reason.Registered() {
					t.Fatalf("fate %s, reason %q registered=%v", got.Fate, got.Reason, got.Reason.Registered())
				}
				return
			}
			for k, v := range tt.want {
				if got.Fields[k] != v {
					t.Errorf("%s = %q, want %q (row %v)", k, got.Fields[k], v, got.Fields)
				}
			}
		})
	}
}

func TestColumns(t *testing.T) {
	st, err := New(Config{FrontSource: []byte("{{a}} {{b|X}} {{ a }} {{purl}} {{a|upper}}"), BackSource: []byte("{{purl|upper}} {{b|X}}"), PURLSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"merge_a", "merge_b", "merge_a__2", "merge_purl"}
	if got := st.Columns(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("columns %v, want %v", got, want)
	}
}

func TestPURL(t *testing.T) {
	sink, job := run(t, Config{FrontSource: []byte("Visit example.com/{{purl}} {{purl|upper}}"), PURLSecret: secret},
		map[string]string{}, map[string]string{})
	for i, r := range sink.Rows {
		id := pipeline.NewPieceID(job, int64(i+1)).String()
		want := mergefield.PURL(secret, id)
		if r.Fields["purl"] != want || len(want) != mergefield.PURLLen {
			t.Errorf("row %d purl %q, want %q", i, r.Fields["purl"], want)
		}
		if r.Fields["merge_purl"] != strings.ToUpper(want) {
			t.Errorf("row %d merge_purl %q", i, r.Fields["merge_purl"])
		}
	}
	if sink.Rows[0].Fields["purl"] == sink.Rows[1].Fields["purl"] {
		t.Error("two pieces share a PURL")
	}
}

func TestRenderedColumns(t *testing.T) {
	sink, _ := run(t, Config{Front: "f.html", FrontSource: []byte("<b>{{organization}}</b>"), BackSource: []byte("Hi {{first_name|Friend}}"), Rendered: true},
		map[string]string{"organization": "AT&T"})
	r := sink.Rows[0]
	if r.Fields["render_front"] != "<b>AT&amp;T</b>" || r.Fields["render_back"] != "Hi Friend" {
		t.Fatalf("rendered %q / %q", r.Fields["render_front"], r.Fields["render_back"])
	}
}

func TestTemplateFiles(t *testing.T) {
	st, err := New(Config{Front: "../../testdata/templates/front.html", Back: "../../testdata/templates/back.txt", PURLSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	id := st.TemplateID()
	st2, _ := New(Config{Front: "../../testdata/templates/front.html", Back: "../../testdata/templates/back.txt", PURLSecret: secret})
	if id != st2.TemplateID() || len(id) != 13 || id[0] != 't' {
		t.Fatalf("template ids %q, %q", id, st2.TemplateID())
	}
	st3, _ := New(Config{Front: "../../testdata/templates/front.html", PURLSecret: secret})
	if st3.TemplateID() == id {
		t.Fatal("different creative, same template id")
	}
	want := "merge_var_field_1,merge_first_name,merge_var_field_2,merge_last_name"
	if got := strings.Join(st.Columns(), ","); got != want {
		t.Fatalf("columns %s, want %s", got, want)
	}
}

func TestConstructionErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no template", Config{}, "no template"},
		{"unknown filter", Config{Front: "front.html", FrontSource: []byte("<p>\n  {{first_name|shout}}</p>")}, `template front.html:2:16: unknown filter "shout"`},
		{"unbalanced braces", Config{FrontSource: []byte("Hi {{first_name\n")}, `template front.txt:1:4: unterminated "{{"`},
		{"purl without secret", Config{FrontSource: []byte("{{purl}}")}, "no PURL secret"},
		{"short secret", Config{FrontSource: []byte("x"), PURLSecret: []byte("short")}, "shorter than 16 bytes"},
		{"missing file", Config{Front: "no/such/file.html"}, "read template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	var se *mergefield.SyntaxError
	_, err := New(Config{FrontSource: []byte("{{a|nope}}")})
	if !errors.As(err, &se) || se.Line != 1 || se.Col != 5 {
		t.Fatalf("want a *SyntaxError at 1:5, got %v", err)
	}
}

func TestBindUnknownRequiredField(t *testing.T) {
	st, err := New(Config{Back: "back.html", BackSource: []byte("<p>\n {{first_name}} {{loyalty_tier}}</p>")})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	_, err = pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Source(), []pipeline.Step{{Name: "render", Stage: st}}, &pipelinetest.Sink{})
	if err == nil || !strings.Contains(err.Error(), `template back.html:2:17: field "loyalty_tier"`) || !errors.Is(err, mergefield.ErrUnknownField) {
		t.Fatalf("got %v", err)
	}
}

// TestParallel renders many batches on a worker pool through the engine.
func TestParallel(t *testing.T) {
	st, err := New(Config{FrontSource: []byte("{{first_name|Friend}} {{var_field_1}} {{purl}}"), PURLSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob("var_field_1")
	// Bind first so batches are built with every column, as ingest does.
	var batches []*pipeline.Batch
	job.Schema.Add(ColTemplateID)
	n := 0
	for seq := range 20 {
		var rows []map[string]string
		for i := range 100 {
			row := map[string]string{"first_name": fmt.Sprint("N", n)}
			if i%10 != 3 {
				row["var_field_1"] = fmt.Sprint("V", n)
			}
			rows = append(rows, row)
			n++
		}
		batches = append(batches, pipelinetest.NewBatch(t, job, uint64(seq), int64(seq*100+1), rows...))
	}
	sink, rep := pipelinetest.RunStage(t, pipeline.Step{Name: "render", Stage: st, Workers: 4}, job, batches...)
	if rep.Accepted != 1800 || rep.Rejected != 200 || rep.Reasons["missing_merge_field:var_field_1"] != 200 {
		t.Fatalf("accepted %d rejected %d reasons %v", rep.Accepted, rep.Rejected, rep.Reasons)
	}
	for _, r := range sink.Rows {
		if r.Fate != pipeline.Live {
			continue
		}
		want := fmt.Sprint("N", r.Num-1)
		if r.Fields["merge_first_name"] != want || r.Fields["merge_var_field_1"] != fmt.Sprint("V", r.Num-1) ||
			r.Fields["purl"] != mergefield.PURL(secret, r.ID) {
			t.Fatalf("row %d: %v", r.Num, r.Fields)
		}
	}
}

func TestProcessDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	st, err := New(Config{FrontSource: []byte("Hi {{first_name|title|Friend}}, {{var_field_1}}"), PURLSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob("var_field_1")
	if err := st.Bind(job.Schema); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for i := range 64 {
		rows = append(rows, map[string]string{"first_name": fmt.Sprint("ada", i), "var_field_1": "CODE"})
	}
	b := pipelinetest.NewBatch(t, job, 0, 1, rows...)
	ctx := context.Background()
	st.Process(ctx, b) // warm the pool
	if n := testing.AllocsPerRun(100, func() { st.Process(ctx, b) }); n != 0 {
		t.Fatalf("%v allocations per batch", n)
	}
}
