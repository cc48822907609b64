package mergefield_test

import (
	"fmt"
	"log"

	"github.com/postmill/postmill/internal/mergefield"
)

func Example() {
	tpl, err := mergefield.Parse("front.html", []byte(
		`<p>Hi {{first_name|title|Friend}}, use {{ var_field_1 }} at go.example.com/{{purl}}</p>`))
	if err != nil {
		log.Fatal(err) // a *SyntaxError: template front.html:LINE:COL: ...
	}
	header := []string{"first_name", "last_name", "var_field_1", "purl"}
	prog, err := mergefield.Compile(tpl, mergefield.NameIndex(header))
	if err != nil {
		log.Fatal(err)
	}
	purls, err := mergefield.NewPURLEncoder([]byte("campaign-secret-0123456789abcdef"))
	if err != nil {
		log.Fatal(err)
	}
	var dst, code []byte
	for _, row := range [][]string{
		{"ada", "lovelace", "R&D50", "p_0001"},
		{"", "nobody", "FREE", "p_0002"},
		{"grace", "hopper", "", "p_0003"},
	} {
		code = purls.Append(code[:0], row[3])
		fields := [][]byte{[]byte(row[0]), []byte(row[1]), []byte(row[2]), code}
		var p mergefield.Problem
		dst, p = prog.Append(dst[:0], fields)
		if !p.OK() {
			fmt.Println("reject", p)
			continue
		}
		fmt.Println(string(dst))
	}
	// Output:
	// <p>Hi Ada, use R&amp;D50 at go.example.com/5ghhpkwws0</p>
	// <p>Hi Friend, use FREE at go.example.com/cj5q9kb5n4</p>
	// reject missing_merge_field:var_field_1
}

func ExampleSyntaxError() {
	_, err := mergefield.Parse("front.html", []byte("<p>\n<p>\n<p>Hi {{first_name|shout}}</p>"))
	fmt.Println(err)
	// Output: template front.html:3:20: unknown filter "shout"
}
