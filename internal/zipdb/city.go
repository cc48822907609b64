package zipdb

// CityState is the outcome of [DB.CheckCityState].
type CityState struct {
	// City is the city to write in place of the given one: the ZIP's USPS
	// default city when the given city was empty (CityFromZip) or a near miss
	// (CityCorrected). It is "" when the given city stands. It shares the
	// table's memory.
	City string
	// State is the state to use: the given one upper-cased, or the ZIP's
	// (StateFromZip, StateCorrected). It is zero when the ZIP is unknown and
	// the given state is not two letters.
	State [2]byte
	// Notes holds at most one of ZipUnknown and ZipStateMismatch (invalid) and
	// the repairs and doubts: StateFromZip, StateCorrected, CityFromZip,
	// CityCorrected, CityAlternate, CityMismatch.
	Notes Notes
}

// Result is the outcome of [DB.Check]: the ZIP, city and state of one address.
type Result struct {
	// ZIP is the normalized ZIP Code.
	ZIP ZIP
	// City is the replacement city, as in CityState; "" keeps the given city.
	City string
	// State is the state to use, as in CityState.
	State [2]byte
	// Notes is the union of the ZIP's and the city/state check's notes.
	Notes Notes
}

// Check normalizes zip with [DB.NormalizeZIP] and, when the ZIP is valid,
// checks city and state against it with [DB.CheckCityState]. It is what the
// validate stage calls for a US address; it does not allocate.
func (db *DB) Check(city, state, zip []byte) Result {
	st, kind := stateCode(state)
	z, slot := db.normalizeZIP(zip, st, kind)
	if !z.Valid() {
		return Result{ZIP: z, State: st, Notes: z.Notes}
	}
	cs := db.checkCityState(city, st, kind, z.Zip5, slot)
	return Result{ZIP: z, City: cs.City, State: cs.State, Notes: z.Notes | cs.Notes}
}

// CheckCityState checks an address's city and state against its ZIP Code.
// city is expected upper-case (ASCII letters are folded anyway); state is a
// two-letter code or empty. The rules, in order:
//
//   - An unknown ZIP is ZipUnknown (invalid); nothing else is checked.
//   - The city agrees with the ZIP when it equals the ZIP's default city once
//     blanks and punctuation are squeezed and ST/SAINT, STE/SAINTE, FT/FORT
//     and MT/MOUNT are taken as equal ("ST. LOUIS" = "SAINT LOUIS"); it is
//     kept as given.
//   - An empty city is filled with the ZIP's default city (CityFromZip).
//   - A city that is the default city of another ZIP with the same 3-digit
//     prefix in the same state is kept (CityAlternate). The table lists only
//     default names, so this is how an acceptable neighbourhood name such as
//     ROXBURY for a Boston ZIP passes; an alternate name that is no ZIP's
//     default (HOLLYWOOD for a Los Angeles ZIP) cannot be told from a wrong
//     city and gets CityMismatch.
//   - A city that is not any USPS default city and is within edit distance 2
//     of the ZIP's default city (1 when either name is shorter than 6 bytes;
//     transpositions count 1) is replaced by it (CityCorrected). A real city
//     name is never "corrected" into another.
//   - Any other city is kept with CityMismatch, a note, not a reject: the ZIP
//     routes the mail, and the table cannot tell a wrong city from an
//     acceptable alternate name.
//   - An empty state is filled from the ZIP (StateFromZip).
//   - A state that disagrees with the ZIP (or is not two letters) is replaced
//     by the ZIP's state (StateCorrected) when the city agrees with the ZIP's
//     default city, exactly or as a near miss; otherwise the address is
//     ZipStateMismatch (invalid), since the ZIP or the state is wrong and the
//     city does not say which. A CityAlternate city does not settle it.
func (db *DB) CheckCityState(city, state []byte, zip5 [5]byte) CityState {
	st, kind := stateCode(state)
	slot, ok := db.slot(zip5)
	if !ok {
		return CityState{State: st, Notes: Notes(ZipUnknown)}
	}
	return db.checkCityState(city, st, kind, zip5, slot)
}

// checkCityState is CheckCityState for a ZIP already found in the table.
func (db *DB) checkCityState(city []byte, st [2]byte, kind int, zip5 [5]byte, slot uint32) CityState {
	cid := slotCity(slot)
	zipCity := db.cityName(cid)
	zipState := db.slotState(slot)

	var out CityState
	agrees := false // the city confirms the ZIP's default city
	c := trimBlank(city)
	switch {
	case len(c) == 0:
		out.City = zipCity
		out.Notes = out.Notes.Add(CityFromZip)
	case string(c) == zipCity:
		agrees = true
	default:
		var buf [canonMax]byte
		n, fits := canonical(&buf, c)
		in := buf[:n]
		zc := db.canonName(cid)
		switch {
		case !fits:
			out.Notes = out.Notes.Add(CityMismatch)
		case string(in) == zc:
			agrees = true
		default:
			known, isCity := db.canonIndex[string(in)]
			switch {
			case isCity && db.inArea(zip5, known, zipState):
				out.Notes = out.Notes.Add(CityAlternate)
			case !isCity && closeEnough(in, zc):
				agrees = true
				out.City = zipCity
				out.Notes = out.Notes.Add(CityCorrected)
			default:
				out.Notes = out.Notes.Add(CityMismatch)
			}
		}
	}

	switch {
	case kind == stateEmpty:
		out.State = zipState
		out.Notes = out.Notes.Add(StateFromZip)
	case kind == stateTwoLetters && st == zipState:
		out.State = st
	case agrees:
		out.State = zipState
		out.Notes = out.Notes.Add(StateCorrected)
	default:
		return CityState{State: st, Notes: Notes(ZipStateMismatch)}
	}
	return out
}

// canonName returns the canonical form of city id cid.
func (db *DB) canonName(cid int) string {
	start := uint32(0)
	if cid > 0 {
		start = db.canonEnd[cid-1]
	}
	return db.canonAll[start:db.canonEnd[cid]]
}

// inArea reports whether some ZIP with zip5's 3-digit prefix, in state, has
// a default city whose canonical id is canon.
func (db *DB) inArea(zip5 [5]byte, canon uint16, state [2]byte) bool {
	n, _ := zipNumber(zip5)
	lo := n / 100 * 100
	for _, s := range db.slots[lo : lo+100] {
		if s&slotPresent != 0 && db.canonOf[slotCity(s)] == canon && db.slotState(s) == state {
			return true
		}
	}
	return false
}

// canonMax bounds a canonical city name; longer input is never equal to a
// USPS name (the longest is 27 bytes) and is not edit-distance checked.
const canonMax = 64

// canonical writes s's canonical form into dst: ASCII letters upper-cased,
// runs of blanks and the punctuation . , - ' / turned into one space, no
// leading or trailing space, and the words ST, STE, FT, MT spelled SAINT,
// SAINTE, FORT, MOUNT. It reports false when the result does not fit.
func canonical[T string | []byte](dst *[canonMax]byte, s T) (int, bool) {
	n := 0
	for i := 0; i < len(s); {
		for i < len(s) && isCitySep(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && !isCitySep(s[j]) {
			j++
		}
		word := s[i:j]
		i = j
		exp := ""
		switch len(word) {
		case 2:
			switch {
			case upperIs(word, "ST"):
				exp = "SAINT"
			case upperIs(word, "FT"):
				exp = "FORT"
			case upperIs(word, "MT"):
				exp = "MOUNT"
			}
		case 3:
			if upperIs(word, "STE") {
				exp = "SAINTE"
			}
		}
		need := len(word)
		if exp != "" {
			need = len(exp)
		}
		if n > 0 {
			need++
		}
		if n+need > canonMax {
			return n, false
		}
		if n > 0 {
			dst[n] = ' '
			n++
		}
		if exp != "" {
			n += copy(dst[n:], exp)
			continue
		}
		for k := 0; k < len(word); k++ {
			c := word[k]
			if c-'a' <= 'z'-'a' {
				c -= 'a' - 'A'
			}
			dst[n] = c
			n++
		}
	}
	return n, true
}

func isCitySep(c byte) bool {
	return isBlank(c) || c == '.' || c == ',' || c == '-' || c == '\'' || c == '/'
}

// upperIs reports whether word, ASCII upper-cased, equals upper.
func upperIs[T string | []byte](word T, upper string) bool {
	if len(word) != len(upper) {
		return false
	}
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c-'a' <= 'z'-'a' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// closeEnough reports whether a and b are within the correction distance:
// 2 edits when both are at least 6 bytes, else 1.
func closeEnough(a []byte, b string) bool {
	k := 2
	if len(a) < 6 || len(b) < 6 {
		k = 1
	}
	return osaWithin(a, b, k)
}

// osaWithin reports whether the optimal string alignment distance (Levenshtein
// plus adjacent transpositions, the restricted Damerau-Levenshtein distance)
// between a and b is at most k. Both must be at most canonMax bytes; it uses
// three fixed rows on the stack and does not allocate.
func osaWithin(a []byte, b string, k int) bool {
	la, lb := len(a), len(b)
	if la > canonMax || lb > canonMax {
		return false
	}
	if d := la - lb; d > k || -d > k {
		return false
	}
	var rows [3][canonMax + 1]uint8
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = uint8(j)
	}
	for i := 1; i <= la; i++ {
		cur[0] = uint8(i)
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if int(rowMin) > k {
			return false
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[lb]) <= k
}
