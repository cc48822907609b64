package pipeline

// Reasons of the suppression and dedupe stages; the detail varies.
const (
	// Suppressed is suppressed:<account|campaign>:<kind>.
	Suppressed Reason = "suppressed:*"
	// DuplicateFamily is duplicate:<individual|household|address|history>.
	DuplicateFamily Reason = "duplicate:*"
)

var listReasons = map[Reason]string{
	Suppressed:      "on a suppression list: suppressed:<account|campaign>:<email|external_id|address|name_address>",
	DuplicateFamily: "a duplicate of an earlier row: duplicate:<individual|household|address|history>",
}
