package address

import "unicode/utf8"

// MaxFieldLen is the longest address field, in bytes, that Standardize
// accepts; a longer field makes the address invalid_address:garbage.
const MaxFieldLen = 256

// latin maps U+00C0–U+017F to ASCII: one capital letter per rune, '*' for
// the runes spelled with two letters (see latinPair) and '_' for the
// multiplication and division signs, which separate words.
const latin = "" +
	"AAAAAA*CEEEEIIII" + "DNOOOOO_OUUUUY**" + // C0–DF
	"AAAAAA*CEEEEIIII" + "DNOOOOO_OUUUUY*Y" + // E0–FF
	"AAAAAACCCCCCCCDD" + "DDEEEEEEEEEEGGGG" + // 100–11F
	"GGGGHHHHIIIIIIII" + "II**JJKKKLLLLLLL" + // 120–13F
	"LLLNNNNNNNNNOOOO" + "OO**RRRRRRSSSSSS" + // 140–15F
	"SSTTTTTTUUUUUUUU" + "UUUUWWYYYZZZZZZS" //   160–17F

// latinPair spells the runes marked '*' in latin.
func latinPair(r rune) string {
	switch r {
	case 0xC6, 0xE6:
		return "AE"
	case 0xDE, 0xFE:
		return "TH"
	case 0xDF:
		return "SS"
	case 0x132, 0x133:
		return "IJ"
	case 0x152, 0x153:
		return "OE"
	}
	return ""
}

// foldClass says what a character of an address field becomes.
type foldClass uint8

const (
	classBad   foldClass = iota // control character, invalid UTF-8, other script: garbage
	classAlnum                  // letter or digit (folded into out)
	classSpace                  // whitespace or a separating mark
	classPunct                  // ASCII punctuation (the byte itself in out)
	classDrop                   // removed without separating (apostrophes, soft hyphen)
)

// foldRune returns the ASCII spelling of a non-ASCII rune and its class.
func foldRune(r rune) (string, foldClass) {
	switch {
	case r >= 0xC0 && r < 0x180:
		c := latin[r-0xC0]
		switch c {
		case '*':
			return latinPair(r), classAlnum
		case '_':
			return "", classSpace
		}
		return latin[r-0xC0 : r-0xC0+1], classAlnum
	case r == 0xAD || r == 0xB4 || r == 0x2018 || r == 0x2019 || r == 0x02BC || r == 0x200B || r == 0xFEFF:
		return "", classDrop // soft hyphen, acute accent, curly apostrophes, zero-width space, BOM
	case r >= 0xA0 && r < 0xC0, r >= 0x2000 && r <= 0x200A, r == 0x202F, r == 0x3000,
		r == 0x201C, r == 0x201D, r == 0x2026, r == 0x2116:
		return "", classSpace // NBSP, Latin-1 signs, typographic spaces, curly quotes, …, №
	case r >= 0x2010 && r <= 0x2014, r == 0x2212:
		return "-", classPunct // hyphens, dashes, minus
	}
	return "", classBad
}

// cleaner folds an address field to uppercase ASCII with single spaces.
type cleaner struct {
	// keep lists the ASCII punctuation written as is; any other punctuation
	// becomes a space.
	keep string
	// folded, punct and alnum report what the last clean call saw:
	// diacritics folded, punctuation removed, a letter or digit present.
	folded, punct, alnum bool
}

// Kept punctuation: international lines keep all of it, US cities none,
// a US line kept beside the delivery line what Pub 28 allows.
const (
	keepAll  = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	keepNone = ""
	keepPub  = "#-/&"
)

// appendClean appends src folded to uppercase ASCII, with runs of blanks
// squeezed to one space and no leading or trailing space. It reports false
// when src holds a control character, invalid UTF-8 or a character outside
// the Latin script, or is longer than MaxFieldLen.
func (c *cleaner) appendClean(dst, src []byte) ([]byte, bool) {
	c.folded, c.punct, c.alnum = false, false, false
	if len(src) > MaxFieldLen {
		return dst, false
	}
	start := len(dst)
	space := false
	put := func(b byte) {
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, b)
	}
	for i := 0; i < len(src); {
		b := src[i]
		if b < utf8.RuneSelf {
			i++
			switch {
			case b >= 'a' && b <= 'z':
				c.alnum = true
				put(b - ('a' - 'A'))
			case b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
				c.alnum = true
				put(b)
			case b == ' ' || b == '\t' || b == '\r' || b == '\n':
				space = true
			case b < 0x20 || b == 0x7F:
				return dst, false
			case indexByte(c.keep, b) >= 0:
				put(b)
			case b == '\'' || b == '.':
				c.punct = true // O'BRIEN → OBRIEN, ST. → ST
			default:
				c.punct = true
				space = true
			}
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return dst, false
		}
		i += size
		f, class := foldRune(r)
		switch class {
		case classBad:
			return dst, false
		case classAlnum:
			c.folded, c.alnum = true, true
			for j := 0; j < len(f); j++ {
				put(f[j])
			}
		case classSpace:
			space = true
		case classPunct:
			if indexByte(c.keep, f[0]) >= 0 {
				put(f[0])
			} else {
				c.punct, space = true, true
			}
		}
	}
	return dst, true
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func trimBlank(s []byte) []byte {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	return s
}

// AppendName appends a person's name part (first or last name) in the form
// matching keys use: folded to uppercase ASCII letters and digits only, so
// "O'Brien", "OBRIEN" and "O Brien" agree and "Peña" is "PENA". It reports
// false when the name holds control characters or characters outside the
// Latin script. It does not allocate when dst has room.
func AppendName(dst, name []byte) ([]byte, bool) {
	var c cleaner
	start := len(dst)
	out, ok := c.appendClean(dst, name)
	if !ok {
		return dst, false
	}
	w := start
	for _, b := range out[start:] {
		if b != ' ' {
			out[w] = b
			w++
		}
	}
	return out[:w], true
}
