package suppression

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/postmill/postmill/internal/address"
)

// trim drops ASCII blanks and non-breaking spaces from both ends.
func trim(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// AppendEmail appends the matching form of an email address to dst:
// surrounding blanks trimmed and case-folded (ASCII fast, other letters by
// unicode.ToLower), so "  Ann@Example.COM " is "ann@example.com". Nothing
// else is rewritten (no dot or +tag stripping: those are mailbox-provider
// rules, not address rules). It reports false, appending nothing, for
// text that is not an address: no "@" with text on both sides, a blank,
// control character or invalid UTF-8 inside. It does not allocate when dst
// has room.
func AppendEmail(dst, raw []byte) ([]byte, bool) {
	raw = trim(raw)
	start := len(dst)
	// Nearly every address is printable ASCII: check and fold it eight
	// bytes at a time into room reserved once.
	dst = slices.Grow(dst, len(raw))[:start+len(raw)]
	if at, ok := foldEmailASCII(dst[start:], raw); ok {
		if at <= 0 || at == len(raw)-1 {
			return dst[:start], false
		}
		return dst, true
	}
	dst = dst[:start]
	at := -1
	for i, c := range raw {
		if c <= ' ' || c == 0x7f {
			return dst, false
		}
		if c == '@' {
			at = i
		}
	}
	if at <= 0 || at == len(raw)-1 {
		return dst, false
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			dst = append(dst, lowerASCII[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 {
			return dst[:start], false
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst, true
}

// Byte-lane constants for foldEmailASCII: every byte of the word set to
// the value.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x80 * lanes01
	lanes7f = 0x7f * lanes01
)

// zeroLanes returns the high bit of each byte of v that is zero, exactly
// (no borrow runs from one byte into the next).
func zeroLanes(v uint64) uint64 {
	return ^(((v & lanes7f) + lanes7f) | v) & lanes80
}

// foldEmailASCII writes raw case-folded (A-Z to a-z) into out, which is
// as long as raw, and returns the index of raw's last '@' (-1 for none),
// when raw is all ASCII above the blank other than DEL. Otherwise it
// reports false, and out holds garbage. It works on eight bytes at a
// time, the last word overlapping the one before it so that no byte is
// copied; every lane test is exact because all bytes are below 0x80 by
// then.
func foldEmailASCII(out, raw []byte) (at int, ok bool) {
	at = -1
	n := len(raw)
	if n < 8 {
		for i, c := range raw {
			if c <= ' ' || c >= 0x7f {
				return -1, false
			}
			if c == '@' {
				at = i
			}
			out[i] = lowerASCII[c]
		}
		return at, true
	}
	for i := 0; ; i += 8 {
		last := i+8 >= n
		if last {
			i = n - 8 // overlaps bytes already checked: every test is idempotent
		}
		w := binary.LittleEndian.Uint64(raw[i : i+8])
		if w&lanes80 != 0 {
			return -1, false // not ASCII
		}
		// A byte b < 0x80 is a blank or control when b+0x5f has no high
		// bit; DEL is a zero lane of w^0x7f.
		if (^(w+0x5f*lanes01)&lanes80)|zeroLanes(w^lanes7f) != 0 {
			return -1, false
		}
		if m := zeroLanes(w ^ 0x40*lanes01); m != 0 {
			at = i + (63-bits.LeadingZeros64(m))/8
		}
		// 'A' <= b <= 'Z' when b+0x3f has the high bit and b+0x25 does
		// not; add 0x20 to those lanes.
		upper := ((w + 0x3f*lanes01) ^ (w + 0x25*lanes01)) & lanes80
		binary.LittleEndian.PutUint64(out[i:i+8], w|upper>>2)
		if last {
			return at, true
		}
	}
}

// lowerASCII maps A-Z to a-z and every other byte to itself.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// AppendExternalID appends the matching form of a customer's contact id:
// surrounding blanks trimmed, case kept (ids are often case-sensitive). It
// reports false, appending nothing, for an id holding control characters.
func AppendExternalID(dst, raw []byte) ([]byte, bool) {
	raw = trim(raw)
	for _, c := range raw {
		if c < ' ' || c == 0x7f {
			return dst, false
		}
	}
	return append(dst, raw...), true
}

// AppendRowAddressKey appends the canonical address key of a row whose
// address columns the validate stage has already standardized, in the form
// address.Result.AppendKey gives a raw address: "STREETLINE|ZIP5" for a US
// address (country empty or "US"; only the first five characters of zip
// are used, so a ZIP+4 left in the column changes nothing), and
// "CC|POSTCODE|STREETLINE" for an international one. It appends nothing
// when street or zip is empty, or a US zip has fewer than five digits: such
// a row has no address key and is matched by email and external id only.
func AppendRowAddressKey(dst, street, zip, country []byte) []byte {
	return address.AppendStandardizedKey(dst, street, zip, country)
}

// AppendName appends the matching form of a first or last name (or an
// organization) to dst and reports whether name is one, exactly as
// address.AppendName does: letters and digits only, uppercased, with
// diacritics folded, so "O'Brien" and "o brien" are both "OBRIEN"; false,
// appending nothing, for a control character, invalid UTF-8 or a value
// longer than address.MaxFieldLen. ASCII names (nearly all) take a
// table-driven path that does not allocate when dst has room; any other
// byte hands the whole name to address.AppendName.
func AppendName(dst, name []byte) ([]byte, bool) {
	if len(name) > address.MaxFieldLen {
		return dst, false
	}
	start := len(dst)
	dst = slices.Grow(dst, len(name))
	for _, c := range name {
		switch v := nameASCII[c]; v {
		case nameSkip:
		case nameBad:
			return dst[:start], false
		case nameOther:
			return address.AppendName(dst[:start], name)
		default:
			dst = append(dst, v)
		}
	}
	return dst, true
}

// nameASCII classes each byte for AppendName: the byte it writes (an
// uppercase letter or a digit), or one of the markers below. It follows
// address.AppendName for ASCII: blanks and punctuation separate or join
// words, and words are then run together, so both are dropped; control
// characters other than blanks and DEL reject the name.
var nameASCII = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= 0x80:
			t[c] = nameOther
		case 'a' <= c && c <= 'z':
			t[c] = byte(c) - ('a' - 'A')
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = byte(c)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			t[c] = nameSkip
		case c < 0x20 || c == 0x7f:
			t[c] = nameBad
		default:
			t[c] = nameSkip
		}
	}
	return t
}()

// Markers in nameASCII; none is a letter or digit.
const (
	nameSkip  = 0
	nameBad   = 1
	nameOther = 2
)
