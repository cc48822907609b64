package presort

import (
	"fmt"
	"strconv"
)

// Level is a presort level.
type Level uint8

// Levels, in the order their pieces are emitted.
const (
	Level5Digit        Level = iota + 1 // at least Min pieces for one 5-digit ZIP Code
	Level3Digit                         // at least Min left over for one 3-digit prefix
	LevelAADC                           // at least Min left over for one ADC/AADC
	LevelMixed                          // mixed ADC: the rest
	LevelInternational                  // foreign pieces
)

// DomesticLevels lists the levels of domestic pieces in emitting order.
var DomesticLevels = []Level{Level5Digit, Level3Digit, LevelAADC, LevelMixed}

// String returns the level's name as the presort_level column and the rate
// card spell it: 5digit, 3digit, aadc, mixed, international.
func (l Level) String() string {
	switch l {
	case Level5Digit:
		return "5digit"
	case Level3Digit:
		return "3digit"
	case LevelAADC:
		return "aadc"
	case LevelMixed:
		return "mixed"
	case LevelInternational:
		return "international"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// ParseLevel returns the level named s.
func ParseLevel(s string) (Level, error) {
	for l := Level5Digit; l <= LevelInternational; l++ {
		if l.String() == s {
			return l, nil
		}
	}
	return 0, fmt.Errorf("presort: unknown level %q", s)
}

// DefaultMin is the fewest pieces that make a 5-digit, 3-digit or ADC group.
const DefaultMin = 10

// Counts counts a group's domestic pieces per 5-digit ZIP Code. The zero
// value is not ready: use NewCounts. It takes 400 KB.
type Counts struct {
	zip5  []uint32
	total int64
}

// NewCounts returns empty counts.
func NewCounts() *Counts { return &Counts{zip5: make([]uint32, 100000)} }

// Add counts one piece for zip5 (0..99999).
func (c *Counts) Add(zip5 uint32) {
	c.zip5[zip5]++
	c.total++
}

// Total is the number of pieces counted.
func (c *Counts) Total() int64 { return c.total }

// Plan assigns levels and destinations from a group's counts. It is
// immutable once made.
type Plan struct {
	labels  *LabelList
	level3  [1000]Level // level of the pieces of a prefix that are not 5digit
	q5      []bool      // zip5 qualifies for 5digit
	c5      []uint32
	resid3  [1000]int64 // pieces of a prefix not 5digit
	residAD []int64     // per ADC rank: pieces left after 3digit
	mixed   int64
	byLevel [LevelInternational + 1]int64
}

// NewPlan computes the levels of a group. labels may be nil (no ADC level);
// min <= 0 means DefaultMin.
func NewPlan(c *Counts, labels *LabelList, min int) *Plan {
	if min <= 0 {
		min = DefaultMin
	}
	p := &Plan{labels: labels, q5: make([]bool, 100000), c5: c.zip5}
	for z, n := range c.zip5 {
		if n == 0 {
			continue
		}
		if int(n) >= min {
			p.q5[z] = true
			p.byLevel[Level5Digit] += int64(n)
		} else {
			p.resid3[z/100] += int64(n)
		}
	}
	if labels != nil {
		p.residAD = make([]int64, labels.Len())
	}
	for z3 := range 1000 {
		n := p.resid3[z3]
		switch {
		case n == 0:
		case n >= int64(min):
			p.level3[z3] = Level3Digit
			p.byLevel[Level3Digit] += n
		default:
			if r, ok := labels.Rank(z3); ok {
				p.residAD[r] += n
			}
		}
	}
	for z3 := range 1000 {
		n := p.resid3[z3]
		if n == 0 || p.level3[z3] == Level3Digit {
			continue
		}
		if r, ok := labels.Rank(z3); ok && p.residAD[r] >= int64(min) {
			p.level3[z3] = LevelAADC
			p.byLevel[LevelAADC] += n
			continue
		}
		p.level3[z3] = LevelMixed
		p.byLevel[LevelMixed] += n
		p.mixed += n
	}
	return p
}

// Level returns the level of a piece for zip5.
func (p *Plan) Level(zip5 uint32) Level {
	if p.q5[zip5] {
		return Level5Digit
	}
	return p.level3[zip5/100]
}

// Count returns how many pieces of the group have level l.
func (p *Plan) Count(l Level) int64 { return p.byLevel[l] }

// Dest returns the tray destination of a piece for zip5 at level l: a key
// that is equal for the pieces that may share a tray, their number, and the
// destination's label text appended to dst ("10001", "100", the ADC's name,
// "MXD").
func (p *Plan) Dest(dst []byte, zip5 uint32, l Level) (key uint32, n int64, label []byte) {
	switch l {
	case Level5Digit:
		return zip5, int64(p.c5[zip5]), appendPadded(dst, int(zip5), 5)
	case Level3Digit:
		return zip5 / 100, p.resid3[zip5/100], appendPadded(dst, int(zip5/100), 3)
	case LevelAADC:
		r, _ := p.labels.Rank(int(zip5 / 100))
		return uint32(r), p.residAD[r], append(dst, p.labels.Name(r)...)
	}
	return 0, p.mixed, append(dst, "MXD"...)
}

// ADCRank returns the sort rank of zip5's ADC: its position in the labeling
// list's sorted ADC names, or 0 without a list or for a prefix not listed
// (such pieces can only be 5digit, 3digit or mixed).
func (p *Plan) ADCRank(zip5 uint32) uint16 { return ADCRank(p.labels, zip5) }

// ADCRank is Plan.ADCRank without a plan, for sort keys made before the
// counts are complete.
func ADCRank(l *LabelList, zip5 uint32) uint16 {
	r, ok := l.Rank(int(zip5 / 100))
	if !ok {
		return 0
	}
	return uint16(r + 1)
}

func appendPadded(dst []byte, v, width int) []byte {
	var buf [8]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// Trays returns how many trays n pieces need with at most max per tray.
func Trays(n int64, max int) int64 {
	if n <= 0 {
		return 0
	}
	return (n + int64(max) - 1) / int64(max)
}

// TrayOf returns the 0-based tray, among Trays(n, max), of the i-th (0-based)
// of n pieces of one destination. Trays are filled evenly: their sizes
// differ by at most one, larger first, so no tray is left with a handful of
// pieces.
func TrayOf(i, n int64, max int) int64 {
	k := Trays(n, max)
	base, extra := n/k, n%k
	if i < extra*(base+1) {
		return i / (base + 1)
	}
	return extra + (i-extra*(base+1))/base
}
