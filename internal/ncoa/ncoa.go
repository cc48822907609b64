package ncoa

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/postmill/postmill/formats/csv"
	"github.com/postmill/postmill/internal/address"
	"github.com/postmill/postmill/internal/keyset"
	"github.com/postmill/postmill/internal/zipdb"
	"github.com/postmill/postmill/pipeline"
)

// Header is the exact header line of a change-of-address file.
const Header = "first_name,last_name,old_address_street,old_address_street2,old_address_city,old_address_state,old_address_zip," +
	"new_address_street,new_address_street2,new_address_city,new_address_state,new_address_zip,move_type,move_date,status"

// Column indexes of the header.
const (
	colFirst = iota
	colLast
	colOldStreet
	colOldStreet2
	colOldCity
	colOldState
	colOldZip
	colNewStreet
	colNewStreet2
	colNewCity
	colNewState
	colNewZip
	colType
	colDate
	colStatus
	numCols
)

// ErrMalformed is wrapped by every *FormatError.
var ErrMalformed = errors.New("malformed change-of-address file")

// FormatError is a record of a change-of-address file that does not fit
// the format; the file is not loaded.
type FormatError struct {
	// Name names the file.
	Name string
	// Line is the 1-based line of the record.
	Line int64
	// Reason says what is wrong.
	Reason string
}

// Error returns "FILE line N: malformed change-of-address file: REASON".
func (e *FormatError) Error() string {
	return fmt.Sprintf("%s line %d: %v: %s", e.Name, e.Line, ErrMalformed, e.Reason)
}

// Unwrap returns ErrMalformed.
func (e *FormatError) Unwrap() error { return ErrMalformed }

// MoveType says who moved.
type MoveType uint8

// Move types of NCOALink.
const (
	// Individual: one person moved; matched on name and address.
	Individual MoveType = iota + 1
	// Family: the household moved; matched on address.
	Family
	// Business: the business moved; matched on address.
	Business
)

var moveTypeNames = [...]string{"", "individual", "family", "business"}

// String returns "individual", "family" or "business".
func (t MoveType) String() string {
	if int(t) < len(moveTypeNames) && t > 0 {
		return moveTypeNames[t]
	}
	return "unknown"
}

// Note returns the address_notes code of an update by a move of this type:
// "ncoa_moved_individual", "ncoa_moved_family" or "ncoa_moved_business".
func (t MoveType) Note() string {
	switch t {
	case Individual:
		return "ncoa_moved_individual"
	case Family:
		return "ncoa_moved_family"
	case Business:
		return "ncoa_moved_business"
	}
	return "ncoa_moved"
}

// Status is what a change-of-address record says about the old address.
type Status uint8

// Statuses of a change-of-address record.
const (
	// NewAddress: the addressee moved to the record's new address.
	NewAddress Status = iota + 1
	// NoForwarding: the addressee moved and left no forwarding address.
	NoForwarding
	// BoxClosed: the PO box was closed with no forwarding address.
	BoxClosed
)

var statusNames = [...]string{"", "new_address", "no_forwarding", "box_closed"}

// String returns "new_address", "no_forwarding" or "box_closed".
func (s Status) String() string {
	if int(s) < len(statusNames) && s > 0 {
		return statusNames[s]
	}
	return "unknown"
}

// Reason returns the reject reason of a record without a new address
// (moved:no_forwarding, moved:box_closed); "" for NewAddress.
func (s Status) Reason() pipeline.Reason {
	switch s {
	case NoForwarding:
		return pipeline.MovedNoForwarding
	case BoxClosed:
		return pipeline.MovedBoxClosed
	}
	return ""
}

// Move is one change-of-address record.
type Move struct {
	// Type says who moved.
	Type MoveType
	// Date is the move date, "YYYY-MM".
	Date string
	// Status says whether there is a new address.
	Status Status
	// Line is the record's line in the file.
	Line int64
	// New is the standardized new address; zero unless Status is NewAddress.
	New Address
}

// Address is a standardized US address held by a File.
type Address struct {
	// Street is the Pub 28 delivery line with its unit; Street2 a line kept
	// apart (a company line) or nil; Zip4 is nil when the record gave none.
	Street, Street2, City, State, Zip5, Zip4 []byte
	// Status is StatusValid or StatusCorrected: whether standardizing the
	// provider's new address changed it.
	Status address.Status
}

// File is a loaded change-of-address file. It is read-only and safe for
// concurrent use.
type File struct {
	name   string
	moves  []Move
	byName *keyset.Map // individual: name + address key → index in moves
	byAddr *keyset.Map // family, business: address key → index in moves
	counts map[string]int
	// zips has a bit for each 5-digit ZIP Code a move leaves from: most
	// rows live where nobody moved away, and a clear bit spares Lookup
	// building and hashing two keys.
	zips [100_000/64 + 1]uint64
	// maybeName and maybeAddr hold the keys of byName and byAddr: a few
	// kilobytes that stay in cache where the maps' slots would not, so the
	// lookups of rows that did not move (almost all) end in them.
	maybeName, maybeAddr *keyset.Bloom
}

// zipIndex returns a 5-digit ZIP Code as a number, or false.
func zipIndex(z []byte) (int, bool) {
	if len(z) != 5 {
		return 0, false
	}
	n := 0
	for _, c := range z {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// mayMoveFrom reports whether some move leaves from the ZIP Code zip5;
// true when zip5 is not five digits.
func (f *File) mayMoveFrom(zip5 []byte) bool {
	z, ok := zipIndex(zip5)
	return !ok || f.zips[z>>6]&(1<<(z&63)) != 0
}

// Name returns the file's name as given to Load.
func (f *File) Name() string { return f.name }

// Len returns the number of records.
func (f *File) Len() int { return len(f.moves) }

// Counts returns the number of records per move type and per status
// ("individual", "family", "business", "new_address", "no_forwarding",
// "box_closed", and "duplicate" for records whose key an earlier record
// had). The caller must not modify it.
func (f *File) Counts() map[string]int { return f.counts }

// LoadFile loads the change-of-address file at path.
func LoadFile(path string, db *zipdb.DB) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("change-of-address file: %w", err)
	}
	defer fh.Close()
	return Load(fh, path, db)
}

// Load reads a change-of-address file from r; name names it in errors.
// Addresses are standardized with the rules over db.
func Load(r io.Reader, name string, db *zipdb.DB) (*File, error) {
	rd := csv.NewReader(r, csv.ReaderConfig{Name: name, MaxFields: 64})
	hdr, err := rd.ReadHeader()
	if err != nil {
		return nil, fmt.Errorf("change-of-address file: %w", err)
	}
	if got := strings.Join(hdr, ","); got != Header {
		return nil, &FormatError{Name: name, Line: rd.Line(), Reason: "header is not " + Header}
	}
	f := &File{name: name, byName: keyset.NewMap(0), byAddr: keyset.NewMap(0), counts: map[string]int{}}
	std := address.NewStandardizer(db, address.Config{DomesticOnly: true})
	var key, nameKey []byte
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("change-of-address file: %w", err)
		}
		bad := func(format string, args ...any) error {
			return &FormatError{Name: name, Line: rd.Line(), Reason: fmt.Sprintf(format, args...)}
		}
		if len(rec) != numCols {
			return nil, bad("%d columns, want %d", len(rec), numCols)
		}
		m := Move{Line: rd.Line()}
		switch t := string(rec[colType]); t {
		case "individual":
			m.Type = Individual
		case "family":
			m.Type = Family
		case "business":
			m.Type = Business
		default:
			return nil, bad("move_type %q is not individual, family or business", t)
		}
		if !validMonth(rec[colDate]) {
			return nil, bad("move_date %q is not YYYY-MM", rec[colDate])
		}
		m.Date = string(rec[colDate])
		switch s := string(rec[colStatus]); s {
		case "new_address":
			m.Status = NewAddress
		case "no_forwarding":
			m.Status = NoForwarding
		case "box_closed":
			m.Status = BoxClosed
		default:
			return nil, bad("status %q is not new_address, no_forwarding or box_closed", s)
		}

		// The new address, standardized.
		newFields := address.Fields{Street: rec[colNewStreet], Street2: rec[colNewStreet2], City: rec[colNewCity],
			State: rec[colNewState], Zip: rec[colNewZip]}
		if m.Status == NewAddress {
			res := std.Standardize(newFields)
			if res.Status == address.StatusInvalid {
				return nil, bad("new address is invalid: %s", res.Problem)
			}
			m.New = Address{Street: clone(res.Street), Street2: clone(res.Street2), City: clone(res.City),
				State: clone(res.State), Zip5: clone(res.Zip5), Zip4: clone(res.Zip4), Status: res.Status}
		} else if len(newFields.Street)+len(newFields.Street2)+len(newFields.City)+len(newFields.State)+len(newFields.Zip) > 0 {
			return nil, bad("status %s with a new address", m.Status)
		}

		// The old address's key.
		res := std.Standardize(address.Fields{Street: rec[colOldStreet], Street2: rec[colOldStreet2], City: rec[colOldCity],
			State: rec[colOldState], Zip: rec[colOldZip]})
		if res.Status == address.StatusInvalid {
			return nil, bad("old address is invalid: %s", res.Problem)
		}
		key = res.AppendKey(key[:0])
		if z, ok := zipIndex(res.Zip5); ok {
			f.zips[z>>6] |= 1 << (z & 63)
		}
		idx := uint64(len(f.moves))
		var inserted bool
		if m.Type == Individual {
			var ok bool
			if nameKey, ok = appendNameKey(nameKey[:0], rec[colFirst], rec[colLast]); !ok {
				return nil, bad("an individual move needs a first and last name of Latin letters")
			}
			_, inserted = f.byName.PutIfAbsent(keyset.Sum(keyset.KindNameAddress, nameKey, key), idx)
		} else {
			_, inserted = f.byAddr.PutIfAbsent(keyset.Sum(keyset.KindAddress, key), idx)
		}
		if !inserted {
			f.counts["duplicate"]++
			continue
		}
		f.moves = append(f.moves, m)
		f.counts[m.Type.String()]++
		f.counts[m.Status.String()]++
	}
	f.maybeName, f.maybeAddr = f.byName.Bloom(keyset.BloomBitsPerKey), f.byAddr.Bloom(keyset.BloomBitsPerKey)
	return f, nil
}

// Lookup returns the move that applies to a row named first and last at
// the standardized address addr, or false. An individual move (same name)
// wins over a family or business move at the address. It does not
// allocate.
func (f *File) Lookup(first, last []byte, addr *address.Result) (*Move, bool) {
	if addr.Status != address.StatusValid && addr.Status != address.StatusCorrected || !f.mayMoveFrom(addr.Zip5) {
		return nil, false
	}
	var kb, nb [512]byte
	key := addr.AppendKey(kb[:0])
	if name, ok := appendNameKey(nb[:0], first, last); ok && f.byName.Len() > 0 {
		if k := keyset.Sum(keyset.KindNameAddress, name, key); f.maybeName.MayContain(k) {
			if i, found := f.byName.Get(k); found {
				return &f.moves[i], true
			}
		}
	}
	if k := keyset.Sum(keyset.KindAddress, key); f.maybeAddr.MayContain(k) {
		if i, found := f.byAddr.Get(k); found {
			return &f.moves[i], true
		}
	}
	return nil, false
}

// appendNameKey appends "FIRST LAST" normalized with address.AppendName;
// false when either part is empty once normalized or is not Latin text.
func appendNameKey(dst, first, last []byte) ([]byte, bool) {
	start := len(dst)
	dst, ok := address.AppendName(dst, first)
	if !ok || len(dst) == start {
		return dst, false
	}
	dst = append(dst, ' ')
	mid := len(dst)
	dst, ok = address.AppendName(dst, last)
	return dst, ok && len(dst) > mid
}

// validMonth reports whether b is YYYY-MM with a month 01–12.
func validMonth(b []byte) bool {
	if len(b) != 7 || b[4] != '-' {
		return false
	}
	for i, c := range b {
		if i != 4 && (c < '0' || c > '9') {
			return false
		}
	}
	mm := int(b[5]-'0')*10 + int(b[6]-'0')
	return mm >= 1 && mm <= 12
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
