package gen

// Street names (without suffix), upper case, one per line with an optional
// weight (default 1). Numbered streets are made separately (see ordinals).
const streetNamesData = `MAIN 12
OAK 8
PINE 6
MAPLE 7
CEDAR 6
ELM 6
WALNUT 4
WILLOW 4
BIRCH 3
SPRUCE 3
CHESTNUT 4
HICKORY 3
MAGNOLIA 3
DOGWOOD 3
SYCAMORE 3
CHERRY 4
ASPEN 2
POPLAR 2
CYPRESS 2
JUNIPER 2
LAUREL 3
HOLLY 3
ASH 2
BEECH 2
LOCUST 2
REDWOOD 2
PALM 2
SHADY OAK 1
WHITE OAK 1
RED OAK 1
PINE TREE 1
WASHINGTON 7
LINCOLN 6
JEFFERSON 5
MADISON 5
MONROE 4
ADAMS 4
JACKSON 5
VAN BUREN 2
HARRISON 3
TYLER 2
POLK 2
TAYLOR 2
FILLMORE 2
PIERCE 2
BUCHANAN 2
JOHNSON 3
GRANT 3
HAYES 2
GARFIELD 3
ARTHUR 2
CLEVELAND 3
MCKINLEY 3
ROOSEVELT 3
WILSON 3
HARDING 2
COOLIDGE 2
HOOVER 2
TRUMAN 2
EISENHOWER 1
KENNEDY 2
MARTIN LUTHER KING JR 2
FRANKLIN 4
HAMILTON 3
CHURCH 6
PARK 7
LAKE 5
HILL 5
RIVER 4
SPRING 4
MILL 4
CENTER 4
HIGH 4
SCHOOL 3
MARKET 3
UNION 3
BROAD 3
WATER 3
BRIDGE 2
RAILROAD 2
COLLEGE 2
ACADEMY 1
PROSPECT 3
PLEASANT 3
RIDGE 4
HIGHLAND 4
SUNSET 4
SUNRISE 2
MEADOW 3
FOREST 4
VALLEY 3
VIEW 2
LAKEVIEW 3
HILLCREST 3
FAIRVIEW 3
RIVERSIDE 3
WOODLAND 3
GREENWOOD 2
ORCHARD 3
COUNTRY CLUB 2
GOLF 1
MEADOWBROOK 2
BROOKSIDE 2
CREEKSIDE 2
STONEY CREEK 1
DEER RUN 1
FOX RUN 1
QUAIL RIDGE 1
EAGLE 2
HAWK 1
ROBIN 1
CARDINAL 2
BLUEBIRD 1
HERITAGE 2
COLONIAL 2
LIBERTY 3
INDEPENDENCE 2
FREEDOM 1
PATRIOT 1
VICTORY 1
PROVIDENCE 1
CAMBRIDGE 2
OXFORD 2
WINDSOR 2
KENSINGTON 1
CHESTER 2
DOVER 1
ESSEX 1
SALEM 2
CONCORD 2
LEXINGTON 2
PRINCETON 1
YALE 1
HARVARD 1
DARTMOUTH 1
VIRGINIA 2
OHIO 1
KENTUCKY 1
TENNESSEE 1
CAROLINA 1
GEORGIA 1
MICHIGAN 1
INDIANA 1
ILLINOIS 1
MISSOURI 1
TEXAS 1
CALIFORNIA 1
DELAWARE 1
VERMONT 1
MAINE 1
COLUMBIA 2
DIVISION 2
CANAL 1
DEPOT 1
FRONT 3
SECOND 1
STATE 4
COUNTY LINE 2
OLD MILL 1
MILL POND 1
OLD FARM 1
FARM 1
BARN 1
HARVEST 1
WHEAT 1
CLOVER 1
PRAIRIE 1
SAGE 1
CANYON 1
MESA 1
VISTA 2
DEL MAR 1
EL CAMINO REAL 1
SANTA FE 1
SAN JUAN 1
ALAMEDA 1
LOS ROBLES 1
BAYSHORE 1
OCEAN 2
BEACH 2
HARBOR 2
BAY 2
SHORE 1
LAKESHORE 1
ISLAND 1
CORAL 1
SEABREEZE 1
SANDPIPER 1
HERON 1
PELICAN 1
MOCKINGBIRD 1
WOODLAWN 2
ELMWOOD 2
OAKWOOD 2
OAKLAND 2
OAK HILL 1
MAPLEWOOD 2
BRIARWOOD 1
ROSEWOOD 1
EDGEWOOD 2
WILDWOOD 1
GLENWOOD 2
KINGSTON 1
ARLINGTON 2
BURLINGTON 1
CLINTON 2
MARION 1
WARREN 1
JACKSON HILL 1
GREEN 2
SILVER 1
GOLDEN 1
HIDDEN VALLEY 1
TIMBER 1
TIMBERLINE 1
STONE 1
STONEGATE 1
FIELDSTONE 1
WINDING 1
TWIN LAKES 1
CHAPEL 2
CEMETERY 1
MEETING HOUSE 1
POST 1
WALL 1
PEARL 1
BANK 1
PLUM 1
PEACH 1
APPLE 1
VINE 2
ROSE 2
LILAC 1
TULIP 1
IVY 1
JASMINE 1
DAISY 1
SUNFLOWER 1
BLUEBONNET 1
ARROWHEAD 1
CHEROKEE 1
SENECA 1
MOHAWK 1
IROQUOIS 1
SHAWNEE 1
APACHE 1
DAKOTA 1
SIOUX 1
PONTIAC 1
TECUMSEH 1
WABASH 1
PIEDMONT 1
SHENANDOAH 1
APPALACHIAN 1
SIERRA 1
MONTEREY 1
YOSEMITE 1
TAHOE 1
ASPEN RIDGE 1
BRANDYWINE 1
CHESAPEAKE 1
POTOMAC 1
HUDSON 1
DELMAR 1
CUMBERLAND 1
CARRIAGE 1
COACH 1
SADDLE 1
STIRRUP 1
PADDOCK 1
BRIDLE 1
POND 1
FALLS 1
CASCADE 1
SPRINGFIELD 1
FAIRFIELD 1
GREENFIELD 1
SUMMIT 2
CRESTVIEW 1
SKYLINE 1
MOUNTAIN VIEW 1
BELLEVUE 1
BELMONT 1
CLAREMONT 1
VERMILION 1
WESTMINSTER 1
CHELSEA 1
HAMPTON 1
NEWPORT 1
ASHFORD 1
BEDFORD 1
STRATFORD 1
RADFORD 1
MEDFORD 1`

// noiseStreetNames are used only for suppression and change-of-address
// entries that must match no contact: no contact lives on these streets.
var noiseStreetNames = []string{"QUARRY VIEW", "HERON POND", "FOXGLOVE", "LANTERN HILL", "OTTER CREEK",
	"BRAMBLE", "MOSSY ROCK", "WREN HOLLOW", "PARTRIDGE BERRY", "CATTAIL", "THISTLEDOWN", "KESTREL"}

// suffix is a USPS Publication 28 street suffix (or directional, or unit
// designator): the standard abbreviation and the word it stands for.
type suffix struct{ abbr, word string }

// weightedWord is a suffix with its relative frequency.
type weightedWord struct {
	suffix
	w float64
}

// weightedString is a string with its relative frequency.
type weightedString struct {
	s string
	w float64
}

// suffixes with relative frequencies in US street names.
var suffixes = []weightedWord{
	{suffix{"ST", "STREET"}, 22}, {suffix{"AVE", "AVENUE"}, 14}, {suffix{"RD", "ROAD"}, 13},
	{suffix{"DR", "DRIVE"}, 13}, {suffix{"LN", "LANE"}, 7}, {suffix{"CT", "COURT"}, 6},
	{suffix{"WAY", "WAY"}, 4}, {suffix{"PL", "PLACE"}, 3}, {suffix{"BLVD", "BOULEVARD"}, 3},
	{suffix{"CIR", "CIRCLE"}, 3}, {suffix{"TER", "TERRACE"}, 2}, {suffix{"TRL", "TRAIL"}, 2},
	{suffix{"PKWY", "PARKWAY"}, 1}, {suffix{"HWY", "HIGHWAY"}, 1}, {suffix{"LOOP", "LOOP"}, 1},
	{suffix{"PIKE", "PIKE"}, 0.5}, {suffix{"SQ", "SQUARE"}, 0.3}, {suffix{"XING", "CROSSING"}, 0.3},
	{suffix{"RUN", "RUN"}, 0.4}, {suffix{"PATH", "PATH"}, 0.3}, {suffix{"ALY", "ALLEY"}, 0.2},
	{suffix{"CV", "COVE"}, 0.5}, {suffix{"PT", "POINT"}, 0.3}, {suffix{"HOLW", "HOLLOW"}, 0.2},
	{suffix{"TRCE", "TRACE"}, 0.2}, {suffix{"GRV", "GROVE"}, 0.3}, {suffix{"HTS", "HEIGHTS"}, 0.2},
}

// directionals are the Pub 28 directional abbreviations and their words,
// with relative frequencies.
var directionals = []weightedWord{
	{suffix{"N", "NORTH"}, 22}, {suffix{"S", "SOUTH"}, 22}, {suffix{"E", "EAST"}, 22}, {suffix{"W", "WEST"}, 22},
	{suffix{"NE", "NORTHEAST"}, 3}, {suffix{"NW", "NORTHWEST"}, 3}, {suffix{"SE", "SOUTHEAST"}, 3}, {suffix{"SW", "SOUTHWEST"}, 3},
}

// unitTypes are secondary unit designators with relative frequencies; the
// word of "#" is "#".
var unitTypes = []weightedWord{
	{suffix{"APT", "APARTMENT"}, 60}, {suffix{"STE", "SUITE"}, 14}, {suffix{"UNIT", "UNIT"}, 12},
	{suffix{"#", "#"}, 8}, {suffix{"FL", "FLOOR"}, 3}, {suffix{"BLDG", "BUILDING"}, 2}, {suffix{"RM", "ROOM"}, 1},
}

// emailDomains with rough shares of US consumer mailboxes.
var emailDomains = []weightedString{
	{"gmail.com", 34}, {"yahoo.com", 13}, {"hotmail.com", 8}, {"outlook.com", 6}, {"aol.com", 4},
	{"icloud.com", 6}, {"comcast.net", 3}, {"att.net", 2}, {"msn.com", 1.5}, {"live.com", 1.5},
	{"me.com", 1}, {"sbcglobal.net", 1.5}, {"verizon.net", 1}, {"bellsouth.net", 1}, {"cox.net", 1},
	{"charter.net", 0.7}, {"earthlink.net", 0.4}, {"protonmail.com", 0.5}, {"ymail.com", 0.4},
	{"mac.com", 0.4}, {"rocketmail.com", 0.1}, {"juno.com", 0.2}, {"frontier.com", 0.3},
}

// orgWords and orgKinds make small-business names such as "Harbor Dental
// Group LLC".
var orgWords = []string{"Harbor", "Summit", "Evergreen", "Pinnacle", "Riverside", "Lakeside", "Keystone",
	"Blue Ridge", "Cornerstone", "Heritage", "Liberty", "Main Street", "Northside", "Southern", "Golden State",
	"Prairie", "Coastal", "Mountain View", "Valley", "Oakwood", "Pioneer", "Landmark", "Bright Smile", "Family",
	"Premier", "Allied", "United", "First Choice", "Tri-County", "Metro", "Sunrise", "Westside", "Capital City"}

var orgKinds = []string{"Dental", "Family Dentistry", "Insurance Agency", "Realty", "Auto Repair", "Plumbing",
	"Law Office", "Veterinary Clinic", "Chiropractic", "Bakery", "Landscaping", "Roofing", "Accounting",
	"Pharmacy", "Fitness", "Pediatrics", "Eye Care", "Hardware", "Florist", "Heating & Cooling", "Title Company",
	"Credit Union", "Church", "Dry Cleaners", "Pet Supply", "Orthodontics", "Physical Therapy", "Insurance"}

var orgForms = []weightedString{{"", 40}, {" LLC", 25}, {" Inc", 12}, {", Inc.", 6}, {" Co", 4}, {" Group", 8}, {" Associates", 5}}

// offers are merge values for var_field_1.
var offers = []string{"Spring Sale", "Free Shipping", "20% Off Your Next Order", "Buy One, Get One Free",
	"Welcome Back", "Holiday Savings", "Annual Checkup Reminder", "Loyalty Reward", "New Mover Welcome",
	"$10 Off $50", "Free Consultation", "Renewal Notice", "Summer Clearance", "VIP Preview", "Thank You Gift",
	"Back to School", "Refer a Friend", "Anniversary Offer", "Free Estimate", "Seasonal Tune-Up"}

// metroPrefixes are 3-digit ZIP areas of large US metros; mail files
// cluster in them. The second field is how many times denser than an
// ordinary area each ZIP in it is.
var metroPrefixes = []weightedString{
	// New York
	{"100", 14}, {"101", 4}, {"102", 4}, {"103", 10}, {"104", 12}, {"110", 8}, {"111", 8}, {"112", 14},
	{"113", 12}, {"114", 12}, {"115", 6}, {"116", 8}, {"117", 6}, {"105", 6}, {"107", 5}, {"108", 5},
	// New Jersey
	{"070", 6}, {"071", 6}, {"072", 5}, {"073", 6}, {"074", 5}, {"075", 5}, {"076", 6}, {"077", 5}, {"078", 4}, {"079", 5},
	// Los Angeles, Orange County, Inland Empire, San Diego
	{"900", 14}, {"902", 8}, {"903", 6}, {"904", 6}, {"905", 7}, {"906", 7}, {"907", 7}, {"908", 6},
	{"910", 6}, {"911", 6}, {"912", 5}, {"913", 7}, {"914", 6}, {"915", 5}, {"917", 7}, {"918", 5},
	{"926", 6}, {"927", 5}, {"928", 5}, {"925", 5}, {"923", 4}, {"921", 8}, {"919", 5}, {"920", 5},
	// Chicago
	{"606", 14}, {"600", 6}, {"601", 6}, {"602", 5}, {"603", 5}, {"604", 5}, {"605", 5},
	// Houston, Dallas-Fort Worth, San Antonio, Austin
	{"770", 12}, {"772", 4}, {"773", 5}, {"774", 5}, {"775", 5}, {"750", 7}, {"751", 6}, {"752", 10},
	{"760", 6}, {"761", 6}, {"782", 7}, {"786", 5}, {"787", 7},
	// Phoenix, Las Vegas, Denver, Salt Lake City
	{"850", 10}, {"852", 7}, {"853", 6}, {"891", 8}, {"889", 4}, {"800", 7}, {"801", 6}, {"802", 7}, {"840", 4}, {"841", 5},
	// Philadelphia, Pittsburgh, Baltimore, Washington DC
	{"191", 10}, {"190", 5}, {"193", 5}, {"194", 5}, {"152", 5}, {"150", 3}, {"151", 3},
	{"212", 6}, {"210", 4}, {"211", 4}, {"200", 8}, {"201", 5}, {"207", 5}, {"208", 5}, {"209", 5},
	{"220", 6}, {"221", 5}, {"222", 5}, {"223", 5},
	// Boston, Providence, Hartford
	{"021", 10}, {"020", 5}, {"018", 5}, {"019", 5}, {"024", 5}, {"029", 4}, {"061", 4},
	// Miami, Fort Lauderdale, Orlando, Tampa, Atlanta, Charlotte, Nashville
	{"331", 10}, {"330", 6}, {"332", 5}, {"333", 6}, {"334", 6}, {"328", 6}, {"327", 5},
	{"335", 5}, {"336", 6}, {"337", 5}, {"300", 7}, {"301", 5}, {"302", 5}, {"303", 9},
	{"282", 7}, {"280", 4}, {"281", 4}, {"372", 6}, {"370", 4},
	// Seattle, Portland, San Francisco Bay Area, Sacramento
	{"981", 10}, {"980", 6}, {"982", 4}, {"972", 7}, {"970", 4}, {"941", 10}, {"940", 6}, {"943", 5},
	{"944", 5}, {"945", 6}, {"946", 6}, {"947", 5}, {"950", 6}, {"951", 7}, {"958", 6}, {"956", 4}, {"957", 4},
	// Detroit, Minneapolis, St. Louis, Kansas City, Columbus, Cleveland, Indianapolis, Milwaukee
	{"482", 7}, {"480", 5}, {"481", 5}, {"483", 5}, {"554", 7}, {"553", 5}, {"551", 5}, {"631", 6}, {"630", 4},
	{"641", 6}, {"660", 4}, {"432", 6}, {"430", 3}, {"441", 6}, {"440", 4}, {"462", 6}, {"460", 3}, {"532", 6}, {"530", 3},
}

// excludedStates take ZIP Codes but not the street addresses this package
// writes: military mail (AA, AE, AP) and the freely associated states.
var excludedStates = map[[2]byte]bool{{'A', 'A'}: true, {'A', 'E'}: true, {'A', 'P'}: true,
	{'F', 'M'}: true, {'M', 'H'}: true, {'P', 'W'}: true}

// foreignPlace is a city with a postal code that fits its country's format.
type foreignPlace struct{ city, region, code string }

// foreignCountry describes how addresses of one country are written.
type foreignCountry struct {
	code    string   // ISO 3166-1 alpha-2
	names   []string // other spellings of the country field
	w       float64  // share of international rows
	numLast bool     // house number after the street name (DE, MX, NL)
	streets []string
	places  []foreignPlace
}

var foreignCountries = []foreignCountry{
	{code: "CA", names: []string{"Canada", "CANADA", "CAN"}, w: 35, streets: []string{"King Street West", "Yonge Street",
		"Main Street", "Rue Sainte-Catherine Ouest", "Jasper Avenue", "Portage Avenue", "Granville Street", "Barrington Street"},
		places: []foreignPlace{{"Toronto", "ON", "M5V 3L9"}, {"Vancouver", "BC", "V6B 4Y8"}, {"Montreal", "QC", "H3B 4W8"},
			{"Calgary", "AB", "T2P 2M5"}, {"Ottawa", "ON", "K1P 1J1"}, {"Edmonton", "AB", "T5J 2R7"}, {"Winnipeg", "MB", "R3C 4T3"},
			{"Halifax", "NS", "B3H 4R2"}, {"Quebec", "QC", "G1R 4P5"}, {"Victoria", "BC", "V8W 1P6"}}},
	{code: "GB", names: []string{"United Kingdom", "UK", "England"}, w: 25, streets: []string{"High Street", "Station Road",
		"Church Lane", "Victoria Road", "Park Avenue", "Mill Lane", "Kings Road", "London Road", "The Crescent"},
		places: []foreignPlace{{"London", "", "SW1A 2AA"}, {"London", "", "EC1A 1BB"}, {"Manchester", "", "M1 1AE"},
			{"Birmingham", "", "B33 8TH"}, {"Leeds", "", "LS1 4DY"}, {"Glasgow", "", "G2 3WT"}, {"Edinburgh", "", "EH1 1YZ"},
			{"Bristol", "", "BS1 6QF"}, {"Liverpool", "", "L1 8JQ"}, {"Cardiff", "", "CF10 1EP"}, {"Croydon", "", "CR2 6XH"}}},
	{code: "DE", names: []string{"Germany", "Deutschland"}, w: 10, numLast: true, streets: []string{"Hauptstraße",
		"Bahnhofstraße", "Schillerstraße", "Goethestraße", "Gartenweg", "Lindenallee", "Berliner Straße"},
		places: []foreignPlace{{"Berlin", "", "10115"}, {"München", "", "80331"}, {"Hamburg", "", "20095"}, {"Köln", "", "50667"},
			{"Frankfurt am Main", "", "60311"}, {"Stuttgart", "", "70173"}, {"Düsseldorf", "", "40213"}, {"Leipzig", "", "04109"}}},
	{code: "MX", names: []string{"Mexico", "México"}, w: 8, numLast: true, streets: []string{"Avenida Paseo de la Reforma",
		"Calle Francisco I. Madero", "Avenida Insurgentes Sur", "Calle Hidalgo", "Avenida Juárez"},
		places: []foreignPlace{{"Ciudad de México", "CDMX", "06600"}, {"Guadalajara", "JAL", "44100"}, {"Monterrey", "NL", "64000"},
			{"Puebla", "PUE", "72000"}, {"Cancún", "QROO", "77500"}}},
	{code: "AU", names: []string{"Australia"}, w: 7, streets: []string{"George Street", "Collins Street", "Queen Street",
		"Hay Street", "King William Street"},
		places: []foreignPlace{{"Sydney", "NSW", "2000"}, {"Melbourne", "VIC", "3000"}, {"Brisbane", "QLD", "4000"},
			{"Perth", "WA", "6000"}, {"Adelaide", "SA", "5000"}}},
	{code: "FR", names: []string{"France"}, w: 6, streets: []string{"Rue de la Paix", "Avenue des Champs-Élysées",
		"Boulevard Saint-Germain", "Rue Victor Hugo", "Place Bellecour"},
		places: []foreignPlace{{"Paris", "", "75001"}, {"Paris", "", "75008"}, {"Lyon", "", "69002"}, {"Marseille", "", "13001"},
			{"Toulouse", "", "31000"}, {"Nice", "", "06000"}, {"Bordeaux", "", "33000"}}},
	{code: "NL", names: []string{"Netherlands", "Nederland"}, w: 5, numLast: true, streets: []string{"Damrak", "Coolsingel",
		"Oudegracht", "Kalverstraat", "Lange Voorhout"},
		places: []foreignPlace{{"Amsterdam", "", "1012 JS"}, {"Rotterdam", "", "3011 AD"}, {"Utrecht", "", "3511 LX"},
			{"Den Haag", "", "2514 EA"}}},
	{code: "JP", names: []string{"Japan"}, w: 4, streets: []string{"Marunouchi", "Umeda", "Shibuya", "Ginza"},
		places: []foreignPlace{{"Tokyo", "", "100-0005"}, {"Osaka", "", "530-0001"}, {"Kyoto", "", "600-8216"},
			{"Tokyo", "", "150-0002"}}},
}
