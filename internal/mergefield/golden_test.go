package mergefield

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from current output")

// checkGolden compares got with testdata/name.golden, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run go test -update and review the diff)\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestGoldenRender renders testdata/rows.csv through each creative and
// compares the output, one section per row, with its golden file.
func TestGoldenRender(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := records[0], records[1:]
	for _, name := range []string{"front.html", "back.txt"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := Parse(name, src)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := Compile(tpl, NameIndex(header))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			fmt.Fprintf(&out, "# %s (%s) fields:", name, tpl.Kind())
			for _, fd := range tpl.Fields() {
				fmt.Fprintf(&out, " %s", fd.Name)
				if !fd.Required {
					out.WriteString("?")
				}
			}
			out.WriteString("\n")
			var dst []byte
			for i, rec := range rows {
				fields := make([][]byte, len(rec))
				for j := range rec {
					fields[j] = []byte(rec[j])
				}
				var p Problem
				dst, p = prog.Append(dst[:0], fields)
				if !p.OK() {
					fmt.Fprintf(&out, "=== row %d: reject %s\n", i+2, p)
					continue
				}
				fmt.Fprintf(&out, "=== row %d\n%s", i+2, dst)
			}
			checkGolden(t, name, out.Bytes())
		})
	}
}

// TestGoldenSyntaxErrors parses each template in testdata/bad and compares
// the errors with testdata/bad.golden.
func TestGoldenSyntaxErrors(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "bad", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no bad templates: %v", err)
	}
	var out bytes.Buffer
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(filepath.Base(path), src)
		if _, ok := err.(*SyntaxError); !ok {
			t.Errorf("%s: error %v is not a *SyntaxError", path, err)
		}
		fmt.Fprintln(&out, err)
	}
	checkGolden(t, "bad", out.Bytes())
}
