package main

import (
	"strings"
	"testing"
)

// TestRunOverKafkaEquivalent: the same input run in-process and with every
// link over Kafka (an in-process Kafka-protocol broker on 127.0.0.1) gives
// the same accepted rows, rejects, print batches and ledger charges.
func TestRunOverKafkaEquivalent(t *testing.T) {
	brokers := kafkaBrokers(t)

	run := func(extra ...string) (out, state string) {
		out, state = t.TempDir(), t.TempDir()
		setupCredits(t, state, 450)
		args := append([]string{"run", "../../testdata/afc/sample.csv", "--out", out, "--state", state, "--quiet",
			"--account", "client", "--credit-type", "pc", "--rate-card", "../../stages/account/testdata/fixture-ratecard.json",
			"--mailer-id", "123456", "--template-front", "../../testdata/templates/front.html",
			"--suppress", "../../testdata/lists/suppress-email.csv"}, extra...)
		if _, stderr, code := runCLI(t, nil, args...); code != 0 {
			t.Fatalf("run %v: exit %d: %s", extra, code, stderr)
		}
		return out, state
	}
	inOut, inState := run()
	kOut, kState := run("--brokers", brokers, "--prefix", "eqv", "--partitions", "3")

	sameOutputs(t, inOut, kOut, "accepted.csv", "rejects.csv", "held.csv")
	if sameOutputs(t, inOut, kOut) == 0 {
		t.Fatal("no batches written")
	}
	// Same charges: the ledger reports agree.
	a, _, _ := runCLI(t, nil, "ledger", "report", "--state", inState)
	b, _, _ := runCLI(t, nil, "ledger", "report", "--state", kState)
	if a != b || !strings.Contains(a, "client") {
		t.Fatalf("ledger reports differ:\n%s\n---\n%s", a, b)
	}
}
