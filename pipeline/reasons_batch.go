package pipeline

// Reasons of the batch (presort) stage.
const (
	// PresortZipUnusable: a domestic piece reached presort without a 5-digit ZIP Code.
	PresortZipUnusable Reason = "presort:zip_unusable"
)

var batchReasons = map[Reason]string{
	PresortZipUnusable: "a domestic piece reached presort without a usable 5-digit ZIP Code (address validation did not run or let it through)",
}
