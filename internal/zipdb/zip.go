package zipdb

// ZIP is a parsed ZIP Code: five digits and an optional four-digit add-on.
type ZIP struct {
	// Zip5 is the five ASCII digits. It is zero when Notes holds ZipMissing or
	// ZipMalformed; with ZipUnknown it holds the well-formed but unknown ZIP.
	Zip5 [5]byte
	// Zip4 is the ZIP+4 add-on in ASCII digits; meaningful only when HasZip4.
	Zip4 [4]byte
	// HasZip4 reports whether an add-on was given and well formed.
	HasZip4 bool
	// Notes says what parsing found or repaired: ZipMissing, ZipMalformed,
	// ZipUnknown, ZipPadded, Zip4Malformed.
	Notes Notes
}

// Valid reports whether Notes holds no invalid note.
func (z ZIP) Valid() bool {
	_, bad := z.Notes.Invalid()
	return !bad
}

// AppendTo appends "02108" or "02108-1234" to dst; it appends nothing when
// Zip5 is zero.
func (z ZIP) AppendTo(dst []byte) []byte {
	if z.Zip5 == ([5]byte{}) {
		return dst
	}
	dst = append(dst, z.Zip5[:]...)
	if z.HasZip4 {
		dst = append(dst, '-')
		dst = append(dst, z.Zip4[:]...)
	}
	return dst
}

// String returns the ZIP as AppendTo writes it.
func (z ZIP) String() string {
	var b [10]byte
	return string(z.AppendTo(b[:0]))
}

// ParseZIP reads a ZIP Code by its shape alone, without the table. It trims
// ASCII blanks and accepts "02108", "021081234", "02108-1234", "02108 1234",
// "02108 - 1234" and "02108-" (no add-on). An add-on that is not four digits
// is dropped with Zip4Malformed. Anything else, including a 3- or 4-digit ZIP
// whose leading zeros were lost, is ZipMalformed: only [DB.NormalizeZIP],
// which knows the table and the state, may put the zeros back.
func ParseZIP(raw []byte) ZIP {
	z, short := parseZIP(raw)
	if short {
		return ZIP{Notes: Notes(ZipMalformed)}
	}
	return z
}

// NormalizeZIP is ParseZIP plus the table: a well-formed ZIP not in the table
// gets ZipUnknown, and a 3- or 4-digit ZIP (or one of 7 or 8 digits with an
// add-on, as spreadsheets write 02108-1234) is left-padded with zeros only
// when the padded ZIP exists and its state equals state (2139 with MA →
// 02139, ZipPadded; 2139 with TX or with no state → ZipMalformed).
func (db *DB) NormalizeZIP(raw, state []byte) ZIP {
	st, kind := stateCode(state)
	z, _ := db.normalizeZIP(raw, st, kind)
	return z
}

// normalizeZIP is NormalizeZIP with the state already read; it also returns
// the ZIP's slot when the result is valid.
func (db *DB) normalizeZIP(raw []byte, st [2]byte, kind int) (ZIP, uint32) {
	z, short := parseZIP(raw)
	if _, bad := z.Notes.Invalid(); bad {
		return z, 0
	}
	slot, ok := db.slot(z.Zip5)
	if short {
		if !ok || kind != stateTwoLetters || db.slotState(slot) != st {
			return ZIP{Notes: Notes(ZipMalformed)}, 0
		}
		z.Notes = z.Notes.Add(ZipPadded)
		return z, slot
	}
	if !ok {
		z.Notes = z.Notes.Add(ZipUnknown)
	}
	return z, slot
}

// parseZIP does the work of ParseZIP. When short is true, z.Zip5 holds the
// zero-padded candidate and the caller decides whether to trust it.
func parseZIP(raw []byte) (z ZIP, short bool) {
	s := trimBlank(raw)
	if len(s) == 0 {
		return ZIP{Notes: Notes(ZipMissing)}, false
	}
	d := 0
	for d < len(s) && isDigit(s[d]) {
		d++
	}
	rest := s[d:]
	if len(rest) == 0 {
		// Digits only: 5 or 9, or 3, 4, 7, 8 with lost leading zeros.
		switch len(s) {
		case 5, 9:
		case 3, 4:
			short = true
		case 7, 8:
			short = true
		default:
			return ZIP{Notes: Notes(ZipMalformed)}, false
		}
		n5 := len(s)
		if n5 > 5 {
			n5 -= 4
			z.Zip4 = [4]byte(s[n5:])
			z.HasZip4 = true
		}
		padZip5(&z.Zip5, s[:n5])
		return z, short
	}
	// Digits, then a separator (blanks and at most one hyphen), then the add-on.
	if d < 3 || d > 5 {
		return ZIP{Notes: Notes(ZipMalformed)}, false
	}
	short = d < 5
	i, hyphens := 0, 0
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '-' {
			hyphens++
		} else if !isBlank(c) {
			break
		}
	}
	if i == 0 || hyphens > 1 {
		return ZIP{Notes: Notes(ZipMalformed)}, false
	}
	padZip5(&z.Zip5, s[:d])
	addon := rest[i:]
	switch {
	case len(addon) == 0:
	case len(addon) == 4 && allDigits(addon):
		z.Zip4 = [4]byte(addon)
		z.HasZip4 = true
	default:
		z.Notes = z.Notes.Add(Zip4Malformed)
	}
	return z, short
}

// padZip5 right-aligns digits (3 to 5 of them) in dst, filling with '0'.
func padZip5(dst *[5]byte, digits []byte) {
	pad := 5 - len(digits)
	for i := range pad {
		dst[i] = '0'
	}
	copy(dst[pad:], digits)
}

const (
	stateEmpty = iota
	stateTwoLetters
	stateOther
)

// stateCode trims and upper-cases a state field; kind says whether it was
// empty, two ASCII letters, or something else.
func stateCode(state []byte) (st [2]byte, kind int) {
	s := trimBlank(state)
	switch {
	case len(s) == 0:
		return st, stateEmpty
	case len(s) == 2 && isLetter(s[0]) && isLetter(s[1]):
		return [2]byte{s[0] &^ 0x20, s[1] &^ 0x20}, stateTwoLetters
	}
	return st, stateOther
}

func isDigit(c byte) bool  { return c-'0' <= 9 }
func isLetter(c byte) bool { return (c|0x20)-'a' <= 'z'-'a' }
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func allDigits(s []byte) bool {
	for _, c := range s {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func trimBlank(s []byte) []byte {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
