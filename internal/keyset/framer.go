package keyset

import "encoding/binary"

// Framer hashes many keys that share a prefix (the input of a Hasher: a
// kind and leading fields) as one batch: Add frames each key's parts into
// one buffer, and Sums then hashes them all. Key i of Sums equals
// prefix.SumFields(parts of Add i...), which equals [Sum] of the kind,
// the leading fields and the parts.
//
// It is faster than calling SumFields per key when there are many keys:
// the bytes are all copied before any is hashed, so the hash reads them
// from cache instead of waiting on the stores that just wrote them, and
// consecutive hashes are independent, so the CPU overlaps their multiply
// chains. Parts of any length are framed as WriteField frames them.
//
// The zero Framer is ready, with an empty prefix (as the zero Hasher); use
// Reset to set one. A Framer is not safe for concurrent use. It does not
// retain the parts given to Add; its buffer grows to the batch's framed
// size (about 20 bytes more than the parts per key) and is reused.
type Framer struct {
	prefix Hasher
	buf    []byte  // per key: prefix bytes not yet mixed, framed parts, 16 zero bytes
	starts []int32 // where each key's stream starts in buf
}

// Reset discards the batch and starts a new one whose keys are hashed
// after prefix's input.
func (f *Framer) Reset(prefix *Hasher) {
	f.prefix = *prefix
	f.buf, f.starts = f.buf[:0], f.starts[:0]
}

// Len returns the number of keys added since the last Reset.
func (f *Framer) Len() int { return len(f.starts) }

// Add adds a key made of parts to the batch.
func (f *Framer) Add(parts ...[]byte) {
	f.starts = append(f.starts, int32(len(f.buf)))
	b := append(f.buf, f.prefix.buf[:f.prefix.pending()]...)
	for _, p := range parts {
		if len(p) < 0x80 {
			b = append(b, byte(len(p)))
		} else {
			b = binary.AppendUvarint(b, uint64(len(p)))
		}
		b = append(b, p...)
	}
	f.buf = append(b, zeroPad[:]...)
}

var zeroPad [16]byte

// Sums appends the keys of the batch, in the order they were added, to
// dst and returns the extended slice. It does not allocate when dst has
// room for them.
func (f *Framer) Sums(dst []Key) []Key {
	h1, h2, base := f.prefix.h1, f.prefix.h2, f.prefix.n+1-uint64(f.prefix.pending())
	for i, start := range f.starts {
		end := len(f.buf)
		if i+1 < len(f.starts) {
			end = int(f.starts[i+1])
		}
		n := end - int(start) - len(zeroPad)
		dst = append(dst, sumPadded(h1, h2, f.buf[start:end], n, base+uint64(n)))
	}
	return dst
}
