package pipeline

// Reasons of the address hygiene (validate) stage and its change-of-address
// (NCOA) step. The notes say what happened to a row that goes on.
const (
	// InvalidAddressZipUnknown: the ZIP Code is not in the USPS ZIP table.
	InvalidAddressZipUnknown Reason = "invalid_address:zip_unknown"
	// InvalidAddressZipMissing: no ZIP Code.
	InvalidAddressZipMissing Reason = "invalid_address:zip_missing"
	// InvalidAddressZipMalformed: the ZIP Code is not 5 or 9 digits.
	InvalidAddressZipMalformed Reason = "invalid_address:zip_malformed"
	// InvalidAddressZipState: the state disagrees with the ZIP Code and the city does not settle it.
	InvalidAddressZipState Reason = "invalid_address:zip_state_mismatch"
	// InvalidAddressStreetMissing: no delivery line.
	InvalidAddressStreetMissing Reason = "invalid_address:street_missing"
	// InvalidAddressPrimary: the delivery line has no primary (house, box or route) number.
	InvalidAddressPrimary Reason = "invalid_address:primary_missing"
	// InvalidAddressUnparseable: the delivery line fits no Pub 28 pattern.
	InvalidAddressUnparseable Reason = "invalid_address:unparseable"
	// InvalidAddressGarbage: a field is not address text.
	InvalidAddressGarbage Reason = "invalid_address:garbage"
	// InvalidAddressCountryUnknown: the country field names no known country.
	InvalidAddressCountryUnknown Reason = "invalid_address:country_unknown"
	// InvalidAddressIntl: a non-US address in a domestic-only campaign.
	InvalidAddressIntl Reason = "invalid_address:international_not_allowed"
	// InvalidAddressPostcode: a foreign postal code that does not fit its country's format.
	InvalidAddressPostcode Reason = "invalid_address:postal_code_format"
	// MovedNoForwarding: the addressee moved and left no forwarding address.
	MovedNoForwarding Reason = "moved:no_forwarding"
	// MovedBoxClosed: the PO box was closed with no forwarding address.
	MovedBoxClosed Reason = "moved:box_closed"
	// NoteAddressCorrected: the address was standardized with corrections (address_notes lists them).
	NoteAddressCorrected Reason = "note:address_corrected"
	// NoteAddressInternational: the address is outside the US and goes on as an international piece.
	NoteAddressInternational Reason = "note:address_international"
	// NoteNCOAUpdated: the address was replaced by the new address of a change-of-address record.
	NoteNCOAUpdated Reason = "note:ncoa_updated"
)

var addressReasons = map[Reason]string{
	InvalidAddressZipUnknown:     "the ZIP Code is not in the USPS ZIP table",
	InvalidAddressZipMissing:     "no ZIP Code",
	InvalidAddressZipMalformed:   "the ZIP Code is not 5 or 9 digits",
	InvalidAddressZipState:       "the state disagrees with the ZIP Code and the city does not settle it",
	InvalidAddressStreetMissing:  "no delivery line (street, PO box or route)",
	InvalidAddressPrimary:        "the delivery line has no primary (house, box or route) number",
	InvalidAddressUnparseable:    "the delivery line fits no Pub 28 pattern (two units, a street and a PO box, text after a box)",
	InvalidAddressGarbage:        "an address field is not address text (control characters, emoji, only punctuation, too long)",
	InvalidAddressCountryUnknown: "the country field names no country postmill knows",
	InvalidAddressIntl:           "a non-US address in a campaign that mails domestic only",
	InvalidAddressPostcode:       "a foreign postal code that does not fit its country's format",
	MovedNoForwarding:            "the addressee moved and left no forwarding address (change-of-address file)",
	MovedBoxClosed:               "the PO box was closed with no forwarding address (change-of-address file)",
	NoteAddressCorrected:         "note: the address was standardized with corrections; address_notes lists them",
	NoteAddressInternational:     "note: the address is outside the US and goes on as an international piece",
	NoteNCOAUpdated:              "note: the address was replaced by the new address of a change-of-address record",
}
