package mergefield

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// isBlankByte reports the bytes a blank value may hold.
func isBlankByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isBlank reports whether v is empty or only spaces, tabs, CR and LF.
func isBlank(v []byte) bool {
	for _, c := range v {
		if !isBlankByte(c) {
			return false
		}
	}
	return true
}

// trimSpace returns v without leading and trailing blank bytes.
func trimSpace(v []byte) []byte {
	for len(v) > 0 && isBlankByte(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isBlankByte(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	return v
}

// appendMapped appends s with each rune mapped by f; ASCII goes through
// ascii, and invalid UTF-8 bytes are copied unchanged.
func appendMapped(dst, s []byte, ascii func(byte) byte, f func(rune) rune) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, ascii(c))
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, f(r))
		}
		i += n
	}
	return dst
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

func appendUpper(dst, s []byte) []byte { return appendMapped(dst, s, upperASCII, unicode.ToUpper) }

func appendLower(dst, s []byte) []byte { return appendMapped(dst, s, lowerASCII, unicode.ToLower) }

// appendTitle appends s with the first letter of each word in title case and
// the rest in lower case. Words start after anything that is not a letter,
// digit or apostrophe, and after an apostrophe that follows a one-letter
// word (O'Brien, D'Angelo; but It's, Don't).
func appendTitle(dst, s []byte) []byte {
	start := true // the next letter starts a word
	wordLen := 0  // letters and digits in the current word
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '\'' { // ASCII fast path
			switch {
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
				if start {
					c = upperASCII(c)
				} else {
					c = lowerASCII(c)
				}
				start = false
				wordLen++
			case c >= '0' && c <= '9':
				start = false
				wordLen++
			default:
				start, wordLen = true, 0
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, s[i])
				i++
				start, wordLen = true, 0
				continue
			}
		}
		i += n
		switch {
		case unicode.IsLetter(r):
			if start {
				r = unicode.ToTitle(r)
			} else {
				r = unicode.ToLower(r)
			}
			start = false
			wordLen++
		case unicode.IsDigit(r):
			start = false
			wordLen++
		case r == '\'' || r == '’':
			start = wordLen == 1
			wordLen = 0
		default:
			start, wordLen = true, 0
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// digits parses s, which must be all ASCII digits.
func digits(s []byte) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseDate reads an ISO date (2006-01-02) or an RFC 3339 time
// (2006-01-02T15:04:05[.999999999](Z|±07:00)). It does not allocate except
// for a non-zero offset, which needs a time.FixedZone.
func parseDate(v []byte) (time.Time, bool) {
	if len(v) < 10 || v[4] != '-' || v[7] != '-' {
		return time.Time{}, false
	}
	year, ok1 := digits(v[0:4])
	mon, ok2 := digits(v[5:7])
	day, ok3 := digits(v[8:10])
	if !ok1 || !ok2 || !ok3 || mon < 1 || mon > 12 || day < 1 || day > daysIn(time.Month(mon), year) {
		return time.Time{}, false
	}
	if len(v) == 10 {
		return time.Date(year, time.Month(mon), day, 0, 0, 0, 0, time.UTC), true
	}
	// RFC 3339: T15:04:05, optional fraction, zone.
	if len(v) < 20 || (v[10] != 'T' && v[10] != 't') || v[13] != ':' || v[16] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := digits(v[11:13])
	minute, ok2 := digits(v[14:16])
	sec, ok3 := digits(v[17:19])
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := v[19:]
	nsec := 0
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 || j > 10 {
			return time.Time{}, false
		}
		nsec, _ = digits(rest[1:j])
		for k := j; k < 10; k++ {
			nsec *= 10
		}
		rest = rest[j:]
	}
	loc := time.UTC
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		off := oh*3600 + om*60
		if rest[0] == '-' {
			off = -off
		}
		if off != 0 {
			loc = time.FixedZone("", off)
		}
	default:
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon), day, hour, minute, sec, nsec, loc), true
}

// needsHTMLEscape reports whether v holds a byte appendHTMLEscaped changes.
func needsHTMLEscape(v []byte) bool {
	for _, c := range v {
		switch c {
		case '&', '<', '>', '"', '\'':
			return true
		}
	}
	return false
}

// appendHTMLEscaped appends v escaped as html.EscapeString does.
func appendHTMLEscaped(dst, v []byte) []byte {
	last := 0
	for i, c := range v {
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		dst = append(dst, v[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, v[last:]...)
}
