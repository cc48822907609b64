package suppress_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmill/postmill/internal/suppression"
	"github.com/postmill/postmill/pipeline"
	"github.com/postmill/postmill/pipeline/pipelinetest"
	"github.com/postmill/postmill/stages/suppress"
)

func write(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// lists loads the test's lists: account a1 has an email list, a
// do-not-mail address list (raw spelling) and a person list; campaign
// a1/spring has an external id list; account a2 has an email list.
func lists(t *testing.T) (*suppression.Index, map[string]string) {
	dir := t.TempDir()
	files := map[string]string{
		"a1-emails":  write(t, dir, "a1-emails.csv", "E-mail\nOptOut@Example.com\n"),
		"a1-address": write(t, dir, "a1-address.csv", "Address 1,City,State,ZIP Code\n22 Harbor Road,Boston,MA,02108\n"),
		"a1-people":  write(t, dir, "a1-people.jsonl", `{"first_name":"Ann","last_name":"O'Brien","address_street":"1 Main Street","address_street2":"Apt 4","address_zip":"02108"}`+"\n"),
		"a1-spring":  write(t, dir, "a1-spring.csv", "external_id\nC-7\n"),
		"a2-emails":  write(t, dir, "a2-emails.csv", "email\nother@example.com\n"),
	}
	x, err := suppression.Load(context.Background(), []suppression.File{
		{Path: files["a1-emails"], Scope: suppression.AccountScope("a1")},
		{Path: files["a1-address"], Scope: suppression.AccountScope("a1")},
		{Path: files["a1-people"], Scope: suppression.AccountScope("a1")},
		{Path: files["a1-spring"], Scope: suppression.CampaignScope("a1", "spring")},
		{Path: files["a2-emails"], Scope: suppression.AccountScope("a2")},
	}, suppression.LoadConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return x, files
}

// rows are standardized rows, as the validate stage leaves them.
var rows = []map[string]string{
	{"email": "OPTOUT@example.COM", "first_name": "Zed"},                              // 1: account email, any case
	{"email": "other@example.com"},                                                    // 2: on a2's list only
	{"external_id": "C-7"},                                                            // 3: campaign a1/spring
	{"address_street": "22 HARBOR RD", "address_zip": "02108", "last_name": "Anyone"}, // 4: do-not-mail address
	{"address_street": "1 MAIN ST APT 4", "address_zip": "02108", "first_name": "ann", "last_name": "OBrien"}, // 5: the person
	{"address_street": "1 MAIN ST APT 4", "address_zip": "02108", "first_name": "Bob", "last_name": "OBrien"}, // 6: someone else there
	{"email": "fine@example.com", "address_street": "24 HARBOR RD", "address_zip": "02108"},                   // 7
}

func TestSuppress(t *testing.T) {
	x, files := lists(t)
	reason := func(s string) pipeline.Reason { return pipeline.Suppressed.With(s) }
	type want struct {
		fate   pipeline.Fate
		reason pipeline.Reason
		detail string
	}
	live := want{fate: pipeline.Live}
	for _, tc := range []struct {
		account, campaign string
		want              []want
	}{
		{"a1", "spring", []want{
			{pipeline.Rejected, reason("account:email"), files["a1-emails"]},
			live,
			{pipeline.Rejected, reason("campaign:external_id"), files["a1-spring"]},
			{pipeline.Rejected, reason("account:address"), files["a1-address"]},
			{pipeline.Rejected, reason("account:name_address"), files["a1-people"]},
			live, live,
		}},
		// The campaign-level entry does not suppress another campaign.
		{"a1", "fall", []want{
			{pipeline.Rejected, reason("account:email"), files["a1-emails"]},
			live, live,
			{pipeline.Rejected, reason("account:address"), files["a1-address"]},
			{pipeline.Rejected, reason("account:name_address"), files["a1-people"]},
			live, live,
		}},
		// a1's lists never touch a2's rows, even in a campaign named alike.
		{"a2", "spring", []want{live, {pipeline.Rejected, reason("account:email"), files["a2-emails"]}, live, live, live, live, live}},
		{"a3", "spring", []want{live, live, live, live, live, live, live}},
	} {
		t.Run(tc.account+"/"+tc.campaign, func(t *testing.T) {
			st, err := suppress.New(suppress.Config{Lists: x})
			if err != nil {
				t.Fatal(err)
			}
			job := pipelinetest.NewJob()
			job.Account, job.Campaign = tc.account, tc.campaign
			sink, _ := pipelinetest.RunStage(t, pipeline.Step{Name: "suppress", Stage: st}, job,
				pipelinetest.NewBatch(t, job, 0, 1, rows[:4]...), pipelinetest.NewBatch(t, job, 1, 5, rows[4:]...))
			for i, w := range tc.want {
				got := sink.Find(t, int64(i+1))
				if got.Fate != w.fate || got.Reason != w.reason || got.Detail != w.detail {
					t.Errorf("row %d: got %s %q %q, want %s %q %q", i+1, got.Fate, got.Reason, got.Detail, w.fate, w.reason, w.detail)
				}
			}
		})
	}
}

func TestReport(t *testing.T) {
	x, files := lists(t)
	st, err := suppress.New(suppress.Config{Lists: x})
	if err != nil {
		t.Fatal(err)
	}
	job := pipelinetest.NewJob()
	job.Account, job.Campaign = "a1", "spring"
	_, rep := pipelinetest.RunStage(t, pipeline.Step{Name: "suppress", Stage: st}, job, pipelinetest.NewBatch(t, job, 0, 1, rows...))
	sec, ok := rep.Sections["suppress"].(suppress.Report)
	if !ok {
		t.Fatalf("section %T", rep.Sections["suppress"])
	}
	if sec.RowsChecked != 7 || sec.Suppressed != 4 {
		t.Errorf("rows %d suppressed %d, want 7 and 4", sec.RowsChecked, sec.Suppressed)
	}
	wantReason := map[string]int64{"account:email": 1, "campaign:external_id": 1, "account:address": 1, "account:name_address": 1}
	if len(sec.ByReason) != len(wantReason) {
		t.Errorf("by reason %v, want %v", sec.ByReason, wantReason)
	}
	for k, v := range wantReason {
		if sec.ByReason[k] != v {
			t.Errorf("by reason %v, want %v", sec.ByReason, wantReason)
		}
	}
	if sec.ByKind["email"] != 1 || sec.ByKind["name_address"] != 1 || len(sec.ByKind) != 4 {
		t.Errorf("by kind %v", sec.ByKind)
	}
	if len(sec.Lists) != 4 {
		t.Fatalf("lists %+v, want a1's three and a1/spring's one", sec.Lists)
	}
	got := map[string]suppress.ListReport{}
	for _, l := range sec.Lists {
		got[l.Name] = l
	}
	if l := got[files["a1-emails"]]; l.Level != "account" || l.Records != 1 || l.Entries["email"] != 1 || l.Suppressed != 1 {
		t.Errorf("a1 emails: %+v", l)
	}
	if l := got[files["a1-spring"]]; l.Level != "campaign" || l.Entries["external_id"] != 1 || l.Suppressed != 1 {
		t.Errorf("a1/spring: %+v", l)
	}
	if rep.Reasons[pipeline.Suppressed.With("account:email")] != 1 {
		t.Errorf("run report reasons %v", rep.Reasons)
	}
}

// TestBadListFailsBeforeRows: a list that does not load stops the job
// before a single row is processed, naming the file, line and reason.
func TestBadListFailsBeforeRows(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.csv", "email\na@b.co\n")
	for _, tc := range []struct {
		name, content, want string
	}{
		{"garbage.csv", "email\na@b.co\n\"broken,\"x\n", "line 3: "},
		{"columns.csv", "phone,name\n555,Ann\n", "line 1: no kind column"},
		{"kind.csv", "kind,email\nemail,a@b.co\nfax,c@d.co\n", `line 3: unknown kind "fax"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := write(t, dir, tc.name, tc.content)
			processed := 0
			// What the wiring does: load every list, then build the chain.
			x, err := suppression.Load(context.Background(), []suppression.File{
				{Path: good, Scope: suppression.AccountScope("a")},
				{Path: bad, Scope: suppression.CampaignScope("a", "c")},
			}, suppression.LoadConfig{})
			if err == nil {
				st, _ := suppress.New(suppress.Config{Lists: x})
				job := pipelinetest.NewJob()
				pipelinetest.RunStage(t, pipeline.Step{Name: "suppress", Stage: pipeline.StageFunc(func(ctx context.Context, b *pipeline.Batch) error {
					processed += len(b.Rows)
					return st.Process(ctx, b)
				})}, job, pipelinetest.NewBatch(t, job, 0, 1, rows...))
				t.Fatalf("list loaded; %d rows processed", processed)
			}
			var le *suppression.LoadError
			if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), "suppression list "+bad+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want one naming %s and %q", err, bad, tc.want)
			}
		})
	}
}

// failing is a store that cannot answer.
type failing struct{}

func (failing) Lookup(context.Context, string, string, []suppression.Probe, []suppression.Match) error {
	return errors.New("store down")
}

func TestStoreErrorStopsJob(t *testing.T) {
	st, _ := suppress.New(suppress.Config{Lists: failing{}})
	job := pipelinetest.NewJob()
	_, err := pipeline.Run(context.Background(), pipeline.Config{}, job,
		pipelinetest.Source(pipelinetest.NewBatch(t, job, 0, 1, rows...)),
		[]pipeline.Step{{Name: "suppress", Stage: st}}, &pipelinetest.Sink{})
	if err == nil || !strings.Contains(err.Error(), "store down") {
		t.Fatalf("got %v", err)
	}
	if _, err := suppress.New(suppress.Config{}); err == nil {
		t.Fatal("New without lists")
	}
}
