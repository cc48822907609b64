package gen

// Kind is what a generated row is, the ground truth a benchmark checks its
// funnel against. Every row has exactly one Kind.
type Kind uint8

// Row kinds.
const (
	// Clean is a new contact with a deliverable US address; it may still be
	// written messily or with its ZIP's leading zeros dropped.
	Clean Kind = iota
	// DupExact repeats an earlier Clean row byte for byte.
	DupExact
	// DupVariant is an earlier Clean row's person and address written
	// differently, with its own external_id.
	DupVariant
	// Household is another first name at an earlier Clean row's surname and address.
	Household
	// InvalidZIPUnknown has a well-formed ZIP that is not in the USPS table.
	InvalidZIPUnknown
	// InvalidStreetMissing has no delivery line.
	InvalidStreetMissing
	// InvalidPrimaryMissing has a street without a house number.
	InvalidPrimaryMissing
	// InvalidGarbage has a delivery line of punctuation only.
	InvalidGarbage
	// SuppressedEmail has an email that is on suppress-email.csv.
	SuppressedEmail
	// SuppressedAddress has an address that is on suppress-address.csv, written differently there.
	SuppressedAddress
	// MovedNewAddress is in coa.csv with a forwarding address.
	MovedNewAddress
	// MovedNoForwarding is in coa.csv as moved, left no address.
	MovedNoForwarding
	// MovedBoxClosed is a PO box in coa.csv as closed, no forwarding address.
	MovedBoxClosed
	// MissingMerge has an empty var_field_1.
	MissingMerge
	// International has a foreign address and address_country set.
	International

	numKinds
)

var kindNames = [numKinds]string{"clean", "dup_exact", "dup_variant", "household", "invalid_zip_unknown",
	"invalid_street_missing", "invalid_primary_missing", "invalid_garbage", "suppressed_email",
	"suppressed_address", "moved_new_address", "moved_no_forwarding", "moved_box_closed", "missing_merge",
	"international"}

// String returns the kind's lower snake case name, e.g. "dup_variant".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// Kinds lists every kind in order.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// Stats counts what was generated. The kind counts add up to Rows; Messy,
// DroppedZero and the address shapes count rows of any kind.
type Stats struct {
	Rows int64 `json:"rows"` // contact rows written

	// Rows of each Kind, named as the Kind constants.
	Clean                 int64 `json:"clean"`
	DupExact              int64 `json:"dup_exact"`
	DupVariant            int64 `json:"dup_variant"`
	Household             int64 `json:"household"`
	InvalidZIPUnknown     int64 `json:"invalid_zip_unknown"`
	InvalidStreetMissing  int64 `json:"invalid_street_missing"`
	InvalidPrimaryMissing int64 `json:"invalid_primary_missing"`
	InvalidGarbage        int64 `json:"invalid_garbage"`
	SuppressedEmail       int64 `json:"suppressed_email"`
	SuppressedAddress     int64 `json:"suppressed_address"`
	MovedNewAddress       int64 `json:"moved_new_address"`
	MovedNoForwarding     int64 `json:"moved_no_forwarding"`
	MovedBoxClosed        int64 `json:"moved_box_closed"`
	MissingMerge          int64 `json:"missing_merge"`
	International         int64 `json:"international"`

	Messy        int64 `json:"messy"`        // rows written untidily
	DroppedZero  int64 `json:"dropped_zero"` // rows whose ZIP lost its leading zeros
	ZIPPlus4     int64 `json:"zip_plus4"`    // rows with a ZIP+4
	POBox        int64 `json:"po_box"`       // rows addressed to a PO box
	RuralRoute   int64 `json:"rural_route"`  // rows addressed to a rural route box
	Unit         int64 `json:"unit"`         // rows with a secondary unit (APT, STE, …)
	Organization int64 `json:"organization"` // rows with an organization
	USCountry    int64 `json:"us_country"`   // domestic rows whose address_country says US

	SuppressEmailEntries   int64 `json:"suppress_email_entries"`   // lines of suppress-email.csv, matching or not
	SuppressAddressEntries int64 `json:"suppress_address_entries"` // lines of suppress-address.csv, matching or not
	COAEntries             int64 `json:"coa_entries"`              // lines of coa.csv, matching or not
}

// Count returns the number of rows of kind k.
func (s *Stats) Count(k Kind) int64 { return *s.kindField(k) }

// kindField points at the counter of kind k.
func (s *Stats) kindField(k Kind) *int64 {
	switch k {
	case DupExact:
		return &s.DupExact
	case DupVariant:
		return &s.DupVariant
	case Household:
		return &s.Household
	case InvalidZIPUnknown:
		return &s.InvalidZIPUnknown
	case InvalidStreetMissing:
		return &s.InvalidStreetMissing
	case InvalidPrimaryMissing:
		return &s.InvalidPrimaryMissing
	case InvalidGarbage:
		return &s.InvalidGarbage
	case SuppressedEmail:
		return &s.SuppressedEmail
	case SuppressedAddress:
		return &s.SuppressedAddress
	case MovedNewAddress:
		return &s.MovedNewAddress
	case MovedNoForwarding:
		return &s.MovedNoForwarding
	case MovedBoxClosed:
		return &s.MovedBoxClosed
	case MissingMerge:
		return &s.MissingMerge
	case International:
		return &s.International
	default:
		return &s.Clean
	}
}

// Invalid returns the rows of the four invalid kinds.
func (s *Stats) Invalid() int64 {
	return s.InvalidZIPUnknown + s.InvalidStreetMissing + s.InvalidPrimaryMissing + s.InvalidGarbage
}

// Suppressed returns the rows on a suppression list.
func (s *Stats) Suppressed() int64 { return s.SuppressedEmail + s.SuppressedAddress }

// Moved returns the rows in the change-of-address file.
func (s *Stats) Moved() int64 { return s.MovedNewAddress + s.MovedNoForwarding + s.MovedBoxClosed }
