package imb

import (
	"errors"
	"fmt"
)

// Sentinel errors; every validation error wraps exactly one of them in a *FieldError.
var (
	// ErrTrackingLength means the tracking code, or one of its fields, has the wrong number of digits.
	ErrTrackingLength = errors.New("wrong number of digits")
	// ErrRoutingLength means the routing code is not 0, 5, 9 or 11 digits long.
	ErrRoutingLength = errors.New("routing code must have 0, 5, 9 or 11 digits")
	// ErrNotDigit means a byte that should be an ASCII decimal digit is not.
	ErrNotDigit = errors.New("not a decimal digit")
	// ErrBarcodeID means the second digit of the barcode ID is greater than 4.
	ErrBarcodeID = errors.New("barcode ID second digit must be 0-4")
	// ErrMailerID means a Mailer ID breaks the prefix rule: 9-digit IDs begin with 9, 6-digit IDs do not.
	ErrMailerID = errors.New("mailer ID must have 9 digits if it begins with 9, else 6")
)

// Decoding errors returned by Decode.
var (
	// ErrBars means the bar string is not 65 letters of F, A, D, T forming valid characters and codewords.
	ErrBars = errors.New("imb: not a valid Intelligent Mail barcode")
	// ErrChecksum means the bars decode but their frame check sequence does not match the data.
	ErrChecksum = errors.New("imb: frame check sequence mismatch")
)

// Field names the part of the input a FieldError is about.
type Field string

// Fields reported in FieldError.Field.
const (
	// FieldTracking is the 20-digit tracking code given to Append or Encode.
	FieldTracking Field = "tracking code"
	// FieldRouting is the routing code (ZIP Code) given to Append or Encode.
	FieldRouting Field = "routing code"
	// FieldBarcodeID is Tracking.BarcodeID.
	FieldBarcodeID Field = "barcode ID"
	// FieldServiceType is Tracking.ServiceType.
	FieldServiceType Field = "service type ID"
	// FieldMailerID is Tracking.MailerID.
	FieldMailerID Field = "mailer ID"
	// FieldSerial is Tracking.Serial.
	FieldSerial Field = "serial number"
)

// FieldError reports invalid input: which field, where, and which sentinel (Err) it violates.
type FieldError struct {
	// Field is the field at fault.
	Field Field
	// Pos is the 1-based position of the offending byte within Field, or 0 when the field as a whole is at fault.
	Pos int
	// Len is the length of Field as given (for Serial: its number of decimal digits).
	Len int
	// Err is one of the sentinel errors (ErrTrackingLength, ErrRoutingLength, ErrNotDigit, ErrBarcodeID, ErrMailerID).
	Err error
}

// Error describes the problem, e.g. "imb: routing code position 3: not a decimal digit".
func (e *FieldError) Error() string {
	if e.Pos > 0 {
		return fmt.Sprintf("imb: %s position %d: %v", e.Field, e.Pos, e.Err)
	}
	return fmt.Sprintf("imb: %s has %d digits: %v", e.Field, e.Len, e.Err)
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }
