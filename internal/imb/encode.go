package imb

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

const (
	// Bars is the number of bars in an Intelligent Mail barcode.
	Bars = 65
	// TrackingLen is the number of digits in a tracking code.
	TrackingLen = 20
)

// barLetters indexes bar letters by ascender<<1 | descender.
const barLetters = "TDAF"

// digits is the input a routine accepts: ASCII digits as a string or bytes.
type digits interface{ ~string | ~[]byte }

// Append appends the 65 bar letters (F, A, D, T) of the barcode for tracking
// (20 digits) and routing (0, 5, 9 or 11 digits) to dst and returns the
// extended slice. It does not allocate when dst has room for 65 more bytes
// and does not retain tracking or routing. On invalid input it returns dst
// unchanged and a *FieldError.
func Append(dst []byte, tracking, routing []byte) ([]byte, error) {
	return appendBars(dst, tracking, routing)
}

// Encode returns the 65 bar letters for tracking and routing; see Append.
func Encode(tracking, routing string) (string, error) {
	var buf [Bars]byte
	b, err := appendBars(buf[:0], tracking, routing)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func appendBars[T digits](dst []byte, tracking, routing T) ([]byte, error) {
	if err := checkInput(tracking, routing); err != nil {
		return dst, err
	}
	hi, lo := binaryData(tracking, routing)
	var ch [10]uint16
	characters(hi, lo, &ch)
	return appendBarLetters(dst, &ch), nil
}

// checkInput validates the tracking and routing codes.
func checkInput[T digits](tracking, routing T) error {
	if len(tracking) != TrackingLen {
		return &FieldError{Field: FieldTracking, Len: len(tracking), Err: ErrTrackingLength}
	}
	switch len(routing) {
	case 0, 5, 9, 11:
	default:
		return &FieldError{Field: FieldRouting, Len: len(routing), Err: ErrRoutingLength}
	}
	if i := firstNonDigit(tracking); i >= 0 {
		return &FieldError{Field: FieldTracking, Pos: i + 1, Len: len(tracking), Err: ErrNotDigit}
	}
	if tracking[1] > '4' {
		return &FieldError{Field: FieldTracking, Pos: 2, Len: len(tracking), Err: ErrBarcodeID}
	}
	if i := firstNonDigit(routing); i >= 0 {
		return &FieldError{Field: FieldRouting, Pos: i + 1, Len: len(routing), Err: ErrNotDigit}
	}
	return nil
}

// firstNonDigit returns the index of the first byte of s that is not an ASCII digit, or -1.
func firstNonDigit[T digits](s T) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return i
		}
	}
	return -1
}

// Routing code offsets (USPS-B-3200 section 2.2.1): each routing length gets
// its own range of values so that, e.g., "01234" and "000001234" differ.
const (
	routingOffset5  = 1
	routingOffset9  = 1 + 100_000
	routingOffset11 = 1 + 100_000 + 1_000_000_000
	e18             = 1_000_000_000_000_000_000
)

// binaryData converts validated input to the 102-bit binary number of
// section 2.2.1 (step 1), returned as its high and low 64 bits.
//
// The spec multiplies digit by digit; here the routing value and the first two
// tracking digits (at most 5.05e12) are combined in one uint64 a, the last 18
// tracking digits in another b, and the result is a*10^18 + b.
func binaryData[T digits](tracking, routing T) (hi, lo uint64) {
	var r uint64
	for i := 0; i < len(routing); i++ {
		r = r*10 + uint64(routing[i]-'0')
	}
	switch len(routing) {
	case 5:
		r += routingOffset5
	case 9:
		r += routingOffset9
	case 11:
		r += routingOffset11
	}
	a := (r*10+uint64(tracking[0]-'0'))*5 + uint64(tracking[1]-'0')
	var b uint64
	for i := 2; i < TrackingLen; i++ {
		b = b*10 + uint64(tracking[i]-'0')
	}
	hi, lo = bits.Mul64(a, e18)
	var carry uint64
	lo, carry = bits.Add64(lo, b, 0)
	return hi + carry, lo
}

// crc11 computes the 11-bit frame check sequence (step 2) over the 102-bit
// number, seen as 13 big-endian bytes whose first byte holds 6 data bits
// (one table lookup a byte, crcBytes).
func crc11(hi, lo uint64) uint16 {
	t := &crcBytes
	a := t[0][byte(lo)] ^ t[1][byte(lo>>8)] ^ t[2][byte(lo>>16)] ^ t[3][byte(lo>>24)]
	b := t[4][byte(lo>>32)] ^ t[5][byte(lo>>40)] ^ t[6][byte(lo>>48)] ^ t[7][byte(lo>>56)]
	c := t[8][byte(hi)] ^ t[9][byte(hi>>8)] ^ t[10][byte(hi>>16)] ^ t[11][byte(hi>>24)]
	return crcZero ^ a ^ b ^ c ^ t[12][byte(hi>>32)&0x3F]
}

// codewords converts the 102-bit number to ten codewords A..J (step 3):
// J is the remainder by 636, I..B the successive remainders by 1365, and A
// what is left (0..658).
func codewords(hi, lo uint64, cw *[10]uint16) {
	var r uint64
	hi, r = hi/baseJ, hi%baseJ
	lo, r = bits.Div64(r, lo, baseJ)
	cw[9] = uint16(r)
	for i := 8; i >= 1; i-- {
		if hi == 0 {
			lo, r = lo/baseMiddle, lo%baseMiddle
		} else {
			hi, r = hi/baseMiddle, hi%baseMiddle
			lo, r = bits.Div64(r, lo, baseMiddle)
		}
		cw[i] = uint16(r)
	}
	cw[0] = uint16(lo)
}

// characters runs steps 2 to 5: frame check sequence, codewords, the
// orientation and FCS bits (step 4), then codeword-to-character lookup with
// characters inverted where their FCS bit (0..9) is set.
func characters(hi, lo uint64, ch *[10]uint16) {
	fcs := crc11(hi, lo)
	var cw [10]uint16
	codewords(hi, lo, &cw)
	cw[9] *= 2
	if fcs&0x400 != 0 {
		cw[0] += baseA
	}
	for i, w := range cw {
		c := charOf[w]
		if fcs>>i&1 != 0 {
			c ^= charMask
		}
		ch[i] = c
	}
}

// appendBarLetters runs step 6: each bar's descender and ascender are one
// character bit each (barMap, folded into nibbleBars for bars 0..63).
func appendBarLetters(dst []byte, ch *[10]uint16) []byte {
	var w0, w1 uint64
	for k, c := range ch {
		t := &nibbleBars[k]
		e0, e1, e2, e3 := &t[0][c&15], &t[1][c>>4&15], &t[2][c>>8&15], &t[3][c>>12&15]
		w0 |= e0[0] | e1[0] | e2[0] | e3[0]
		w1 |= e0[1] | e1[1] | e2[1] | e3[1]
	}
	n := len(dst)
	dst = slices.Grow(dst, Bars)[:n+Bars]
	out := (*[Bars]byte)(dst[n:])
	for i := range 8 {
		binary.LittleEndian.PutUint32(out[4*i:], barQuad[byte(w0>>(8*i))])
		binary.LittleEndian.PutUint32(out[32+4*i:], barQuad[byte(w1>>(8*i))])
	}
	m := &barMap[64]
	out[64] = barLetters[(ch[m.ac]>>m.ab&1)<<1|ch[m.dc]>>m.db&1]
	return dst
}
