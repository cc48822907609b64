package pipeline

import "fmt"

// Standard columns of the piece row, in the order the AFC export format of
// the product documents lists them. Every [Schema] starts with them, so a
// stage reads a standard field by constant index without a lookup.
const (
	ColFirstName = iota
	ColLastName
	ColOrganization
	ColStreet
	ColStreet2
	ColCity
	ColState
	ColZip
	ColCountry
	ColEmail
	ColExternalID
	NumStandardCols
)

// StandardColumns names the standard columns, indexed by the Col constants.
var StandardColumns = [NumStandardCols]string{
	"first_name", "last_name", "organization", "address_street", "address_street2",
	"address_city", "address_state", "address_zip", "address_country", "email", "external_id",
}

// RowColumns are the names the outputs give a row's own fields, which are
// not schema columns: its piece id, source row number and notes, and a
// held row's reason and detail. No schema column takes one of these names,
// or an output's header would name two columns alike.
var RowColumns = [...]string{"piece_id", "row", "notes", "reason", "detail"}

// IsRowColumn reports whether name is one of RowColumns.
func IsRowColumn(name string) bool {
	for _, c := range RowColumns {
		if name == c {
			return true
		}
	}
	return false
}

// Schema names a job's columns: the standard ones first, then the extra
// columns of the input (var_field_1…, unknown columns kept as merge fields),
// then columns that stages add when they are bound to the job. A schema is
// built before the first batch and not changed after.
type Schema struct {
	names []string
	index map[string]int
}

// NewSchema returns a schema holding the standard columns.
func NewSchema() *Schema {
	s := &Schema{index: make(map[string]int, 32)}
	for _, n := range StandardColumns {
		s.Add(n)
	}
	return s
}

// Add appends a column and returns its index; adding a name that exists
// returns the existing index.
func (s *Schema) Add(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	s.names = append(s.names, name)
	s.index[name] = len(s.names) - 1
	return len(s.names) - 1
}

// Index returns the column's index.
func (s *Schema) Index(name string) (int, bool) {
	i, ok := s.index[name]
	return i, ok
}

// MustIndex returns the column's index or an error naming the column.
func (s *Schema) MustIndex(name string) (int, error) {
	if i, ok := s.index[name]; ok {
		return i, nil
	}
	return 0, fmt.Errorf("schema has no column %q", name)
}

// Len is the number of columns.
func (s *Schema) Len() int { return len(s.names) }

// Name returns column i's name.
func (s *Schema) Name(i int) string { return s.names[i] }

// Names returns the column names in order. The caller must not modify it.
func (s *Schema) Names() []string { return s.names }
