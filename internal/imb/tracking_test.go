package imb

import (
	"errors"
	"testing"
)

func TestTracking(t *testing.T) {
	tests := []struct {
		tr   Tracking
		want string
	}{
		{Tracking{"01", "234", "567094", 987654321}, specTracking},
		{Tracking{"00", "270", "123456", 42}, "00270123456000000042"},
		{Tracking{"00", "310", "912345678", 7}, "00310912345678000007"},
		{Tracking{"14", "040", "912345678", 999999}, "14040912345678999999"},
		{Tracking{"00", "000", "000000", 0}, "00000000000000000000"},
	}
	for _, tt := range tests {
		if err := tt.tr.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v", tt.tr, err)
		}
		if got := tt.tr.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.tr, got, tt.want)
		}
		if got := string(tt.tr.AppendTo([]byte("x"))); got != "x"+tt.want {
			t.Errorf("AppendTo = %q", got)
		}
		back, err := ParseTracking(tt.want)
		if err != nil || back != tt.tr {
			t.Errorf("ParseTracking(%q) = %+v, %v; want %+v", tt.want, back, err, tt.tr)
		}
	}
}

func TestTrackingValidate(t *testing.T) {
	ok := Tracking{"01", "234", "567094", 987654321}
	tests := []struct {
		name     string
		mod      func(*Tracking)
		sentinel error
		field    Field
		pos      int
	}{
		{"barcode ID short", func(t *Tracking) { t.BarcodeID = "1" }, ErrTrackingLength, FieldBarcodeID, 0},
		{"barcode ID letter", func(t *Tracking) { t.BarcodeID = "0a" }, ErrNotDigit, FieldBarcodeID, 2},
		{"barcode ID 05", func(t *Tracking) { t.BarcodeID = "05" }, ErrBarcodeID, FieldBarcodeID, 2},
		{"service type long", func(t *Tracking) { t.ServiceType = "2345" }, ErrTrackingLength, FieldServiceType, 0},
		{"service type letter", func(t *Tracking) { t.ServiceType = "2-4" }, ErrNotDigit, FieldServiceType, 2},
		{"mailer ID 7 digits", func(t *Tracking) { t.MailerID = "5670941" }, ErrTrackingLength, FieldMailerID, 0},
		{"mailer ID letter", func(t *Tracking) { t.MailerID = "56709x" }, ErrNotDigit, FieldMailerID, 6},
		{"6-digit mailer ID starting with 9", func(t *Tracking) { t.MailerID = "967094" }, ErrMailerID, FieldMailerID, 1},
		{"9-digit mailer ID not starting with 9", func(t *Tracking) { t.MailerID = "567094123"; t.Serial = 1 }, ErrMailerID, FieldMailerID, 1},
		{"serial too wide for 6-digit MID", func(t *Tracking) { t.Serial = 1_000_000_000 }, ErrTrackingLength, FieldSerial, 0},
		{"serial too wide for 9-digit MID", func(t *Tracking) { t.MailerID = "912345678" }, ErrTrackingLength, FieldSerial, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := ok
			tt.mod(&tr)
			err := tr.Validate()
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Validate() = %v, want %v", err, tt.sentinel)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Pos != tt.pos {
				t.Errorf("Validate() = %#v, want field %q pos %d", err, tt.field, tt.pos)
			}
		})
	}
}

func TestParseTrackingErrors(t *testing.T) {
	for _, s := range []string{"", "0123456709498765432", "0123456709498765432x", "05234567094987654321"} {
		if _, err := ParseTracking(s); err == nil {
			t.Errorf("ParseTracking(%q) succeeded", s)
		}
	}
}

func TestSerialWidth(t *testing.T) {
	for mid, want := range map[string]int{"567094": 9, "912345678": 6, "": 0, "1234567": 0} {
		if got := SerialWidth(mid); got != want {
			t.Errorf("SerialWidth(%q) = %d, want %d", mid, got, want)
		}
	}
}
