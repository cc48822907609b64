package ledger_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
)

func TestDefaultRateCard(t *testing.T) {
	rc, err := ledger.DefaultRateCard()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Version != "usps-2025-07-13" || rc.Effective != "2025-07-13" || !strings.Contains(rc.Source.Title, "Notice 123") {
		t.Fatalf("card header %q %q %q", rc.Version, rc.Effective, rc.Source.Title)
	}
	tests := []struct {
		class  ledger.MailClass
		format ledger.Format
		level  ledger.PresortLevel
		want   string
	}{
		{ledger.FirstClass, ledger.Postcard4x6, ledger.SinglePiece, "0.6100"},
		{ledger.FirstClass, ledger.Letter, ledger.SinglePiece, "0.7400"},
		{ledger.FirstClass, ledger.Postcard6x9, ledger.SinglePiece, "0.7400"},
		{ledger.FirstClassInternational, ledger.Postcard4x6, ledger.SinglePiece, "1.7000"},
		{ledger.FirstClassInternational, ledger.Letter, ledger.SinglePiece, "1.7000"},
	}
	for _, tc := range tests {
		p, err := rc.Price(tc.class, tc.format, tc.level)
		if err != nil || p.String() != tc.want {
			t.Errorf("Price(%s/%s/%s) = %s, %v; want %s", tc.class, tc.format, tc.level, p, err, tc.want)
		}
	}
}

func TestRateCardCheck(t *testing.T) {
	rc, err := ledger.DefaultRateCard()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		combos []ledger.Combo
		want   string // "" = no error
	}{
		{"all priced", []ledger.Combo{{ledger.FirstClass, ledger.Letter, ledger.SinglePiece}, {ledger.FirstClassInternational, ledger.Postcard4x6, ledger.SinglePiece}}, ""},
		{"one missing", []ledger.Combo{{ledger.FirstClass, ledger.Letter, ledger.SinglePiece}, {ledger.FirstClass, ledger.Postcard6x11, ledger.PresortAADC}},
			"no price for first_class/postcard_6x11/aadc in rate card usps-2025-07-13"},
		{"two missing, repeated", []ledger.Combo{{ledger.Marketing, ledger.Letter, ledger.Presort5Digit}, {ledger.Marketing, ledger.Letter, ledger.Presort5Digit}, {ledger.FirstClass, ledger.Postcard4x6, ledger.PresortMixed}},
			"no price for marketing/letter/5digit in rate card usps-2025-07-13\nno price for first_class/postcard_4x6/mixed in rate card usps-2025-07-13"},
	}
	for _, tc := range tests {
		err := rc.Check(tc.combos)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || err.Error() != tc.want || !errors.Is(err, ledger.ErrNoPrice) {
			t.Errorf("%s: err = %v, want %q matching ErrNoPrice", tc.name, err, tc.want)
		}
		var npe *ledger.NoPriceError
		if !errors.As(err, &npe) || npe.Combo != tc.combos[len(tc.combos)-1] && npe.Combo != tc.combos[0] {
			t.Errorf("%s: no *NoPriceError naming the combination: %v", tc.name, err)
		}
	}
}

func TestLoadRateCardInvalid(t *testing.T) {
	const head = `{"version":"v1","effective":"2025-07-13","currency":"USD","source":{"title":"t","url":"u"},"rates":[`
	tests := []struct {
		name, doc, want string
	}{
		{"unknown class", head + `{"class":"priority","format":"letter","level":"single_piece","price":"1"}]}`, `unknown class "priority"`},
		{"unknown format", head + `{"class":"first_class","format":"flat","level":"aadc","price":"1"}]}`, `unknown format "flat"`},
		{"unknown level", head + `{"class":"first_class","format":"letter","level":"carrier_route","price":"1"}]}`, `unknown presort level`},
		{"presorted international", head + `{"class":"first_class_international","format":"letter","level":"aadc","price":"1"}]}`, "single_piece only"},
		{"duplicate", head + `{"class":"first_class","format":"letter","level":"aadc","price":"1"},{"class":"first_class","format":"letter","level":"aadc","price":"2"}]}`, "duplicate first_class/letter/aadc"},
		{"float price", head + `{"class":"first_class","format":"letter","level":"aadc","price":0.5}]}`, "decode"},
		{"too precise", head + `{"class":"first_class","format":"letter","level":"aadc","price":"0.12345"}]}`, "more than 4 decimals"},
		{"zero price", head + `{"class":"first_class","format":"letter","level":"aadc","price":"0"}]}`, "price must be positive"},
		{"unknown field", head + `{"class":"first_class","format":"letter","level":"aadc","price":"1","cost":"1"}]}`, `unknown field "cost"`},
		{"bad date", strings.Replace(head, "2025-07-13", "July 13", 1) + `]}`, "effective date"},
		{"no source", strings.Replace(head, `"title":"t"`, `"title":""`, 1) + `{"class":"first_class","format":"letter","level":"aadc","price":"1"}]}`, "source"},
		{"no rates", head + `]}`, "no rates"},
	}
	for _, tc := range tests {
		_, err := ledger.LoadRateCard(strings.NewReader(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want ledger.Amount
		err  bool
	}{
		{"0.74", 7400, false}, {"$1.7", 17000, false}, {"0.5930", 5930, false}, {"12", 120000, false}, {"0.0001", 1, false},
		{"", 0, true}, {"-1", 0, true}, {"1.", 0, true}, {".5", 0, true}, {"1.23456", 0, true}, {"1e3", 0, true}, {"99999999999999999999", 0, true},
	}
	for _, tc := range tests {
		got, err := ledger.ParseAmount(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if s := ledger.Amount(-12345).String(); s != "-1.2345" {
		t.Errorf("String = %s", s)
	}
}

func TestMargin(t *testing.T) {
	tests := []struct {
		price ledger.Amount
		bp    ledger.BasisPoints
		want  ledger.Amount
	}{
		{9000, 1000, 900},  // $0.90 × 10 %
		{9000, 2500, 2250}, // × 25 %
		{7400, 1250, 925},  // $0.74 × 12.5 %
		{333, 5000, 167},   // half a hundredth of a cent rounds up
		{333, 0, 0},        // no commission
		{12345, 10000, 12345},
	}
	for _, tc := range tests {
		if got := ledger.Margin(tc.price, tc.bp); got != tc.want {
			t.Errorf("Margin(%s, %s) = %d, want %d", tc.price, tc.bp, got, tc.want)
		}
	}
}
