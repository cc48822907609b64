package pub28

// This file holds the reference tables of USPS Publication 28, "Postal
// Addressing Standards" (https://pe.usps.com/text/pub28/), as data:
//
//   - Appendix C1, Street Suffix Abbreviations (pub28/28apc_002.htm)
//   - Appendix C2, Secondary Unit Designators (pub28/28apc_003.htm)
//   - Section 233, Directionals
//   - Appendix B, Two-Letter State and Possession Abbreviations
//     (pub28/28apb.htm)
//
// The lookup maps are built once from these slices when the package is
// initialised; they are read-only afterwards and safe for concurrent use.

// suffixEntry is one row of Appendix C1: the primary street suffix name, the
// Postal Service standard abbreviation, and the commonly used street
// suffixes or abbreviations (variants) that map to it. The primary name and
// the abbreviation always map too, whether or not they are listed again.
type suffixEntry struct {
	primary  string
	abbr     string
	variants []string
}

// suffixTable is Appendix C1, Street Suffix Abbreviations, in the order of
// the publication.
var suffixTable = []suffixEntry{
	{"ALLEY", "ALY", []string{"ALLEE", "ALLEY", "ALLY", "ALY"}},
	{"ANEX", "ANX", []string{"ANEX", "ANNEX", "ANNX", "ANX"}},
	{"ARCADE", "ARC", []string{"ARC", "ARCADE"}},
	{"AVENUE", "AVE", []string{"AV", "AVE", "AVEN", "AVENU", "AVENUE", "AVN", "AVNUE"}},
	{"BAYOU", "BYU", []string{"BAYOO", "BAYOU"}},
	{"BEACH", "BCH", []string{"BCH", "BEACH"}},
	{"BEND", "BND", []string{"BEND", "BND"}},
	{"BLUFF", "BLF", []string{"BLF", "BLUF", "BLUFF"}},
	{"BLUFFS", "BLFS", []string{"BLUFFS"}},
	{"BOTTOM", "BTM", []string{"BOT", "BTM", "BOTTM", "BOTTOM"}},
	{"BOULEVARD", "BLVD", []string{"BLVD", "BOUL", "BOULEVARD", "BOULV"}},
	{"BRANCH", "BR", []string{"BR", "BRNCH", "BRANCH"}},
	{"BRIDGE", "BRG", []string{"BRDGE", "BRG", "BRIDGE"}},
	{"BROOK", "BRK", []string{"BRK", "BROOK"}},
	{"BROOKS", "BRKS", []string{"BROOKS"}},
	{"BURG", "BG", []string{"BURG"}},
	{"BURGS", "BGS", []string{"BURGS"}},
	{"BYPASS", "BYP", []string{"BYP", "BYPA", "BYPAS", "BYPASS", "BYPS"}},
	{"CAMP", "CP", []string{"CAMP", "CP", "CMP"}},
	{"CANYON", "CYN", []string{"CANYN", "CANYON", "CNYN"}},
	{"CAPE", "CPE", []string{"CAPE", "CPE"}},
	{"CAUSEWAY", "CSWY", []string{"CAUSEWAY", "CAUSWA", "CSWY"}},
	{"CENTER", "CTR", []string{"CEN", "CENT", "CENTER", "CENTR", "CENTRE", "CNTER", "CNTR", "CTR"}},
	{"CENTERS", "CTRS", []string{"CENTERS"}},
	{"CIRCLE", "CIR", []string{"CIR", "CIRC", "CIRCL", "CIRCLE", "CRCL", "CRCLE"}},
	{"CIRCLES", "CIRS", []string{"CIRCLES"}},
	{"CLIFF", "CLF", []string{"CLF", "CLIFF"}},
	{"CLIFFS", "CLFS", []string{"CLFS", "CLIFFS"}},
	{"CLUB", "CLB", []string{"CLB", "CLUB"}},
	{"COMMON", "CMN", []string{"COMMON"}},
	{"COMMONS", "CMNS", []string{"COMMONS"}},
	{"CORNER", "COR", []string{"COR", "CORNER"}},
	{"CORNERS", "CORS", []string{"CORNERS", "CORS"}},
	{"COURSE", "CRSE", []string{"COURSE", "CRSE"}},
	{"COURT", "CT", []string{"COURT", "CT"}},
	{"COURTS", "CTS", []string{"COURTS", "CTS"}},
	{"COVE", "CV", []string{"COVE", "CV"}},
	{"COVES", "CVS", []string{"COVES"}},
	{"CREEK", "CRK", []string{"CREEK", "CRK"}},
	{"CRESCENT", "CRES", []string{"CRESCENT", "CRES", "CRSENT", "CRSNT"}},
	{"CREST", "CRST", []string{"CREST"}},
	{"CROSSING", "XING", []string{"CROSSING", "CRSSNG", "XING"}},
	{"CROSSROAD", "XRD", []string{"CROSSROAD"}},
	{"CROSSROADS", "XRDS", []string{"CROSSROADS"}},
	{"CURVE", "CURV", []string{"CURVE"}},
	{"DALE", "DL", []string{"DALE", "DL"}},
	{"DAM", "DM", []string{"DAM", "DM"}},
	{"DIVIDE", "DV", []string{"DIV", "DIVIDE", "DV", "DVD"}},
	{"DRIVE", "DR", []string{"DR", "DRIV", "DRIVE", "DRV"}},
	{"DRIVES", "DRS", []string{"DRIVES"}},
	{"ESTATE", "EST", []string{"EST", "ESTATE"}},
	{"ESTATES", "ESTS", []string{"ESTATES", "ESTS"}},
	{"EXPRESSWAY", "EXPY", []string{"EXP", "EXPR", "EXPRESS", "EXPRESSWAY", "EXPW", "EXPY"}},
	{"EXTENSION", "EXT", []string{"EXT", "EXTENSION", "EXTN", "EXTNSN"}},
	{"EXTENSIONS", "EXTS", []string{"EXTS"}},
	{"FALL", "FALL", []string{"FALL"}},
	{"FALLS", "FLS", []string{"FALLS", "FLS"}},
	{"FERRY", "FRY", []string{"FERRY", "FRRY", "FRY"}},
	{"FIELD", "FLD", []string{"FIELD", "FLD"}},
	{"FIELDS", "FLDS", []string{"FIELDS", "FLDS"}},
	{"FLAT", "FLT", []string{"FLAT", "FLT"}},
	{"FLATS", "FLTS", []string{"FLATS", "FLTS"}},
	{"FORD", "FRD", []string{"FORD", "FRD"}},
	{"FORDS", "FRDS", []string{"FORDS"}},
	{"FOREST", "FRST", []string{"FOREST", "FORESTS", "FRST"}},
	{"FORGE", "FRG", []string{"FORG", "FORGE", "FRG"}},
	{"FORGES", "FRGS", []string{"FORGES"}},
	{"FORK", "FRK", []string{"FORK", "FRK"}},
	{"FORKS", "FRKS", []string{"FORKS", "FRKS"}},
	{"FORT", "FT", []string{"FORT", "FRT", "FT"}},
	{"FREEWAY", "FWY", []string{"FREEWAY", "FREEWY", "FRWAY", "FRWY", "FWY"}},
	{"GARDEN", "GDN", []string{"GARDEN", "GARDN", "GRDEN", "GRDN"}},
	{"GARDENS", "GDNS", []string{"GARDENS", "GDNS", "GRDNS"}},
	{"GATEWAY", "GTWY", []string{"GATEWAY", "GATEWY", "GATWAY", "GTWAY", "GTWY"}},
	{"GLEN", "GLN", []string{"GLEN", "GLN"}},
	{"GLENS", "GLNS", []string{"GLENS"}},
	{"GREEN", "GRN", []string{"GREEN", "GRN"}},
	{"GREENS", "GRNS", []string{"GREENS"}},
	{"GROVE", "GRV", []string{"GROV", "GROVE", "GRV"}},
	{"GROVES", "GRVS", []string{"GROVES"}},
	{"HARBOR", "HBR", []string{"HARB", "HARBOR", "HARBR", "HBR", "HRBOR"}},
	{"HARBORS", "HBRS", []string{"HARBORS"}},
	{"HAVEN", "HVN", []string{"HAVEN", "HVN"}},
	{"HEIGHTS", "HTS", []string{"HT", "HTS"}},
	{"HIGHWAY", "HWY", []string{"HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY", "HWY"}},
	{"HILL", "HL", []string{"HILL", "HL"}},
	{"HILLS", "HLS", []string{"HILLS", "HLS"}},
	{"HOLLOW", "HOLW", []string{"HLLW", "HOLLOW", "HOLLOWS", "HOLW", "HOLWS"}},
	{"INLET", "INLT", []string{"INLT"}},
	{"ISLAND", "IS", []string{"IS", "ISLAND", "ISLND"}},
	{"ISLANDS", "ISS", []string{"ISLANDS", "ISLNDS", "ISS"}},
	{"ISLE", "ISLE", []string{"ISLE", "ISLES"}},
	{"JUNCTION", "JCT", []string{"JCT", "JCTION", "JCTN", "JUNCTION", "JUNCTN", "JUNCTON"}},
	{"JUNCTIONS", "JCTS", []string{"JCTNS", "JCTS", "JUNCTIONS"}},
	{"KEY", "KY", []string{"KEY", "KY"}},
	{"KEYS", "KYS", []string{"KEYS", "KYS"}},
	{"KNOLL", "KNL", []string{"KNL", "KNOL", "KNOLL"}},
	{"KNOLLS", "KNLS", []string{"KNLS", "KNOLLS"}},
	{"LAKE", "LK", []string{"LK", "LAKE"}},
	{"LAKES", "LKS", []string{"LKS", "LAKES"}},
	{"LAND", "LAND", []string{"LAND"}},
	{"LANDING", "LNDG", []string{"LANDING", "LNDG", "LNDNG"}},
	{"LANE", "LN", []string{"LANE", "LN"}},
	{"LIGHT", "LGT", []string{"LGT", "LIGHT"}},
	{"LIGHTS", "LGTS", []string{"LIGHTS"}},
	{"LOAF", "LF", []string{"LF", "LOAF"}},
	{"LOCK", "LCK", []string{"LCK", "LOCK"}},
	{"LOCKS", "LCKS", []string{"LCKS", "LOCKS"}},
	{"LODGE", "LDG", []string{"LDG", "LDGE", "LODG", "LODGE"}},
	{"LOOP", "LOOP", []string{"LOOP", "LOOPS"}},
	{"MALL", "MALL", []string{"MALL"}},
	{"MANOR", "MNR", []string{"MNR", "MANOR"}},
	{"MANORS", "MNRS", []string{"MANORS", "MNRS"}},
	{"MEADOW", "MDW", []string{"MEADOW"}},
	{"MEADOWS", "MDWS", []string{"MDW", "MDWS", "MEADOWS", "MEDOWS"}},
	{"MEWS", "MEWS", []string{"MEWS"}},
	{"MILL", "ML", []string{"MILL"}},
	{"MILLS", "MLS", []string{"MILLS"}},
	{"MISSION", "MSN", []string{"MISSN", "MSSN"}},
	{"MOTORWAY", "MTWY", []string{"MOTORWAY"}},
	{"MOUNT", "MT", []string{"MNT", "MT", "MOUNT"}},
	{"MOUNTAIN", "MTN", []string{"MNTAIN", "MNTN", "MOUNTAIN", "MOUNTIN", "MTIN", "MTN"}},
	{"MOUNTAINS", "MTNS", []string{"MNTNS", "MOUNTAINS"}},
	{"NECK", "NCK", []string{"NCK", "NECK"}},
	{"ORCHARD", "ORCH", []string{"ORCH", "ORCHARD", "ORCHRD"}},
	{"OVAL", "OVAL", []string{"OVAL", "OVL"}},
	{"OVERPASS", "OPAS", []string{"OVERPASS"}},
	{"PARK", "PARK", []string{"PARK", "PRK"}},
	{"PARKS", "PARK", []string{"PARKS"}},
	{"PARKWAY", "PKWY", []string{"PARKWAY", "PARKWY", "PKWAY", "PKWY", "PKY"}},
	{"PARKWAYS", "PKWY", []string{"PARKWAYS", "PKWYS"}},
	{"PASS", "PASS", []string{"PASS"}},
	{"PASSAGE", "PSGE", []string{"PASSAGE"}},
	{"PATH", "PATH", []string{"PATH", "PATHS"}},
	{"PIKE", "PIKE", []string{"PIKE", "PIKES"}},
	{"PINE", "PNE", []string{"PINE"}},
	{"PINES", "PNES", []string{"PINES", "PNES"}},
	{"PLACE", "PL", []string{"PL"}},
	{"PLAIN", "PLN", []string{"PLAIN", "PLN"}},
	{"PLAINS", "PLNS", []string{"PLAINS", "PLNS"}},
	{"PLAZA", "PLZ", []string{"PLAZA", "PLZ", "PLZA"}},
	{"POINT", "PT", []string{"POINT", "PT"}},
	{"POINTS", "PTS", []string{"POINTS", "PTS"}},
	{"PORT", "PRT", []string{"PORT", "PRT"}},
	{"PORTS", "PRTS", []string{"PORTS", "PRTS"}},
	{"PRAIRIE", "PR", []string{"PR", "PRAIRIE", "PRR"}},
	{"RADIAL", "RADL", []string{"RAD", "RADIAL", "RADIEL", "RADL"}},
	{"RAMP", "RAMP", []string{"RAMP"}},
	{"RANCH", "RNCH", []string{"RANCH", "RANCHES", "RNCH", "RNCHS"}},
	{"RAPID", "RPD", []string{"RAPID", "RPD"}},
	{"RAPIDS", "RPDS", []string{"RAPIDS", "RPDS"}},
	{"REST", "RST", []string{"REST", "RST"}},
	{"RIDGE", "RDG", []string{"RDG", "RDGE", "RIDGE"}},
	{"RIDGES", "RDGS", []string{"RDGS", "RIDGES"}},
	{"RIVER", "RIV", []string{"RIV", "RIVER", "RVR", "RIVR"}},
	{"ROAD", "RD", []string{"RD", "ROAD"}},
	{"ROADS", "RDS", []string{"ROADS", "RDS"}},
	{"ROUTE", "RTE", []string{"ROUTE"}},
	{"ROW", "ROW", []string{"ROW"}},
	{"RUE", "RUE", []string{"RUE"}},
	{"RUN", "RUN", []string{"RUN"}},
	{"SHOAL", "SHL", []string{"SHL", "SHOAL"}},
	{"SHOALS", "SHLS", []string{"SHLS", "SHOALS"}},
	{"SHORE", "SHR", []string{"SHOAR", "SHORE", "SHR"}},
	{"SHORES", "SHRS", []string{"SHOARS", "SHORES", "SHRS"}},
	{"SKYWAY", "SKWY", []string{"SKYWAY"}},
	{"SPRING", "SPG", []string{"SPG", "SPNG", "SPRING", "SPRNG"}},
	{"SPRINGS", "SPGS", []string{"SPGS", "SPNGS", "SPRINGS", "SPRNGS"}},
	{"SPUR", "SPUR", []string{"SPUR"}},
	{"SPURS", "SPUR", []string{"SPURS"}},
	{"SQUARE", "SQ", []string{"SQ", "SQR", "SQRE", "SQU", "SQUARE"}},
	{"SQUARES", "SQS", []string{"SQRS", "SQUARES"}},
	{"STATION", "STA", []string{"STA", "STATION", "STATN", "STN"}},
	{"STRAVENUE", "STRA", []string{"STRA", "STRAV", "STRAVEN", "STRAVENUE", "STRAVN", "STRVN", "STRVNUE"}},
	{"STREAM", "STRM", []string{"STREAM", "STREME", "STRM"}},
	{"STREET", "ST", []string{"STREET", "STRT", "ST", "STR"}},
	{"STREETS", "STS", []string{"STREETS"}},
	{"SUMMIT", "SMT", []string{"SMT", "SUMIT", "SUMITT", "SUMMIT"}},
	{"TERRACE", "TER", []string{"TER", "TERR", "TERRACE"}},
	{"THROUGHWAY", "TRWY", []string{"THROUGHWAY"}},
	{"TRACE", "TRCE", []string{"TRACE", "TRACES", "TRCE"}},
	{"TRACK", "TRAK", []string{"TRACK", "TRACKS", "TRAK", "TRK", "TRKS"}},
	{"TRAFFICWAY", "TRFY", []string{"TRAFFICWAY"}},
	{"TRAIL", "TRL", []string{"TRAIL", "TRAILS", "TRL", "TRLS"}},
	{"TRAILER", "TRLR", []string{"TRAILER", "TRLR", "TRLRS"}},
	{"TUNNEL", "TUNL", []string{"TUNEL", "TUNL", "TUNLS", "TUNNEL", "TUNNELS", "TUNNL"}},
	{"TURNPIKE", "TPKE", []string{"TRNPK", "TURNPIKE", "TURNPK"}},
	{"UNDERPASS", "UPAS", []string{"UNDERPASS"}},
	{"UNION", "UN", []string{"UN", "UNION"}},
	{"UNIONS", "UNS", []string{"UNIONS"}},
	{"VALLEY", "VLY", []string{"VALLEY", "VALLY", "VLLY", "VLY"}},
	{"VALLEYS", "VLYS", []string{"VALLEYS", "VLYS"}},
	{"VIADUCT", "VIA", []string{"VDCT", "VIA", "VIADCT", "VIADUCT"}},
	{"VIEW", "VW", []string{"VIEW", "VW"}},
	{"VIEWS", "VWS", []string{"VIEWS", "VWS"}},
	{"VILLAGE", "VLG", []string{"VILL", "VILLAG", "VILLAGE", "VILLG", "VILLIAGE", "VLG"}},
	{"VILLAGES", "VLGS", []string{"VILLAGES", "VLGS"}},
	{"VILLE", "VL", []string{"VILLE", "VL"}},
	{"VISTA", "VIS", []string{"VIS", "VIST", "VISTA", "VST", "VSTA"}},
	{"WALK", "WALK", []string{"WALK"}},
	{"WALKS", "WALK", []string{"WALKS"}},
	{"WALL", "WALL", []string{"WALL"}},
	{"WAY", "WAY", []string{"WY", "WAY"}},
	{"WAYS", "WAYS", []string{"WAYS"}},
	{"WELL", "WL", []string{"WELL"}},
	{"WELLS", "WLS", []string{"WELLS", "WLS"}},
}

// unitEntry is one row of Appendix C2: the secondary unit designator as
// spelled out, its standard abbreviation, and whether Pub 28 requires a
// secondary range (number) after it.
type unitEntry struct {
	name          string
	abbr          string
	rangeRequired bool
	variants      []string // common spellings seen in mailing lists, beyond name and abbr
}

// unitTable is Appendix C2, Secondary Unit Designators. The variants are
// common forms found in lists (not part of C2) that map to the same
// designator.
var unitTable = []unitEntry{
	{"APARTMENT", "APT", true, []string{"APPT", "APTS", "APARTMENTS"}},
	{"BASEMENT", "BSMT", false, []string{"BASMT"}},
	{"BUILDING", "BLDG", true, []string{"BLD", "BLDNG", "BUILD", "BLG"}},
	{"DEPARTMENT", "DEPT", true, []string{"DEP", "DPT"}},
	{"FLOOR", "FL", true, []string{"FLR"}},
	{"FRONT", "FRNT", false, nil},
	{"HANGAR", "HNGR", true, []string{"HANGER", "HNGAR"}},
	{"KEY", "KEY", true, nil},
	{"LOBBY", "LBBY", false, []string{"LBY"}},
	{"LOT", "LOT", true, nil},
	{"LOWER", "LOWR", false, []string{"LWR"}},
	{"OFFICE", "OFC", false, []string{"OFFC"}},
	{"PENTHOUSE", "PH", false, []string{"PNTHS", "PENTHSE"}},
	{"PIER", "PIER", true, nil},
	{"REAR", "REAR", false, nil},
	{"ROOM", "RM", true, []string{"RMS", "ROOMS"}},
	{"SIDE", "SIDE", false, nil},
	{"SLIP", "SLIP", true, nil},
	{"SPACE", "SPC", true, []string{"SPCE"}},
	{"STOP", "STOP", true, nil},
	{"SUITE", "STE", true, []string{"SUIT", "SUITES", "STES"}},
	{"TRAILER", "TRLR", true, []string{"TRAILOR"}},
	{"UNIT", "UNIT", true, []string{"UNT"}},
	{"UPPER", "UPPR", false, []string{"UPR"}},
}

// dirEntry is one directional of Section 233 with its abbreviation.
type dirEntry struct {
	name string
	abbr string
}

// dirTable is the directionals of Section 233. Spanish directionals (NORTE,
// SUR, ESTE, OESTE) are deliberately absent: Pub 28 does not give them
// abbreviations, so they stay part of the street name as written.
var dirTable = []dirEntry{
	{"NORTH", "N"},
	{"SOUTH", "S"},
	{"EAST", "E"},
	{"WEST", "W"},
	{"NORTHEAST", "NE"},
	{"NORTHWEST", "NW"},
	{"SOUTHEAST", "SE"},
	{"SOUTHWEST", "SW"},
}

// stateEntry is one row of Appendix B: a state, possession or military
// "state" name and its two-letter code.
type stateEntry struct {
	name string
	code string
}

// stateTable is Appendix B, Two-Letter State and Possession Abbreviations,
// plus the Armed Forces codes of Section 225 and a few common alternative
// names (marked).
var stateTable = []stateEntry{
	{"ALABAMA", "AL"},
	{"ALASKA", "AK"},
	{"AMERICAN SAMOA", "AS"},
	{"ARIZONA", "AZ"},
	{"ARKANSAS", "AR"},
	{"CALIFORNIA", "CA"},
	{"COLORADO", "CO"},
	{"CONNECTICUT", "CT"},
	{"DELAWARE", "DE"},
	{"DISTRICT OF COLUMBIA", "DC"},
	{"FEDERATED STATES OF MICRONESIA", "FM"},
	{"FLORIDA", "FL"},
	{"GEORGIA", "GA"},
	{"GUAM", "GU"},
	{"HAWAII", "HI"},
	{"IDAHO", "ID"},
	{"ILLINOIS", "IL"},
	{"INDIANA", "IN"},
	{"IOWA", "IA"},
	{"KANSAS", "KS"},
	{"KENTUCKY", "KY"},
	{"LOUISIANA", "LA"},
	{"MAINE", "ME"},
	{"MARSHALL ISLANDS", "MH"},
	{"MARYLAND", "MD"},
	{"MASSACHUSETTS", "MA"},
	{"MICHIGAN", "MI"},
	{"MINNESOTA", "MN"},
	{"MISSISSIPPI", "MS"},
	{"MISSOURI", "MO"},
	{"MONTANA", "MT"},
	{"NEBRASKA", "NE"},
	{"NEVADA", "NV"},
	{"NEW HAMPSHIRE", "NH"},
	{"NEW JERSEY", "NJ"},
	{"NEW MEXICO", "NM"},
	{"NEW YORK", "NY"},
	{"NORTH CAROLINA", "NC"},
	{"NORTH DAKOTA", "ND"},
	{"NORTHERN MARIANA ISLANDS", "MP"},
	{"OHIO", "OH"},
	{"OKLAHOMA", "OK"},
	{"OREGON", "OR"},
	{"PALAU", "PW"},
	{"PENNSYLVANIA", "PA"},
	{"PUERTO RICO", "PR"},
	{"RHODE ISLAND", "RI"},
	{"SOUTH CAROLINA", "SC"},
	{"SOUTH DAKOTA", "SD"},
	{"TENNESSEE", "TN"},
	{"TEXAS", "TX"},
	{"UTAH", "UT"},
	{"VERMONT", "VT"},
	{"VIRGIN ISLANDS", "VI"},
	{"VIRGINIA", "VA"},
	{"WASHINGTON", "WA"},
	{"WEST VIRGINIA", "WV"},
	{"WISCONSIN", "WI"},
	{"WYOMING", "WY"},
	// Armed Forces (Section 225, Military Addresses).
	{"ARMED FORCES AMERICAS", "AA"},
	{"ARMED FORCES EUROPE", "AE"},
	{"ARMED FORCES AFRICA", "AE"},
	{"ARMED FORCES CANADA", "AE"},
	{"ARMED FORCES MIDDLE EAST", "AE"},
	{"ARMED FORCES PACIFIC", "AP"},
	// Common alternative names (not in Appendix B).
	{"WASHINGTON DC", "DC"},
	{"US VIRGIN ISLANDS", "VI"},
	{"UNITED STATES VIRGIN ISLANDS", "VI"},
	{"MICRONESIA", "FM"},
	{"COMMONWEALTH OF THE NORTHERN MARIANA ISLANDS", "MP"},
}

// highwayQualifiers are words before a suffix that make the suffix part of a
// numbered road name ("COUNTY ROAD 5"), so a number after it is the road
// number, not a secondary unit.
var highwayQualifiers = []string{
	"COUNTY", "STATE", "US", "FARM", "RANCH", "FM", "FOREST", "TOWNSHIP", "TWP",
	"PRIVATE", "SERVICE", "INTERSTATE", "CR", "SR", "CO", "TOWN", "PARISH",
}

// highwaySuffixes are C1 abbreviations whose word is normally followed by a
// road number ("HIGHWAY 50", "ROUTE 66", "ROAD 12").
var highwaySuffixes = []string{
	"HWY", "RTE", "FWY", "EXPY", "TPKE", "PIKE", "BYP", "MTWY", "TRWY", "TRFY", "SKWY", "RD",
}

// wordInfo is everything the parser knows about one word, so that it looks
// each word up once.
type wordInfo struct {
	suffix           string   // C1 standard abbreviation, or ""
	unit             unitInfo // C2 designator; abbr "" when not one
	dir              string   // directional abbreviation, or ""
	highwaySuffix    bool     // suffix is in highwaySuffixes
	highwayQualifier bool     // word is in highwayQualifiers
}

// maxWordKey is the longest key of wordMap (TestWordMapKeys checks it);
// longer words are not looked up.
const maxWordKey = 10

// Lookup maps built from the tables. Keys are uppercase ASCII; lookups use
// m[string(b)], which the compiler performs without allocating.
var (
	suffixMap = buildSuffixMap()
	unitMap   = buildUnitMap()
	dirMap    = buildDirMap()
	stateMap  = buildStateMap()
	wordMap   = buildWordMap()
)

func buildWordMap() map[string]*wordInfo {
	m := make(map[string]*wordInfo, len(suffixMap)+len(unitMap)+len(dirMap))
	get := func(k string) *wordInfo {
		w := m[k]
		if w == nil {
			w = new(wordInfo)
			m[k] = w
		}
		return w
	}
	for k, v := range suffixMap {
		w := get(k)
		w.suffix = v
		for _, h := range highwaySuffixes {
			w.highwaySuffix = w.highwaySuffix || h == v
		}
	}
	for k, v := range unitMap {
		get(k).unit = v
	}
	for k, v := range dirMap {
		get(k).dir = v
	}
	for _, k := range highwayQualifiers {
		get(k).highwayQualifier = true
	}
	return m
}

func buildSuffixMap() map[string]string {
	m := make(map[string]string, 600)
	// Standard abbreviations first, so a variant listed under two rows
	// (MDW under MEADOWS) keeps the row whose own abbreviation it is.
	for _, e := range suffixTable {
		m[e.abbr] = e.abbr
	}
	for _, e := range suffixTable {
		if _, ok := m[e.primary]; !ok {
			m[e.primary] = e.abbr
		}
		for _, v := range e.variants {
			if _, ok := m[v]; !ok {
				m[v] = e.abbr
			}
		}
	}
	return m
}

// unitInfo is the value of unitMap.
type unitInfo struct {
	abbr          string
	rangeRequired bool
}

func buildUnitMap() map[string]unitInfo {
	m := make(map[string]unitInfo, 80)
	for _, e := range unitTable {
		u := unitInfo{e.abbr, e.rangeRequired}
		m[e.name] = u
		m[e.abbr] = u
		for _, v := range e.variants {
			m[v] = u
		}
	}
	return m
}

func buildDirMap() map[string]string {
	m := make(map[string]string, 16)
	for _, e := range dirTable {
		m[e.name] = e.abbr
		m[e.abbr] = e.abbr
	}
	return m
}

func buildStateMap() map[string]string {
	m := make(map[string]string, 140)
	for _, e := range stateTable {
		m[e.name] = e.code
		m[e.code] = e.code
	}
	return m
}
