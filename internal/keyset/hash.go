package keyset

import (
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"strconv"
	"unsafe"
)

// Key is a 128-bit fingerprint of a tagged byte string, as produced by [Sum]
// or [Hasher.Sum]. Its bytes are the MurmurHash3 x64_128 output (h1 then h2,
// each little-endian), so a Key is the same on every machine and may be
// persisted.
type Key [16]byte

// IsZero reports whether k is the all-zero Key.
func (k Key) IsZero() bool { return k == Key{} }

// String returns k as 32 lowercase hex digits.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Kind tags what a Key was computed from, so equal text of different kinds
// (an email and an external_id, say) gives unrelated keys. Kinds are part of
// every persisted Key: never renumber one, only add new values.
type Kind uint8

// The kinds of key postmill's suppression and dedupe stages compute.
// Kind 0 is left to tests and ad-hoc use.
const (
	KindEmail       Kind = 1 // normalized email address
	KindExternalID  Kind = 2 // customer's own contact id
	KindAddress     Kind = 3 // standardized delivery address
	KindNameAddress Kind = 4 // normalized name plus standardized address
	KindPieceID     Kind = 5 // a job's identity key plus a source row number
)

// String returns the kind's name, or "kind(N)" for a value without one.
func (k Kind) String() string {
	switch k {
	case KindEmail:
		return "email"
	case KindExternalID:
		return "external_id"
	case KindAddress:
		return "address"
	case KindNameAddress:
		return "name_address"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Sum returns the Key of kind and parts. It is the hash of the stream
// kind, then for each part its length as a uvarint followed by its bytes;
// the length prefixes make ("ab", "c") and ("a", "bc") differ. Sum does not
// allocate and does not retain parts. It equals a [Hasher] reset to kind
// that is given each part with [Hasher.WriteField].
func Sum(kind Kind, parts ...[]byte) Key {
	// Typical keys (an email, a few address fields) are framed into a
	// stack buffer and hashed in one pass, which is about twice as fast as
	// streaming them through a Hasher. The buffer keeps 16 zero bytes
	// past the longest stream it takes, so the tail is read in place.
	var buf [sumBufSize + 16]byte
	buf[0] = byte(kind)
	n := 1
	for _, p := range parts {
		if len(p) >= 0x80 || n+1+len(p) > sumBufSize {
			return sumStream(kind, parts)
		}
		buf[n] = byte(len(p)) // a one-byte uvarint
		n++
		n += copy(buf[n:], p)
	}
	return sumPadded(0, 0, buf[:], n, uint64(n))
}

// sumBufSize bounds the stream Sum hashes in one pass.
const sumBufSize = 256

// sumStream is Sum for streams that do not fit its buffer.
func sumStream(kind Kind, parts [][]byte) Key {
	var h Hasher
	h.Reset(kind)
	for _, p := range parts {
		h.WriteField(p)
	}
	return h.Sum()
}

// sumPadded continues MurmurHash3 x64_128 from state h1, h2 over b[:n]
// and finishes a stream of total bytes. b must hold at least n+16 bytes,
// those past n zero, so the last partial block is read in place.
func sumPadded(h1, h2 uint64, b []byte, n int, total uint64) Key {
	i := 0
	for ; i+16 <= n; i += 16 {
		h1, h2 = mixBlock(h1, h2, binary.LittleEndian.Uint64(b[i:i+8]), binary.LittleEndian.Uint64(b[i+8:i+16]))
	}
	return finish(h1, h2, (*[16]byte)(b[i:i+16]), total)
}

// Hasher computes a Key incrementally, so several fields can be hashed
// without concatenating them. It is a value type with no heap state: keep
// one per goroutine and Reset it per key. The zero Hasher is ready and
// equals one reset to Kind 0. Write, WriteByte and WriteString append raw
// bytes; WriteField appends a length-prefixed field as [Sum] does. No
// method retains the slices it is given.
type Hasher struct {
	h1, h2 uint64
	// n is the stream length minus one: byte 0 of the stream is the kind,
	// written by Reset into buf[0]. Bytes not yet mixed sit in
	// buf[:(n+1)%16].
	n   uint64
	buf [16]byte
}

// NewHasher returns a Hasher reset to kind.
func NewHasher(kind Kind) Hasher {
	var h Hasher
	h.buf[0] = byte(kind)
	return h
}

// Reset discards all input and starts a new key of the given kind.
func (h *Hasher) Reset(kind Kind) {
	*h = Hasher{}
	h.buf[0] = byte(kind)
}

// Write appends p to the key's input. It always returns len(p), nil.
func (h *Hasher) Write(p []byte) (int, error) {
	n := len(p)
	pos := int((h.n + 1) & 15)
	h.n += uint64(n)
	if pos != 0 {
		c := copy(h.buf[pos:], p)
		if pos+c < 16 {
			return n, nil
		}
		p = p[c:]
		h.block(binary.LittleEndian.Uint64(h.buf[0:8]), binary.LittleEndian.Uint64(h.buf[8:16]))
	}
	for len(p) >= 16 {
		h.block(binary.LittleEndian.Uint64(p[0:8]), binary.LittleEndian.Uint64(p[8:16]))
		p = p[16:]
	}
	copy(h.buf[:], p)
	return n, nil
}

// WriteString appends s to the key's input, like Write without a copy.
// It always returns len(s), nil.
func (h *Hasher) WriteString(s string) (int, error) {
	return h.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// WriteByte appends c to the key's input. It always returns nil.
func (h *Hasher) WriteByte(c byte) error {
	h.n++
	i := h.n & 15
	h.buf[i] = c
	if i == 15 {
		h.block(binary.LittleEndian.Uint64(h.buf[0:8]), binary.LittleEndian.Uint64(h.buf[8:16]))
	}
	return nil
}

// WriteField appends len(p) as a uvarint and then p, so that consecutive
// fields cannot run into each other.
func (h *Hasher) WriteField(p []byte) {
	l := uint64(len(p))
	for l >= 0x80 {
		h.WriteByte(byte(l) | 0x80)
		l >>= 7
	}
	h.WriteByte(byte(l))
	h.Write(p)
}

// pending returns how many bytes of input sit in h.buf, not yet mixed.
func (h *Hasher) pending() int { return int((h.n + 1) & 15) }

// Sum returns the Key of the input so far. It does not change the Hasher,
// so more input may follow.
func (h *Hasher) Sum() Key {
	total := h.n + 1
	var tail [16]byte
	copy(tail[:], h.buf[:total&15])
	return finish(h.h1, h.h2, &tail, total)
}

// SumFields returns the Key of the Hasher's input followed by parts, each
// framed as WriteField frames it, without changing h. It equals copying h,
// calling WriteField for each part and then Sum, in one pass as [Sum]
// does. Keys that share a kind and leading fields (the entries of one
// suppression scope, say) can then be hashed without repeating that
// prefix: Reset and write it once, call SumFields per key. It does not
// allocate and does not retain parts.
func (h *Hasher) SumFields(parts ...[]byte) Key {
	var buf [sumFieldsBufSize + 16]byte
	pend := h.pending()
	n := copy(buf[:16], h.buf[:pend])
	for _, p := range parts {
		if len(p) >= 0x80 || n+1+len(p) > sumFieldsBufSize {
			c := *h
			for _, p := range parts {
				c.WriteField(p)
			}
			return c.Sum()
		}
		buf[n] = byte(len(p)) // a one-byte uvarint
		n++
		n += copy(buf[n:], p)
	}
	return sumPadded(h.h1, h.h2, buf[:], n, h.n+1+uint64(n-pend))
}

// sumFieldsBufSize bounds the stream SumFields hashes in one pass: the
// pending prefix bytes and the framed parts.
const sumFieldsBufSize = 128

// MurmurHash3 x64_128 constants, from Austin Appleby's public description.
const (
	c1 = 0x87c37b91114253d5
	c2 = 0x4cf5ad432745937f
)

// block mixes one 16-byte block, read as two little-endian words.
func (h *Hasher) block(k1, k2 uint64) {
	h.h1, h.h2 = mixBlock(h.h1, h.h2, k1, k2)
}

// mixBlock is MurmurHash3 x64_128's body step for one 16-byte block.
func mixBlock(h1, h2, k1, k2 uint64) (uint64, uint64) {
	k1 *= c1
	k1 = bits.RotateLeft64(k1, 31)
	k1 *= c2
	h1 ^= k1
	h1 = bits.RotateLeft64(h1, 27)
	h1 += h2
	h1 = h1*5 + 0x52dce729

	k2 *= c2
	k2 = bits.RotateLeft64(k2, 33)
	k2 *= c1
	h2 ^= k2
	h2 = bits.RotateLeft64(h2, 31)
	h2 += h1
	h2 = h2*5 + 0x38495ab5
	return h1, h2
}

// finish mixes the zero-padded tail (the last total%16 bytes) and the
// stream length into h1, h2 and returns the Key.
func finish(h1, h2 uint64, tail *[16]byte, total uint64) Key {
	// Mixing an all-zero tail word is a no-op, so the reference's
	// switch on the tail length reduces to mixing both padded words.
	k1 := binary.LittleEndian.Uint64(tail[0:8])
	k2 := binary.LittleEndian.Uint64(tail[8:16])
	k2 *= c2
	k2 = bits.RotateLeft64(k2, 33)
	k2 *= c1
	h2 ^= k2
	k1 *= c1
	k1 = bits.RotateLeft64(k1, 31)
	k1 *= c2
	h1 ^= k1

	h1 ^= total
	h2 ^= total
	h1 += h2
	h2 += h1
	h1 = Mix64(h1)
	h2 = Mix64(h2)
	h1 += h2
	h2 += h1

	var k Key
	binary.LittleEndian.PutUint64(k[0:8], h1)
	binary.LittleEndian.PutUint64(k[8:16], h2)
	return k
}

// Mix64 is MurmurHash3's 64-bit finalizer: it makes every input bit
// affect every output bit, so keys that differ little (a constant key mixed
// with different jobs, when pipeline/kafka picks a partition) land far apart.
func Mix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
