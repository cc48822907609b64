package pub28_test

import (
	"fmt"

	"github.com/postmill/postmill/internal/pub28"
)

func ExampleParser_Parse() {
	var p pub28.Parser
	for _, in := range [][2]string{
		{"123 North Main Street, Apt. #4", ""},
		{"Apt 4, 123 Main St", ""},
		{"1 Market St", "Suite 200"},
		{"P.O. Box 0012", ""},
		{"Rural Route 2 Box 50", ""},
		{"Main Street", ""},
	} {
		a, problem := p.Parse([]byte(in[0]), []byte(in[1]))
		if problem != pub28.NoProblem {
			fmt.Printf("%-32q rejected: %s\n", in[0], problem)
			continue
		}
		fmt.Printf("%-32q %s (%s)\n", in[0], a.Line, a.Kind)
	}
	// Output:
	// "123 North Main Street, Apt. #4" 123 N MAIN ST APT 4 (street)
	// "Apt 4, 123 Main St"             123 MAIN ST APT 4 (street)
	// "1 Market St"                    1 MARKET ST STE 200 (street)
	// "P.O. Box 0012"                  PO BOX 12 (po_box)
	// "Rural Route 2 Box 50"           RR 2 BOX 50 (rural_route)
	// "Main Street"                    rejected: missing_primary
}

func ExampleStateCode() {
	code, ok := pub28.StateCode([]byte("District of Columbia"))
	fmt.Println(code, ok)
	// Output: DC true
}
