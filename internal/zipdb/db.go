package zipdb

import (
	_ "embed"
	"errors"
	"fmt"
	"hash/crc32"
	"iter"
	"math/bits"
	"sync"
)

//go:generate go run gen.go -in ../../../shared/data/usps-zipcodes.json -out zips.bin

// zipsBin is the compact ZIP table written by gen.go; the format is in doc.go.
// It is a string so that entries can hand out city names without copying.
//
//go:embed zips.bin
var zipsBin string

const (
	magic       = "PMZIPDB1"
	headerLen   = 16
	zipSpace    = 100000
	bitmapWords = (zipSpace + 63) / 64
	bitmapLen   = 8 * bitmapWords
)

// ErrCorrupt is returned by Parse when the data is not a well-formed table.
var ErrCorrupt = errors.New("zipdb: corrupt table")

// Entry is what the table knows about one ZIP Code.
type Entry struct {
	// City is the USPS default ("preferred") city name in capitals, e.g.
	// "BOSTON". It shares the table's memory: taking it does not allocate.
	City string
	// State is the two-letter USPS state code, e.g. {'M', 'A'}.
	State [2]byte
}

// DB is a read-only ZIP → default city and state table. It is safe for
// concurrent use; lookups do not allocate.
type DB struct {
	data    string   // the whole file; city names are slices of it
	n       int      // ZIPs in the table
	slots   []uint32 // per ZIP 0..99999: present bit, state index, city id (see slot*)
	states  [][2]byte
	cityOff []uint32 // city i is data[cityOff[i]:cityEnd[i]]
	cityEnd []uint32

	// Canonical city names (ST → SAINT, FT → FORT, MT → MOUNT) for the
	// alias-aware checks in city.go.
	canonAll   string            // all canonical names, in city id order
	canonEnd   []uint32          // city i's canonical name ends at canonAll[canonEnd[i]]
	canonOf    []uint16          // city id → canonical id (the first city id with that canonical name)
	canonIndex map[string]uint16 // canonical name → canonical id
}

// A slot packs what Lookup needs into one word, so a lookup is one load:
// bit 31 set when the ZIP exists, bits 16-23 the index into DB.states, bits
// 0-15 the city id. The file stays compact (a bitmap and uint16 ids); the
// slots are expanded at load (400 KB of memory).
const (
	slotPresent    = 1 << 31
	slotStateShift = 16
)

var loadOnce = sync.OnceValues(func() (*DB, error) { return parse(zipsBin) })

// Load returns the table embedded in the binary. It is parsed once, on the
// first call (about 4 ms of CPU and 2.7 MB of allocations, mostly the 400 KB
// lookup array and the index of canonical city names); later calls return
// the same *DB.
func Load() (*DB, error) { return loadOnce() }

// Parse reads a table in the zips.bin format (see the package doc). It copies
// data; the caller may reuse it.
func Parse(data []byte) (*DB, error) { return parse(string(data)) }

func parse(s string) (*DB, error) {
	if len(s) < headerLen+bitmapLen+4 || s[:8] != magic {
		return nil, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	body, sum := s[:len(s)-4], le32(s[len(s)-4:])
	if crc32.ChecksumIEEE([]byte(body)) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	db := &DB{data: s}
	db.n = int(le32(s[8:]))
	nCity := int(le16(s[12:]))
	nRun := int(le16(s[14:]))
	p := headerLen

	bitmap := make([]uint64, bitmapWords)
	total := 0
	for i := range bitmap {
		w := le64(s[p+8*i:])
		bitmap[i] = w
		total += bits.OnesCount64(w)
	}
	if total != db.n || bitmap[bitmapWords-1]>>(zipSpace%64) != 0 {
		return nil, fmt.Errorf("%w: bitmap holds %d ZIPs, header says %d", ErrCorrupt, total, db.n)
	}
	p += bitmapLen

	if len(body) < p+2*db.n+4*nRun || db.n > 0 && nRun == 0 {
		return nil, fmt.Errorf("%w: truncated or bad state runs", ErrCorrupt)
	}
	ids := s[p : p+2*db.n]
	p += 2 * db.n

	// State runs: (first index, state), ascending. Give each distinct state
	// an index for the slots.
	runFirst := make([]int, nRun+1)
	runState := make([]uint8, nRun)
	stateIdx := map[[2]byte]uint8{}
	for i := 0; i < nRun; i++ {
		first := int(le16(s[p:]))
		st := [2]byte{s[p+2], s[p+3]}
		p += 4
		if (i == 0) != (first == 0) || i > 0 && first <= runFirst[i-1] || first >= db.n {
			return nil, fmt.Errorf("%w: state run %d out of order", ErrCorrupt, i)
		}
		idx, ok := stateIdx[st]
		if !ok {
			if len(db.states) == 256 {
				return nil, fmt.Errorf("%w: more than 256 states", ErrCorrupt)
			}
			idx = uint8(len(db.states))
			stateIdx[st] = idx
			db.states = append(db.states, st)
		}
		runFirst[i], runState[i] = first, idx
	}
	runFirst[nRun] = db.n

	db.cityOff = make([]uint32, nCity)
	db.cityEnd = make([]uint32, nCity)
	for i := 0; i < nCity; i++ {
		if p >= len(body) {
			return nil, fmt.Errorf("%w: city table truncated", ErrCorrupt)
		}
		l := int(s[p])
		p++
		if l == 0 || p+l > len(body) {
			return nil, fmt.Errorf("%w: city table truncated", ErrCorrupt)
		}
		db.cityOff[i], db.cityEnd[i] = uint32(p), uint32(p+l)
		p += l
	}
	if p != len(body) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(body)-p)
	}
	db.slots = make([]uint32, zipSpace)
	rec, run := 0, 0
	for w, word := range bitmap {
		for word != 0 {
			z := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			for rec >= runFirst[run+1] {
				run++
			}
			cid := le16(ids[2*rec:])
			if int(cid) >= nCity {
				return nil, fmt.Errorf("%w: city id out of range", ErrCorrupt)
			}
			db.slots[z] = slotPresent | uint32(runState[run])<<slotStateShift | uint32(cid)
			rec++
		}
	}
	db.buildCanon(nCity)
	return db, nil
}

// buildCanon fills canonOf and canonIndex. The canonical names share one
// string, so this costs three allocations plus the map.
func (db *DB) buildCanon(nCity int) {
	var buf []byte
	ends := make([]uint32, nCity)
	var tmp [canonMax]byte
	for i := 0; i < nCity; i++ {
		n, _ := canonical(&tmp, db.data[db.cityOff[i]:db.cityEnd[i]])
		buf = append(buf, tmp[:n]...)
		ends[i] = uint32(len(buf))
	}
	all := string(buf)
	db.canonAll, db.canonEnd = all, ends
	db.canonOf = make([]uint16, nCity)
	db.canonIndex = make(map[string]uint16, nCity)
	start := uint32(0)
	for i := 0; i < nCity; i++ {
		name := all[start:ends[i]]
		start = ends[i]
		id, ok := db.canonIndex[name]
		if !ok {
			id = uint16(i)
			db.canonIndex[name] = id
		}
		db.canonOf[i] = id
	}
}

// Len reports how many ZIP Codes the table holds.
func (db *DB) Len() int { return db.n }

// Lookup returns the default city and state of a five-digit ZIP Code given as
// ASCII digits. It reports false for a ZIP not in the table or not all digits.
func (db *DB) Lookup(zip5 [5]byte) (Entry, bool) {
	s, ok := db.slot(zip5)
	if !ok {
		return Entry{}, false
	}
	return db.entry(s), true
}

// LookupBytes is Lookup for a byte slice; anything but five digits reports false.
func (db *DB) LookupBytes(zip5 []byte) (Entry, bool) {
	if len(zip5) != 5 {
		return Entry{}, false
	}
	return db.Lookup([5]byte(zip5))
}

// All yields every ZIP in the table, in ascending order, with its entry.
func (db *DB) All() iter.Seq2[[5]byte, Entry] {
	return func(yield func([5]byte, Entry) bool) {
		for z, slot := range db.slots {
			if slot&slotPresent == 0 {
				continue
			}
			zip := [5]byte{byte('0' + z/10000), byte('0' + z/1000%10), byte('0' + z/100%10), byte('0' + z/10%10), byte('0' + z%10)}
			if !yield(zip, db.entry(slot)) {
				return
			}
		}
	}
}

// zipNumber converts five ASCII digits to 0..99999.
func zipNumber(z [5]byte) (int, bool) {
	d0, d1, d2, d3, d4 := z[0]-'0', z[1]-'0', z[2]-'0', z[3]-'0', z[4]-'0'
	if d0 > 9 || d1 > 9 || d2 > 9 || d3 > 9 || d4 > 9 {
		return 0, false
	}
	return int(d0)*10000 + int(d1)*1000 + int(d2)*100 + int(d3)*10 + int(d4), true
}

// slot returns zip5's packed slot; ok is false when it is not in the table.
func (db *DB) slot(zip5 [5]byte) (uint32, bool) {
	n, ok := zipNumber(zip5)
	if !ok {
		return 0, false
	}
	s := db.slots[n]
	return s, s&slotPresent != 0
}

func slotCity(s uint32) int { return int(uint16(s)) }

func (db *DB) slotState(s uint32) [2]byte { return db.states[uint8(s>>slotStateShift)] }

func (db *DB) cityName(cid int) string { return db.data[db.cityOff[cid]:db.cityEnd[cid]] }

func (db *DB) entry(s uint32) Entry {
	return Entry{City: db.cityName(slotCity(s)), State: db.slotState(s)}
}

func le16(s string) uint16 { return uint16(s[0]) | uint16(s[1])<<8 }

func le64(s string) uint64 { return uint64(le32(s)) | uint64(le32(s[4:]))<<32 }

func le32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
