// Package cp1252 decodes Windows-1252 text, the encoding of legacy
// spreadsheet exports, to UTF-8. Data enters as bytes and is appended to a
// caller's buffer.
package cp1252

import "unicode/utf8"

// high maps bytes 0x80–0x9F to their Windows-1252 code points; the five
// unassigned bytes map to U+FFFD. Bytes 0xA0–0xFF equal their Latin-1 code
// points. Source: the Unicode Consortium's mapping table CP1252.TXT.
var high = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

// Append appends src, read as Windows-1252, to dst as UTF-8.
func Append(dst, src []byte) []byte {
	for _, c := range src {
		switch {
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xA0:
			dst = utf8.AppendRune(dst, high[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}
