package main

import (
	"context"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline/pipelinetest"
)

// TestSyncedSinkSyncsFirst: the run's outputs are committed (the inner
// sink closed) only after the ledger is synced; a ledger that cannot sync
// fails the close and leaves the outputs uncommitted.
func TestSyncedSinkSyncsFirst(t *testing.T) {
	ctx := context.Background()
	s, _, err := ledger.OpenFileStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.SyncBehind()
	l := ledger.New(s)
	if err := l.PutAccount(ctx, ledger.Account{ID: "a"}); err != nil {
		t.Fatal(err)
	}

	ok := &pipelinetest.Sink{}
	if err := (syncedSink{ok, l}).Close(ctx); err != nil || !ok.Closed {
		t.Fatalf("close with a healthy ledger: %v, inner closed %v", err, ok.Closed)
	}

	s.Close() // a store that can no longer write
	inner := &pipelinetest.Sink{}
	err = (syncedSink{inner, l}).Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "sync the ledger before committing the outputs") {
		t.Fatalf("close with a broken ledger: %v", err)
	}
	if inner.Closed {
		t.Fatal("the outputs were committed although the ledger did not sync")
	}
}
