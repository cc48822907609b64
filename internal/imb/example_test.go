package imb_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/postmill/postmill/internal/imb"
)

// The fourth worked example of USPS-B-3200.
func ExampleEncode() {
	bars, err := imb.Encode("01234567094987654321", "01234567891")
	if err != nil {
		panic(err)
	}
	fmt.Println(bars)
	// Output: AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA
}

// Reserve a block of serials, then encode one barcode per piece into a
// reused buffer.
func ExampleAppend() {
	dir, err := os.MkdirTemp("", "imb-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	serials, err := imb.NewFileSerials(imb.FileSerialsConfig{Dir: dir})
	if err != nil {
		panic(err)
	}
	first, err := serials.Reserve(context.Background(), "567094", 2)
	if err != nil {
		panic(err)
	}
	t := imb.Tracking{BarcodeID: "00", ServiceType: "270", MailerID: "567094"}
	routing := []byte("01234567891")
	var tracking [imb.TrackingLen]byte
	bars := make([]byte, 0, imb.Bars)
	for i := range uint64(2) {
		t.Serial = first + i
		bars, err = imb.Append(bars[:0], t.AppendTo(tracking[:0]), routing)
		if err != nil {
			panic(err)
		}
		fmt.Println(t, string(bars))
	}
	// Output:
	// 00270567094000000000 FDDFAAFFAFDTDAAFFDAATFDDTDTDTADFDAATAATDTTFDDATFDFAADDTAFDDTTDADA
	// 00270567094000000001 DDAAFTATTFTFAATTDFTFAADTFDATFAAFDTFFFATAATTATDDAFFDDFDDDDFTTDDFFT
}

// Validation errors name the field and wrap a sentinel.
func ExampleFieldError() {
	_, err := imb.Encode("01234567094987654321", "0123")
	fmt.Println(err)
	fmt.Println(errors.Is(err, imb.ErrRoutingLength))
	// Output:
	// imb: routing code has 4 digits: routing code must have 0, 5, 9 or 11 digits
	// true
}
