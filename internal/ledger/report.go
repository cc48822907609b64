package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"text/tabwriter"
)

// Report is balances and usage read from one Snapshot: per account, per
// campaign, per credit type, and consolidated per parent account.
type Report struct {
	Accounts    []AccountReport    `json:"accounts"`
	Campaigns   []CampaignReport   `json:"campaigns"`
	CreditTypes []CreditTypeReport `json:"credit_types"`
	Parents     []ParentReport     `json:"parents"`
}

// CreditLine is an account's (or a group's) position in one credit type.
type CreditLine struct {
	CreditType string `json:"credit_type"`
	// Balance is the credits held now.
	Balance int64 `json:"balance"`
	// Charged and Refunded count pieces debited and refunded; Used is Charged − Refunded.
	Charged  int64 `json:"charged"`
	Refunded int64 `json:"refunded"`
	Used     int64 `json:"used"`
	// Value is Used × the credit type's current price per credit.
	Value Amount `json:"value"`
	// Margin is the net margin these pieces booked to the parent.
	Margin Amount `json:"margin"`
}

// AccountReport is one tenant account.
type AccountReport struct {
	Account string `json:"account"`
	Name    string `json:"name,omitempty"`
	Parent  string `json:"parent,omitempty"`
	// Commission is what this sub-account's debits pay its parent (0 for parents).
	Commission BasisPoints `json:"commission_bps"`
	// MarginEarned is the money balance: margin booked to this (parent) account.
	MarginEarned Amount       `json:"margin_earned"`
	Credits      []CreditLine `json:"credits"`
}

// CampaignReport is usage of one credit type by one account's campaign.
type CampaignReport struct {
	Account    string `json:"account"`
	Campaign   string `json:"campaign"`
	CreditType string `json:"credit_type"`
	Charged    int64  `json:"charged"`
	Refunded   int64  `json:"refunded"`
	Used       int64  `json:"used"`
	Margin     Amount `json:"margin"`
}

// CreditTypeReport is one credit type across the whole ledger.
type CreditTypeReport struct {
	CreditType     string `json:"credit_type"`
	PricePerCredit Amount `json:"price_per_credit"`
	// Purchased is credits bought (from AccountFunding); Outstanding is what tenants still hold.
	Purchased   int64 `json:"purchased"`
	Outstanding int64 `json:"outstanding"`
	Charged     int64 `json:"charged"`
	Refunded    int64 `json:"refunded"`
	// Consumed is the AccountConsumed balance, equal to Charged − Refunded.
	Consumed int64  `json:"consumed"`
	Margin   Amount `json:"margin"`
}

// ParentReport consolidates a parent account with its children summed in.
type ParentReport struct {
	Parent       string       `json:"parent"`
	Children     []string     `json:"children"`
	MarginEarned Amount       `json:"margin_earned"`
	Credits      []CreditLine `json:"credits"`
}

// Report reads a snapshot of the store and builds the report.
func (l *Ledger) Report(ctx context.Context) (*Report, error) {
	s, err := l.store.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger report: %w", err)
	}
	return BuildReport(s), nil
}

// BuildReport computes the report of a snapshot. Rows are sorted by id.
func BuildReport(s *Snapshot) *Report {
	price := map[string]Amount{}
	for _, ct := range s.CreditTypes {
		price[ct.ID] = ct.PricePerCredit
	}
	accts := map[string]*Account{}
	for i := range s.Accounts {
		accts[s.Accounts[i].ID] = &s.Accounts[i]
	}
	lines := map[string]map[string]*CreditLine{} // account → credit type → line
	line := func(account, ct string) *CreditLine {
		m := lines[account]
		if m == nil {
			m = map[string]*CreditLine{}
			lines[account] = m
		}
		cl := m[ct]
		if cl == nil {
			cl = &CreditLine{CreditType: ct}
			m[ct] = cl
		}
		return cl
	}
	money := map[string]Amount{}
	cts := map[string]*CreditTypeReport{}
	ctr := func(id string) *CreditTypeReport {
		r := cts[id]
		if r == nil {
			r = &CreditTypeReport{CreditType: id, PricePerCredit: price[id]}
			cts[id] = r
		}
		return r
	}
	for _, ct := range s.CreditTypes {
		ctr(ct.ID)
	}
	for _, b := range s.Balances {
		switch {
		case b.Unit == UnitMoney:
			money[b.Account] += Amount(b.Amount)
		case b.Account == AccountFunding:
			ctr(b.Unit).Purchased = -b.Amount
		case b.Account == AccountConsumed:
			ctr(b.Unit).Consumed = b.Amount
		case !isSystem(b.Account):
			line(b.Account, b.Unit).Balance += b.Amount
			ctr(b.Unit).Outstanding += b.Amount
		}
	}
	r := &Report{}
	for _, u := range s.Usage {
		cl := line(u.Account, u.CreditType)
		cl.Charged += u.Charged
		cl.Refunded += u.Refunded
		cl.Margin += u.Margin
		c := ctr(u.CreditType)
		c.Charged += u.Charged
		c.Refunded += u.Refunded
		c.Margin += u.Margin
		r.Campaigns = append(r.Campaigns, CampaignReport{Account: u.Account, Campaign: u.Campaign, CreditType: u.CreditType,
			Charged: u.Charged, Refunded: u.Refunded, Used: u.Charged - u.Refunded, Margin: u.Margin})
	}
	sorted := func(m map[string]*CreditLine) []CreditLine {
		out := make([]CreditLine, 0, len(m))
		for _, cl := range m {
			c := *cl
			c.Used = c.Charged - c.Refunded
			c.Value = Amount(int64(price[c.CreditType]) * c.Used)
			out = append(out, c)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].CreditType < out[j].CreditType })
		return out
	}
	children := map[string][]string{}
	for _, a := range s.Accounts {
		var comm BasisPoints
		if a.Parent != "" {
			comm = a.Commission(accts[a.Parent])
			children[a.Parent] = append(children[a.Parent], a.ID)
		}
		r.Accounts = append(r.Accounts, AccountReport{Account: a.ID, Name: a.Name, Parent: a.Parent, Commission: comm,
			MarginEarned: money[a.ID], Credits: sorted(lines[a.ID])})
	}
	for _, a := range s.Accounts {
		if a.Parent != "" {
			continue
		}
		sum := map[string]*CreditLine{}
		for _, id := range append([]string{a.ID}, children[a.ID]...) {
			for ct, cl := range lines[id] {
				t := sum[ct]
				if t == nil {
					t = &CreditLine{CreditType: ct}
					sum[ct] = t
				}
				t.Balance += cl.Balance
				t.Charged += cl.Charged
				t.Refunded += cl.Refunded
				t.Margin += cl.Margin
			}
		}
		kids := children[a.ID]
		sort.Strings(kids)
		if kids == nil {
			kids = []string{}
		}
		r.Parents = append(r.Parents, ParentReport{Parent: a.ID, Children: kids, MarginEarned: money[a.ID], Credits: sorted(sum)})
	}
	for _, c := range cts {
		r.CreditTypes = append(r.CreditTypes, *c)
	}
	sort.Slice(r.CreditTypes, func(i, j int) bool { return r.CreditTypes[i].CreditType < r.CreditTypes[j].CreditType })
	return r
}

// WriteJSON writes r as indented JSON; amounts are decimal dollar strings.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write ledger report json: %w", err)
	}
	return nil
}

// WriteText writes r as four aligned text tables separated by blank lines:
// accounts, parents (consolidated), campaigns and credit types.
func (r *Report) WriteText(w io.Writer) error {
	var rows [][]string
	for _, a := range r.Accounts {
		if len(a.Credits) == 0 {
			rows = append(rows, []string{a.Account, dash(a.Parent), a.Commission.String(), "-", "0", "0", "0", "0", "0.0000", "0.0000", a.MarginEarned.String()})
		}
		for _, c := range a.Credits {
			rows = append(rows, []string{a.Account, dash(a.Parent), a.Commission.String(), c.CreditType, itoa(c.Balance), itoa(c.Charged),
				itoa(c.Refunded), itoa(c.Used), c.Value.String(), c.Margin.String(), a.MarginEarned.String()})
		}
	}
	if err := writeTable(w, []string{"ACCOUNT", "PARENT", "COMMISSION", "CREDIT TYPE", "BALANCE", "CHARGED", "REFUNDED", "USED", "VALUE", "MARGIN", "MARGIN EARNED"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, pr := range r.Parents {
		for _, c := range pr.Credits {
			rows = append(rows, []string{pr.Parent, itoa(int64(len(pr.Children))), c.CreditType, itoa(c.Balance), itoa(c.Charged),
				itoa(c.Refunded), itoa(c.Used), c.Value.String(), c.Margin.String(), pr.MarginEarned.String()})
		}
	}
	if err := writeTable(w, []string{"\nPARENT (WITH CHILDREN)", "CHILDREN", "CREDIT TYPE", "BALANCE", "CHARGED", "REFUNDED", "USED", "VALUE", "MARGIN", "MARGIN EARNED"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, c := range r.Campaigns {
		rows = append(rows, []string{c.Account, dash(c.Campaign), c.CreditType, itoa(c.Charged), itoa(c.Refunded), itoa(c.Used), c.Margin.String()})
	}
	if err := writeTable(w, []string{"\nACCOUNT", "CAMPAIGN", "CREDIT TYPE", "CHARGED", "REFUNDED", "USED", "MARGIN"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, c := range r.CreditTypes {
		rows = append(rows, []string{c.CreditType, c.PricePerCredit.String(), itoa(c.Purchased), itoa(c.Outstanding), itoa(c.Charged),
			itoa(c.Refunded), itoa(c.Consumed), c.Margin.String()})
	}
	return writeTable(w, []string{"\nCREDIT TYPE", "PRICE", "PURCHASED", "OUTSTANDING", "CHARGED", "REFUNDED", "CONSUMED", "MARGIN"}, rows)
}

func writeTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range append([][]string{header}, rows...) {
		for i, cell := range row {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, cell)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write ledger report: %w", err)
	}
	return nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
