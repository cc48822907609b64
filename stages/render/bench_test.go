package render

import (
	"context"
	"fmt"
	"testing"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// BenchmarkProcess renders batches of pipeline.DefaultBatchRows rows. The
// budget is ≥ 1,000,000 rows/s on one core (-cpu 1) for the two-field
// template, 0 allocs/op beyond the batch arena's occasional growth.
func BenchmarkProcess(b *testing.B) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"two_fields", Config{FrontSource: []byte("Hi {{first_name|Friend}}, your code {{var_field_1}}")}},
		{"two_fields_purl", Config{FrontSource: []byte("Hi {{first_name|Friend}}, your code {{var_field_1}} at example.com/{{purl}}"), PURLSecret: secret}},
		{"html_front_back", Config{Front: "f.html", FrontSource: []byte("<p>Dear {{first_name|title|Friend}} {{last_name|title}},</p><p>Use {{var_field_1|lower}} by {{var_field_2|date:January 2, 2006}}.</p>"),
			BackSource: []byte("{{first_name|title|Friend}}, visit {{purl}}"), PURLSecret: secret}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			st, err := New(c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			job := pipelinetest.NewJob("var_field_1", "var_field_2")
			if err := st.Bind(job.Schema); err != nil {
				b.Fatal(err)
			}
			rows := make([]map[string]string, pipeline.DefaultBatchRows)
			for i := range rows {
				first := fmt.Sprint("Name", i)
				if i%8 == 0 {
					first = ""
				}
				rows[i] = map[string]string{"first_name": first, "last_name": "o'brien", "var_field_1": fmt.Sprintf("CODE%05d", i), "var_field_2": "2026-07-04"}
			}
			batch := pipelinetest.NewBatch(b, job, 0, 1, rows...)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := st.Process(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			for _, r := range batch.Rows {
				if r.Fate != pipeline.Live {
					b.Fatalf("row %d %s %s", r.Num, r.Fate, r.Reason)
				}
			}
			b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
