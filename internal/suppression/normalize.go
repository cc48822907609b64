package suppression

import (
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
	at := -1
	for i, c := range raw {
		if c == '@' {
			at = i
		}
		if c <= ' ' || c == 0x7f {
			return dst, false
		}
	}
	if at <= 0 || at == len(raw)-1 {
		return dst, false
	}
	start := len(dst)
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
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
