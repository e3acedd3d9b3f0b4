package campaign

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/signals"
	"esep/internal/survey"
)

// Campaign is one telephone survey: its plan, the account of its draw, its
// calling rules and its state.
type Campaign struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	From          string    `json:"period_from"` // the end dates of the services it covers, YYYY-MM-DD
	To            string    `json:"period_to"`
	Margin        float64   `json:"margin"`
	Confidence    float64   `json:"confidence"`
	ByService     bool      `json:"by_service"`
	Oversample    float64   `json:"oversample"`
	ExcludeMonths int       `json:"exclude_months"`
	Seed          uint64    `json:"seed,string"`
	Method        string    `json:"method"`
	FrameSize     int       `json:"frame_size"`
	FrameDigest   string    `json:"frame_digest"`
	Description   string    `json:"description"` // survey.Sample.Description: enough to re-draw and check
	Hours         Hours     `json:"-"`
	MaxAttempts   int       `json:"max_attempts"`
	Status        string    `json:"status"` // open, closed
	CreatedAt     time.Time `json:"created_at,omitzero"`
	CreatedBy     string    `json:"created_by"`
	ClosedAt      time.Time `json:"closed_at,omitzero"`
}

// Campaign statuses.
const (
	CampaignOpen   = "open"
	CampaignClosed = "closed"
)

// Policy returns the campaign's calling rules on the working-day calendar
// cal (nil: every day is a calling day).
func (c *Campaign) Policy(cal *kz.Calendar) Policy {
	return Policy{Hours: c.Hours, MaxAttempts: c.MaxAttempts, Calendar: cal}
}

// Call is one sampled service and the state of calling its client.
type Call struct {
	ID          int64               `json:"id"`
	CampaignID  int64               `json:"campaign_id"`
	RecordID    string              `json:"record_id"`
	Stratum     string              `json:"stratum"`
	Order       int                 `json:"order"`
	Extra       bool                `json:"extra"` // the risk oversample
	ClientHash  string              `json:"-"`
	Region      string              `json:"region"`
	Status      string              `json:"status"`
	Outcome     survey.Outcome      `json:"outcome,omitempty"`
	Attempts    int                 `json:"attempts"`
	NextAt      time.Time           `json:"next_at,omitzero"` // zero: as soon as it may be called
	AssignedTo  int64               `json:"assigned_to,omitempty"`
	AssignedAt  time.Time           `json:"assigned_at,omitzero"`
	Lang        string              `json:"lang,omitempty"`
	Answers     survey.PhoneAnswers `json:"answers"`
	CompletedAt time.Time           `json:"completed_at,omitzero"`
	UpdatedAt   time.Time           `json:"updated_at,omitzero"`
}

// Attempt is one dial of a call.
type Attempt struct {
	ID         int64     `json:"id"`
	CallID     int64     `json:"call_id"`
	AgentID    int64     `json:"agent_id"`
	At         time.Time `json:"at,omitzero"`
	Result     Result    `json:"result"`
	CallbackAt time.Time `json:"callback_at,omitzero"`
	Note       string    `json:"note,omitempty"`
}

// NoticeNotConfirmed is the kind of notice an operator gets when a client
// answers "no" to question 1: the register has a service its client says
// did not happen.
const NoticeNotConfirmed = "not_confirmed"

// Notice is something an operator of a region must know.
type Notice struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Region    string    `json:"region"`
	RecordID  string    `json:"record_id"`
	CallID    int64     `json:"call_id"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	ReadAt    time.Time `json:"read_at,omitzero"`
	ReadBy    string    `json:"read_by,omitempty"`
	// Of the record, for lists: when and what the service was.
	EndDate string `json:"end_date,omitempty"`
	Service string `json:"service,omitempty"`
	// CampaignID is the campaign of the call.
	CampaignID int64 `json:"campaign_id,omitempty"`
}

// ClientHash is the SHA-256 (hex) of a client's identity key
// (register.ClientKey): calls keep it instead of the key, so that later
// draws can leave a client out without esep storing who it is again.
func ClientHash(clientKey string) string {
	h := sha256.Sum256([]byte(clientKey))
	return hex.EncodeToString(h[:])
}

// Options are what an analyst chooses when she opens a campaign.
type Options struct {
	Name string
	// From and To are the end dates of the services to sample from,
	// YYYY-MM-DD, inclusive.
	From, To string
	// Margin and Confidence size each stratum (survey.SampleSize), e.g.
	// 0.05 and 0.95.
	Margin, Confidence float64
	ByService          bool
	// ExcludeMonths leaves out the clients with a call in a campaign
	// opened in the last so many months (0: none); clients who ever
	// refused are always left out.
	ExcludeMonths int
	// Oversample is the extra share of risky services (with a signal),
	// 0 to 1.
	Oversample float64
	// CallingFrom and CallingTo are the calling hours, HH:MM in Kazakhstan;
	// empty takes DefaultFrom and DefaultTo.
	CallingFrom, CallingTo string
	// MaxAttempts bounds the attempts of a call; 0 takes
	// DefaultMaxAttempts.
	MaxAttempts int
	// Seed draws the sample; nil draws a random one, recorded with the
	// campaign.
	Seed *uint64
}

// MaxExcludeMonths bounds Options.ExcludeMonths: three years is longer
// than any client remembers a consultation.
const MaxExcludeMonths = 36

// check validates the options and fills the defaults. It returns an
// *Error of CodeInvalid naming the first option that is wrong.
func (o *Options) check() (Hours, error) {
	f, err1 := time.Parse(time.DateOnly, o.From)
	t, err2 := time.Parse(time.DateOnly, o.To)
	switch {
	case err1 != nil:
		return Hours{}, invalid("from", o.From)
	case err2 != nil:
		return Hours{}, invalid("to", o.To)
	case t.Before(f):
		return Hours{}, invalid("period", o.From+" – "+o.To)
	case !(o.Margin > 0 && o.Margin < 0.5):
		return Hours{}, invalid("margin", o.Margin)
	case !(o.Confidence >= 0.5 && o.Confidence < 1):
		return Hours{}, invalid("confidence", o.Confidence)
	case !(o.Oversample >= 0 && o.Oversample <= 1):
		return Hours{}, invalid("oversample", o.Oversample)
	case o.ExcludeMonths < 0 || o.ExcludeMonths > MaxExcludeMonths:
		return Hours{}, invalid("exclude_months", o.ExcludeMonths)
	case o.MaxAttempts < 0 || o.MaxAttempts > MaxAttemptsLimit:
		return Hours{}, invalid("max_attempts", o.MaxAttempts)
	case len(o.Name) > 200:
		return Hours{}, invalid("name", len(o.Name))
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.CallingFrom == "" {
		o.CallingFrom = DefaultFrom
	}
	if o.CallingTo == "" {
		o.CallingTo = DefaultTo
	}
	if o.Name == "" {
		o.Name = o.From + " – " + o.To
	}
	return ParseHours(o.CallingFrom, o.CallingTo)
}

// Draw is what a campaign's draw leaves besides the campaign itself: the
// account of its strata, a call per selected unit, and the record IDs
// without which the draw could not be repeated later, because the state
// they came from (who was called lately, which records had a signal)
// moves on.
type Draw struct {
	Strata []survey.Stratum
	Calls  []Call
	// Excluded holds the records whose clients were left out
	// (survey.Sample.Excluded), sorted.
	Excluded []string
	// Risky holds the frame's records marked risky at the draw, sorted;
	// none without an oversample.
	Risky []string
}

// Store keeps campaigns, calls, attempts and notices. Package store
// implements it on SQLite and PostgreSQL. Each method that changes state
// does so in one transaction with its audit event.
type Store interface {
	// ExcludedClients returns the client hashes with a call in a campaign
	// created at or after since (none when since is zero), and of every
	// client whose call ended refused.
	ExcludedClients(ctx context.Context, since time.Time) (map[string]bool, error)
	// NotConfirmedRecords lists the records with a not-confirmed notice.
	NotConfirmedRecords(ctx context.Context) ([]string, error)
	// CreateCampaign stores a campaign with its draw (strata, calls, and
	// the excluded and risky records that re-draw it), and sets c.ID.
	CreateCampaign(ctx context.Context, c *Campaign, d *Draw, actor string) error
	// DrawInputs returns the excluded and the risky record IDs a
	// campaign's draw kept (Draw.Excluded, Draw.Risky), each sorted.
	DrawInputs(ctx context.Context, id int64) (excluded, risky []string, err error)
	// Calls lists the calls of a campaign in the order they were stored.
	Calls(ctx context.Context, id int64) ([]*Call, error)
	// Campaign returns a campaign, or an error matching ErrNotFound.
	Campaign(ctx context.Context, id int64) (*Campaign, error)
	// Campaigns lists every campaign, newest first.
	Campaigns(ctx context.Context) ([]Campaign, error)
	// CloseCampaign closes an open campaign at at; ErrNotFound or
	// ErrClosed otherwise.
	CloseCampaign(ctx context.Context, id int64, at time.Time, actor string) error
	// Call returns a call, or an error matching ErrNotFound.
	Call(ctx context.Context, id int64) (*Call, error)
	// HeldCall returns the call agent holds in an open campaign, or nil.
	HeldCall(ctx context.Context, agent int64) (*Call, error)
	// ClaimCall assigns to agent the first call of the campaigns that may
	// be dialled at now (queued with next_at passed, or held since before
	// stale by someone else), of region when it is not "", so that two
	// agents never get the same call; nil when there is none.
	ClaimCall(ctx context.Context, campaigns []int64, region string, agent int64, now, stale time.Time) (*Call, error)
	// QueueState counts, per campaign, the calls that wait, of region
	// when it is not "".
	QueueState(ctx context.Context, campaigns []int64, region string, now time.Time) (map[int64]Queue, error)
	// SaveAttempt stores attempt a and the call's new state next, and the
	// notice when not nil, if the call is still as before was (held by the
	// same agent, the same number of attempts); else it returns an error
	// matching ErrChanged and changes nothing.
	SaveAttempt(ctx context.Context, before, next *Call, a *Attempt, n *Notice, actor string) error
	// Strata returns the account of a campaign's draw, stratum by
	// stratum.
	Strata(ctx context.Context, campaign int64) ([]survey.Stratum, error)
	// OutcomeCounts counts the calls of a campaign by state (see Count),
	// or of every campaign when campaign is 0.
	OutcomeCounts(ctx context.Context, campaign int64) ([]Count, error)
}

// Queue is what waits in one campaign.
type Queue struct {
	Due      int       // queued calls whose time has come
	Later    int       // queued calls waiting for a later time
	NextAt   time.Time // the earliest of those later times
	Held     int       // calls agents hold now
	Finished int       // calls with a final outcome
}

// Count is how many calls of a campaign are in one state: done with an
// outcome, or still open (Outcome "") with or without an attempt.
type Count struct {
	CampaignID int64
	Outcome    survey.Outcome
	Attempted  bool
	Extra      bool
	N          int
}

// Frame gives the records of a period with the reason each is excluded from
// the report ("" when it counts); monitor.Cycle is one.
type Frame interface {
	EachCounted(ctx context.Context, from, to string, fn func(r *register.Record, excluded string) error) error
}

// Service opens campaigns and works their calls.
type Service struct {
	Store    Store
	Frame    Frame
	Calendar *kz.Calendar // for the signals that mark risky services
	// Now is the clock; nil means time.Now. Tests fix it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Open draws and stores a campaign: the frame is every counted service
// that ended in the period; with an oversample, a service with a signal
// (package signals, a client's earlier "no" included) is risky; clients
// called in a campaign of the last ExcludeMonths months, or who ever
// refused, are left out; the sample is survey.Draw's with the seed given or
// a random one. The seed, the records left out and the records marked risky
// are recorded with the campaign, so that Verify can draw it again. The
// campaign, its draw and the audit event are stored in one transaction.
//
// It returns an *Error for bad options (CodeInvalid) or a period without
// a counted service (CodeEmptyFrame).
func (s *Service) Open(ctx context.Context, o Options, actor string) (*Campaign, error) {
	hours, err := o.check()
	if err != nil {
		return nil, err
	}
	now := s.now()
	frame, recs, err := s.frame(ctx, o.From, o.To, o.Oversample > 0)
	if err != nil {
		return nil, err
	}
	if len(frame) == 0 {
		return nil, &Error{Code: CodeEmptyFrame, Value: o.From + " – " + o.To}
	}
	var risky []string
	if o.Oversample > 0 {
		// The signals depend on data that changes after the draw (a
		// client's later "no" is one), so the records they marked are kept
		// with the campaign: Verify re-draws with these, not today's.
		denied, err := s.Store.NotConfirmedRecords(ctx)
		if err != nil {
			return nil, fmt.Errorf("campaign risk: %w", err)
		}
		scores := signals.RiskyRecords(signals.Detect(recs, s.Calendar, signals.Options{NotConfirmed: denied}))
		risky = markRisk(frame, func(id string) bool { return scores[id] > 0 })
	}
	var since time.Time
	if o.ExcludeMonths > 0 {
		since = now.AddDate(0, -o.ExcludeMonths, 0)
	}
	out, err := s.Store.ExcludedClients(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("campaign exclusions: %w", err)
	}
	seed, err := seedOf(o.Seed)
	if err != nil {
		return nil, err
	}
	c := &Campaign{Name: o.Name, From: o.From, To: o.To, Margin: o.Margin, Confidence: o.Confidence, ByService: o.ByService,
		Oversample: o.Oversample, ExcludeMonths: o.ExcludeMonths, Seed: seed, Hours: hours, MaxAttempts: o.MaxAttempts,
		Status: CampaignOpen, CreatedAt: now.Truncate(time.Second), CreatedBy: actor}
	sample, err := survey.Draw(frame, c.plan(func(client string) bool { return out[ClientHash(client)] }), seed)
	if err != nil {
		return nil, fmt.Errorf("campaign draw: %w", err)
	}
	c.Method, c.FrameSize, c.FrameDigest, c.Description = sample.Method, sample.FrameSize, sample.FrameDigest, sample.Description()
	calls := make([]Call, 0, len(sample.Units))
	for _, u := range sample.Units {
		calls = append(calls, Call{RecordID: u.RecordID, Stratum: u.Stratum, Order: u.Order, Extra: u.Extra,
			ClientHash: ClientHash(u.Client), Region: u.Region, Status: StatusQueued, UpdatedAt: c.CreatedAt})
	}
	d := &Draw{Strata: sample.Strata, Calls: calls, Excluded: sample.Excluded, Risky: risky}
	if err := s.Store.CreateCampaign(ctx, c, d, actor); err != nil {
		return nil, fmt.Errorf("campaign %q: %w", c.Name, err)
	}
	return c, nil
}

// frame builds the sampling frame of the services that ended in [from, to]:
// every one the report counts, as a survey unit not yet marked risky. With
// keep it also returns all the period's records, counted or not, which the
// signals that mark risk look at. Open and Verify both build the frame here,
// so that a re-draw sees the register exactly as a draw would.
func (s *Service) frame(ctx context.Context, from, to string, keep bool) ([]survey.Unit, []register.Record, error) {
	var frame []survey.Unit
	var recs []register.Record
	err := s.Frame.EachCounted(ctx, from, to, func(r *register.Record, excluded string) error {
		if keep {
			recs = append(recs, *r) // r is reused by the caller
		}
		if excluded == "" {
			frame = append(frame, survey.UnitOf(r, false))
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("campaign frame %s..%s: %w", from, to, err)
	}
	return frame, recs, nil
}

// markRisk marks the units of frame whose record is risky and returns
// their record IDs, sorted: what a campaign keeps of its risk marks.
func markRisk(frame []survey.Unit, risky func(recordID string) bool) []string {
	var ids []string
	for i := range frame {
		frame[i].Risk = risky(frame[i].RecordID)
		if frame[i].Risk {
			ids = append(ids, frame[i].RecordID)
		}
	}
	slices.Sort(ids)
	return ids
}

// plan is the campaign's sampling plan, with exclude ruling clients out.
// Open and Verify both take it from here so that the numbers a draw used
// are the ones stored.
func (c *Campaign) plan(exclude func(client string) bool) survey.Plan {
	return survey.Plan{Margin: c.Margin, Confidence: c.Confidence, ByService: c.ByService, Oversample: c.Oversample, Exclude: exclude}
}

// seedOf returns the seed given, or a random one from the system's
// generator: an analyst who gives none must not be able to pick a sample
// by trying seeds, and the one used is recorded anyway.
func seedOf(given *uint64) (uint64, error) {
	if given != nil {
		return *given, nil
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("campaign seed: %w", err)
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// Close closes an open campaign: its calls that are not done stay as they
// are (not attempted, or non-contacts) and no one may call them any more.
func (s *Service) Close(ctx context.Context, id int64, actor string) error {
	return s.Store.CloseCampaign(ctx, id, s.now(), actor)
}
