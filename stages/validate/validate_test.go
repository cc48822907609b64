package validate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/ncoa"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/validate"
)

func addr(street, street2, city, state, zip, country string) map[string]string {
	return map[string]string{"address_street": street, "address_street2": street2, "address_city": city,
		"address_state": state, "address_zip": zip, "address_country": country}
}

func named(first, last string, m map[string]string) map[string]string {
	m["first_name"], m["last_name"] = first, last
	return m
}

func TestStage(t *testing.T) {
	db, err := zipdb.Load()
	if err != nil {
		t.Fatal(err)
	}
	coa, err := ncoa.Load(strings.NewReader(ncoa.Header+"\n"+
		"John,Smith,22 Harbor Road,,Boston,MA,02108,100 Main Street,Apartment 4,Cambridge,MA,02139,individual,2024-03,new_address\n"+
		"Jane,Doe,9 Primrose Lane,,Boston,MA,02108,,,,,,individual,2024-02,no_forwarding\n"+
		",,PO Box 123,,Boston,MA,02108,,,,,,family,2023-06,box_closed\n"), "coa.csv", db)
	if err != nil {
		t.Fatal(err)
	}
	st, err := validate.New(validate.Config{COA: coa, ZIPs: db})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob("id")
	b0 := pipelinetest.NewBatch(t, job, 0, 1,
		addr("22 HARBOR RD", "", "BOSTON", "MA", "02108", ""),                                   // 1 valid
		addr("123 North Main Street", "Apt 4", "Cambrdge", "Massachusetts", "2139-4307", "USA"), // 2 corrected
		addr("10 Downing Street", "", "London", "", "sw1a2aa", ""),                              // 3 international
		addr("Main St", "", "Boston", "MA", "02108", ""),                                        // 4 primary missing
		addr("22 Harbor Rd", "", "Boston", "MA", "99999", ""),                                   // 5 zip unknown
	)
	b1 := pipelinetest.NewBatch(t, job, 1, 6,
		named("John", "Smith", addr("22 Harbor Rd", "", "Boston", "MA", "2108", "")), // 6 moved
		named("Jane", "Doe", addr("9 Primrose Ln", "", "Boston", "MA", "02108", "")), // 7 no forwarding
		addr("P.O. Box 123", "", "Boston", "MA", "02108", ""),                        // 8 box closed
		addr("🎉", "", "Boston", "MA", "02108", ""),                                   // 9 garbage
		addr("1 Rue de Rivoli", "", "Paris", "", "7500", "France"),                   // 10 postal code
	)
	sink, rep := pipelinetest.RunStage(t, pipeline.Step{Name: "validate", Stage: st}, job, b0, b1)

	sink.RequireFate(t, 1, pipeline.Live, "")
	sink.RequireFate(t, 2, pipeline.Live, "")
	sink.RequireFate(t, 3, pipeline.Live, "")
	sink.RequireFate(t, 4, pipeline.Rejected, pipeline.InvalidAddressPrimary)
	sink.RequireFate(t, 5, pipeline.Rejected, pipeline.InvalidAddressZipUnknown)
	sink.RequireFate(t, 6, pipeline.Live, "")
	sink.RequireFate(t, 7, pipeline.Rejected, pipeline.MovedNoForwarding)
	sink.RequireFate(t, 8, pipeline.Rejected, pipeline.MovedBoxClosed)
	sink.RequireFate(t, 9, pipeline.Rejected, pipeline.InvalidAddressGarbage)
	sink.RequireFate(t, 10, pipeline.Rejected, pipeline.InvalidAddressPostcode)

	check := func(num int64, want map[string]string, notes ...pipeline.Reason) {
		t.Helper()
		r := sink.Find(t, num)
		for k, v := range want {
			if r.Fields[k] != v {
				t.Errorf("row %d %s: %q, want %q", num, k, r.Fields[k], v)
			}
		}
		if strings.Join(reasons(r.Notes), ",") != strings.Join(reasons(notes), ",") {
			t.Errorf("row %d notes %v, want %v", num, r.Notes, notes)
		}
	}
	check(1, map[string]string{"address_status": "valid", "address_notes": "", "address_zip4": ""})
	check(2, map[string]string{"address_street": "123 N MAIN ST APT 4", "address_city": "CAMBRIDGE", "address_state": "MA",
		"address_zip": "02139", "address_zip4": "4307", "address_country": "US", "address_status": "corrected",
		"address_notes": "suffix_abbreviated;directional_abbreviated;line2_merged;state_abbreviated;zip_padded;city_corrected"},
		pipeline.NoteAddressCorrected)
	check(3, map[string]string{"address_street": "10 DOWNING STREET", "address_city": "LONDON", "address_zip": "SW1A 2AA",
		"address_country": "UNITED KINGDOM", "address_status": "international"}, pipeline.NoteAddressInternational)
	check(4, map[string]string{"address_street": "Main St", "address_status": "invalid", "address_notes": "invalid_address:primary_missing"})
	check(6, map[string]string{"address_street": "100 MAIN ST APT 4", "address_city": "CAMBRIDGE", "address_zip": "02139",
		"address_status": "corrected", "address_notes": "zip_padded;ncoa_moved_individual"},
		pipeline.NoteNCOAUpdated, pipeline.NoteAddressCorrected)
	check(7, map[string]string{"address_street": "9 Primrose Ln", "address_notes": "moved:no_forwarding"})

	if rep.RowsIn != 10 || rep.Accepted != 4 || rep.Rejected != 6 {
		t.Errorf("report: in %d accepted %d rejected %d", rep.RowsIn, rep.Accepted, rep.Rejected)
	}
	if rep.Reasons[pipeline.MovedNoForwarding] != 1 || rep.Notes[pipeline.NoteAddressCorrected] != 2 || rep.Notes[pipeline.NoteNCOAUpdated] != 1 {
		t.Errorf("reasons %v notes %v", rep.Reasons, rep.Notes)
	}
	sec, ok := rep.Sections["validate"].(validate.Report)
	if !ok {
		t.Fatalf("section %T", rep.Sections["validate"])
	}
	wantStatus := map[string]int64{"valid": 1, "corrected": 2, "international": 1, "invalid": 6}
	for k, v := range wantStatus {
		if sec.Status[k] != v {
			t.Errorf("status %s: %d, want %d (%v)", k, sec.Status[k], v, sec.Status)
		}
	}
	// Row 1 is valid; rows 7 and 8 were valid addresses before the move check.
	if sec.Notes["zip_padded"] != 2 || sec.Notes["city_corrected"] != 1 || sec.NCOA["individual"] != 2 ||
		sec.NCOA["no_forwarding"] != 1 || sec.NCOA["box_closed"] != 1 || sec.NCOA["new_address"] != 1 {
		t.Errorf("section %+v", sec)
	}
}

func reasons(rs []pipeline.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func TestDomesticOnly(t *testing.T) {
	st, err := validate.New(validate.Config{DomesticOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	b := pipelinetest.NewBatch(t, job, 0, 1,
		addr("10 Downing Street", "", "London", "", "SW1A 2AA", "United Kingdom"),
		addr("22 Harbor Rd", "", "Boston", "MA", "02108", "USA"))
	sink, _ := pipelinetest.RunStage(t, pipeline.Step{Name: "validate", Stage: st}, job, b)
	sink.RequireFate(t, 1, pipeline.Rejected, pipeline.InvalidAddressIntl)
	sink.RequireFate(t, 2, pipeline.Live, "")
}

// intlVerifier is a provider that knows nothing of domestic-only campaigns
// and fails when told to.
type intlVerifier struct{ fail bool }

func (v intlVerifier) Verify(ctx context.Context, in []address.Fields, out []address.Result) error {
	if v.fail {
		return errors.New("provider unreachable")
	}
	db, _ := zipdb.Load()
	return address.NewRules(db, address.Config{}).Verify(ctx, in, out)
}

func TestVerifier(t *testing.T) {
	st, err := validate.New(validate.Config{DomesticOnly: true, Verifier: intlVerifier{}})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	b := pipelinetest.NewBatch(t, job, 0, 1, addr("10 Downing Street", "", "London", "", "SW1A 2AA", "UK"))
	sink, _ := pipelinetest.RunStage(t, pipeline.Step{Name: "validate", Stage: st}, job, b)
	sink.RequireFate(t, 1, pipeline.Rejected, pipeline.InvalidAddressIntl)

	st, _ = validate.New(validate.Config{Verifier: intlVerifier{fail: true}})
	job = pipelinetest.NewJob()
	b = pipelinetest.NewBatch(t, job, 0, 1, addr("22 Harbor Rd", "", "Boston", "MA", "02108", ""))
	_, err = pipeline.Run(context.Background(), pipeline.Config{}, job, pipelinetest.Source(b),
		[]pipeline.Step{{Name: "validate", Stage: st}}, &pipelinetest.Sink{})
	if err == nil || !strings.Contains(err.Error(), "provider unreachable") {
		t.Errorf("verifier error: %v", err)
	}
}
