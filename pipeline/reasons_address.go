package pipeline

// Reasons of the address hygiene (validate) stage.
const (
	InvalidAddressZipUnknown    Reason = "invalid_address:zip_unknown"
	InvalidAddressZipMissing    Reason = "invalid_address:zip_missing"
	InvalidAddressZipMalformed  Reason = "invalid_address:zip_malformed"
	InvalidAddressZipState      Reason = "invalid_address:zip_state_mismatch"
	InvalidAddressStreetMissing Reason = "invalid_address:street_missing"
	InvalidAddressPrimary       Reason = "invalid_address:primary_missing"
	InvalidAddressGarbage       Reason = "invalid_address:garbage"
	InvalidAddressIntl          Reason = "invalid_address:international_not_allowed"
	InvalidAddressPostcode      Reason = "invalid_address:postal_code_format"
	MovedNoForwarding           Reason = "moved:no_forwarding"
	MovedBoxClosed              Reason = "moved:box_closed"
)

var addressReasons = map[Reason]string{
	InvalidAddressZipUnknown:    "the ZIP Code is not in the USPS ZIP table",
	InvalidAddressZipMissing:    "no ZIP Code",
	InvalidAddressZipMalformed:  "the ZIP Code is not 5 or 9 digits",
	InvalidAddressZipState:      "the state disagrees with the ZIP Code and the city does not settle it",
	InvalidAddressStreetMissing: "no delivery line (street, PO box or route)",
	InvalidAddressPrimary:       "the delivery line has no primary (house) number",
	InvalidAddressGarbage:       "the delivery line is not an address (control characters, only punctuation, too long)",
	InvalidAddressIntl:          "a non-US address in a campaign that mails domestic only",
	InvalidAddressPostcode:      "a foreign postal code that does not fit its country's format",
	MovedNoForwarding:           "the addressee moved and left no forwarding address (change-of-address file)",
	MovedBoxClosed:              "the PO box was closed with no forwarding address (change-of-address file)",
}
