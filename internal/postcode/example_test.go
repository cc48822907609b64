package postcode_test

import (
	"fmt"

	"github.com/postmill/postmill/internal/postcode"
)

func ExampleDetect() {
	r := postcode.Detect(nil, nil, []byte("sw1a2aa"))
	fmt.Println(r.Country, r.Country.Name(), r.Postcode.String(), r.Status, r.Inferred)

	r = postcode.Detect([]byte("Canada"), []byte("ON"), []byte("K1A0B1"))
	fmt.Println(r.Country, r.Postcode.String(), r.Status)

	r = postcode.Detect(nil, []byte("MA"), []byte("02108"))
	fmt.Println(r.Country, r.Postcode.String(), r.Status)
	// Output:
	// GB UNITED KINGDOM SW1A 2AA postal_code_valid true
	// CA K1A 0B1 postal_code_valid
	// US 02108 postal_code_valid
}
