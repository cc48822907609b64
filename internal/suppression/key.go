package suppression

import (
	"github.com/postmill/postmill/internal/keyset"
)

// Level is where a suppression list applies: to every campaign of an
// account, or to one campaign.
type Level uint8

// Levels. LevelNone marks a [Match] that found nothing.
const (
	LevelNone Level = iota
	LevelAccount
	LevelCampaign
)

// String returns "account", "campaign" or "none".
func (l Level) String() string {
	switch l {
	case LevelAccount:
		return "account"
	case LevelCampaign:
		return "campaign"
	}
	return "none"
}

// Scope names the rows a list applies to: an account's rows (LevelAccount),
// or the rows of one campaign of an account (LevelCampaign). A campaign
// scope always carries its account, so two accounts' campaigns of the same
// name never meet.
type Scope struct {
	Level    Level
	Account  string
	Campaign string // empty for LevelAccount
}

// AccountScope is the scope of an account-level list.
func AccountScope(account string) Scope { return Scope{Level: LevelAccount, Account: account} }

// CampaignScope is the scope of a list for one campaign of an account.
func CampaignScope(account, campaign string) Scope {
	return Scope{Level: LevelCampaign, Account: account, Campaign: campaign}
}

// String names the scope for errors and reports: "account a1" or
// "campaign a1/spring".
func (s Scope) String() string {
	if s.Level == LevelCampaign {
		return "campaign " + s.Account + "/" + s.Campaign
	}
	return s.Level.String() + " " + s.Account
}

// scopeDomain separates scope keys from every other use of keyset.Sum.
var scopeDomain = []byte("postmill/suppression/scope/v1")

// Key returns the scope's 128-bit key, hashed into every entry key of the
// scope: keyset.Sum(0, "postmill/suppression/scope/v1", level, account,
// campaign). Entry keys are persisted (a PostgreSQL store keeps them), so
// this derivation never changes; TestKeysPinned pins it.
func (s Scope) Key() keyset.Key {
	return keyset.Sum(0, scopeDomain, []byte{byte(s.Level)}, []byte(s.Account), []byte(s.Campaign))
}

// KindSet is a set of entry kinds.
type KindSet uint8

// Has reports whether k is in the set.
func (s KindSet) Has(k keyset.Kind) bool { return s&(1<<k) != 0 }

// With returns the set with k added.
func (s KindSet) With(k keyset.Kind) KindSet { return s | 1<<k }

// Kinds lists the entry kinds in the order a lookup tries them: the most
// specific identity first, so a row on several entries reports the one
// that names the person most precisely.
var Kinds = [...]keyset.Kind{keyset.KindEmail, keyset.KindExternalID, keyset.KindNameAddress, keyset.KindAddress}

// numKinds bounds keyset.Kind values used here, for arrays indexed by kind.
const numKinds = 5

// ParseKind reads a kind name as written in a list's kind column
// ("email", "external_id", "address", "name_address"; case and
// surrounding spaces ignored).
func ParseKind(s string) (keyset.Kind, bool) {
	for _, k := range Kinds {
		if equalFoldASCII(s, k.String()) {
			return k, true
		}
	}
	return 0, false
}

// Probe is one row's identity fields as the validate stage leaves them:
// views of the row's email, external_id, first_name, last_name and
// standardized address_street, address_zip and address_country columns,
// empty when absent. A lookup normalizes only what the lists it consults
// need ([ProbeKey]) and does not keep the slices.
type Probe struct {
	Email, ExternalID    []byte
	First, Last          []byte
	Street, Zip, Country []byte
}

// ProbeKey returns the key of p's value of kind within the scope whose
// [Scope.Key] is scope, and false when p has no usable value of that kind
// (empty, or not an email address; name_address needs a first or last
// name and an address key). It normalizes into buf, which it returns for
// reuse, and hashes as [EntryKey] does, so a row matches the list entry
// loaded from the same person, address or id however either was written.
func ProbeKey(buf []byte, scope keyset.Key, kind keyset.Kind, p *Probe) (keyset.Key, []byte, bool) {
	h := entryHasher(scope, kind)
	return probeKey(buf, &h, kind, p)
}

// entryHasher returns a Hasher holding the prefix every entry key of kind
// in the scope whose key is scope starts with: the kind and the scope key
// as a field. SumFields of the value parts then gives [EntryKey].
func entryHasher(scope keyset.Key, kind keyset.Kind) keyset.Hasher {
	h := keyset.NewHasher(kind)
	h.WriteField(scope[:])
	return h
}

// probeKey is ProbeKey with the scope and kind prefix already hashed into
// h (entryHasher).
func probeKey(buf []byte, h *keyset.Hasher, kind keyset.Kind, p *Probe) (keyset.Key, []byte, bool) {
	buf, parts, ok := appendProbeValue(buf[:0], kind, p)
	if !ok {
		return keyset.Key{}, buf, false
	}
	return h.SumFields(parts.list()...), buf, true
}

// valueParts are views of a probe's normalized value in the order its
// entry key hashes them: one part (email, external_id or address key), or
// first name, last name and address key.
type valueParts struct {
	n    int
	part [3][]byte
}

func (v *valueParts) list() [][]byte { return v.part[:v.n] }

// appendProbeValue normalizes p's value of kind into buf, which it returns
// for reuse, and returns views of its parts (valid until buf is appended
// to); false when p has no usable value of that kind (see ProbeKey).
func appendProbeValue(buf []byte, kind keyset.Kind, p *Probe) ([]byte, valueParts, bool) {
	var ok bool
	start := len(buf)
	switch kind {
	case keyset.KindEmail:
		if buf, ok = AppendEmail(buf, p.Email); ok {
			return buf, valueParts{n: 1, part: [3][]byte{buf[start:]}}, true
		}
	case keyset.KindExternalID:
		if buf, ok = AppendExternalID(buf, p.ExternalID); ok && len(buf) > start {
			return buf, valueParts{n: 1, part: [3][]byte{buf[start:]}}, true
		}
	case keyset.KindAddress:
		if buf = AppendRowAddressKey(buf, p.Street, p.Zip, p.Country); len(buf) > start {
			return buf, valueParts{n: 1, part: [3][]byte{buf[start:]}}, true
		}
	case keyset.KindNameAddress:
		if buf = AppendRowAddressKey(buf, p.Street, p.Zip, p.Country); len(buf) == start {
			break
		}
		na := len(buf)
		buf, _ = AppendName(buf, p.First)
		nf := len(buf)
		buf, _ = AppendName(buf, p.Last)
		if len(buf) == na {
			break
		}
		return buf, valueParts{n: 3, part: [3][]byte{buf[na:nf], buf[nf:], buf[start:na]}}, true
	}
	return buf[:start], valueParts{}, false
}

// EntryKey returns the key of a normalized value of kind within the scope
// whose [Scope.Key] is scope: keyset.Sum(kind, scope, value) for email
// ([AppendEmail]), external_id ([AppendExternalID]) and address (the
// canonical address key), and keyset.Sum(kind, scope, first, last,
// address key) for name_address (names by address.AppendName). value is
// the address key for name_address; first and last are ignored for the
// other kinds.
func EntryKey(scope keyset.Key, kind keyset.Kind, value, first, last []byte) keyset.Key {
	if kind == keyset.KindNameAddress {
		return keyset.Sum(kind, scope[:], first, last, value)
	}
	return keyset.Sum(kind, scope[:], value)
}

func equalFoldASCII(s, lower string) bool {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
