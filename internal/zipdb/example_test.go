package zipdb_test

import (
	"fmt"

	"github.com/postmill/postmill/internal/zipdb"
)

func ExampleDB_Check() {
	db, err := zipdb.Load()
	if err != nil {
		panic(err)
	}
	r := db.Check([]byte("CAMBRDGE"), []byte("MA"), []byte("2139-4307"))
	fmt.Println(r.ZIP, r.City, string(r.State[:]), r.Notes)

	r = db.Check([]byte("SPRINGFIELD"), []byte("IL"), []byte("02108"))
	if n, bad := r.Notes.Invalid(); bad {
		fmt.Println("invalid_address:" + n.String())
	}
	// Output:
	// 02139-4307 CAMBRIDGE MA zip_padded,city_corrected
	// invalid_address:zip_state_mismatch
}
