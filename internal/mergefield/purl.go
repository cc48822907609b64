package mergefield

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
)

// PURLLen is the length of a PURL code in characters. Each character
// carries 5 bits, so a code is the first 50 bits of
// HMAC-SHA256(secret, piece id).
//
// Collisions: among n codes of one campaign the chance that any two are equal
// is about n²/2^51; for 1,000,000 pieces that is 4.4e-4 (1 in 2,250). The
// service that serves PURLs must therefore keep a unique index on
// (campaign, code) and treat a clash as an infrastructure error to resolve,
// not assume it never happens. Guessing: with 1,000,000 live codes a random
// code hits one with probability 8.9e-10, so an attacker needs about 10^9
// requests per hit; rate-limit the landing page.
const PURLLen = 10

// MinPURLSecret is the shortest campaign secret NewPURLEncoder accepts, in bytes.
const MinPURLSecret = 16

// purlAlphabet is Crockford's base32 in lower case: digits and letters
// without i, l, o and u, so no two characters are easily confused.
const purlAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// ErrShortSecret is returned by NewPURLEncoder for a secret shorter than
// MinPURLSecret.
var ErrShortSecret = errors.New("mergefield: PURL secret shorter than 16 bytes")

// PURLEncoder makes PURL codes for one campaign secret without allocating.
// It holds HMAC state, so it is not safe for concurrent use: give each
// worker its own.
type PURLEncoder struct {
	mac hash.Hash
	in  []byte // piece id copied here, so Write takes no string conversion
	sum [sha256.Size]byte
}

// NewPURLEncoder returns an encoder for the campaign secret, which should be
// random and at least MinPURLSecret bytes. The secret is copied.
func NewPURLEncoder(secret []byte) (*PURLEncoder, error) {
	if len(secret) < MinPURLSecret {
		return nil, ErrShortSecret
	}
	return &PURLEncoder{mac: hmac.New(sha256.New, secret), in: make([]byte, 0, 64)}, nil
}

// Append appends the PURLLen-character code for pieceID to dst. The same
// secret and piece id always give the same code, so replays are stable.
func (e *PURLEncoder) Append(dst []byte, pieceID string) []byte {
	e.in = append(e.in[:0], pieceID...)
	e.mac.Reset()
	e.mac.Write(e.in)
	return appendPURLCode(dst, e.mac.Sum(e.sum[:0]))
}

// PURL returns the code for pieceID under secret, as PURLEncoder.Append
// does. It builds HMAC state on every call and does not check the secret's
// length; per-row code uses a PURLEncoder.
func PURL(secret []byte, pieceID string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(pieceID))
	var sum [sha256.Size]byte
	return string(appendPURLCode(make([]byte, 0, PURLLen), mac.Sum(sum[:0])))
}

// appendPURLCode appends the top 50 bits of sum as PURLLen base32 characters.
func appendPURLCode(dst, sum []byte) []byte {
	v := binary.BigEndian.Uint64(sum)
	for range PURLLen {
		dst = append(dst, purlAlphabet[v>>59])
		v <<= 5
	}
	return dst
}
