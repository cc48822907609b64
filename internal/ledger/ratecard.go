package ledger

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
)

// MailClass is a USPS mail class as named in rate card files.
type MailClass string

// Mail classes a rate card may price.
const (
	FirstClass              MailClass = "first_class"
	Marketing               MailClass = "marketing"
	FirstClassInternational MailClass = "first_class_international"
)

// Format is a mail piece format (shape and size) as named in rate card files.
type Format string

// Formats a rate card may price.
const (
	Postcard4x6  Format = "postcard_4x6"
	Postcard6x9  Format = "postcard_6x9"
	Postcard6x11 Format = "postcard_6x11"
	Letter       Format = "letter"
)

// PresortLevel is the presort (sortation) level a piece qualified for.
type PresortLevel string

// Presort levels a rate card may price; SinglePiece means not presorted.
const (
	Presort5Digit PresortLevel = "5digit"
	Presort3Digit PresortLevel = "3digit"
	PresortAADC   PresortLevel = "aadc"
	PresortMixed  PresortLevel = "mixed"
	SinglePiece   PresortLevel = "single_piece"
)

var (
	knownClasses  = map[MailClass]bool{FirstClass: true, Marketing: true, FirstClassInternational: true}
	knownFormats  = map[Format]bool{Postcard4x6: true, Postcard6x9: true, Postcard6x11: true, Letter: true}
	knownPresorts = map[PresortLevel]bool{Presort5Digit: true, Presort3Digit: true, PresortAADC: true, PresortMixed: true, SinglePiece: true}
)

// Combo names one priced combination of class, format and presort level.
type Combo struct {
	// Class, Format and Level name the combination.
	Class  MailClass    `json:"class"`
	Format Format       `json:"format"`
	Level  PresortLevel `json:"level"`
}

// String formats c as "class/format/level", e.g. "first_class/postcard_6x11/aadc".
func (c Combo) String() string {
	return string(c.Class) + "/" + string(c.Format) + "/" + string(c.Level)
}

// RateSource names where a rate card's figures come from.
type RateSource struct {
	// Title names the document, URL where it is published.
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Rate is one price line of a rate card file.
type Rate struct {
	Combo
	// Price is postage per piece in dollars, e.g. "0.74" (at most 4 decimals).
	Price Amount `json:"price"`
	// Note says where the figure comes from when it is derived; empty means
	// read directly from the source.
	Note string `json:"note,omitempty"`
}

// RateCard is a validated, immutable postage price list loaded from JSON.
// It is safe for concurrent use.
type RateCard struct {
	// Version identifies the card in errors and reports, e.g. "usps-2025-07-13".
	Version string `json:"version"`
	// Effective is the first day (YYYY-MM-DD) the prices apply.
	Effective string `json:"effective"`
	// Currency is always "USD".
	Currency string `json:"currency"`
	// Source names the published price list the figures come from.
	Source RateSource `json:"source"`
	// Notes document the card: derived figures and combinations not priced.
	Notes []string `json:"notes,omitempty"`
	// Rates lists every priced combination.
	Rates []Rate `json:"rates"`

	prices map[Combo]Amount
}

// ErrNoPrice is matched (errors.Is) by every *NoPriceError.
var ErrNoPrice = errors.New("no price in rate card")

// NoPriceError reports a combination a rate card does not price.
type NoPriceError struct {
	// Combo is the combination without a price.
	Combo Combo
	// RateCard is the card's Version.
	RateCard string
}

// Error returns e.g. "no price for first_class/postcard_6x11/aadc in rate card usps-2025-07-13".
func (e *NoPriceError) Error() string {
	return fmt.Sprintf("no price for %s in rate card %s", e.Combo, e.RateCard)
}

// Is makes errors.Is(err, ErrNoPrice) true.
func (e *NoPriceError) Is(target error) bool { return target == ErrNoPrice }

// LoadRateCard reads a rate card JSON document from r and validates it: known
// classes, formats and levels; single_piece only for international; no
// duplicate combination; source, version and effective date present. Unknown
// fields are an error so a typo cannot silently drop a price.
func LoadRateCard(r io.Reader) (*RateCard, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var rc RateCard
	if err := dec.Decode(&rc); err != nil {
		return nil, fmt.Errorf("load rate card: decode: %w", err)
	}
	if err := rc.validate(); err != nil {
		return nil, fmt.Errorf("load rate card %q: %w", rc.Version, err)
	}
	return &rc, nil
}

func (rc *RateCard) validate() error {
	if rc.Version == "" {
		return errors.New("version is empty")
	}
	if _, err := time.Parse(time.DateOnly, rc.Effective); err != nil {
		return fmt.Errorf("effective date %q: want YYYY-MM-DD", rc.Effective)
	}
	if rc.Currency != "USD" {
		return fmt.Errorf("currency %q: only USD is supported", rc.Currency)
	}
	if rc.Source.Title == "" || rc.Source.URL == "" {
		return errors.New("source title and url are required")
	}
	if len(rc.Rates) == 0 {
		return errors.New("no rates")
	}
	rc.prices = make(map[Combo]Amount, len(rc.Rates))
	for i, rt := range rc.Rates {
		switch {
		case !knownClasses[rt.Class]:
			return fmt.Errorf("rates[%d]: unknown class %q", i, rt.Class)
		case !knownFormats[rt.Format]:
			return fmt.Errorf("rates[%d]: unknown format %q", i, rt.Format)
		case !knownPresorts[rt.Level]:
			return fmt.Errorf("rates[%d]: unknown presort level %q", i, rt.Level)
		case rt.Class == FirstClassInternational && rt.Level != SinglePiece:
			return fmt.Errorf("rates[%d]: %s is priced single_piece only", i, rt.Combo)
		case rt.Price <= 0:
			return fmt.Errorf("rates[%d]: %s: price must be positive", i, rt.Combo)
		}
		if _, dup := rc.prices[rt.Combo]; dup {
			return fmt.Errorf("rates[%d]: duplicate %s", i, rt.Combo)
		}
		rc.prices[rt.Combo] = rt.Price
	}
	return nil
}

// Price returns the postage for one piece of the combination, or a
// *NoPriceError (matching ErrNoPrice) naming it.
func (rc *RateCard) Price(class MailClass, format Format, level PresortLevel) (Amount, error) {
	c := Combo{class, format, level}
	p, ok := rc.prices[c]
	if !ok {
		return 0, &NoPriceError{Combo: c, RateCard: rc.Version}
	}
	return p, nil
}

// Check returns nil if every combination is priced, else one *NoPriceError per
// missing combination (joined, in the order given). A run calls it with the
// combinations it will mail before anything is charged.
func (rc *RateCard) Check(combos []Combo) error {
	var errs []error
	seen := make(map[Combo]bool, len(combos))
	for _, c := range combos {
		if seen[c] {
			continue
		}
		seen[c] = true
		if _, err := rc.Price(c.Class, c.Format, c.Level); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Combos lists the priced combinations sorted by class, format and level.
func (rc *RateCard) Combos() []Combo {
	out := make([]Combo, 0, len(rc.prices))
	for c := range rc.prices {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

//go:embed ratecards/*.json
var rateCardFS embed.FS

// DefaultRateCardFile is the embedded rate card DefaultRateCard loads.
const DefaultRateCardFile = "ratecards/usps-2025-07-13.json"

// DefaultRateCard loads the embedded USPS rate card named by DefaultRateCardFile.
func DefaultRateCard() (*RateCard, error) {
	b, err := rateCardFS.ReadFile(DefaultRateCardFile)
	if err != nil {
		return nil, fmt.Errorf("read embedded rate card: %w", err)
	}
	return LoadRateCard(bytes.NewReader(b))
}
