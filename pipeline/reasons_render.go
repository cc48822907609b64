package pipeline

// Reasons of the render stage; the detail is the field's name.
const (
	MissingMergeField Reason = "missing_merge_field:*"
	InvalidMergeField Reason = "invalid_merge_field:*"
)

var renderReasons = map[Reason]string{
	MissingMergeField: "a template needs this field, the row lacks it and the template gives no default",
	InvalidMergeField: "a merge value cannot be formatted as the template asks (a date that is not a date)",
}
