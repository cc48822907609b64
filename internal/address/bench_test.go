package address_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/benchcpu"

	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/zipdb"
)

// Corpus returns n realistic, varied addresses, the same for every run:
// real ZIPs with their cities, street names with suffixes spelled in full,
// abbreviated or misspelled, directionals, units in line 1 or line 2, PO
// boxes and rural routes, lower case, full state names, dropped leading
// zeros, misspelled or missing cities, ZIP+4s, about 3% foreign and 2%
// invalid addresses.
func Corpus(tb testing.TB, db *zipdb.DB, n int) []address.Fields {
	tb.Helper()
	rng := rand.New(rand.NewPCG(4, 28))
	type place struct{ zip, city, state string }
	var places []place
	i := 0
	for z, e := range db.All() {
		if i%37 == 0 {
			places = append(places, place{string(z[:]), e.City, string(e.State[:])})
		}
		i++
	}
	names := []string{"Main", "Oak", "Maple", "Harbor", "Washington", "Lincoln", "Park", "Cedar", "Elm", "Lake",
		"Hill", "Sunset", "Pine", "Meadow", "Church", "Mill", "Spring", "River", "Highland", "Summit Ridge", "Martin Luther King Jr"}
	suffixes := []string{"Street", "St", "St.", "Avenue", "Ave", "Road", "Rd", "Drive", "Dr", "Lane", "Ln", "Boulevard",
		"Blvd", "Court", "Ct", "Place", "Way", "Circle", "Parkway", "Terrace", "Avenu", "Strret", "Hwy"}
	dirs := []string{"", "", "", "", "N", "North", "S", "South", "E", "W", "West", "NE", "Southwest"}
	units := []string{"Apt", "Apartment", "Suite", "Ste", "#", "Unit", "Fl", "Floor", "Rm", "Bldg"}
	stateNames := map[string]string{"MA": "Massachusetts", "NY": "New York", "CA": "California", "TX": "Texas",
		"FL": "Florida", "IL": "Illinois", "PA": "Pennsylvania", "OH": "Ohio", "GA": "Georgia", "NC": "North Carolina"}
	foreign := [][6]string{
		{"10 Downing Street", "", "London", "", "SW1A 2AA", "United Kingdom"},
		{"24 Sussex Drive", "", "Ottawa", "ON", "K1M 1M4", "Canada"},
		{"Unter den Linden 77", "", "Berlin", "", "10117", "Germany"},
		{"55 Rue du Faubourg Saint-Honoré", "", "Paris", "", "75008", "France"},
		{"1 Macquarie Street", "", "Sydney", "NSW", "2000", "Australia"},
	}
	invalid := [][6]string{
		{"Main Street", "", "Boston", "MA", "02108", ""},
		{"22 Harbor Rd", "", "Boston", "MA", "99999", ""},
		{"22 Harbor Rd", "", "Springfield", "IL", "02108", ""},
		{"", "", "Boston", "MA", "02108", ""},
		{"!!!", "", "Boston", "MA", "02108", ""},
	}
	out := make([]address.Fields, n)
	for i := range out {
		var f [6]string
		switch x := rng.IntN(100); {
		case x < 3:
			f = foreign[rng.IntN(len(foreign))]
		case x < 5:
			f = invalid[rng.IntN(len(invalid))]
		default:
			p := places[rng.IntN(len(places))]
			var line string
			switch y := rng.IntN(100); {
			case y < 5:
				line = fmt.Sprintf("PO Box %d", rng.IntN(9999)+1)
			case y < 7:
				line = fmt.Sprintf("RR %d Box %d", rng.IntN(9)+1, rng.IntN(300)+1)
			default:
				line = fmt.Sprintf("%d %s %s %s", rng.IntN(9999)+1, dirs[rng.IntN(len(dirs))], names[rng.IntN(len(names))],
					suffixes[rng.IntN(len(suffixes))])
			}
			var line2 string
			if rng.IntN(100) < 30 {
				unit := fmt.Sprintf("%s %d", units[rng.IntN(len(units))], rng.IntN(400)+1)
				if rng.IntN(2) == 0 {
					line += " " + unit
				} else {
					line2 = unit
				}
			}
			city, state, zip := p.city, p.state, p.zip
			if rng.IntN(100) < 40 {
				city = strings.Title(strings.ToLower(city)) //nolint:staticcheck // test data
				line = strings.ToLower(line)
			}
			switch y := rng.IntN(100); {
			case y < 5:
				if name, ok := stateNames[state]; ok {
					state = name
				}
			case y < 8:
				city = ""
			case y < 11 && len(city) > 6:
				city = city[:3] + city[4:] // a dropped letter
			case y < 14 && zip[0] == '0':
				zip = strings.TrimLeft(zip, "0")
			case y < 30:
				zip += fmt.Sprintf("-%04d", rng.IntN(10000))
			}
			f = [6]string{line, line2, city, state, zip, ""}
		}
		out[i] = fields(f[0], f[1], f[2], f[3], f[4], f[5])
	}
	return out
}

// BenchmarkStandardize is standardize+validate of one address on one
// goroutine: run with -cpu 1 and -benchmem.
func BenchmarkStandardize(b *testing.B) {
	db := loadDB(b)
	corpus := Corpus(b, db, 4096)
	s := address.NewStandardizer(db, address.Config{})
	for _, f := range corpus {
		s.Standardize(f)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	i := 0
	for b.Loop() {
		s.Standardize(corpus[i&4095])
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "addresses/s")
	if cpu := benchcpu.Time() - cpu0; cpu > 0 {
		// On a shared machine wall time includes waiting for a core; CPU
		// time is the cost on one core.
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(i), "cpu-ns/address")
		b.ReportMetric(float64(i)/cpu.Seconds(), "addresses/cpu-s")
	}
}

func TestCorpusMix(t *testing.T) {
	db := loadDB(t)
	s := address.NewStandardizer(db, address.Config{})
	count := map[address.Status]int{}
	for _, f := range Corpus(t, db, 4096) {
		count[s.Standardize(f).Status]++
	}
	// The corpus is mostly mailable, with every status present.
	if count[address.StatusValid] == 0 || count[address.StatusCorrected] < 2000 || count[address.StatusInternational] == 0 ||
		count[address.StatusInvalid] > 400 {
		t.Errorf("corpus statuses %v", count)
	}
	t.Logf("corpus statuses: %v", count)
}
