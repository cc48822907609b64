package pipeline

// Reasons of the account stage.
const (
	HeldInsufficient Reason = "held:insufficient_credits"
)

var accountReasons = map[Reason]string{
	HeldInsufficient: "held: the sub-account has too few credits of the piece's type; released by `postmill release`",
}
