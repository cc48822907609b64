package gen

import (
	"errors"
	"fmt"
)

// Defaults of Config, rates as fractions of all rows unless noted.
const (
	DefaultRows          = 100_000 // Config.Rows
	DefaultMessy         = 0.15    // Config.Messy
	DefaultInvalid       = 0.02    // Config.Invalid
	DefaultDroppedZero   = 0.5     // Config.DroppedZero, of rows whose ZIP starts with 0
	DefaultDupExact      = 0.02    // Config.DupExact
	DefaultDupVariant    = 0.02    // Config.DupVariant
	DefaultHousehold     = 0.02    // Config.Household
	DefaultSuppressed    = 0.01    // Config.Suppressed
	DefaultMoved         = 0.005   // Config.Moved
	DefaultMissingMerge  = 0.01    // Config.MissingMerge
	DefaultInternational = 0.002   // Config.International
)

// Shares of the address kinds and extras of a new contact. They are fixed:
// they shape realistic data rather than inject problems.
const (
	poBoxRate      = 0.03
	ruralRouteRate = 0.005
	orgRate        = 0.06
	unitRate       = 0.14
	preDirRate     = 0.10
	postDirRate    = 0.03
	numberedRate   = 0.12
	plus4Rate      = 0.08
	emailRate      = 0.92
	usCountryRate  = 0.08 // domestic rows whose country field says US
)

// ErrConfig is wrapped by the errors Config.Validate returns.
var ErrConfig = errors.New("gen: invalid config")

// Config says how much data to generate and which problems to inject.
//
// Rates are fractions in [0, 1]. A zero rate means the default; a negative
// rate turns the kind off. The row kinds (DupExact, DupVariant, Household,
// Suppressed, Moved, Invalid, MissingMerge, International) are exclusive, so
// their sum must not exceed 1; every other row is a clean new contact.
// Messy and DroppedZero change how a row is written, whatever its kind.
type Config struct {
	// Rows is how many contact rows to write. Default (0): DefaultRows.
	Rows int
	// Seed seeds the generator; the same Config gives byte-identical output.
	// Zero is a seed like any other.
	Seed uint64

	// Messy is the share of rows written untidily: lower or odd case,
	// periods ("Rd."), spelled-out suffixes, directionals and unit words
	// ("Street", "North", "Apartment"), extra spaces. Default: 0.15.
	Messy float64
	// Invalid is the share of undeliverable rows, split between an unknown
	// ZIP, a missing street, a missing house number and a garbage delivery
	// line. Default: 0.02.
	Invalid float64
	// DroppedZero is the share of rows with a ZIP starting with 0 whose ZIP
	// is written without its leading zeros, as a spreadsheet does. Default: 0.5.
	DroppedZero float64
	// DupExact is the share of rows that repeat an earlier row byte for byte.
	// Default: 0.02.
	DupExact float64
	// DupVariant is the share of rows that repeat an earlier contact (same
	// name and address) written differently, with another external_id.
	// Default: 0.02.
	DupVariant float64
	// Household is the share of rows with another first name at an earlier
	// contact's surname and address. Default: 0.02.
	Household float64
	// Suppressed is the share of rows whose email (half of them) or address
	// (the other half, written differently in the list) is on the generated
	// suppression lists. Default: 0.01.
	Suppressed float64
	// Moved is the share of rows whose name and address are in the generated
	// change-of-address file. Default: 0.005.
	Moved float64
	// MissingMerge is the share of rows with an empty var_field_1.
	// Default: 0.01.
	MissingMerge float64
	// International is the share of rows with a foreign address and
	// address_country set (CA, GB, DE, MX, AU, FR, NL, JP). Default: 0.002.
	International float64
}

// withDefaults returns c with zero rates replaced by the defaults and
// negative ones by 0.
func (c Config) withDefaults() Config {
	if c.Rows == 0 {
		c.Rows = DefaultRows
	}
	rate := func(v *float64, def float64) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0
		}
	}
	rate(&c.Messy, DefaultMessy)
	rate(&c.Invalid, DefaultInvalid)
	rate(&c.DroppedZero, DefaultDroppedZero)
	rate(&c.DupExact, DefaultDupExact)
	rate(&c.DupVariant, DefaultDupVariant)
	rate(&c.Household, DefaultHousehold)
	rate(&c.Suppressed, DefaultSuppressed)
	rate(&c.Moved, DefaultMoved)
	rate(&c.MissingMerge, DefaultMissingMerge)
	rate(&c.International, DefaultInternational)
	return c
}

// Validate reports whether c, with its defaults applied, can be generated.
func (c Config) Validate() error {
	d := c.withDefaults()
	if d.Rows < 0 {
		return fmt.Errorf("%w: Rows %d is negative", ErrConfig, c.Rows)
	}
	rates := []struct {
		name string
		v    float64
	}{{"Messy", d.Messy}, {"Invalid", d.Invalid}, {"DroppedZero", d.DroppedZero}, {"DupExact", d.DupExact},
		{"DupVariant", d.DupVariant}, {"Household", d.Household}, {"Suppressed", d.Suppressed}, {"Moved", d.Moved},
		{"MissingMerge", d.MissingMerge}, {"International", d.International}}
	for _, r := range rates {
		if r.v > 1 || r.v != r.v {
			return fmt.Errorf("%w: %s %v is not a fraction in [0, 1]", ErrConfig, r.name, r.v)
		}
	}
	if s := d.kindSum(); s > 1 {
		return fmt.Errorf("%w: row kind rates add up to %v, more than 1", ErrConfig, s)
	}
	return nil
}

// kindSum adds the rates of the exclusive row kinds.
func (c Config) kindSum() float64 {
	return c.DupExact + c.DupVariant + c.Household + c.Suppressed + c.Moved + c.Invalid + c.MissingMerge + c.International
}
