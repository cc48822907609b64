package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/postmill/postmill/pipeline"
)

// aliases maps normalized header names that real exports use (CRMs,
// spreadsheets, mailing tools) to the standard AFC columns. A header is
// normalized by Normalize before lookup: "E-mail" and "e mail" both become
// "e_mail".
var aliases = map[string]string{
	"first_name": "first_name", "firstname": "first_name", "first": "first_name", "fname": "first_name",
	"given_name": "first_name", "forename": "first_name",

	"last_name": "last_name", "lastname": "last_name", "last": "last_name", "lname": "last_name",
	"surname": "last_name", "family_name": "last_name",

	"organization": "organization", "organisation": "organization", "company": "organization",
	"company_name": "organization", "business": "organization", "business_name": "organization", "org": "organization",

	"address_street": "address_street", "address": "address_street", "address_1": "address_street",
	"address1": "address_street", "address_line_1": "address_street", "address_line1": "address_street",
	"street": "address_street", "street_address": "address_street", "mailing_address": "address_street",
	"addr1": "address_street", "delivery_address": "address_street", "street_1": "address_street",

	"address_street2": "address_street2", "address_2": "address_street2", "address2": "address_street2",
	"address_line_2": "address_street2", "address_line2": "address_street2", "addr2": "address_street2",
	"street_2": "address_street2", "apt": "address_street2", "suite": "address_street2", "unit": "address_street2",

	"address_city": "address_city", "city": "address_city", "town": "address_city",

	"address_state": "address_state", "state": "address_state", "st": "address_state",
	"province": "address_state", "state_province": "address_state", "region": "address_state",

	"address_zip": "address_zip", "zip": "address_zip", "zip_code": "address_zip", "zipcode": "address_zip",
	"postal_code": "address_zip", "postcode": "address_zip", "post_code": "address_zip", "zip5": "address_zip",

	"address_country": "address_country", "country": "address_country", "country_code": "address_country",

	"email": "email", "e_mail": "email", "email_address": "email", "e_mail_address": "email",

	"external_id": "external_id", "customer_id": "external_id", "contact_id": "external_id", "crm_id": "external_id",
}

// Aliases returns the alias table: normalized header → standard column.
func Aliases() map[string]string {
	out := make(map[string]string, len(aliases))
	for k, v := range aliases {
		out[k] = v
	}
	return out
}

var varField = regexp.MustCompile(`^var_?field_?(\d+)$`)

// Normalize turns a header into a column name: lower case, runs of anything
// but letters and digits become one underscore, none at the ends.
// "ZIP Code" → "zip_code", "E-mail" → "e_mail".
func Normalize(h string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
			continue
		}
		if r > 127 {
			b.WriteRune(r)
			under = false
			continue
		}
		under = true
	}
	return b.String()
}

// Mapping is where each input column goes.
type Mapping struct {
	// Columns[i] is the schema index of input column i.
	Columns []int
	// Sources[i] says why input column i went where it did, for --explain.
	Sources []string
}

// MapHeader maps an input header onto the job's schema: an explicit mapping
// (by the header as written or normalized) wins, then the alias table, then
// var_field_N spellings; any other column is kept as an extra merge field
// under its normalized name. Two input columns that land on the same
// standard column are an error naming both.
func MapHeader(schema *pipeline.Schema, header []string, explicit map[string]string) (*Mapping, error) {
	m := &Mapping{Columns: make([]int, len(header)), Sources: make([]string, len(header))}
	taken := map[string]int{}
	for i, h := range header {
		norm := Normalize(h)
		target, why := "", ""
		if v, ok := explicit[h]; ok {
			target, why = v, "mapping"
		} else if v, ok := explicit[norm]; ok {
			target, why = v, "mapping"
		} else if v, ok := aliases[norm]; ok {
			target, why = v, "alias"
		} else if sm := varField.FindStringSubmatch(norm); sm != nil {
			n := strings.TrimLeft(sm[1], "0")
			if n == "" {
				n = "0" // var_field_0 and var_field_00 are field 0, not "var_field_"
			}
			target, why = "var_field_"+n, "var_field"
		} else {
			target, why = norm, "extra"
			if target == "" {
				target = fmt.Sprintf("column_%d", i+1)
			}
			if pipeline.IsRowColumn(target) {
				// The outputs write the row's own piece_id, row, notes…
				// under these names; the input's keeps its value under
				// another.
				target = "input_" + target
			}
		}
		if pipeline.IsRowColumn(target) {
			return nil, fmt.Errorf("column %d (%q) maps to %s, which names the row's own %s in every output; map it to another name with --map",
				i+1, h, target, target)
		}
		if prev, dup := taken[target]; dup {
			if why == "extra" || why == "var_field" {
				// Two unknown columns normalizing alike: keep both.
				for k := 2; ; k++ {
					alt := fmt.Sprintf("%s_%d", target, k)
					if _, used := taken[alt]; !used {
						target = alt
						break
					}
				}
			} else {
				return nil, fmt.Errorf("columns %d (%q) and %d (%q) both map to %s; say which one with --map",
					prev+1, header[prev], i+1, h, target)
			}
		}
		taken[target] = i
		m.Columns[i] = schema.Add(target)
		m.Sources[i] = why
	}
	return m, nil
}

// ParseMapping reads "Header=column,Other=column" into a map.
func ParseMapping(s string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("mapping %q: want HEADER=column", part)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}
