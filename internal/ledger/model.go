package ledger

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// System accounts. They are the outside world's side of every transaction,
// may run negative, and cannot be created by callers (ids starting with "@"
// are reserved).
const (
	// AccountFunding is where purchased credits come from.
	AccountFunding = "@funding"
	// AccountConsumed receives one credit per mailed piece.
	AccountConsumed = "@consumed"
	// AccountMargin is the platform's side of commissions paid to parent accounts.
	AccountMargin = "@margin"
)

// UnitMoney is the Entry unit of money amounts (Amount, hundredths of a cent);
// every other unit is a credit type id and counts credits.
const UnitMoney = "usd"

// Sentinel errors callers branch on. Stores wrap them with what was being done.
var (
	// ErrUnknownAccount: the account id is not defined.
	ErrUnknownAccount = errors.New("unknown account")
	// ErrUnknownCreditType: the credit type id is not defined.
	ErrUnknownCreditType = errors.New("unknown credit type")
	// ErrInsufficient: a transfer needs more credits than the source account holds.
	ErrInsufficient = errors.New("insufficient credits")
	// ErrNotChild: a distribution targets an account that is not a child of the source.
	ErrNotChild = errors.New("account is not a child of the parent")
	// ErrNotParent: a purchase targets a sub-account; credits are bought by parent accounts.
	ErrNotParent = errors.New("account is not a parent account")
	// ErrInvalid: an argument or definition breaks a rule (empty id, bad commission, ...).
	ErrInvalid = errors.New("invalid ledger request")
	// ErrConflict: a definition conflicts with what is stored (e.g. moving a child to another parent).
	ErrConflict = errors.New("ledger definition conflict")
)

// Account is a tenant account. A parent account (Parent empty) buys credits
// and earns commission on what its children mail; a sub-account (Parent set)
// receives credits from its parent and is debited per piece. Only two levels.
type Account struct {
	// ID identifies the account; required, must not start with "@".
	ID string `json:"id"`
	// Name is a display name; empty shows the ID.
	Name string `json:"name,omitempty"`
	// Parent is the parent account id; empty makes this a parent account.
	Parent string `json:"parent,omitempty"`
	// DefaultCommission is, on a parent, the commission its children pay
	// unless they override it; 0 means no margin. Ignored on sub-accounts.
	DefaultCommission BasisPoints `json:"default_commission_bps,omitempty"`
	// CommissionOverride is, on a sub-account, its own commission; nil
	// inherits the parent's DefaultCommission.
	CommissionOverride *BasisPoints `json:"commission_override_bps,omitempty"`
}

// Validate checks the account on its own (not against stored accounts).
func (a Account) Validate() error {
	if err := validID("account", a.ID); err != nil {
		return err
	}
	if a.Parent != "" {
		if err := validID("parent", a.Parent); err != nil {
			return err
		}
		if a.Parent == a.ID {
			return fmt.Errorf("%w: account %q is its own parent", ErrInvalid, a.ID)
		}
	}
	if err := a.DefaultCommission.Validate(); err != nil {
		return fmt.Errorf("%w: account %q: %v", ErrInvalid, a.ID, err)
	}
	if a.CommissionOverride != nil {
		if err := a.CommissionOverride.Validate(); err != nil {
			return fmt.Errorf("%w: account %q: %v", ErrInvalid, a.ID, err)
		}
	}
	return nil
}

// Commission returns the commission charged on a's debits given its parent
// (nil for a parent account, which earns no margin on its own pieces).
func (a Account) Commission(parent *Account) BasisPoints {
	if parent == nil {
		return 0
	}
	if a.CommissionOverride != nil {
		return *a.CommissionOverride
	}
	return parent.DefaultCommission
}

// CreditType is what one credit buys: one piece of a stock and size sent at a
// postage class, for a price (Postalytics' CreditTypeId).
type CreditType struct {
	// ID identifies the credit type and is the Entry unit of its credits; required.
	ID string `json:"id"`
	// Stock is the paper stock, e.g. "14pt_gloss".
	Stock string `json:"stock,omitempty"`
	// Size is the piece format the credit pays for.
	Size Format `json:"size"`
	// PostageClass is the mail class the credit pays for.
	PostageClass MailClass `json:"postage_class"`
	// PricePerCredit is what a sub-account pays per credit; commissions are a share of it.
	PricePerCredit Amount `json:"price_per_credit"`
}

// Validate checks the credit type on its own.
func (ct CreditType) Validate() error {
	if err := validID("credit type", ct.ID); err != nil {
		return err
	}
	if ct.ID == UnitMoney {
		return fmt.Errorf("%w: credit type id %q is reserved", ErrInvalid, ct.ID)
	}
	if !knownFormats[ct.Size] {
		return fmt.Errorf("%w: credit type %q: unknown size %q", ErrInvalid, ct.ID, ct.Size)
	}
	if !knownClasses[ct.PostageClass] {
		return fmt.Errorf("%w: credit type %q: unknown postage class %q", ErrInvalid, ct.ID, ct.PostageClass)
	}
	if ct.PricePerCredit < 0 {
		return fmt.Errorf("%w: credit type %q: negative price", ErrInvalid, ct.ID)
	}
	return nil
}

func validID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: %s id is empty", ErrInvalid, what)
	case strings.HasPrefix(id, "@"):
		return fmt.Errorf("%w: %s id %q: ids starting with @ are reserved", ErrInvalid, what, id)
	case len(id) > 200:
		return fmt.Errorf("%w: %s id longer than 200 bytes", ErrInvalid, what)
	}
	return nil
}

// TxKind says what a transaction did.
type TxKind string

// Transaction kinds.
const (
	KindPurchase   TxKind = "purchase"
	KindDistribute TxKind = "distribute"
	KindDebit      TxKind = "debit"
	KindRefund     TxKind = "refund"
)

// Entry is one leg of a transaction: Amount of Unit (credits of a credit type,
// or money when Unit is UnitMoney) added to Account (negative: taken away).
// The entries of a transaction sum to zero per unit.
type Entry struct {
	// Account is a tenant or system account id.
	Account string `json:"account"`
	// Unit is a credit type id or UnitMoney.
	Unit string `json:"unit"`
	// Amount is credits, or hundredths of a cent for UnitMoney; negative takes away.
	Amount int64 `json:"amount"`
}

// Transaction is one atomic posting. A debit transaction covers all pieces
// charged by one Debit call: one credit each from the sub-account to
// AccountConsumed, and the parent's margin from AccountMargin.
type Transaction struct {
	// ID orders transactions; ids increase but may have gaps.
	ID int64 `json:"id"`
	// Kind says what the transaction did.
	Kind TxKind `json:"kind"`
	// Time is when the store committed it (UTC).
	Time time.Time `json:"time"`
	// Account is the account acted for: the buyer, the receiving child, or the debited sub-account.
	Account string `json:"account"`
	// CreditType is the credit type moved.
	CreditType string `json:"credit_type"`
	// Campaign is set on debits and refunds.
	Campaign string `json:"campaign,omitempty"`
	// Pieces counts pieces charged (debit) or refunded (refund).
	Pieces int64 `json:"pieces,omitempty"`
	// MarginPerPiece is the parent's margin per piece on debits and refunds.
	MarginPerPiece Amount `json:"margin_per_piece,omitempty"`
	// Reverses is, on a refund, the debit transaction it reverses.
	Reverses int64 `json:"reverses,omitempty"`
	// Entries are the legs, summing to zero per unit.
	Entries []Entry `json:"entries"`
}

// Transfer asks a Store to move credits: a purchase (From AccountFunding to a
// parent account) or a distribution (from a parent to one of its children).
type Transfer struct {
	// Kind is KindPurchase or KindDistribute.
	Kind TxKind
	// From and To are the source and destination accounts.
	From, To string
	// CreditType is the credit type moved.
	CreditType string
	// Credits is how many, > 0.
	Credits int64
}

// PieceStatus is what a Debit did with one piece.
type PieceStatus uint8

// Piece statuses of a Debit. The caller holds StatusInsufficient pieces as
// held:insufficient_credits and releases them after more credits arrive.
const (
	StatusCharged PieceStatus = iota + 1
	StatusAlreadyCharged
	StatusInsufficient
)

// String returns "charged", "already_charged" or "insufficient".
func (s PieceStatus) String() string {
	switch s {
	case StatusCharged:
		return "charged"
	case StatusAlreadyCharged:
		return "already_charged"
	case StatusInsufficient:
		return "insufficient"
	}
	return fmt.Sprintf("PieceStatus(%d)", uint8(s))
}

// Result is the outcome of one Debit call; Statuses is indexed like the
// piece ids given.
type Result struct {
	// TxID is the debit transaction, 0 when nothing was charged.
	TxID int64
	// Statuses holds one status per piece id given, in the same order.
	Statuses []PieceStatus
	// Charged, AlreadyCharged and Insufficient count the statuses.
	Charged, AlreadyCharged, Insufficient int
	// Balance is the sub-account's credits of the type after the call.
	Balance int64
	// Margin is the total margin booked to the parent by this call.
	Margin Amount
}

// RefundStatus is what a Refund did with one piece.
type RefundStatus uint8

// Refund statuses.
const (
	StatusRefunded RefundStatus = iota + 1
	StatusNotCharged
	StatusAlreadyRefunded
)

// String returns "refunded", "not_charged" or "already_refunded".
func (s RefundStatus) String() string {
	switch s {
	case StatusRefunded:
		return "refunded"
	case StatusNotCharged:
		return "not_charged"
	case StatusAlreadyRefunded:
		return "already_refunded"
	}
	return fmt.Sprintf("RefundStatus(%d)", uint8(s))
}

// RefundResult is the outcome of one Refund call; Statuses is indexed like
// the piece ids given.
type RefundResult struct {
	// TxIDs are the refund transactions written, one per debit transaction reversed.
	TxIDs []int64
	// Statuses holds one status per piece id given, in the same order.
	Statuses []RefundStatus
	// Refunded counts StatusRefunded.
	Refunded int
}

// Balance is an account's holding of one unit.
type Balance struct {
	// Account is a tenant or system account id.
	Account string `json:"account"`
	// Unit is a credit type id or UnitMoney.
	Unit string `json:"unit"`
	// Amount is credits, or hundredths of a cent for UnitMoney.
	Amount int64 `json:"amount"`
}

// Usage aggregates debits and refunds of one (account, campaign, credit type).
type Usage struct {
	// Account, Campaign and CreditType identify the row.
	Account    string `json:"account"`
	Campaign   string `json:"campaign"`
	CreditType string `json:"credit_type"`
	// Charged and Refunded count pieces.
	Charged  int64 `json:"charged"`
	Refunded int64 `json:"refunded"`
	// Margin is the net margin booked to the parent (debits minus refunds).
	Margin Amount `json:"margin"`
}

// Snapshot is a consistent read of a store for reports.
type Snapshot struct {
	// Accounts and CreditTypes are sorted by id.
	Accounts    []Account
	CreditTypes []CreditType
	// Balances lists every non-zero balance, system accounts included, sorted by account and unit.
	Balances []Balance
	// Usage is sorted by account, campaign and credit type.
	Usage []Usage
}
