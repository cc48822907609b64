// Package imb encodes and decodes the USPS Intelligent Mail barcode (IMb) and
// allocates the serial numbers that make each barcode unique.
//
// It implements the encoding in USPS-B-3200, "Intelligent Mail Barcode
// 4-State" (Rev H, 2015), section 2.2, steps 1 to 6: the 20-digit
// tracking code and the 0, 5, 9 or 11-digit routing code (delivery ZIP Code)
// are packed into a 102-bit number, an 11-bit CRC frame check sequence is
// computed over it, the number is split into ten codewords, each codeword is
// mapped to a 13-bit character from the 5-of-13 and 2-of-13 tables, and the
// 130 character bits drive the ascenders and descenders of 65 bars.
//
// # Flow
//
//	Tracking{BarcodeID, ServiceType, MailerID, Serial} ──AppendTo──► 20 digits ─┐
//	routing code (ZIP, ZIP+4, ZIP+4+delivery point) ────────────────────────────┼─► Append ─► "ATTFAD…" (65 bars)
//	FileSerials.Reserve(ctx, mailerID, n) ─► first serial of a block of n ──────┘
//
//	"ATTFAD…" ─► Decode ─► tracking and routing digits ─► ParseTracking ─► Tracking
//
// Data enters as ASCII digits (string or []byte) and leaves as bar letters,
// one byte per bar, left to right: F full (ascender and descender), A
// ascender, D descender, T tracker only. [Append] writes into a buffer the
// caller owns and does not allocate; [Encode] is the string convenience.
// Invalid input is reported as a [*FieldError] naming the field and position
// and wrapping one of the sentinels ([ErrTrackingLength], [ErrRoutingLength],
// [ErrNotDigit], [ErrBarcodeID], [ErrMailerID]), so callers can turn it into a
// row reject with errors.Is.
//
// # Serial numbers
//
// USPS requires that a Mailer ID never repeat a serial number within 45 days.
// [FileSerials] hands out contiguous blocks of serials from a counter kept in
// a state directory, one small JSON file per Mailer ID, locked with flock(2)
// so several processes can share it, and replaced atomically so a crash never
// hands out a block twice. [Allocator] is the one-method interface other
// stores (a PostgreSQL sequence) can implement.
package imb
