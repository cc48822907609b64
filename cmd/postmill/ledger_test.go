package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
)

// runSub runs a command function in-process (ledger and release are not yet
// in commands()) and returns stdout, stderr and its error.
func runSub(t *testing.T, vars map[string]string, fn func(context.Context, *env, []string) error, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	err := fn(context.Background(), e, args)
	return out.String(), errb.String(), err
}

// mustSub runs a command that must succeed and returns its stdout.
func mustSub(t *testing.T, env map[string]string, fn func(context.Context, *env, []string) error, args ...string) string {
	t.Helper()
	out, stderr, err := runSub(t, env, fn, args...)
	if err != nil {
		t.Fatalf("%v: %v (stderr %q)", args, err, stderr)
	}
	return out
}

func TestLedgerCommands(t *testing.T) {
	state := t.TempDir()
	env := map[string]string{"POSTMILL_STATE": state} // --state from the environment
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"account", "--id", "agency", "--name", "Agency", "--commission", "10"}, "account agency: parent account, default commission 10.00%\n"},
		{[]string{"account", "--id", "client-a", "--parent", "agency"}, "account client-a: sub-account of agency, commission 10.00% (inherited from agency)\n"},
		{[]string{"account", "--id", "client-b", "--parent", "agency", "--commission", "12.5%"}, "account client-b: sub-account of agency, commission 12.50% (override)\n"},
		// An update without --commission keeps the stored override.
		{[]string{"account", "--id", "client-b", "--name", "Client B"}, "account client-b: sub-account of agency, commission 12.50% (override)\n"},
		{[]string{"credit-type", "--id", "pc4x6", "--stock", "14pt_gloss", "--size", "postcard_4x6", "--class", "first_class", "--price", "0.90"},
			"credit type pc4x6: 14pt_gloss postcard_4x6 first_class at 0.9000 per credit\n"},
		{[]string{"buy", "--account", "agency", "--credit-type", "pc4x6", "--count", "1000"}, "bought 1,000 pc4x6 credits for agency (transaction 1); agency holds 1,000\n"},
		{[]string{"distribute", "--from", "agency", "--to", "client-a", "--credit-type", "pc4x6", "--count", "300"},
			"distributed 300 pc4x6 credits from agency to client-a (transaction 2); agency holds 700, client-a holds 300\n"},
		{[]string{"distribute", "--from", "agency", "--to", "client-b", "--credit-type", "pc4x6", "--count", "200"},
			"distributed 200 pc4x6 credits from agency to client-b (transaction 3); agency holds 500, client-b holds 200\n"},
	}
	for _, s := range steps {
		if got := mustSub(t, env, cmdLedger, s.args...); got != s.want {
			t.Errorf("ledger %s:\n got %q\nwant %q", strings.Join(s.args, " "), got, s.want)
		}
	}
	// Mail some pieces as postmill run would.
	st, _, err := ledger.OpenFileStore(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(st)
	if _, err := l.Debit(context.Background(), "client-a", "pc4x6", "spring", []string{"p1", "p2", "p3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Debit(context.Background(), "client-b", "pc4x6", "fall", []string{"q1", "q2"}); err != nil {
		t.Fatal(err)
	}
	l.Close()

	golden(t, "ledger.report.txt", []byte(mustSub(t, env, cmdLedger, "report")))

	var rep ledger.Report
	if err := json.Unmarshal([]byte(mustSub(t, env, cmdLedger, "report", "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	// Margins: client-a 3 × $0.09, client-b 2 × $0.1125 (12.5 % of $0.90).
	if len(rep.Parents) != 1 || rep.Parents[0].MarginEarned.String() != "0.4950" || rep.Parents[0].Credits[0].Balance != 995 ||
		rep.Parents[0].Credits[0].Used != 5 || len(rep.Campaigns) != 2 || rep.CreditTypes[0].Purchased != 1000 {
		t.Fatalf("report %+v", rep)
	}

	errs := []struct {
		args []string
		want string
		use  bool
	}{
		{[]string{"buy", "--account", "client-a", "--credit-type", "pc4x6", "--count", "5"}, "account is not a parent account", false},
		{[]string{"distribute", "--from", "agency", "--to", "client-a", "--credit-type", "pc4x6", "--count", "501"}, `insufficient credits: "agency" holds 500, needs 501`, false},
		{[]string{"distribute", "--from", "agency", "--to", "nobody", "--credit-type", "pc4x6", "--count", "1"}, `unknown account: "nobody"`, false},
		{[]string{"buy", "--account", "agency", "--credit-type", "pc4x6"}, "--count must be a positive", true},
		{[]string{"account", "--parent", "agency"}, "--id is required", true},
		{[]string{"account", "--id", "x", "--commission", "101"}, "must be between 0 and 10000", true},
		{[]string{"account", "--id", "agency", "--commission", "inherit"}, "is a parent account", true},
		{[]string{"credit-type", "--id", "x", "--size", "flat", "--class", "first_class", "--price", "1"}, `unknown size "flat"`, true},
		{[]string{"credit-type", "--id", "x", "--size", "letter", "--class", "first_class", "--price", "1.23456"}, "more than 4 decimals", true},
		{[]string{"frobnicate"}, `unknown subcommand "frobnicate"`, true},
	}
	for _, tc := range errs {
		_, _, err := runSub(t, env, cmdLedger, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, new(usageError)) != tc.use {
			t.Errorf("ledger %s: err %v (usage %v), want %q (usage %v)", strings.Join(tc.args, " "), err, errors.As(err, new(usageError)), tc.want, tc.use)
		}
	}
}

func TestLedgerHelp(t *testing.T) {
	out, _, err := runSub(t, nil, cmdLedger, "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Example:\n  postmill ledger buy") || !strings.Contains(out, "distribute") {
		t.Fatalf("ledger --help (%v):\n%s", err, out)
	}
	for _, sub := range []string{"account", "credit-type", "buy", "distribute", "report"} {
		out, _, err := runSub(t, nil, cmdLedger, sub, "--help")
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Example:\n  postmill ledger "+sub) || !strings.Contains(out, "POSTMILL_<NAME>") {
			t.Errorf("ledger %s --help (%v) lacks an example:\n%s", sub, err, out)
		}
	}
	out, _, err = runSub(t, nil, cmdRelease, "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Example:\n  postmill release") {
		t.Errorf("release --help (%v):\n%s", err, out)
	}
}
