package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// AmountScale is the number of Amount units in one US dollar: an Amount counts
// hundredths of a cent.
const AmountScale = 10000

// Amount is money in hundredths of a cent (1/10000 USD). It is never a float:
// postage prices such as $0.593 and commission shares are exact in this unit.
type Amount int64

// ParseAmount parses a decimal US dollar string such as "0.74", "1.7" or
// "0.5930" (at most four decimals, optional leading "$", no sign) into an Amount.
func ParseAmount(s string) (Amount, error) {
	orig := s
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	if s == "" {
		return 0, fmt.Errorf("parse amount %q: empty", orig)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("parse amount %q: want digits like 0.74", orig)
	}
	if len(frac) > 4 {
		return 0, fmt.Errorf("parse amount %q: more than 4 decimals (finest unit is a hundredth of a cent)", orig)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("parse amount %q: want digits like 0.74", orig)
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<62)/AmountScale {
		return 0, fmt.Errorf("parse amount %q: out of range", orig)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
	}
	return Amount(w*AmountScale + f), nil
}

// String formats a as dollars with four decimals, e.g. "0.7400" or "-1.2500".
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%04d", sign, v/AmountScale, v%AmountScale)
}

// MarshalText writes a as String does, so JSON carries an exact decimal string.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses a decimal dollar string (a leading "-" is allowed here).
func (a *Amount) UnmarshalText(b []byte) error {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	v, err := ParseAmount(strings.TrimPrefix(s, "-"))
	if err != nil {
		return err
	}
	if neg {
		v = -v
	}
	*a = v
	return nil
}

// BasisPoints is a percentage in hundredths of a percent: 1500 is 15.00 %.
type BasisPoints int64

// MaxBasisPoints is 100 %, the largest commission an account may carry.
const MaxBasisPoints BasisPoints = 10000

// String formats p as a percentage, e.g. "15.00%".
func (p BasisPoints) String() string { return fmt.Sprintf("%d.%02d%%", p/100, p%100) }

// Validate reports an error unless 0 <= p <= 100 %.
func (p BasisPoints) Validate() error {
	if p < 0 || p > MaxBasisPoints {
		return fmt.Errorf("commission %d basis points: must be between 0 and %d", int64(p), int64(MaxBasisPoints))
	}
	return nil
}

// Margin is the parent's share of one credit sold at price under commission
// p, rounded half up to the nearest hundredth of a cent.
func Margin(price Amount, p BasisPoints) Amount {
	return Amount((int64(price)*int64(p) + int64(MaxBasisPoints)/2) / int64(MaxBasisPoints))
}

var errOverflow = errors.New("amount overflow")

// mulAmount returns a*n, failing instead of wrapping around.
func mulAmount(a Amount, n int64) (Amount, error) {
	if n == 0 || a == 0 {
		return 0, nil
	}
	r := int64(a) * n
	if r/n != int64(a) {
		return 0, errOverflow
	}
	return Amount(r), nil
}
