package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/internal/ledger/ledgertest"
)

func TestReportWriters(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t, t.TempDir())
	l := ledger.New(s)
	defer l.Close()
	ledgertest.Setup(t, l)
	if _, err := l.Purchase(ctx, ledgertest.Parent, ledgertest.CreditType, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Distribute(ctx, ledgertest.Parent, ledgertest.ChildOver, ledgertest.CreditType, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Debit(ctx, ledgertest.ChildOver, ledgertest.CreditType, "spring", []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	r, err := l.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"client-b agency 25.00% pc6x9_std 1 3 0 3 2.7000 0.6750 0.0000",
		"agency                  2         pc6x9_std    7        3        0         3     2.7000  0.6750  0.6750",
		"client-b  spring    pc6x9_std    3        0         3     0.6750",
		"pc6x9_std    0.9000  10         7            3        0         3         0.6750",
	} {
		if !strings.Contains(squash(text.String()), squash(want)) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back ledger.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Parents[0].MarginEarned != 6750 || back.Campaigns[0].Used != 3 {
		t.Fatalf("JSON round trip: %+v", back.Parents[0])
	}
	if !strings.Contains(js.String(), `"margin_earned": "0.6750"`) {
		t.Errorf("JSON amounts are not decimal strings:\n%s", js.String())
	}
}

// squash collapses runs of spaces so expectations do not depend on column widths.
func squash(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		b.WriteString(strings.Join(strings.Fields(line), " "))
		b.WriteByte('\n')
	}
	return b.String()
}
