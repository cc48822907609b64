package gen

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/postmill/postmill/internal/zipdb"
)

// rng is a seeded PCG with the few draws the generator needs. It is a value
// type so that draws inline and do not go through an interface.
type rng struct{ pcg rand.PCG }

func newRNG(seed, stream uint64) rng {
	var r rng
	r.pcg.Seed(seed, stream^0x9e3779b97f4a7c15)
	return r
}

func (r *rng) u64() uint64 { return r.pcg.Uint64() }

// intn returns a number in [0, n) (Lemire's multiply-shift, without the
// rejection step: its bias is below 2^-40 for the sizes used here).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.pcg.Uint64()>>11 < uint64(p*(1<<53)) }

// alias samples indexes with given weights in O(1) (Vose's alias method).
type alias struct {
	prob  []uint32 // keep index i when the coin is below prob[i]
	alias []uint32
}

func newAlias(w []float64) alias {
	n := len(w)
	a := alias{prob: make([]uint32, n), alias: make([]uint32, n)}
	var sum float64
	for _, x := range w {
		sum += x
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s] = uint32(scaled[s] * math.MaxUint32)
		a.alias[s] = uint32(l)
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		a.prob[i] = math.MaxUint32
		a.alias[i] = uint32(i)
	}
	return a
}

// pick draws one index with one random number: the high half picks a
// column, the low half tosses its coin.
func (a *alias) pick(r *rng) int {
	u := r.u64()
	i := int((u >> 32) * uint64(len(a.prob)) >> 32)
	if uint32(u) < a.prob[i] {
		return i
	}
	return int(a.alias[i])
}

// zipEntry is one ZIP Code the generator addresses mail to.
type zipEntry struct {
	zip   [5]byte
	state [2]byte
	metro bool // in one of metroPrefixes: no rural routes
	city  string
}

// tables holds the data every Generator shares. It is built once and only read.
type tables struct {
	first, last          []string // as written: "McDonald", "O'Brien"
	firstMail, lastMail  []string // lower-case letters only, for emails
	firstPick, lastPick  alias
	streets              []string
	streetPick           alias
	ordinals             [100]string // "1ST" … "99TH"; index 0 unused
	ordinalPick          alias       // index+1 is the street number
	suffixPick, dirPick  alias
	unitPick, domainPick alias
	orgFormPick          alias
	countryPick          alias
	ruralRate            float64 // share of rural route addresses in non-metro ZIPs
	zips                 []zipEntry
	zipPick              alias
	db                   *zipdb.DB
	dates                []string // var_field_2 values, ISO dates
	months               []string // move dates, YYYY-MM
}

var (
	tablesOnce sync.Once
	tablesVal  *tables
	tablesErr  error
)

// loadTables builds the shared tables on first use.
func loadTables() (*tables, error) {
	tablesOnce.Do(func() { tablesVal, tablesErr = buildTables() })
	return tablesVal, tablesErr
}

func buildTables() (*tables, error) {
	t := &tables{}
	var w []float64
	var err error
	if t.first, w, err = parseWeighted(firstNamesData); err != nil {
		return nil, fmt.Errorf("first names: %w", err)
	}
	t.firstPick = newAlias(w)
	if t.last, w, err = parseWeighted(lastNamesData); err != nil {
		return nil, fmt.Errorf("last names: %w", err)
	}
	t.lastPick = newAlias(w)
	if t.streets, w, err = parseWeighted(streetNamesData); err != nil {
		return nil, fmt.Errorf("street names: %w", err)
	}
	t.streetPick = newAlias(w)
	t.firstMail = mailForms(t.first)
	t.lastMail = mailForms(t.last)

	ow := make([]float64, 99)
	for n := 1; n <= 99; n++ {
		t.ordinals[n] = ordinal(n)
		ow[n-1] = 1 / float64(n)
	}
	t.ordinalPick = newAlias(ow)
	t.suffixPick = newAlias(weightsOf(suffixes, func(s weightedWord) float64 { return s.w }))
	t.dirPick = newAlias(weightsOf(directionals, func(s weightedWord) float64 { return s.w }))
	t.unitPick = newAlias(weightsOf(unitTypes, func(s weightedWord) float64 { return s.w }))
	t.domainPick = newAlias(weightsOf(emailDomains, func(s weightedString) float64 { return s.w }))
	t.orgFormPick = newAlias(weightsOf(orgForms, func(s weightedString) float64 { return s.w }))
	t.countryPick = newAlias(weightsOf(foreignCountries, func(c foreignCountry) float64 { return c.w }))

	if t.db, err = zipdb.Load(); err != nil {
		return nil, fmt.Errorf("load ZIP table: %w", err)
	}
	var all, rural float64 // ZIP weights in all and in non-metro areas
	metro := make(map[string]float64, len(metroPrefixes))
	for _, m := range metroPrefixes {
		metro[m.s] = m.w
	}
	w = w[:0]
	for z, e := range t.db.All() {
		if excludedStates[e.State] {
			continue
		}
		weight := 1.0
		m, isMetro := metro[string(z[:3])]
		if isMetro {
			weight = m
		}
		if e.State == [2]byte{'P', 'R'} || e.State == [2]byte{'V', 'I'} || e.State == [2]byte{'G', 'U'} {
			weight = 0.3
		}
		// A fixed per-ZIP jitter (0.25 to 1.75) so that ZIPs within an area differ.
		h := uint32(zipNum(z)) * 2654435761
		weight *= 0.25 + 1.5*float64(h>>16)/65536
		t.zips = append(t.zips, zipEntry{zip: z, state: e.State, metro: isMetro, city: e.City})
		w = append(w, weight)
		all += weight
		if !isMetro {
			rural += weight
		}
	}
	t.ruralRate = ruralRouteRate * all / rural
	if len(t.zips) == 0 {
		return nil, fmt.Errorf("ZIP table is empty")
	}
	t.zipPick = newAlias(w)

	for d := 0; d < 731; d++ { // 2025-01-01 … 2026-12-31 (730 days; the loop stops at 2027)
		y, m, day := civil(20089 + d) // days since 1970-01-01: 2025-01-01 is 20089
		if y > 2026 {
			break
		}
		t.dates = append(t.dates, fmt.Sprintf("%04d-%02d-%02d", y, m, day))
	}
	for i := 0; i < 48; i++ { // 2022-01 … 2025-12: the 48 months NCOA keeps
		t.months = append(t.months, fmt.Sprintf("%04d-%02d", 2022+i/12, i%12+1))
	}
	return t, nil
}

// parseWeighted reads "Name weight" lines; a line without a numeric last
// field has weight 1.
func parseWeighted(data string) ([]string, []float64, error) {
	var names []string
	var weights []float64
	seen := map[string]bool{}
	for line := range strings.Lines(data) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, weight := line, 1.0
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
				name, weight = line[:i], v
			}
		}
		if weight <= 0 || seen[name] {
			return nil, nil, fmt.Errorf("bad or repeated entry %q", line)
		}
		seen[name] = true
		names = append(names, name)
		weights = append(weights, weight)
	}
	return names, weights, nil
}

func weightsOf[T any](xs []T, f func(T) float64) []float64 {
	w := make([]float64, len(xs))
	for i, x := range xs {
		w[i] = f(x)
	}
	return w
}

// mailForms lower-cases names and keeps only their letters: "O'Brien" → "obrien".
func mailForms(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		var b strings.Builder
		for j := 0; j < len(n); j++ {
			c := n[j]
			switch {
			case c >= 'a' && c <= 'z':
				b.WriteByte(c)
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			}
		}
		out[i] = b.String()
	}
	return out
}

// ordinal writes n as a numbered street name: 1ST, 2ND, 3RD, 11TH, 22ND.
func ordinal(n int) string {
	s := strconv.Itoa(n)
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return s + "TH"
	case n%10 == 1:
		return s + "ST"
	case n%10 == 2:
		return s + "ND"
	case n%10 == 3:
		return s + "RD"
	}
	return s + "TH"
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm), so the table needs no time zone.
func civil(days int) (y, m, d int) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func zipNum(z [5]byte) int {
	n := 0
	for _, c := range z {
		n = n*10 + int(c-'0')
	}
	return n
}
