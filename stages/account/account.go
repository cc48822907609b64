package account

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/postmill/postmill/internal/ledger"
	"github.com/postmill/postmill/pipeline"
)

// Columns the stage reads and writes.
const (
	// ColPresortLevel is read: the level the batch (presort) stage assigned.
	ColPresortLevel = "presort_level"
	// ColPostage is written: the piece's postage in dollars, e.g. "0.5210".
	ColPostage = "postage"
	// ColCreditType is written on charged pieces: the credit type debited.
	ColCreditType = "credit_type"
)

// LevelInternational is the presort_level of a foreign piece; it pays the
// first_class_international single_piece price of the configured format.
const LevelInternational = "international"

// DomesticLevels are the presort levels the batch stage assigns to domestic pieces.
var DomesticLevels = []ledger.PresortLevel{ledger.Presort5Digit, ledger.Presort3Digit, ledger.PresortAADC, ledger.PresortMixed}

// Defaults when neither the configuration nor the credit type says.
const (
	DefaultMailClass = ledger.FirstClass
	DefaultFormat    = ledger.Postcard4x6
)

// Config configures the stage. The zero value prices pieces as First-Class
// 4x6 postcards with the embedded rate card and charges nobody.
type Config struct {
	// Ledger is charged one credit per piece. Default (nil): nothing is
	// charged, rows are priced and pass, and the report says so.
	Ledger *ledger.Ledger
	// Account is the (sub-)account paying; required when Ledger is set.
	Account string
	// CreditType is the credit type charged; required when Ledger is set.
	CreditType string
	// Campaign is recorded on the ledger's debits for usage reports.
	// Default (""): the job's campaign.
	Campaign string
	// RateCard prices postage. Default (nil): ledger.DefaultRateCard().
	RateCard *ledger.RateCard
	// MailClass is first_class or marketing. Default (""): the credit
	// type's postage class when Ledger is set, else first_class.
	MailClass ledger.MailClass
	// Format is the piece format. Default (""): the credit type's size when
	// Ledger is set, else postcard_4x6.
	Format ledger.Format
}

// Validate checks the configuration on its own (not against the ledger).
func (c Config) Validate() error {
	if c.Ledger != nil && (c.Account == "" || c.CreditType == "") {
		return errors.New("account stage: an account and a credit type are required to charge a ledger")
	}
	switch c.MailClass {
	case "", ledger.FirstClass, ledger.Marketing:
	default:
		return fmt.Errorf("account stage: mail class %q: want first_class or marketing", c.MailClass)
	}
	switch c.Format {
	case "", ledger.Postcard4x6, ledger.Postcard6x9, ledger.Postcard6x11, ledger.Letter:
	default:
		return fmt.Errorf("account stage: format %q: want postcard_4x6, postcard_6x9, postcard_6x11 or letter", c.Format)
	}
	return nil
}

// Combos lists every combination a run of class and format can produce: the
// four domestic presort levels, then international single-piece.
func Combos(class ledger.MailClass, format ledger.Format) []ledger.Combo {
	out := make([]ledger.Combo, 0, len(DomesticLevels)+1)
	for _, l := range DomesticLevels {
		out = append(out, ledger.Combo{Class: class, Format: format, Level: l})
	}
	return append(out, ledger.Combo{Class: ledger.FirstClassInternational, Format: format, Level: ledger.SinglePiece})
}

// Stage is the account stage. Run it as a serial step (pipeline.Step
// Serial: true) so pieces are debited in input order.
type Stage struct {
	cfg Config

	mu       sync.Mutex // guards everything below: Preflight, Process and Report may run on different goroutines
	ready    bool
	class    ledger.MailClass
	format   ledger.Format
	prices   map[string]price // presort_level value → price
	colLevel int
	colPost  int
	colCT    int
	bound    bool
	rep      Report
	ids      []string
	idBuf    []byte // the ids of ids, back to back
	live     []*pipeline.Row
}

type price struct {
	combo ledger.Combo
	amt   ledger.Amount
	text  []byte
}

// New returns a stage for cfg. It loads the embedded rate card when
// cfg.RateCard is nil.
func New(cfg Config) (*Stage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.RateCard == nil {
		rc, err := ledger.DefaultRateCard()
		if err != nil {
			return nil, fmt.Errorf("account stage: %w", err)
		}
		cfg.RateCard = rc
	}
	s := &Stage{cfg: cfg}
	s.rep = Report{Charging: cfg.Ledger != nil, Account: cfg.Account, CreditType: cfg.CreditType,
		RateCard: cfg.RateCard.Version, Postage: map[string]*LevelPostage{}}
	if cfg.Ledger == nil {
		s.rep.Note = "no ledger account configured: nothing was charged"
	}
	return s, nil
}

// Bind adds the postage and credit_type columns and finds presort_level,
// which the batch stage must have added: the account stage runs after it.
func (s *Stage) Bind(sc *pipeline.Schema) error {
	lvl, ok := sc.Index(ColPresortLevel)
	if !ok {
		return fmt.Errorf("account stage: the job has no %s column: run the account stage after the batch (presort) stage", ColPresortLevel)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.colLevel = lvl
	s.colPost = sc.Add(ColPostage)
	s.colCT = sc.Add(ColCreditType)
	s.bound = true
	return nil
}

// PartitionKey is the same for every piece: all of a job's pieces meet one
// instance (a distributed transport mixes in the job), which charges them
// in the order the presort emitted them, so which pieces are held when
// credits run out is decided as in one process; the debits of one account
// serialize on its balance in the ledger anyway. It implements
// pipeline.Keyer.
func (s *Stage) PartitionKey(r *pipeline.Row) uint64 { return 0 }

// Preflight prepares the stage before any row is processed: it reads the
// credit type and account from the ledger (failing if either is unknown, or
// if the credit type is for another class or format than configured),
// settles the mail class and format, and checks that the rate card prices
// every combination in combos — nil means Combos(class, format) — returning
// a *ledger.NoPriceError per missing combination. It charges nothing.
// Without a ledger, missing prices are not an error: those pieces pass with
// an empty postage column and the report lists the combinations.
func (s *Stage) Preflight(ctx context.Context, combos []ledger.Combo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.preflight(ctx, combos)
}

func (s *Stage) preflight(ctx context.Context, combos []ledger.Combo) error {
	class, format := s.cfg.MailClass, s.cfg.Format
	if l := s.cfg.Ledger; l != nil {
		snap, err := l.Store().Snapshot(ctx)
		if err != nil {
			return fmt.Errorf("account stage preflight: %w", err)
		}
		var acct *ledger.Account
		for i := range snap.Accounts {
			if snap.Accounts[i].ID == s.cfg.Account {
				acct = &snap.Accounts[i]
			}
		}
		if acct == nil {
			return fmt.Errorf("account stage preflight: %w: %q (create it with postmill ledger account)", ledger.ErrUnknownAccount, s.cfg.Account)
		}
		var ct *ledger.CreditType
		for i := range snap.CreditTypes {
			if snap.CreditTypes[i].ID == s.cfg.CreditType {
				ct = &snap.CreditTypes[i]
			}
		}
		if ct == nil {
			return fmt.Errorf("account stage preflight: %w: %q (create it with postmill ledger credit-type)", ledger.ErrUnknownCreditType, s.cfg.CreditType)
		}
		if class == "" {
			class = ct.PostageClass
		}
		if format == "" {
			format = ct.Size
		}
		if class != ct.PostageClass || format != ct.Size {
			return fmt.Errorf("account stage preflight: credit type %q pays for %s %s, the run mails %s %s",
				ct.ID, ct.PostageClass, ct.Size, class, format)
		}
		if class != ledger.FirstClass && class != ledger.Marketing {
			return fmt.Errorf("account stage preflight: credit type %q has postage class %s: want first_class or marketing", ct.ID, class)
		}
	}
	if class == "" {
		class = DefaultMailClass
	}
	if format == "" {
		format = DefaultFormat
	}
	if combos == nil {
		combos = Combos(class, format)
	}
	if err := s.cfg.RateCard.Check(combos); err != nil {
		if s.cfg.Ledger != nil {
			return fmt.Errorf("account stage preflight: %w", err)
		}
		// Nothing is charged: missing prices leave postage empty and are reported.
		s.rep.Unpriced = strings.Split(err.Error(), "\n")
	}
	s.class, s.format = class, format
	s.prices = map[string]price{}
	for _, c := range Combos(class, format) {
		p, err := s.cfg.RateCard.Price(c.Class, c.Format, c.Level)
		if err != nil {
			continue // not in combos: a row at this level fails Process, naming it
		}
		key := string(c.Level)
		if c.Class == ledger.FirstClassInternational {
			key = LevelInternational
		}
		s.prices[key] = price{combo: c, amt: p, text: []byte(p.String())}
	}
	s.rep.MailClass, s.rep.Format = string(class), string(format)
	s.ready = true
	return nil
}

// Process prices every live row, debits the batch's pieces in one ledger
// call and holds those the balance does not cover. It fails, charging
// nothing, when a row's presort level has no price or the ledger fails.
// Rows that are not live are left alone (Release pre-holds rows it does not
// re-queue).
func (s *Stage) Process(ctx context.Context, b *pipeline.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.bound {
		return errors.New("account stage: Process before Bind")
	}
	if !s.ready {
		if err := s.preflight(ctx, nil); err != nil {
			return err
		}
	}
	s.live = s.live[:0]
	s.ids = s.ids[:0]
	var priced []byte // the last level found priced: presorted pieces come in runs of one level
	for _, r := range b.Rows {
		if r.Fate != pipeline.Live {
			continue
		}
		lvl := r.Field(s.colLevel)
		if priced != nil && bytes.Equal(lvl, priced) {
			s.live = append(s.live, r)
			continue
		}
		if _, ok := s.prices[string(lvl)]; !ok {
			if s.cfg.Ledger != nil || len(lvl) == 0 {
				return s.noPrice(r, string(lvl))
			}
			s.rep.NotCharged++
			s.rep.UnpricedPieces++
			continue
		}
		priced = lvl
		s.live = append(s.live, r)
	}
	if len(s.live) == 0 {
		return nil
	}
	// The ledger takes ids as strings: one string holds the batch's ids and
	// each is a slice of it, one allocation per batch rather than per piece.
	s.idBuf = s.idBuf[:0]
	for _, r := range s.live {
		s.idBuf = append(s.idBuf, r.ID[:]...)
	}
	all := string(s.idBuf)
	for i := range s.live {
		s.ids = append(s.ids, all[i*pipeline.PieceIDLen:(i+1)*pipeline.PieceIDLen])
	}
	var res ledger.Result
	if s.cfg.Ledger != nil {
		campaign := s.cfg.Campaign
		if campaign == "" && b.Job != nil {
			campaign = b.Job.Campaign
		}
		var err error
		res, err = s.cfg.Ledger.Debit(ctx, s.cfg.Account, s.cfg.CreditType, campaign, s.ids)
		if err != nil {
			return fmt.Errorf("account stage: %w", err)
		}
		s.rep.Balance = res.Balance
		s.rep.MarginBooked += res.Margin
		s.rep.Campaign = campaign
	}
	var detail string
	if res.Insufficient > 0 {
		detail = fmt.Sprintf("account %s has %d credits of %s", s.cfg.Account, res.Balance, s.cfg.CreditType)
	}
	var ct []byte
	if s.cfg.Ledger != nil {
		ct = b.Copy([]byte(s.cfg.CreditType))
	}
	// Pieces come in presort order, so a level holds for long runs of rows:
	// its price, postage text (copied once per batch) and report line are
	// looked up when it changes.
	var (
		lvl, lastLvl []byte
		p            price
		text         []byte
		lp           *LevelPostage
	)
	for i, r := range s.live {
		if lvl = r.Field(s.colLevel); lp == nil || !bytes.Equal(lvl, lastLvl) {
			// Indexing with string(bytes) does not allocate; the level is
			// only turned into a string when the report meets it first.
			p = s.prices[string(lvl)]
			text = b.Copy(p.text)
			if lp = s.rep.Postage[string(lvl)]; lp == nil {
				lp = &LevelPostage{Class: string(p.combo.Class), Price: p.amt}
				s.rep.Postage[string(lvl)] = lp
			}
			lastLvl = lvl
		}
		setField(r, s.colPost, text)
		if s.cfg.Ledger != nil {
			switch res.Statuses[i] {
			case ledger.StatusCharged:
				s.rep.Charged++
				s.rep.CreditsUsed++
			case ledger.StatusAlreadyCharged:
				s.rep.AlreadyCharged++
			case ledger.StatusInsufficient:
				s.rep.Held++
				r.Hold(pipeline.HeldInsufficient, detail)
				continue
			default:
				return fmt.Errorf("account stage: piece %s: unexpected debit status %s", s.ids[i], res.Statuses[i])
			}
			setField(r, s.colCT, ct)
		} else {
			s.rep.NotCharged++
		}
		lp.Pieces++
		lp.Total += p.amt
		s.rep.PostageTotal += p.amt
	}
	return nil
}

// setField sets column i of r, growing a row built before the stage added
// its columns.
func setField(r *pipeline.Row, i int, v []byte) {
	for len(r.Fields) <= i {
		r.Fields = append(r.Fields, nil)
	}
	r.Fields[i] = v
}

// noPrice is the error for a row whose level the stage cannot price.
func (s *Stage) noPrice(r *pipeline.Row, lvl string) error {
	if lvl == "" {
		return fmt.Errorf("account stage: row %d (piece %s) has no %s: the batch stage must assign one", r.Num, r.ID, ColPresortLevel)
	}
	c := ledger.Combo{Class: s.class, Format: s.format, Level: ledger.PresortLevel(lvl)}
	if lvl == LevelInternational {
		c = ledger.Combo{Class: ledger.FirstClassInternational, Format: s.format, Level: ledger.SinglePiece}
	}
	return fmt.Errorf("account stage: row %d (piece %s): %w", r.Num, r.ID, &ledger.NoPriceError{Combo: c, RateCard: s.cfg.RateCard.Version})
}

// Report is the stage's section of report.json.
type Report struct {
	// Charging is false when no ledger was configured; Note then says nothing was charged.
	Charging bool   `json:"charging"`
	Note     string `json:"note,omitempty"`
	// Account, CreditType and Campaign are what was debited.
	Account    string `json:"account,omitempty"`
	CreditType string `json:"credit_type,omitempty"`
	Campaign   string `json:"campaign,omitempty"`
	// MailClass, Format and RateCard say how postage was priced.
	MailClass string `json:"mail_class"`
	Format    string `json:"format"`
	RateCard  string `json:"rate_card"`
	// Charged pieces were debited now; AlreadyCharged were debited by an
	// earlier run or delivery and passed without a charge; Held lacked credits.
	Charged        int64 `json:"charged"`
	AlreadyCharged int64 `json:"already_charged"`
	Held           int64 `json:"held"`
	// NotCharged counts pieces passed without a ledger.
	NotCharged int64 `json:"not_charged,omitempty"`
	// Unpriced lists, without a ledger only, the combinations the rate card
	// lacks; UnpricedPieces passed with an empty postage column. With a
	// ledger a missing price fails the run instead.
	Unpriced       []string `json:"unpriced,omitempty"`
	UnpricedPieces int64    `json:"unpriced_pieces,omitempty"`
	// CreditsUsed is the credits debited (one per charged piece).
	CreditsUsed int64 `json:"credits_used"`
	// MarginBooked is the parent's margin booked by these debits.
	MarginBooked ledger.Amount `json:"margin_booked"`
	// Balance is the account's credits of the type after the last debit.
	Balance int64 `json:"balance"`
	// Postage is the postage of the pieces that passed, by presort level.
	Postage map[string]*LevelPostage `json:"postage"`
	// PostageTotal sums Postage.
	PostageTotal ledger.Amount `json:"postage_total"`
}

// LevelPostage is the postage of one presort level.
type LevelPostage struct {
	// Class is the mail class priced (first_class_international for international).
	Class string `json:"class"`
	// Price is the postage per piece; Pieces and Total count the passed pieces.
	Price  ledger.Amount `json:"price"`
	Pieces int64         `json:"pieces"`
	Total  ledger.Amount `json:"total"`
}

// Levels returns the report's presort levels in rate order: 5digit, 3digit,
// aadc, mixed, international, then any other.
func (r *Report) Levels() []string {
	rank := map[string]int{}
	for i, l := range DomesticLevels {
		rank[string(l)] = i
	}
	rank[LevelInternational] = len(DomesticLevels)
	out := make([]string, 0, len(r.Postage))
	for l := range r.Postage {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, oki := rank[out[i]]
		rj, okj := rank[out[j]]
		if oki != okj {
			return oki
		}
		if ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

// Report returns a copy of the stage's counts (pipeline.Reporter).
func (s *Stage) Report() any {
	r := s.Counts()
	return &r
}

// Counts returns a copy of the stage's counts.
func (s *Stage) Counts() Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rep
	r.Postage = make(map[string]*LevelPostage, len(s.rep.Postage))
	for k, v := range s.rep.Postage {
		c := *v
		r.Postage[k] = &c
	}
	return r
}
