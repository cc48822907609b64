package job_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/postmill/postmill/internal/job"
)

// TestMergeSections: the sections of a stage's instances merge into one —
// numbers add up, lists concatenate in partition order, objects merge by
// key, a balance keeps the lowest, other values the first partition's;
// stages stay apart, and a section that is not JSON is skipped.
func TestMergeSections(t *testing.T) {
	in := map[string]json.RawMessage{
		"account.2": json.RawMessage(`{"charged": 5, "balance": 40, "rate_card": "b", "unpriced": ["y"], "postage": {"5digit": {"pieces": 2}}}`),
		"account.0": json.RawMessage(`{"charged": 3, "balance": 45, "rate_card": "a", "unpriced": ["x"], "postage": {"5digit": {"pieces": 1}, "mixed": {"pieces": 4}}}`),
		"dedupe.1":  json.RawMessage(`{"kept": 7, "mode": "individual"}`),
		"dedupe.10": json.RawMessage(`{"kept": 1, "mode": "individual"}`),
		"render.0":  json.RawMessage(`not json`),
	}
	got := job.MergeSections(in)
	want := map[string]any{
		"account": map[string]any{"charged": 8.0, "balance": 40.0, "rate_card": "a", "unpriced": []any{"x", "y"},
			"postage": map[string]any{"5digit": map[string]any{"pieces": 3.0}, "mixed": map[string]any{"pieces": 4.0}}},
		"dedupe": map[string]any{"kept": 8.0, "mode": "individual"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merged:\n%v\nwant\n%v", got, want)
	}
}
