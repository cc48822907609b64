package imb

import "math/bits"

// Constants of the USPS-B-3200 encoding.
const (
	crcPoly    = 0x0F35 // 11-bit CRC generator polynomial (section 2.2.2)
	crcInit    = 0x07FF // initial frame check sequence
	charMask   = 0x1FFF // 13-bit character
	nTable5    = 1287   // codewords 0..1286 map to the 5-of-13 table, C(13,5)
	nTable2    = 78     // codewords 1287..1364 map to the 2-of-13 table, C(13,2)
	baseA      = 659    // range of codeword A before the FCS bit is added
	baseJ      = 636    // range of codeword J before orientation doubling
	baseMiddle = 1365   // range of codewords B..I
)

// barMap is the "Bar to Character Mapping" table of USPS-B-3200 (Appendix E):
// for each bar, left to right, the character (0 = A .. 9 = J) and bit (0 = LSB)
// that raise its descender, then the character and bit that raise its ascender.
var barMap = [Bars]struct{ dc, db, ac, ab uint8 }{
	{7, 2, 4, 3}, {1, 10, 0, 0}, {9, 12, 2, 8}, {5, 5, 6, 11}, {8, 9, 3, 1},
	{0, 1, 5, 12}, {2, 5, 1, 8}, {4, 4, 9, 11}, {6, 3, 8, 10}, {3, 9, 7, 6},
	{5, 11, 1, 4}, {8, 5, 2, 12}, {9, 10, 0, 2}, {7, 1, 6, 7}, {3, 6, 4, 9},
	{0, 3, 8, 6}, {6, 4, 2, 7}, {1, 1, 9, 9}, {7, 10, 5, 2}, {4, 0, 3, 8},
	{6, 2, 0, 4}, {8, 11, 1, 0}, {9, 8, 3, 12}, {2, 6, 7, 7}, {5, 1, 4, 10},
	{1, 12, 6, 9}, {7, 3, 8, 0}, {5, 8, 9, 7}, {4, 6, 2, 10}, {3, 4, 0, 5},
	{8, 4, 5, 7}, {7, 11, 1, 9}, {6, 0, 9, 6}, {0, 6, 4, 8}, {2, 1, 3, 2},
	{5, 9, 8, 12}, {4, 11, 6, 1}, {9, 5, 7, 4}, {3, 3, 1, 2}, {0, 7, 2, 0},
	{1, 3, 4, 1}, {6, 10, 3, 5}, {8, 7, 9, 4}, {2, 11, 5, 6}, {0, 8, 7, 12},
	{4, 2, 8, 1}, {5, 10, 3, 0}, {9, 3, 0, 9}, {6, 5, 2, 4}, {7, 8, 1, 7},
	{5, 0, 4, 5}, {2, 3, 0, 10}, {6, 12, 9, 2}, {3, 11, 1, 6}, {8, 8, 7, 9},
	{5, 4, 0, 11}, {1, 5, 2, 2}, {9, 1, 4, 12}, {8, 3, 6, 6}, {7, 0, 3, 7},
	{4, 7, 7, 5}, {0, 12, 1, 11}, {2, 9, 9, 0}, {6, 8, 5, 3}, {3, 10, 8, 2},
}

// charOf maps a codeword (0..1364) to its 13-bit character: Table I (5-of-13)
// for codewords below 1287, Table II (2-of-13) after it.
var charOf [nTable5 + nTable2]uint16

// codewordOf is the inverse of charOf for non-inverted characters; -1 marks
// 13-bit values that are not characters.
var codewordOf [charMask + 1]int16

// crcBytes holds the frame check sequence as a sum of table entries: the
// CRC is affine over GF(2) in the 102 data bits, so it is crcZero (the CRC
// of 102 zero bits) XOR, for each byte of the number (byte s = bits 8s..8s+7
// from the least significant; byte 12 has 6 bits), crcBytes[s][that byte].
// The 13 lookups do not depend on each other, where a byte-at-a-time CRC
// waits for each step's result before the next lookup.
var crcBytes [13][256]uint16

// crcZero is the frame check sequence of the number 0.
var crcZero uint16

// nibbleBars folds barMap into lookups for bars 0..63: nibbleBars[k][j][v]
// holds the bars that bits 4j..4j+3 of character k raise when those bits
// are v, each bar as two bits (ascender<<1 | descender) at bits 2*(i%32) of
// word i/32. Step 6 is then 40 table ORs instead of 128 single-bit tests
// (10 KB, in cache); bar 64 is looked up in barMap.
var nibbleBars [10][4][16][2]uint64

// barQuad maps one byte of a nibbleBars word (four bars) to their four
// letters, the first bar in the low byte.
var barQuad [256]uint32

// The tables are pure functions of the specification, computed once.
var _ = buildTables()

func buildTables() bool {
	fillNof13(charOf[:nTable5], 5)
	fillNof13(charOf[nTable5:], 2)
	for i := range codewordOf {
		codewordOf[i] = -1
	}
	for cw, c := range charOf {
		codewordOf[c] = int16(cw)
	}
	// col is the effect of data bit p alone, with the register starting
	// at 0: a one bit shifted in, then the p bits after it.
	var col [8 * len(crcBytes)]uint16
	col[0] = crcStep(0, 1)
	for p := 1; p < len(col); p++ {
		col[p] = crcStep(col[p-1], 0)
	}
	for s := range crcBytes {
		for b := 1; b < 256; b++ {
			low := bits.TrailingZeros(uint(b))
			crcBytes[s][b] = crcBytes[s][b&(b-1)] ^ col[8*s+low]
		}
	}
	crcZero = crcInit
	for range 102 {
		crcZero = crcStep(crcZero, 0)
	}
	for i, m := range barMap[:64] {
		raise := func(char, bit uint8, up uint64) {
			for v := range 16 {
				if v>>(bit%4)&1 != 0 {
					nibbleBars[char][bit/4][v][i/32] |= up << (2 * (i % 32))
				}
			}
		}
		raise(m.dc, m.db, 1)
		raise(m.ac, m.ab, 2)
	}
	for b := range barQuad {
		for q := range 4 {
			barQuad[b] |= uint32(barLetters[b>>(2*q)&3]) << (8 * q)
		}
	}
	return true
}

// fillNof13 builds an N-of-13 table as USPS-B-3200 section 2.2.5 describes:
// walk the 13-bit values with N bits set in increasing order; a value whose
// bit-reversal is larger goes at the front followed by its reversal, a
// palindrome goes at the back (filled from the end), and a value whose
// reversal is smaller was already placed with it.
func fillNof13(table []uint16, n int) {
	lo, hi := 0, len(table)-1
	for v := uint16(0); v <= charMask; v++ {
		if bits.OnesCount16(v) != n {
			continue
		}
		r := reverse13(v)
		switch {
		case r < v:
			continue
		case r == v:
			table[hi] = v
			hi--
		default:
			table[lo] = v
			table[lo+1] = r
			lo += 2
		}
	}
	if lo != hi+1 {
		panic("imb: N-of-13 table construction is inconsistent")
	}
}

// reverse13 reverses the order of the low 13 bits of v.
func reverse13(v uint16) uint16 { return bits.Reverse16(v) >> 3 }

// crcStep shifts one bit (the low bit of in) into the 11-bit frame check
// sequence, MSB first.
func crcStep(fcs, in uint16) uint16 {
	if (fcs>>10^in)&1 != 0 {
		return (fcs<<1 ^ crcPoly) & 0x7FF
	}
	return fcs << 1 & 0x7FF
}
