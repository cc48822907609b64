package presort

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// LabelList maps 3-digit ZIP prefixes to the ADC or AADC their mail is sorted
// to. A nil *LabelList maps nothing.
type LabelList struct {
	rank  [1000]int32 // ADC rank + 1 per prefix; 0 = not listed
	names []string    // ADC names, sorted
}

// LoadLabelList reads a labeling list file (see the package doc).
func LoadLabelList(path string) (*LabelList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("presort: labeling list: %w", err)
	}
	defer f.Close()
	l, err := ReadLabelList(f)
	if err != nil {
		return nil, fmt.Errorf("presort: labeling list %s: %w", path, err)
	}
	return l, nil
}

// ReadLabelList parses a labeling list: a header zip3,adc, then lines of a
// 3-digit prefix or range (005-009) and an ADC name.
func ReadLabelList(r io.Reader) (*LabelList, error) {
	sc := bufio.NewScanner(r)
	adc := map[int]string{}
	header := false
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		k, v, ok := strings.Cut(text, ",")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		if !header {
			if !ok || !strings.EqualFold(k, "zip3") || !strings.EqualFold(v, "adc") {
				return nil, fmt.Errorf("line %d: want the header zip3,adc", line)
			}
			header = true
			continue
		}
		if !ok || v == "" {
			return nil, fmt.Errorf("line %d: want zip3,adc", line)
		}
		lo, hi, err := parseRange(k)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		for z := lo; z <= hi; z++ {
			if prev, dup := adc[z]; dup {
				return nil, fmt.Errorf("line %d: prefix %03d listed twice (%s, %s)", line, z, prev, v)
			}
			adc[z] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("empty: want the header zip3,adc")
	}
	return newLabelList(adc), nil
}

// NewLabelList builds a list from prefix → ADC name.
func NewLabelList(adc map[int]string) (*LabelList, error) {
	for z, v := range adc {
		if z < 0 || z > 999 || v == "" {
			return nil, fmt.Errorf("presort: labeling list entry %d=%q", z, v)
		}
	}
	return newLabelList(adc), nil
}

func newLabelList(adc map[int]string) *LabelList {
	l := &LabelList{}
	for _, v := range adc {
		l.names = append(l.names, v)
	}
	slices.Sort(l.names)
	l.names = slices.Compact(l.names)
	for z, v := range adc {
		i, _ := slices.BinarySearch(l.names, v)
		l.rank[z] = int32(i + 1)
	}
	return l
}

func parseRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parseZip3(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = parseZip3(b); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("range %s runs backwards", s)
		}
	}
	return lo, hi, nil
}

func parseZip3(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 3 {
		return 0, fmt.Errorf("prefix %q: want 3 digits", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("prefix %q: want 3 digits", s)
	}
	return n, nil
}

// Len is the number of distinct ADCs.
func (l *LabelList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.names)
}

// Rank returns the position of zip3's ADC among the sorted ADC names.
func (l *LabelList) Rank(zip3 int) (int, bool) {
	if l == nil || zip3 < 0 || zip3 > 999 || l.rank[zip3] == 0 {
		return 0, false
	}
	return int(l.rank[zip3] - 1), true
}

// Name returns the name of the ADC of rank r.
func (l *LabelList) Name(r int) string { return l.names[r] }
