package imb

import "strconv"

// Tracking is the 20-digit tracking code of an IMb, by field.
type Tracking struct {
	// BarcodeID is 2 digits, the second 0-4 (presort identification; "00" when none).
	BarcodeID string
	// ServiceType is the 3-digit Service Type ID (STID).
	ServiceType string
	// MailerID is the 6- or 9-digit Mailer ID; it has 9 digits exactly when it begins with 9.
	MailerID string
	// Serial is the serial number, at most SerialWidth(MailerID) digits; it is zero-padded on output.
	Serial uint64
}

// SerialWidth returns the number of serial digits that go with mailerID: 9
// for a 6-digit Mailer ID, 6 for a 9-digit one, 0 for any other length.
func SerialWidth(mailerID string) int {
	switch len(mailerID) {
	case 6:
		return 9
	case 9:
		return 6
	}
	return 0
}

// Validate reports the first invalid field as a *FieldError.
func (t Tracking) Validate() error {
	if err := checkField(FieldBarcodeID, t.BarcodeID, 2); err != nil {
		return err
	}
	if t.BarcodeID[1] > '4' {
		return &FieldError{Field: FieldBarcodeID, Pos: 2, Len: 2, Err: ErrBarcodeID}
	}
	if err := checkField(FieldServiceType, t.ServiceType, 3); err != nil {
		return err
	}
	if err := checkMailerID(t.MailerID); err != nil {
		return err
	}
	if n := decimalLen(t.Serial); n > SerialWidth(t.MailerID) {
		return &FieldError{Field: FieldSerial, Len: n, Err: ErrTrackingLength}
	}
	return nil
}

// checkField checks that s is exactly n ASCII digits.
func checkField(f Field, s string, n int) error {
	if len(s) != n {
		return &FieldError{Field: f, Len: len(s), Err: ErrTrackingLength}
	}
	if i := firstNonDigit(s); i >= 0 {
		return &FieldError{Field: f, Pos: i + 1, Len: len(s), Err: ErrNotDigit}
	}
	return nil
}

// checkMailerID checks the Mailer ID's digits, length and prefix rule.
func checkMailerID(mid string) error {
	if len(mid) != 6 && len(mid) != 9 {
		return &FieldError{Field: FieldMailerID, Len: len(mid), Err: ErrTrackingLength}
	}
	if i := firstNonDigit(mid); i >= 0 {
		return &FieldError{Field: FieldMailerID, Pos: i + 1, Len: len(mid), Err: ErrNotDigit}
	}
	if (mid[0] == '9') != (len(mid) == 9) {
		return &FieldError{Field: FieldMailerID, Pos: 1, Len: len(mid), Err: ErrMailerID}
	}
	return nil
}

// decimalLen returns the number of decimal digits of v (1 for 0).
func decimalLen(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// AppendTo appends the 20-digit tracking code to dst and returns the extended
// slice, without allocating when dst has room. The output is only meaningful
// for a Tracking that passes Validate.
func (t Tracking) AppendTo(dst []byte) []byte {
	dst = append(dst, t.BarcodeID...)
	dst = append(dst, t.ServiceType...)
	dst = append(dst, t.MailerID...)
	for n := decimalLen(t.Serial); n < SerialWidth(t.MailerID); n++ {
		dst = append(dst, '0')
	}
	return strconv.AppendUint(dst, t.Serial, 10)
}

// String returns the 20-digit tracking code (see AppendTo).
func (t Tracking) String() string {
	var buf [TrackingLen]byte
	return string(t.AppendTo(buf[:0]))
}

// ParseTracking splits a 20-digit tracking code into its fields. The Mailer
// ID has 9 digits if its first digit (the sixth of the code) is 9, else 6.
func ParseTracking(s string) (Tracking, error) {
	if err := checkField(FieldTracking, s, TrackingLen); err != nil {
		return Tracking{}, err
	}
	if s[1] > '4' {
		return Tracking{}, &FieldError{Field: FieldTracking, Pos: 2, Len: len(s), Err: ErrBarcodeID}
	}
	midLen := 6
	if s[5] == '9' {
		midLen = 9
	}
	serial, err := strconv.ParseUint(s[5+midLen:], 10, 64)
	if err != nil { // unreachable: at most 9 checked digits
		return Tracking{}, &FieldError{Field: FieldSerial, Len: len(s) - 5 - midLen, Err: ErrNotDigit}
	}
	return Tracking{
		BarcodeID:   s[0:2],
		ServiceType: s[2:5],
		MailerID:    s[5 : 5+midLen],
		Serial:      serial,
	}, nil
}
