package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/pgtest"
)

// An empty database of this package's own, migrated by the command itself.
var cmdDB = pgtest.New("cmd", nil, 2)

func TestMain(m *testing.M) { os.Exit(cmdDB.Main(m)) }

func TestMigrateCommand(t *testing.T) {
	url := cmdDB.URL(t)
	for i := 0; i < 2; i++ { // a second run finds everything applied
		stdout, stderr, code := runCLI(t, nil, "migrate", "--database-url", url)
		if code != 0 || !strings.Contains(stdout, "schema up to date") {
			t.Fatalf("run %d: exit %d, %q %q", i, code, stdout, stderr)
		}
	}
	var n int
	err := cmdDB.Pool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'ledger_balances'`).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("ledger_balances after migrate: %d tables, %v", n, err)
	}
	if _, stderr, code := runCLI(t, nil, "migrate"); code != 2 || !strings.Contains(stderr, "--database-url is required") {
		t.Fatalf("no url: exit %d %q", code, stderr)
	}
}
