package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postmill/postmill/internal/ledger"
)

// DefaultStateDir is where embedded state (the file ledger, dedupe history,
// IMb serials) lives unless --state or POSTMILL_STATE says otherwise.
const DefaultStateDir = "./postmill-state"

// ledgerSubcommands are the subcommands of postmill ledger, in help order.
var ledgerSubcommands = []struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}{
	{"account", "create or update an account (a parent, or a sub-account with --parent)", cmdLedgerAccount},
	{"credit-type", "create or update a credit type (stock, size, postage class, price)", cmdLedgerCreditType},
	{"buy", "book credits bought by a parent account", cmdLedgerBuy},
	{"distribute", "move credits from a parent account to one of its sub-accounts", cmdLedgerDistribute},
	{"report", "balances and usage per account, campaign, credit type and parent", cmdLedgerReport},
}

// cmdLedger dispatches postmill ledger SUBCOMMAND.
func cmdLedger(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprintln(e.stdout, "Usage: postmill ledger SUBCOMMAND [flags]\n\n"+
			"Manages the embedded credits ledger in the state directory (--state, default "+DefaultStateDir+"):\n"+
			"parent accounts buy credits and distribute them to sub-accounts; postmill run debits them.\n\nSubcommands:")
		for _, c := range ledgerSubcommands {
			fmt.Fprintf(e.stdout, "  %-12s %s\n", c.name, c.summary)
		}
		fmt.Fprintln(e.stdout, "\nRun 'postmill ledger SUBCOMMAND --help' for its flags.\n\nExample:\n  postmill ledger buy --account agency --credit-type pc4x6 --count 10000")
		if len(args) == 0 {
			return usagef("no subcommand")
		}
		return flag.ErrHelp
	}
	for _, c := range ledgerSubcommands {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return usagef("unknown subcommand %q (want account, credit-type, buy, distribute or report)", args[0])
}

// stateStore says where a command's durable state lives: files in a state
// directory, or, with a database URL, the ledger and the IMb serials in
// PostgreSQL (migrated by `postmill migrate`), which several processes can
// share — stage workers on many machines, say.
type stateStore struct {
	dir, url *string
	pool     *pgxpool.Pool // opened at first use, shared by ledger, serials and history
}

// db returns the pool on --database-url, opening it at the first call.
func (s *stateStore) db(ctx context.Context) (*pgxpool.Pool, error) {
	if s.pool == nil {
		pool, err := pgxpool.New(ctx, *s.url)
		if err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		s.pool = pool
	}
	return s.pool, nil
}

// close closes the pool, if one was opened.
func (s *stateStore) close() {
	if s.pool != nil {
		s.pool.Close()
	}
}

// stateFlag adds --state and --database-url to fs.
func stateFlag(fs *flagSet) *stateStore {
	return &stateStore{
		dir: fs.String("state", DefaultStateDir, "state `directory` holding the file ledger, IMb serials and dedupe history"),
		url: fs.String("database-url", "", "PostgreSQL `URL`: keep the ledger, IMb serials and dedupe history there instead of --state (run postmill migrate first)"),
	}
}

// pgLedgerStore is the PostgreSQL ledger store; closing it closes the
// state's pool (a second Close of a pool does nothing).
type pgLedgerStore struct {
	*ledger.PostgresStore
	st *stateStore
}

func (s pgLedgerStore) Close() error { s.st.close(); return nil }

// openLedger opens the ledger: in PostgreSQL with a database URL, else the
// file ledger in the state directory, printing the journal's warnings (a
// torn last line dropped) to stderr. The caller closes it.
func openLedger(ctx context.Context, e *env, st *stateStore) (*ledger.Ledger, error) {
	if *st.url != "" {
		pool, err := st.db(ctx)
		if err != nil {
			return nil, err
		}
		return ledger.New(pgLedgerStore{ledger.NewPostgresStore(pool), st}), nil
	}
	s, warnings, err := ledger.OpenFileStore(ctx, *st.dir)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "postmill: warning: %s\n", w)
	}
	return ledger.New(s), nil
}

// loadRateCard reads a rate card file, or the embedded one when path is empty.
func loadRateCard(path string) (*ledger.RateCard, error) {
	if path == "" {
		return ledger.DefaultRateCard()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rate card: %w", err)
	}
	defer f.Close()
	rc, err := ledger.LoadRateCard(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rc, nil
}

// parsePercent parses a commission such as "15", "12.5" or "12.5%" into basis points.
func parsePercent(s string) (ledger.BasisPoints, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(s, "+-eE") {
		return 0, fmt.Errorf("commission %q: want a percentage like 15 or 12.5", s)
	}
	v, err := strconv.ParseInt(whole+(frac + "00")[:2], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("commission %q: want a percentage like 15 or 12.5", s)
	}
	bp := ledger.BasisPoints(v)
	if err := bp.Validate(); err != nil {
		return 0, err
	}
	return bp, nil
}

func cmdLedgerAccount(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger account", "--id ID [--parent ID] [--commission PCT]",
		"Creates or updates an account. Without --parent it is a parent account, which buys credits and\n"+
			"earns --commission percent of the credit price on every piece its sub-accounts mail. With\n"+
			"--parent it is a sub-account; --commission overrides the parent's percent for it ('inherit'\n"+
			"goes back to the parent's). Flags not given keep their stored values.",
		"postmill ledger account --id client-a --parent agency --commission 12.5")
	state := stateFlag(fs)
	id := fs.String("id", "", "account id (required)")
	parent := fs.String("parent", "", "parent account id: makes this a sub-account")
	name := fs.String("name", "", "display name")
	commission := fs.String("commission", "", "commission `percent`: the default for a parent's sub-accounts, or a sub-account's override ('inherit' clears it)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *id == "" {
		return usagef("--id is required")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	l, err := openLedger(ctx, e, state)
	if err != nil {
		return err
	}
	defer l.Close()
	snap, err := l.Store().Snapshot(ctx)
	if err != nil {
		return err
	}
	a := ledger.Account{ID: *id}
	for _, old := range snap.Accounts {
		if old.ID == *id {
			a = old
		}
	}
	if set["parent"] {
		a.Parent = *parent
	}
	if set["name"] {
		a.Name = *name
	}
	if set["commission"] {
		switch {
		case *commission == "inherit" && a.Parent != "":
			a.CommissionOverride = nil
		case *commission == "inherit":
			return usagef("--commission inherit: %q is a parent account", *id)
		default:
			bp, err := parsePercent(*commission)
			if err != nil {
				return usageError{err}
			}
			if a.Parent == "" {
				a.DefaultCommission = bp
			} else {
				a.CommissionOverride = &bp
			}
		}
	}
	if err := l.PutAccount(ctx, a); err != nil {
		return err
	}
	if a.Parent == "" {
		fmt.Fprintf(e.stdout, "account %s: parent account, default commission %s\n", a.ID, a.DefaultCommission)
		return nil
	}
	how := "inherited from " + a.Parent
	if a.CommissionOverride != nil {
		how = "override"
	}
	var p *ledger.Account
	for i := range snap.Accounts {
		if snap.Accounts[i].ID == a.Parent {
			p = &snap.Accounts[i]
		}
	}
	fmt.Fprintf(e.stdout, "account %s: sub-account of %s, commission %s (%s)\n", a.ID, a.Parent, a.Commission(p), how)
	return nil
}

func cmdLedgerCreditType(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger credit-type", "--id ID --size SIZE --class CLASS --price DOLLARS [--stock STOCK]",
		"Creates or updates a credit type: one credit pays for one piece of a stock and size sent at a\n"+
			"postage class, sold to sub-accounts at --price per credit. A new price applies to later debits.",
		"postmill ledger credit-type --id pc4x6 --stock 14pt_gloss --size postcard_4x6 --class first_class --price 0.55")
	state := stateFlag(fs)
	id := fs.String("id", "", "credit type id (required)")
	stock := fs.String("stock", "", "paper stock, e.g. 14pt_gloss")
	size := fs.String("size", "", "piece format: postcard_4x6, postcard_6x9, postcard_6x11 or letter (required)")
	class := fs.String("class", "", "postage class: first_class or marketing (required)")
	priceS := fs.String("price", "", "price per credit in `dollars`, e.g. 0.55 (required)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *id == "" || *size == "" || *class == "" || *priceS == "" {
		return usagef("--id, --size, --class and --price are required")
	}
	price, err := ledger.ParseAmount(*priceS)
	if err != nil {
		return usagef("--price: %v", err)
	}
	ct := ledger.CreditType{ID: *id, Stock: *stock, Size: ledger.Format(*size), PostageClass: ledger.MailClass(*class), PricePerCredit: price}
	if err := ct.Validate(); err != nil {
		return usageError{err}
	}
	l, err := openLedger(ctx, e, state)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := l.PutCreditType(ctx, ct); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "credit type %s: %s %s %s at %s per credit\n", ct.ID, dashIfEmpty(ct.Stock), ct.Size, ct.PostageClass, ct.PricePerCredit)
	return nil
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// countFlag parses a positive --count.
func countFlag(n int64) error {
	if n <= 0 {
		return usagef("--count must be a positive number of credits")
	}
	return nil
}

func cmdLedgerBuy(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger buy", "--account PARENT --credit-type T --count N",
		"Books credits bought by a parent account; distribute them to sub-accounts next.",
		"postmill ledger buy --account agency --credit-type pc4x6 --count 10000")
	state := stateFlag(fs)
	acct := fs.String("account", "", "parent account buying (required)")
	ct := fs.String("credit-type", "", "credit type bought (required)")
	n := fs.Int64("count", 0, "credits bought (required)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *acct == "" || *ct == "" {
		return usagef("--account and --credit-type are required")
	}
	if err := countFlag(*n); err != nil {
		return err
	}
	l, err := openLedger(ctx, e, state)
	if err != nil {
		return err
	}
	defer l.Close()
	tx, err := l.Purchase(ctx, *acct, *ct, *n)
	if err != nil {
		return err
	}
	bal, err := l.Balance(ctx, *acct, *ct)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "bought %s %s credits for %s (transaction %d); %s holds %s\n", group(*n), *ct, *acct, tx.ID, *acct, group(bal))
	return nil
}

func cmdLedgerDistribute(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger distribute", "--from PARENT --to SUB --credit-type T --count N",
		"Moves credits from a parent account to one of its sub-accounts, which postmill run then debits.",
		"postmill ledger distribute --from agency --to client-a --credit-type pc4x6 --count 2500")
	state := stateFlag(fs)
	from := fs.String("from", "", "parent account giving (required)")
	to := fs.String("to", "", "sub-account receiving (required)")
	ct := fs.String("credit-type", "", "credit type moved (required)")
	n := fs.Int64("count", 0, "credits moved (required)")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *ct == "" {
		return usagef("--from, --to and --credit-type are required")
	}
	if err := countFlag(*n); err != nil {
		return err
	}
	l, err := openLedger(ctx, e, state)
	if err != nil {
		return err
	}
	defer l.Close()
	tx, err := l.Distribute(ctx, *from, *to, *ct, *n)
	if err != nil {
		return err
	}
	fb, err := l.Balance(ctx, *from, *ct)
	if err != nil {
		return err
	}
	tb, err := l.Balance(ctx, *to, *ct)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "distributed %s %s credits from %s to %s (transaction %d); %s holds %s, %s holds %s\n",
		group(*n), *ct, *from, *to, tx.ID, *from, group(fb), *to, group(tb))
	return nil
}

func cmdLedgerReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ledger report", "[--json]",
		"Prints balances and usage per account, the consolidated view of each parent with its\n"+
			"sub-accounts, usage per campaign, and each credit type's totals: aligned tables, or JSON.",
		"postmill ledger report --json")
	state := stateFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	if _, err := fs.parse(e, args); err != nil {
		return err
	}
	if _, err := os.Stat(*state.dir); *state.url == "" && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("state directory %s does not exist (create accounts with postmill ledger account)", *state.dir)
	}
	l, err := openLedger(ctx, e, state)
	if err != nil {
		return err
	}
	defer l.Close()
	rep, err := l.Report(ctx)
	if err != nil {
		return err
	}
	var w io.Writer = e.stdout
	if *asJSON {
		return rep.WriteJSON(w)
	}
	return rep.WriteText(w)
}
