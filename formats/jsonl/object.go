package jsonl

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// A contact line is a flat object of scalars, so it is scanned here rather
// than with encoding/json, whose token API allocates for every key and
// value (186 allocations a 13-key record, 120k records/s). The grammar is
// JSON's (RFC 8259) restricted to one object whose values are strings,
// numbers, true, false or null.

// errNotObject is the error of a line that is not a JSON object.
var errNotObject = errors.New("not a JSON object")

// scanner walks one line.
type scanner struct {
	b []byte
	i int
}

// ws skips JSON whitespace.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// unexpected describes the byte at the scanner's position.
func (s *scanner) unexpected(what string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("unexpected end of line, looking for %s", what)
	}
	return fmt.Errorf("invalid character %q at byte %d, looking for %s", s.b[s.i], s.i+1, what)
}

// str appends the string that starts at the scanner's position (at its
// opening quote) to dst, unescaped. Bytes that are not UTF-8 are kept as
// they are (the caller decodes a line that is not UTF-8 as Windows-1252);
// a lone surrogate escape becomes U+FFFD, as in encoding/json.
func (s *scanner) str(dst []byte) ([]byte, error) {
	s.i++ // the opening quote
	for {
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			s.i++
		}
		dst = append(dst, s.b[start:s.i]...)
		if s.i >= len(s.b) {
			return dst, errors.New("unterminated string")
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return dst, nil
		case c < 0x20:
			return dst, fmt.Errorf("control character %q in string at byte %d", c, s.i+1)
		}
		// A backslash.
		if s.i+1 >= len(s.b) {
			return dst, errors.New("unterminated string")
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return dst, fmt.Errorf("bad \\u escape at byte %d", s.i-1)
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					save := s.i
					s.i += 2
					var ok2 bool
					if r2, ok2 = s.hex4(); !ok2 {
						return dst, fmt.Errorf("bad \\u escape at byte %d", s.i-1)
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						dst = utf8.AppendRune(dst, d)
						continue
					}
					s.i = save // not a pair: the second escape stands alone
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, fmt.Errorf("invalid escape %q at byte %d", e, s.i)
		}
	}
}

// hex4 reads the four hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}

// number returns the number at the scanner's position as written:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() ([]byte, error) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && '1' <= s.b[s.i] && s.b[s.i] <= '9':
		s.digits()
	default:
		return nil, s.unexpected("a digit")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return nil, s.unexpected("a digit after the decimal point")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return nil, s.unexpected("a digit in the exponent")
		}
	}
	return s.b[start:s.i], nil
}

// digits skips a run of digits and reports whether there was one.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// literal skips word (true, false, null) at the scanner's position.
func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}
