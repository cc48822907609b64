package postcode

import "strconv"

// Postcode is a normalized postal code held inline, so producing one does not
// allocate. The zero value is the empty code.
type Postcode struct {
	n uint8
	b [postcodeMax]byte
}

// postcodeMax bounds a postal code; the longest format here is 10 bytes
// (12345-6789). Longer input is malformed.
const postcodeMax = 15

// Bytes returns the code; the slice points into p and is valid while p is.
func (p *Postcode) Bytes() []byte { return p.b[:p.n] }

// String returns the code as a string.
func (p Postcode) String() string { return string(p.b[:p.n]) }

// Len returns the code's length in bytes; 0 for no code.
func (p Postcode) Len() int { return int(p.n) }

// AppendTo appends the code to dst.
func (p Postcode) AppendTo(dst []byte) []byte { return append(dst, p.b[:p.n]...) }

// Status says how a postal code fared against its country's format.
type Status uint8

// Statuses, with the detail names String gives them.
const (
	// Valid (postal_code_valid): the code fits the country's format.
	Valid Status = iota
	// Unchecked (postal_code_unchecked): the package knows no format for the
	// country, so the code is passed through trimmed and upper-cased; or the
	// country has no postal codes and none was given.
	Unchecked
	// Missing (postal_code_missing): no postal code was given, and the
	// country uses them.
	Missing
	// Malformed (postal_code_format): the code does not fit the country's format.
	Malformed
	// CountryUnknown (country_unknown): the country field names no country
	// the package knows.
	CountryUnknown
)

var statusNames = [...]string{"postal_code_valid", "postal_code_unchecked", "postal_code_missing", "postal_code_format", "country_unknown"}

// String returns the status's lower snake case detail name, e.g.
// "postal_code_format".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// OK reports whether the code may be mailed as it is: Valid or Unchecked.
func (s Status) OK() bool { return s == Valid || s == Unchecked }

// patterns holds each country's postal code formats, "|"-separated: '9' a
// digit, 'A' a letter, ' ' and '-' the separator written at that place in the
// normalized code. Input may carry the separators or not, in any case. US
// (99999 or 99999-9999), GB (with JE, GG, IM) and IE have their own code in
// Normalize; the extra rules of CA, NL and ES are in extraRules.
var patterns = map[Country]string{
	US:   "99999|99999-9999",
	CA:   "A9A 9A9",
	"MX": "99999", "DE": "99999", "FR": "99999", "IT": "99999", "ES": "99999", "FI": "99999",
	"KR": "99999", "MY": "99999", "TH": "99999", "HR": "99999", "EE": "99999", "UA": "99999",
	"TR": "99999", "MA": "99999", "EG": "99999", "SA": "99999", "KW": "99999", "PK": "99999",
	"LK": "99999", "NP": "99999", "ID": "99999", "RS": "99999", "DO": "99999", "CR": "99999",
	"GT": "99999", "UY": "99999", "JO": "99999",
	"AU": "9999", "AT": "9999", "BE": "9999", "CH": "9999", "DK": "9999", "NO": "9999",
	"NZ": "9999", "ZA": "9999", "HU": "9999", "LU": "9999", "PH": "9999", "BG": "9999",
	"SI": "9999", "CY": "9999", "BD": "9999", "PY": "9999",
	NL:   "9999 AA",
	"JP": "999-9999",
	"BR": "99999-999",
	"PL": "99-999",
	"PT": "9999-999",
	"SE": "999 99", "CZ": "999 99", "SK": "999 99", "GR": "999 99",
	"IN": "999999", "CN": "999999", "SG": "999999", "RU": "999999", "RO": "999999",
	"VN": "999999", "NG": "999999", "EC": "999999", "CO": "999999",
	"IL": "9999999",
	"IS": "999",
	"TW": "999|99999|999-99",
	"LV": "LV-9999",
	"LT": "LT-99999",
	"MT": "AAA 9999",
	"BM": "AA 99|AA AA",
	"KY": "KY9-9999",
	"AR": "A9999AAA|9999",
	"CL": "9999999",
	"PE": "99999",
	"KE": "99999",
	"VE": "9999",
}

// Normalize checks a postal code against c's format and returns it in
// canonical form (capitals, the country's separator: "SW1A 2AA", "K1A 0B1",
// "1234 AB", "100-0001"). A leading country prefix on a numeric code ("D-10115",
// "NL-1234 AB") is dropped. A code that does not fit comes back trimmed and
// upper-cased (cut to 15 bytes) with Malformed; a country without a known
// format gives Unchecked.
// It does not allocate.
func Normalize(c Country, code []byte) (Postcode, Status) {
	raw := trimBlank(code)
	if len(raw) == 0 {
		if noPostcode(c) {
			return Postcode{}, Unchecked
		}
		return Postcode{}, Missing
	}
	var compact [postcodeMax]byte
	switch c {
	case US:
		if n, ok := compactCode(&compact, raw); ok && (n == 5 || n == 9) && allDigits(compact[:n]) {
			var p Postcode
			p.n = uint8(copy(p.b[:], compact[:5]))
			if n == 9 {
				p.b[5] = '-'
				p.n += uint8(copy(p.b[6:], compact[5:9])) + 1
			}
			return p, Valid
		}
		return squeezed(raw), Malformed
	case GB, "JE", "GG", "IM":
		if n, ok := compactCode(&compact, raw); ok {
			if p, ok := gbCode(compact[:n]); ok {
				return p, Valid
			}
		}
		return squeezed(raw), Malformed
	case IE:
		if n, ok := compactCode(&compact, raw); ok {
			if p, ok := eircode(compact[:n]); ok {
				return p, Valid
			}
		}
		return squeezed(raw), Malformed
	}

	pats, known := patterns[c]
	if !known {
		if len(raw) > postcodeMax {
			return squeezed(raw), Malformed
		}
		return squeezed(raw), Unchecked
	}
	body := raw
	if pats[0] == '9' {
		body = dropCountryPrefix(raw)
	}
	n, ok := compactCode(&compact, body)
	if !ok {
		return squeezed(raw), Malformed
	}
	for rest := pats; rest != ""; {
		pat := rest
		if i := indexByte(rest, '|'); i >= 0 {
			pat, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if p, ok := applyPattern(pat, compact[:n]); ok && extraRules(c, &p) {
			return p, Valid
		}
	}
	return squeezed(raw), Malformed
}

// squeezed is the code as given, upper-cased, blanks squeezed, cut to size.
func squeezed(raw []byte) Postcode {
	var p Postcode
	p.n = uint8(upperSqueeze(&p.b, raw))
	return p
}

func allDigits(s []byte) bool {
	for _, c := range s {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// noPostcode reports whether c has no postal code system, so that an empty
// code is not Missing.
func noPostcode(c Country) bool {
	switch c {
	case "HK", "MO", "AE", "QA", "BS":
		return true
	}
	return false
}

// applyPattern matches compact (no separators) against pat and writes the
// normalized code.
func applyPattern(pat string, compact []byte) (Postcode, bool) {
	var p Postcode
	j := 0
	for i := 0; i < len(pat); i++ {
		k := pat[i]
		if k == ' ' || k == '-' {
			p.b[p.n] = k
			p.n++
			continue
		}
		if j == len(compact) {
			return p, false
		}
		c := compact[j]
		switch {
		case k == '9':
			if !isDigit(c) {
				return p, false
			}
		case k == 'A':
			if !isUpper(c) {
				return p, false
			}
		case c != k: // a literal such as the LV in LV-1234
			return p, false
		}
		p.b[p.n] = c
		p.n++
		j++
	}
	return p, j == len(compact)
}

// extraRules applies what the simple patterns cannot say.
func extraRules(c Country, p *Postcode) bool {
	b := p.b[:p.n]
	switch c {
	case CA: // no D F I O Q U anywhere; no W or Z first
		for _, i := range [...]int{0, 2, 5} {
			if indexByte("DFIOQU", b[i]) >= 0 {
				return false
			}
		}
		return b[0] != 'W' && b[0] != 'Z'
	case NL: // 1000-9999, and the letters are never SA, SD or SS
		l := string(b[5:7])
		return b[0] != '0' && l != "SA" && l != "SD" && l != "SS"
	case "ES": // province 01-52
		prov := int(b[0]-'0')*10 + int(b[1]-'0')
		return prov >= 1 && prov <= 52
	}
	return true
}

// gbCode checks a UK postcode without its space: outward code A9, A99, AA9,
// AA99, A9A or AA9A, then inward code 9AA (inward letters never C I K M O V);
// or the special GIR 0AA.
func gbCode(s []byte) (Postcode, bool) {
	var p Postcode
	if len(s) < 5 || len(s) > 7 {
		return p, false
	}
	out, in := s[:len(s)-3], s[len(s)-3:]
	if !isDigit(in[0]) || !gbInward(in[1]) || !gbInward(in[2]) {
		return p, false
	}
	if string(s) != "GIR0AA" && !gbOutward(out) {
		return p, false
	}
	p.n = uint8(copy(p.b[:], out))
	p.b[p.n] = ' '
	p.n++
	p.n += uint8(copy(p.b[p.n:], in))
	return p, true
}

func gbInward(c byte) bool { return isUpper(c) && indexByte("CIKMOV", c) < 0 }

func gbOutward(o []byte) bool {
	if len(o) < 2 || !isUpper(o[0]) {
		return false
	}
	switch len(o) {
	case 2: // A9
		return isDigit(o[1])
	case 3: // A99, AA9, A9A
		return isDigit(o[1]) && (isDigit(o[2]) || isUpper(o[2])) || isUpper(o[1]) && isDigit(o[2])
	case 4: // AA99, AA9A
		return isUpper(o[1]) && isDigit(o[2]) && (isDigit(o[3]) || isUpper(o[3]))
	}
	return false
}

// eircode checks an Irish Eircode without its space: a routing key (a letter
// and two digits, or D6W) and a four-character unique identifier.
func eircode(s []byte) (Postcode, bool) {
	const letters = "ACDEFHKNPRTVWXY"
	var p Postcode
	if len(s) != 7 {
		return p, false
	}
	key := s[:3]
	if string(key) != "D6W" && (indexByte(letters, key[0]) < 0 || !isDigit(key[1]) || !isDigit(key[2])) {
		return p, false
	}
	for _, c := range s[3:] {
		if !isDigit(c) && indexByte(letters, c) < 0 {
			return p, false
		}
	}
	p.n = uint8(copy(p.b[:], key))
	p.b[p.n] = ' '
	p.n++
	p.n += uint8(copy(p.b[p.n:], s[3:]))
	return p, true
}

// compactCode upper-cases s and drops blanks and hyphens. It reports false when
// anything but ASCII letters and digits remains or the result is too long.
func compactCode(dst *[postcodeMax]byte, s []byte) (int, bool) {
	n := 0
	for _, c := range s {
		switch {
		case c == '-' || isBlank(c):
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case isUpper(c) || isDigit(c):
		default:
			return n, false
		}
		if n == postcodeMax {
			return n, false
		}
		dst[n] = c
		n++
	}
	return n, true
}

// upperSqueeze writes s upper-cased with runs of blanks as one space, cut at
// postcodeMax bytes.
func upperSqueeze(dst *[postcodeMax]byte, s []byte) int {
	n := 0
	space := false
	for _, c := range s {
		if isBlank(c) {
			space = n > 0
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if space {
			if n == postcodeMax {
				break
			}
			dst[n] = ' '
			n++
			space = false
		}
		if n == postcodeMax {
			break
		}
		dst[n] = c
		n++
	}
	return n
}

// dropCountryPrefix removes a leading "D-", "CH-", "NL-" (1 to 3 letters and a
// hyphen) from a code whose format starts with a digit.
func dropCountryPrefix(s []byte) []byte {
	i := 0
	for i < len(s) && i < 4 && isLetter(s[i]) {
		i++
	}
	if i >= 1 && i <= 3 && i+1 < len(s) && s[i] == '-' {
		return trimBlank(s[i+1:])
	}
	return s
}

func isDigit(c byte) bool  { return c-'0' <= 9 }
func isUpper(c byte) bool  { return c-'A' <= 'Z'-'A' }
func isLetter(c byte) bool { return (c|0x20)-'a' <= 'z'-'a' }
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func trimBlank(s []byte) []byte {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
