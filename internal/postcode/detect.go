package postcode

// Result is what Detect found out about one address's country and postal code.
type Result struct {
	// Country is the destination, an ISO alpha-2 code; "" when the country
	// field names no known country (Status is then CountryUnknown).
	Country Country
	// Postcode is the normalized postal code (see Normalize).
	Postcode Postcode
	// Status is how the code fared against Country's format. For US it checks
	// the shape only (5 or 9 digits); zipdb knows the table and repairs
	// dropped leading zeros, so the validate stage asks it for US addresses.
	Status Status
	// Inferred reports that the country field was empty and the country was
	// read from the postal code's shape.
	Inferred bool
}

// Detect decides where a piece goes from its country, state and postal code
// fields:
//
//   - a country field that names a country (see Lookup) decides: that
//     country, and the code is checked against its format; a country field
//     that names nothing known gives CountryUnknown;
//   - an empty country field with a postal code that has the shape of a GB,
//     CA, IE (Eircode) or NL code — shapes with letters, which no US ZIP has —
//     and a state field that is not a US state or territory code gives that
//     country (Inferred);
//   - anything else is US.
//
// A numeric foreign code (DE 10115, FR 75001) cannot be told from a US ZIP, so
// it needs the country field. Detect does not allocate.
func Detect(country, state, zip []byte) Result {
	if c := trimBlank(country); len(c) > 0 {
		cc, ok := Lookup(c)
		if !ok {
			var r Result
			r.Postcode.n = uint8(upperSqueeze(&r.Postcode.b, trimBlank(zip)))
			r.Status = CountryUnknown
			return r
		}
		p, st := Normalize(cc, zip)
		return Result{Country: cc, Postcode: p, Status: st}
	}
	if hasLetter(zip) && !isUSState(trimBlank(state)) { // US ZIPs have no letters
		for _, cc := range inferable {
			if p, st := Normalize(cc, zip); st == Valid {
				return Result{Country: cc, Postcode: p, Status: st, Inferred: true}
			}
		}
	}
	p, st := Normalize(US, zip)
	return Result{Country: US, Postcode: p, Status: st}
}

// inferable are the countries whose postal codes Detect recognizes without a
// country field: their shapes all contain letters and do not overlap.
var inferable = [...]Country{GB, CA, IE, NL}

func hasLetter(s []byte) bool {
	for _, c := range s {
		if isLetter(c) {
			return true
		}
	}
	return false
}

// usStates are the USPS two-letter codes of the states, DC, the territories
// and freely associated states, and the military "states" AA, AE, AP.
const usStates = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY " +
	"PR VI GU AS MP FM MH PW AA AE AP"

// isUSState reports whether s is a USPS state code, in any case.
func isUSState(s []byte) bool {
	if len(s) != 2 || !isLetter(s[0]) || !isLetter(s[1]) {
		return false
	}
	a, b := s[0]&^0x20, s[1]&^0x20
	for i := 0; i+1 < len(usStates); i += 3 {
		if usStates[i] == a && usStates[i+1] == b {
			return true
		}
	}
	return false
}
