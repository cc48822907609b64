package postcode

// Country is an ISO 3166-1 alpha-2 code in capitals, such as "GB". The empty
// Country means the country is not known.
type Country string

// Countries the package refers to by name.
const (
	US Country = "US" // United States, with its territories
	CA Country = "CA" // Canada
	GB Country = "GB" // United Kingdom
	IE Country = "IE" // Ireland
	NL Country = "NL" // Netherlands
)

// Name returns the country's English name in capitals, as it goes on the last
// line of an international address ("UNITED KINGDOM"); "" for a country not in
// the table.
func (c Country) Name() string { return countryNames[c] }

// countryTable lists each country's code, its name for the address's last line,
// and the other spellings Lookup accepts, "|"-separated. The alpha-2 code is
// always accepted. Spellings are in canonical form (see canonCountry).
// The US territories and freely associated states that take US ZIP Codes and
// domestic mail (PR, GU, VI, AS, MP, FM, MH, PW) are US here: the state field
// carries them.
var countryTable = []struct {
	code    Country
	name    string
	aliases string
}{
	{US, "UNITED STATES", "USA|U S|U S A|UNITED STATES OF AMERICA|AMERICA|UNITED STATES AMERICA|ESTADOS UNIDOS|ETATS UNIS|" +
		"PR|PRI|PUERTO RICO|GU|GUM|GUAM|VI|VIR|US VIRGIN ISLANDS|VIRGIN ISLANDS|AS|ASM|AMERICAN SAMOA|" +
		"MP|MNP|NORTHERN MARIANA ISLANDS|FM|FSM|MICRONESIA|MH|MHL|MARSHALL ISLANDS|PW|PLW|PALAU"},
	{CA, "CANADA", "CAN"},
	{"MX", "MEXICO", "MEX|ESTADOS UNIDOS MEXICANOS"},
	{GB, "UNITED KINGDOM", "GBR|UK|U K|GREAT BRITAIN|BRITAIN|ENGLAND|SCOTLAND|WALES|NORTHERN IRELAND|" +
		"UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND"},
	{IE, "IRELAND", "IRL|EIRE|REPUBLIC OF IRELAND|IRISH REPUBLIC"},
	{"JE", "JERSEY", "JEY|CHANNEL ISLANDS JERSEY"},
	{"GG", "GUERNSEY", "GGY|CHANNEL ISLANDS GUERNSEY"},
	{"IM", "ISLE OF MAN", "IMN"},
	{"FR", "FRANCE", "FRA|REPUBLIQUE FRANCAISE"},
	{"DE", "GERMANY", "DEU|DEUTSCHLAND|FEDERAL REPUBLIC OF GERMANY|BUNDESREPUBLIK DEUTSCHLAND"},
	{"IT", "ITALY", "ITA|ITALIA"},
	{"ES", "SPAIN", "ESP|ESPANA"},
	{"PT", "PORTUGAL", "PRT"},
	{NL, "NETHERLANDS", "NLD|HOLLAND|NEDERLAND|KINGDOM OF THE NETHERLANDS"},
	{"BE", "BELGIUM", "BEL|BELGIQUE|BELGIE"},
	{"LU", "LUXEMBOURG", "LUX"},
	{"CH", "SWITZERLAND", "CHE|SCHWEIZ|SUISSE|SVIZZERA"},
	{"AT", "AUSTRIA", "AUT|OSTERREICH|OESTERREICH"},
	{"DK", "DENMARK", "DNK|DANMARK"},
	{"SE", "SWEDEN", "SWE|SVERIGE"},
	{"NO", "NORWAY", "NOR|NORGE"},
	{"FI", "FINLAND", "FIN|SUOMI"},
	{"IS", "ICELAND", "ISL"},
	{"PL", "POLAND", "POL|POLSKA"},
	{"CZ", "CZECHIA", "CZE|CZECH REPUBLIC"},
	{"SK", "SLOVAKIA", "SVK|SLOVAK REPUBLIC"},
	{"HU", "HUNGARY", "HUN"},
	{"RO", "ROMANIA", "ROU"},
	{"BG", "BULGARIA", "BGR"},
	{"GR", "GREECE", "GRC|HELLAS"},
	{"HR", "CROATIA", "HRV"},
	{"SI", "SLOVENIA", "SVN"},
	{"RS", "SERBIA", "SRB"},
	{"EE", "ESTONIA", "EST"},
	{"LV", "LATVIA", "LVA"},
	{"LT", "LITHUANIA", "LTU"},
	{"UA", "UKRAINE", "UKR"},
	{"RU", "RUSSIA", "RUS|RUSSIAN FEDERATION"},
	{"TR", "TURKEY", "TUR|TURKIYE"},
	{"CY", "CYPRUS", "CYP"},
	{"MT", "MALTA", "MLT"},
	{"IL", "ISRAEL", "ISR"},
	{"AE", "UNITED ARAB EMIRATES", "ARE|UAE|U A E"},
	{"SA", "SAUDI ARABIA", "SAU|KSA"},
	{"QA", "QATAR", "QAT"},
	{"KW", "KUWAIT", "KWT"},
	{"JO", "JORDAN", "JOR"},
	{"LB", "LEBANON", "LBN"},
	{"EG", "EGYPT", "EGY"},
	{"MA", "MOROCCO", "MAR"},
	{"ZA", "SOUTH AFRICA", "ZAF|RSA|REPUBLIC OF SOUTH AFRICA"},
	{"NG", "NIGERIA", "NGA"},
	{"KE", "KENYA", "KEN"},
	{"GH", "GHANA", "GHA"},
	{"IN", "INDIA", "IND|BHARAT"},
	{"PK", "PAKISTAN", "PAK"},
	{"BD", "BANGLADESH", "BGD"},
	{"LK", "SRI LANKA", "LKA"},
	{"NP", "NEPAL", "NPL"},
	{"CN", "CHINA", "CHN|PRC|PEOPLES REPUBLIC OF CHINA|PR CHINA"},
	{"HK", "HONG KONG", "HKG|HONG KONG SAR|HONG KONG CHINA"},
	{"MO", "MACAO", "MAC|MACAU"},
	{"TW", "TAIWAN", "TWN|REPUBLIC OF CHINA|TAIWAN ROC"},
	{"JP", "JAPAN", "JPN|NIPPON|NIHON"},
	{"KR", "SOUTH KOREA", "KOR|KOREA|REPUBLIC OF KOREA|KOREA REPUBLIC OF|KOREA SOUTH"},
	{"SG", "SINGAPORE", "SGP"},
	{"MY", "MALAYSIA", "MYS"},
	{"TH", "THAILAND", "THA"},
	{"VN", "VIETNAM", "VNM|VIET NAM"},
	{"PH", "PHILIPPINES", "PHL|REPUBLIC OF THE PHILIPPINES"},
	{"ID", "INDONESIA", "IDN"},
	{"AU", "AUSTRALIA", "AUS"},
	{"NZ", "NEW ZEALAND", "NZL|AOTEAROA"},
	{"BR", "BRAZIL", "BRA|BRASIL"},
	{"AR", "ARGENTINA", "ARG"},
	{"CL", "CHILE", "CHL"},
	{"CO", "COLOMBIA", "COL"},
	{"PE", "PERU", "PER"},
	{"VE", "VENEZUELA", "VEN"},
	{"EC", "ECUADOR", "ECU"},
	{"UY", "URUGUAY", "URY"},
	{"PY", "PARAGUAY", "PRY"},
	{"BO", "BOLIVIA", "BOL"},
	{"CR", "COSTA RICA", "CRI"},
	{"PA", "PANAMA", "PAN"},
	{"GT", "GUATEMALA", "GTM"},
	{"SV", "EL SALVADOR", "SLV"},
	{"HN", "HONDURAS", "HND"},
	{"NI", "NICARAGUA", "NIC"},
	{"DO", "DOMINICAN REPUBLIC", "DOM|REPUBLICA DOMINICANA"},
	{"JM", "JAMAICA", "JAM"},
	{"BS", "BAHAMAS", "BHS"},
	{"BB", "BARBADOS", "BRB"},
	{"TT", "TRINIDAD AND TOBAGO", "TTO|TRINIDAD"},
	{"HT", "HAITI", "HTI"},
	{"BM", "BERMUDA", "BMU"},
	{"KY", "CAYMAN ISLANDS", "CYM"},
	{"VG", "BRITISH VIRGIN ISLANDS", "VGB"},
}

// countryIndex maps every accepted spelling to its code; countryNames maps a
// code to its name. Both are built once from countryTable.
var countryIndex, countryNames = buildCountryIndex()

func buildCountryIndex() (map[string]Country, map[Country]string) {
	index := make(map[string]Country, 4*len(countryTable))
	names := make(map[Country]string, len(countryTable))
	// A spelling listed twice keeps its first country; TestCountryTable
	// fails on that, so the table stays unambiguous.
	add := func(spelling string, c Country) {
		if _, dup := index[spelling]; !dup {
			index[spelling] = c
		}
	}
	for _, e := range countryTable {
		names[e.code] = e.name
		add(string(e.code), e.code)
		add(e.name, e.code)
		for rest := e.aliases; rest != ""; {
			a := rest
			if i := indexByte(rest, '|'); i >= 0 {
				a, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			add(a, e.code)
		}
	}
	return index, names
}

// Lookup finds the country a country field names: an ISO alpha-2 or alpha-3
// code or a common English or native name, in any case, with or without
// accents, periods and a leading "THE" ("U.S.A.", "the Netherlands",
// "España", "UK", "ENGLAND" → GB). It does not allocate.
func Lookup(name []byte) (Country, bool) {
	var buf [canonMax]byte
	n, ok := canonCountry(&buf, name)
	if !ok || n == 0 {
		return "", false
	}
	c, found := countryIndex[string(buf[:n])]
	return c, found
}

const canonMax = 64

// latin1Fold maps the second byte of a UTF-8 sequence C3 80..C3 BF (U+00C0 to
// U+00FF) to an ASCII capital; '_' keeps the character as it is.
const latin1Fold = "AAAAAA_CEEEEIIIIDNOOOOO_OUUUUY_SAAAAAA_CEEEEIIIIDNOOOOO_OUUUUY_Y"

// canonCountry writes the canonical form of a country field into dst: ASCII
// letters upper-cased, Latin-1 accented letters folded to ASCII, periods and
// apostrophes dropped, other punctuation and blanks squeezed to one space, a
// leading "THE " and a trailing " THE" removed. It reports false when the
// result does not fit.
func canonCountry(dst *[canonMax]byte, s []byte) (int, bool) {
	n := 0
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '\'':
			continue
		case c == 0xC3 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0xBF && latin1Fold[s[i+1]-0x80] != '_':
			c = latin1Fold[s[i+1]-0x80]
			i++
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80:
		default: // blanks and other punctuation separate words
			space = n > 0
			continue
		}
		if space {
			if n == canonMax {
				return n, false
			}
			dst[n] = ' '
			n++
			space = false
		}
		if n == canonMax {
			return n, false
		}
		dst[n] = c
		n++
	}
	out := dst[:n]
	if len(out) > 4 && string(out[:4]) == "THE " {
		n = copy(dst[:], out[4:])
		out = dst[:n]
	}
	if len(out) > 4 && string(out[len(out)-4:]) == " THE" {
		n -= 4
	}
	return n, true
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
