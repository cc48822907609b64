package pub28

import (
	"fmt"
	"testing"

	"github.com/postmill/postmill/internal/benchcpu"
)

// benchLines builds a few hundred varied, realistic delivery lines: street
// addresses with and without directionals, suffix spellings and units, PO
// boxes, rural routes and highway contracts, some with a second line.
func benchLines() [][2][]byte {
	names := []string{"Main", "Oak", "Maple", "Washington", "Lake Shore", "Martin Luther King Jr", "5th", "Peña", "Summit Ridge", "Elm"}
	suffixes := []string{"Street", "St.", "Avenue", "Ave", "Blvd", "Road", "Dr", "Lane", "Court", "Parkway", "Circle", "Hwy", "Trail", "Terrace", "Way"}
	dirs := []string{"", "North ", "S. ", "NW ", "East "}
	posts := []string{"", "", "", " SW", " West"}
	units := []string{"", "", "", " Apt 4B", ", Suite 200", " #12", " Unit 3", " Fl 2", " Rear"}
	line2s := []string{"", "", "", "", "Apt 7", "Ste. 310", "#4"}
	var lines [][2][]byte
	for i := 0; i < 400; i++ {
		var l1, l2 string
		switch i % 20 {
		case 17:
			l1 = fmt.Sprintf("P.O. Box %d", 100+i*7)
		case 18:
			l1 = fmt.Sprintf("RR %d Box %d", 1+i%9, 10+i)
		case 19:
			l1 = fmt.Sprintf("HC %d Box %d", 1+i%5, 200+i)
		default:
			l1 = fmt.Sprintf("%d %s%s %s%s%s", 10+i*37, dirs[i%len(dirs)], names[i%len(names)],
				suffixes[i%len(suffixes)], posts[i%len(posts)], units[i%len(units)])
			l2 = line2s[i%len(line2s)]
			if l2 != "" && units[i%len(units)] != "" {
				l2 = ""
			}
		}
		lines = append(lines, [2][]byte{[]byte(l1), []byte(l2)})
	}
	return lines
}

func BenchmarkParse(b *testing.B) {
	lines := benchLines()
	var p Parser
	for _, l := range lines {
		if _, pr := p.Parse(l[0], l[1]); pr != NoProblem {
			b.Fatalf("Parse(%q, %q): %q", l[0], l[1], pr)
		}
	}
	b.ReportAllocs()
	cpu0 := benchcpu.Time()
	for i := 0; b.Loop(); i++ {
		l := lines[i%len(lines)]
		p.Parse(l[0], l[1])
	}
	// CPU time as well as wall time: on a shared machine the wall-clock
	// ns/op includes time the process waited for a core.
	cpu := benchcpu.Time() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
