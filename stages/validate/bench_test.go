package validate_test

import (
	"context"
	"testing"

	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/validate"
)

// BenchmarkProcess runs the stage over a batch of 2048 rows of a few
// address shapes; allocs/op is per batch.
func BenchmarkProcess(b *testing.B) {
	st, err := validate.New(validate.Config{})
	if err != nil {
		b.Fatal(err)
	}
	job := pipelinetest.NewJob()
	if err := st.Bind(job.Schema); err != nil {
		b.Fatal(err)
	}
	shapes := [][6]string{
		{"123 North Main Street", "Apt 4", "Cambrdge", "Massachusetts", "2139-4307", ""},
		{"22 HARBOR RD", "", "BOSTON", "MA", "02108", ""},
		{"P.O. Box 0012", "", "", "", "60601", ""},
		{"10 Downing Street", "", "London", "", "SW1A 2AA", "UK"},
		{"Main St", "", "Boston", "MA", "02108", ""},
		{"500 West Ave", "Suite 200", "Boston", "MA", "02108", "USA"},
	}
	rows := make([][6][]byte, 2048)
	for i := range rows {
		for j, v := range shapes[i%len(shapes)] {
			rows[i][j] = []byte(v)
		}
	}
	cols := [6]int{pipeline.ColStreet, pipeline.ColStreet2, pipeline.ColCity, pipeline.ColState, pipeline.ColZip, pipeline.ColCountry}
	ctx := context.Background()
	run := func() {
		batch := pipeline.NewBatch(job, 0)
		for _, r := range rows {
			row := batch.AddRow()
			for j, c := range cols {
				row.Fields[c] = r[j]
			}
		}
		if err := st.Process(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch.Release()
	}
	run()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}
