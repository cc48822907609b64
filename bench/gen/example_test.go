package gen_test

import (
	"context"
	"fmt"
	"os"

	"github.com/postmill/postmill/bench/gen"
)

// Pull rows one at a time; each row says what it is.
func ExampleGenerator_Next() {
	g, err := gen.New(gen.Config{Rows: 3, Seed: 1})
	if err != nil {
		panic(err)
	}
	var rec gen.Record
	for g.Next(&rec) {
		fmt.Printf("%s %s, %s, %s %s %s: %v\n", rec.Fields[gen.ColFirstName], rec.Fields[gen.ColLastName],
			rec.Fields[gen.ColStreet], rec.Fields[gen.ColCity], rec.Fields[gen.ColState], rec.Fields[gen.ColZIP], rec.Kind)
	}
	// Output:
	// Thomas Perez, 6908 Virginia Loop , San Diego CA 92140: clean
	// Benjamin Figueroa, Calle Francisco I. Madero 6, Guadalajara JAL 44100: international
	// Thomas Perez, 6908 VIRGINIA LOOP, SAN DIEGO CA 92140: dup_variant
}

// Write a benchmark data set: contacts and their side files.
func ExampleWriteAll() {
	dir, err := os.MkdirTemp("", "gen")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	_, st, err := gen.WriteAll(context.Background(), dir, gen.Config{Rows: 10000, Seed: 1}, gen.CSVZstd)
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Rows, st.Clean+st.DupExact+st.DupVariant+st.Household+st.Invalid()+st.Suppressed()+
		st.Moved()+st.MissingMerge+st.International)
	// Output: 10000 10000
}
