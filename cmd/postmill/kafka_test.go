package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/postmill/postmill/pipeline/kafka"
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
	a, _, _ := runCLI(t, nil, "ledger", "report", "--state", inState)
	for _, comp := range []string{"zstd", "none", "arrow-zstd"} {
		t.Run(comp, func(t *testing.T) {
			kOut, kState := run("--brokers", brokers, "--prefix", "eqv-"+comp, "--partitions", "3", "--kafka-compression", comp)
			sameOutputs(t, inOut, kOut, "accepted.csv", "rejects.csv", "held.csv")
			if sameOutputs(t, inOut, kOut) == 0 {
				t.Fatal("no batches written")
			}
			// Same charges: the ledger reports agree.
			b, _, _ := runCLI(t, nil, "ledger", "report", "--state", kState)
			if a != b || !strings.Contains(a, "client") {
				t.Fatalf("ledger reports differ:\n%s\n---\n%s", a, b)
			}
			// The batches travelled as the flag said: a zstd frame, or an
			// Arrow IPC stream (its continuation marker first).
			v := firstBatch(t, brokers, "eqv-"+comp+".validate")
			zstdFrame := bytes.HasPrefix(v, []byte{0x28, 0xb5, 0x2f, 0xfd})
			arrowStream := bytes.HasPrefix(v, []byte{0xff, 0xff, 0xff, 0xff})
			if zstdFrame != (comp == "zstd") || arrowStream == (comp == "zstd") {
				t.Fatalf("a batch on the validate topic starts % x", v[:min(8, len(v))])
			}
		})
	}
	if _, stderr, code := runCLI(t, nil, "run", "../../testdata/afc/sample.csv", "--out", t.TempDir(), "--kafka-compression", "lz4"); code != 2 ||
		!strings.Contains(stderr, `--kafka-compression: unknown compression "lz4" (want zstd, arrow-zstd or none)`) {
		t.Fatalf("--kafka-compression lz4: exit %d, %s", code, stderr)
	}
}

// firstBatch returns the value of a batch message on topic (not an end
// marker), from whichever partition has one.
func firstBatch(t *testing.T, brokers, topic string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for p := range 3 {
		conn, err := kafkago.DialLeader(ctx, "tcp", strings.Split(brokers, ",")[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		last, err := conn.ReadLastOffset()
		if err != nil {
			conn.Close()
			t.Fatal(err)
		}
		for off := int64(0); off < last; off++ {
			m, err := conn.ReadMessage(16 << 20)
			if err != nil {
				conn.Close()
				t.Fatalf("%s/%d@%d: %v", topic, p, off, err)
			}
			for _, h := range m.Headers {
				if h.Key == kafka.HeaderKind && string(h.Value) == kafka.KindBatch {
					conn.Close()
					return m.Value
				}
			}
		}
		conn.Close()
	}
	t.Fatalf("no batch on %s", topic)
	return nil
}
