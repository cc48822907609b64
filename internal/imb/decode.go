package imb

import (
	"fmt"
	"math/bits"
)

// Decode reverses Encode: it reads 65 bar letters (F, A, D, T) and returns the
// 20-digit tracking code and the routing code (0, 5, 9 or 11 digits). It
// returns an error wrapping ErrBars when the letters do not form valid
// characters and codewords, and ErrChecksum when the frame check sequence
// does not match the data. It does not correct errors.
func Decode(bars string) (tracking, routing string, err error) {
	if len(bars) != Bars {
		return "", "", fmt.Errorf("%w: %d bars, want %d", ErrBars, len(bars), Bars)
	}
	// Step 6 reversed: bars to characters.
	var ch [10]uint16
	for i, m := range &barMap {
		var a, d bool
		switch bars[i] {
		case 'F':
			a, d = true, true
		case 'A':
			a = true
		case 'D':
			d = true
		case 'T':
		default:
			return "", "", fmt.Errorf("%w: bar %d is %q, want F, A, D or T", ErrBars, i+1, bars[i])
		}
		if d {
			ch[m.dc] |= 1 << m.db
		}
		if a {
			ch[m.ac] |= 1 << m.ab
		}
	}
	// Step 5 reversed: an inverted character has 8 or 11 bits set, which
	// gives back FCS bits 0..9; then character to codeword.
	var fcs uint16
	var cw [10]uint64
	for i, c := range ch {
		if n := bits.OnesCount16(c); n == 8 || n == 11 {
			c ^= charMask
			fcs |= 1 << i
		}
		w := codewordOf[c]
		if w < 0 {
			return "", "", fmt.Errorf("%w: character %c (%#04x) is not a 5-of-13 or 2-of-13 character", ErrBars, 'A'+i, c)
		}
		cw[i] = uint64(w)
	}
	// Step 4 reversed: FCS bit 10 from codeword A, orientation from J.
	if cw[0] >= baseA {
		cw[0] -= baseA
		fcs |= 0x400
	}
	if cw[0] >= baseA || cw[9]%2 != 0 || cw[9]/2 >= baseJ {
		return "", "", fmt.Errorf("%w: codewords A=%d J=%d out of range", ErrBars, cw[0], cw[9])
	}
	cw[9] /= 2
	// Step 3 reversed: codewords to the binary number.
	var hi, lo uint64 = 0, cw[0]
	for i := 1; i <= 8; i++ {
		hi, lo = mulAdd(hi, lo, baseMiddle, cw[i])
	}
	hi, lo = mulAdd(hi, lo, baseJ, cw[9])
	// Step 2: the frame check sequence must match.
	if got := crc11(hi, lo); got != fcs {
		return "", "", fmt.Errorf("%w: bars carry %#03x, data gives %#03x", ErrChecksum, fcs, got)
	}
	// Step 1 reversed: the number is a*10^18 + b (see binaryData).
	a, b := bits.Div64(hi, lo, e18) // hi < 2^38 < 10^18
	d1 := a % 5
	a /= 5
	d0 := a % 10
	r := a / 10

	var tb [TrackingLen]byte
	tb[0], tb[1] = byte('0'+d0), byte('0'+d1)
	putDigits(tb[2:], b)
	switch {
	case r == 0:
	case r < routingOffset9:
		routing = formatDigits(r-routingOffset5, 5)
	case r < routingOffset11:
		routing = formatDigits(r-routingOffset9, 9)
	case r < routingOffset11+100_000_000_000:
		routing = formatDigits(r-routingOffset11, 11)
	default:
		return "", "", fmt.Errorf("%w: routing value %d out of range", ErrBars, r)
	}
	return string(tb[:]), routing, nil
}

// mulAdd returns (hi:lo)*m + add for a 128-bit hi:lo that does not overflow.
func mulAdd(hi, lo, m, add uint64) (uint64, uint64) {
	h, l := bits.Mul64(lo, m)
	h += hi * m
	var carry uint64
	l, carry = bits.Add64(l, add, 0)
	return h + carry, l
}

// putDigits writes v into dst as len(dst) zero-padded decimal digits.
func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// formatDigits returns v as n zero-padded decimal digits.
func formatDigits(v uint64, n int) string {
	var buf [20]byte
	putDigits(buf[:n], v)
	return string(buf[:n])
}
