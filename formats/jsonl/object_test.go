package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"unicode/utf8"
)

// stdParse is the reference: a line through encoding/json's token API, as
// the reader parsed before it had a scanner of its own. It returns the
// keys in order and each key's last value.
func stdParse(line []byte) (keys []string, vals map[string]string, err error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, nil, errNotObject
	}
	vals = map[string]string{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key := kt.(string)
		if _, ok := vals[key]; !ok {
			keys = append(keys, key)
		}
		vt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		switch v := vt.(type) {
		case string:
			vals[key] = v
		case json.Number:
			vals[key] = string(v)
		case bool:
			vals[key] = strconv.FormatBool(v)
		case nil:
			vals[key] = ""
		default:
			return nil, nil, errors.New("not a scalar")
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	return keys, vals, nil
}

// FuzzParse checks the scanner against encoding/json on UTF-8 lines: a
// valid JSON object of scalars gives the same keys and values; anything
// encoding/json finds invalid is refused.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"a":"x","b":1,"c":true,"d":null,"e":false}`,
		`{}`, ` { "a" : -0.5e+10 , "b" : "" } `,
		`{"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\udc00"}`,
		`{"a":1,"a":2}`, `{"a":[1]}`, `{"a":{"b":1}}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
		`{"a":1}]`, `{"a":1} {"b":2}`, `{"a":tru}`, `{"a" 1}`, `{"a":1,}`, `{,}`, `[1]`, `"x"`,
		"{\"a\":\"x\ty\"}", `{"a":"\u12"}`, `{"a":"\x"}`, `{"\u0061":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if !utf8.Valid(line) {
			return // the scanner keeps such bytes; encoding/json replaces them
		}
		r := &Reader{index: map[string]int{}, raw: line}
		keys, _, err := r.parse(true)
		if !json.Valid(line) {
			if err == nil {
				t.Fatalf("%q: accepted, encoding/json finds it invalid", line)
			}
			return
		}
		wantKeys, want, werr := stdParse(line)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: scanner error %v, encoding/json %v", line, err, werr)
		}
		if err != nil {
			return
		}
		if len(keys) != len(wantKeys) {
			t.Fatalf("%q: keys %q, want %q", line, keys, wantKeys)
		}
		for i, k := range keys {
			if k != wantKeys[i] {
				t.Fatalf("%q: keys %q, want %q", line, keys, wantKeys)
			}
			if got := string(r.fields[r.index[k]]); got != want[k] {
				t.Fatalf("%q: %s = %q, want %q", line, k, got, want[k])
			}
		}
	})
}
