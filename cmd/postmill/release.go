package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/stages/account"
)

// runReport is the part of a run's report.json that release reads to
// default its flags: the job's campaign and the account stage's section.
type runReport struct {
	Job struct {
		Campaign string `json:"campaign"`
	} `json:"job"`
	Sections struct {
		Account *account.Report `json:"account"`
	} `json:"sections"`
}

func cmdRelease(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "release", "--out DIR",
		"Re-queues the pieces a run held for insufficient credits (DIR/held.csv) through the account\n"+
			"stage against the current ledger. Charged pieces go to DIR/released-<n>/accepted.csv with a\n"+
			"report.json; the rest stay in DIR/held.csv, rewritten in place. The account, credit type,\n"+
			"campaign, mail class and format default to what DIR/report.json records for the run.",
		"postmill release --out out/")
	out := fs.String("out", "", "the run's output `directory` (required)")
	state := stateFlag(fs)
	acct := fs.String("account", "", "account to debit (default: the run's)")
	ct := fs.String("credit-type", "", "credit type to debit (default: the run's)")
	campaign := fs.String("campaign", "", "campaign recorded on the debits (default: the run's)")
	rateCard := fs.String("rate-card", "", "rate card JSON `file` (default: the embedded USPS card)")
	class := fs.String("mail-class", "", "first_class or marketing (default: the run's, else the credit type's)")
	format := fs.String("mail-format", "", "postcard_4x6, postcard_6x9, postcard_6x11 or letter (default: the run's, else the credit type's)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if st, err := os.Stat(*out); err == nil && st.IsDir() {
		unlock, err := lockOut(*out)
		if err != nil {
			return err
		}
		defer unlock()
	}
	var rr runReport
	if data, err := os.ReadFile(filepath.Join(*out, "report.json")); err == nil {
		if err := json.Unmarshal(data, &rr); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(*out, "report.json"), err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if r := rr.Sections.Account; r != nil {
		def := func(p *string, v string) {
			if *p == "" {
				*p = v
			}
		}
		def(acct, r.Account)
		def(ct, r.CreditType)
		def(campaign, r.Campaign)
		def(class, r.MailClass)
		def(format, r.Format)
	}
	if *campaign == "" {
		*campaign = rr.Job.Campaign
	}
	if *acct == "" || *ct == "" {
		return usagef("--account and --credit-type are required (the run's report.json does not name them)")
	}
	rc, err := loadRateCard(*rateCard)
	if err != nil {
		return err
	}
	l, err := openLedger(ctx, e, state)
	if err != nil {
		return err
	}
	defer l.Close()
	res, err := account.Release(ctx, *out, account.ReleaseConfig{
		Stage: account.Config{Ledger: l, Account: *acct, CreditType: *ct, Campaign: *campaign, RateCard: rc,
			MailClass: ledger.MailClass(*class), Format: ledger.Format(*format)},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "postmill release %s: released %s of %s pieces held for insufficient credits (charged %s, already charged %s)\n",
		*out, group(res.Released), group(res.Considered), group(res.Account.Charged), group(res.Account.AlreadyCharged))
	if res.Dir != "" {
		fmt.Fprintf(e.stdout, "  released rows: %s\n", filepath.Join(res.Dir, account.ReleasedAccepted))
		fmt.Fprintf(e.stdout, "  postage %s, margin booked %s\n", res.Account.PostageTotal, res.Account.MarginBooked)
	}
	fmt.Fprintf(e.stdout, "  still held:    %s (account %s has %s credits of %s)\n", group(res.StillHeld), *acct, group(res.Account.Balance), *ct)
	if res.OtherHeld > 0 {
		fmt.Fprintf(e.stdout, "  held for other reasons: %s\n", group(res.OtherHeld))
	}
	return nil
}
