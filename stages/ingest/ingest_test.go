package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"First Name":    "first_name",
		"  E-mail ":     "e_mail",
		"ZIP Code":      "zip_code",
		"\ufeffAddress": "address",
		"Address 1":     "address_1",
		"Customer Tier": "customer_tier",
		"VAR FIELD 01":  "var_field_01",
		"---":           "",
		"Straße":        "straße",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMapHeader(t *testing.T) {
	tests := []struct {
		name     string
		header   []string
		explicit map[string]string
		want     []string // target column per input column
		err      string
	}{
		{"standard", []string{"first_name", "last_name", "address_zip"}, nil, []string{"first_name", "last_name", "address_zip"}, ""},
		{"aliases", []string{"First Name", "Surname", "Company", "Address 1", "Address 2", "City", "State", "ZIP Code", "E-mail", "Customer ID"}, nil,
			[]string{"first_name", "last_name", "organization", "address_street", "address_street2", "address_city", "address_state", "address_zip", "email", "external_id"}, ""},
		{"postal code and country", []string{"Postal Code", "Country"}, nil, []string{"address_zip", "address_country"}, ""},
		{"var fields", []string{"var_field_1", "Var Field 2", "varfield3", "VAR_FIELD_04"}, nil, []string{"var_field_1", "var_field_2", "var_field_3", "var_field_4"}, ""},
		{"var field zero", []string{"var_field_0", "var_field_00"}, nil, []string{"var_field_0", "var_field_0_2"}, ""},
		{"unknown kept", []string{"Customer Tier", "id", ""}, nil, []string{"customer_tier", "id", "column_3"}, ""},
		{"unknown twins", []string{"Tier", "tier"}, nil, []string{"tier", "tier_2"}, ""},
		// The outputs write the row's own piece_id, row and notes (and a
		// held row's reason and detail) under these names.
		{"row's own names", []string{"Piece ID", "row", "Notes", "reason", "detail"}, nil,
			[]string{"input_piece_id", "input_row", "input_notes", "input_reason", "input_detail"}, ""},
		{"row's own name twice", []string{"Notes", "notes"}, nil, []string{"input_notes", "input_notes_2"}, ""},
		{"mapped onto a row's own name", []string{"Ref"}, map[string]string{"Ref": "piece_id"}, nil,
			`column 1 ("Ref") maps to piece_id, which names the row's own piece_id in every output`},
		{"explicit wins", []string{"Mail Addr", "Address"}, map[string]string{"Mail Addr": "address_street", "Address": "old_address"}, []string{"address_street", "old_address"}, ""},
		{"explicit by normalized name", []string{"Mail Addr"}, map[string]string{"mail_addr": "address_street"}, []string{"address_street"}, ""},
		{"two map to one", []string{"Address", "Address 1"}, nil, nil, `columns 1 ("Address") and 2 ("Address 1") both map to address_street`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pipeline.NewSchema()
			m, err := MapHeader(s, tt.header, tt.explicit)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				if got := s.Name(m.Columns[i]); got != want {
					t.Errorf("column %d (%q) → %q, want %q", i, tt.header[i], got, want)
				}
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping(" Mail Addr = address_street ,Zip=address_zip")
	if err != nil || m["Mail Addr"] != "address_street" || m["Zip"] != "address_zip" {
		t.Fatalf("%v %v", m, err)
	}
	if _, err := ParseMapping("nonsense"); err == nil {
		t.Fatal("a mapping without = was accepted")
	}
}

// TestSourceRows: the source numbers rows, trims values, decodes cp1252 per
// row and rejects records it cannot map, keeping their raw text.
func TestSourceRows(t *testing.T) {
	in := "First Name,Zip,Tier\n" +
		" Ada ,02108,gold\n" +
		"Jos\xe9,2139,\n" +
		"short\n" +
		"\"bad\"x,1,2\n" +
		"Grace,10001,silver"
	rr := csv.NewReader(strings.NewReader(in), csv.ReaderConfig{})
	if _, err := rr.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	src, err := New(job, rr, Config{BatchRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	sink := &pipelinetest.Sink{}
	rep, err := pipeline.Run(context.Background(), pipeline.Config{}, job, src, nil, sink)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsIn != 5 || rep.Accepted != 3 || rep.Rejected != 2 || sink.Batches != 3 {
		t.Fatalf("report %+v, batches %d", rep, sink.Batches)
	}
	ada := sink.Find(t, 1)
	if ada.Fields["first_name"] != "Ada" || ada.Fields["address_zip"] != "02108" || ada.Fields["tier"] != "gold" {
		t.Fatalf("row 1: %+v", ada.Fields)
	}
	jose := sink.Find(t, 2)
	if jose.Fields["first_name"] != "José" || len(jose.Notes) != 1 || jose.Notes[0] != pipeline.NoteDecodedCP1252 {
		t.Fatalf("row 2: %+v", jose)
	}
	sink.RequireFate(t, 3, pipeline.Rejected, pipeline.MalformedColumnCount)
	sink.RequireFate(t, 4, pipeline.Rejected, pipeline.MalformedQuote)
	if r := sink.Find(t, 3); r.Detail != "1 cells, header has 3" {
		t.Fatalf("row 3 detail %q", r.Detail)
	}
	if r := sink.Find(t, 5); r.ID != pipeline.NewPieceID(job, 5).String() {
		t.Fatalf("row 5 piece id %s", r.ID)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Header() []string { return []string{"first_name"} }
func (f *failingReader) Raw() []byte      { return []byte("x") }
func (f *failingReader) Line() int64      { return int64(f.n + 1) }
func (f *failingReader) Read() ([][]byte, error) {
	f.n++
	if f.n > 3 {
		return nil, errors.New("in.csv.gz: truncated gzip stream: unexpected EOF")
	}
	return [][]byte{[]byte("x")}, nil
}

func TestSourceFatalError(t *testing.T) {
	job := pipelinetest.NewJob()
	src, err := New(job, &failingReader{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.Run(context.Background(), pipeline.Config{}, job, src, nil, &pipelinetest.Sink{})
	if err == nil || !strings.Contains(err.Error(), "stage ingest: in.csv.gz: truncated gzip stream") {
		t.Fatalf("got %v", err)
	}
}
