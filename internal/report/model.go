// Package report builds the Report on monitoring of service support of
// Annex 3 of the methodology (clauses 12-14): the introduction, the
// statistical tables of clause 5.1, the quality audit, the conclusions and
// the annexes. A Report is plain data; the packages pdf and xlsx render it,
// and its JSON is the machine form. A report that has been sent is frozen:
// its stored snapshot renders to the same bytes whatever changes later.
package report

import (
	"esep/internal/stats"
	"esep/internal/survey"
)

// Kind is a quarterly or an annual report (clause 12).
type Kind string

const (
	Quarterly Kind = "quarter"
	Annual    Kind = "year"
)

// Report is everything the Annex 3 report says, as data. Text comes from
// message keys rendered in the reader's language; only the analyst's edits
// of the conclusions are free text.
type Report struct {
	ID      int64  `json:"id,omitempty"`
	Version int    `json:"version"`
	Kind    Kind   `json:"kind"`
	Period  string `json:"period"` // "2026Q3" or "2026"
	// From and To bound the end dates counted, inclusive. The annual report
	// is the state as of 1 December: From is 1 January, To 30 November.
	From string `json:"from"`
	To   string `json:"to"`
	// Due is the day by which the agency sends the report (clause 12).
	Due         string `json:"due"`
	Status      Status `json:"status"`
	GeneratedAt string `json:"generated_at"` // RFC 3339, UTC
	SentAt      string `json:"sent_at,omitempty"`

	Introduction Introduction    `json:"introduction"`
	Tables       *stats.Tables   `json:"tables"`
	National     *stats.National `json:"national"`
	// Previous holds the totals of the period before, for the comparisons
	// in the conclusions; nil when there is no data for it.
	Previous    *Totals      `json:"previous,omitempty"`
	Plans       []PlanRow    `json:"plans"`
	Quality     Quality      `json:"quality"`
	Conclusions []Conclusion `json:"conclusions"`
	Annexes     Annexes      `json:"annexes"`
}

// Status is where a report is in its life.
type Status string

const (
	Draft Status = "draft" // generated; the conclusions can be edited
	Sent  Status = "sent"  // frozen: it renders from its snapshot only
)

// Introduction is section 1: the instrument, the period, what was received
// and when.
type Introduction struct {
	Deliveries      []Delivery `json:"deliveries"`
	RecordsReceived int        `json:"records_received"` // records of the period in the store
	RecordsCounted  int        `json:"records_counted"`
	RecordsExcluded int        `json:"records_excluded"`
}

// Delivery is one monthly register of the period (clause 7).
type Delivery struct {
	Month      string `json:"month"`       // YYYY-MM
	DueDate    string `json:"due_date"`    // YYYY-MM-DD: the 1st of the next month
	ReceivedAt string `json:"received_at"` // RFC 3339; "" when none arrived
	Late       bool   `json:"late"`
	Records    int    `json:"records"`
}

// Totals are the headline figures of a period.
type Totals struct {
	Period   string `json:"period"`
	Services int    `json:"services"`
	Online   int    `json:"online"`
	Clients  int    `json:"clients"`
	Excluded int    `json:"excluded"`
}

// PlanRow compares a target with what was done (services counted).
type PlanRow struct {
	Region      string  `json:"region"`
	ServiceCode string  `json:"service_code"` // "" for all services
	Plan        int     `json:"plan"`
	Actual      int     `json:"actual"`
	Percent     float64 `json:"percent"` // Actual / Plan × 100, one decimal
}

// Quality is section 3, the quality audit (clause 5.2, clauses 15-16):
// the Register of questionnaires (Annex 2) and the telephone survey
// (Annex 4) of the period, as figures with their 95% intervals. Every
// figure is computed from stored answers (ComputeQuality); a source with no
// data is nil and said so in Notes, never shown as zeros. A figure from
// fewer than SmallCell answers carries Small: renderers mark it rather than
// hide it.
//
// Snapshots of reports sent before the section had figures hold only
// has_data (false) and note_key; they load with the other fields empty and
// render as they did.
type Quality struct {
	HasData bool `json:"has_data"`
	// NoteKey is the message key of the section's one-line summary: that
	// there are no data, or where the figures are.
	NoteKey string `json:"note_key"`
	// Notes are message keys of what the section lacks: no questionnaires,
	// no completed telephone interview.
	Notes []string `json:"notes,omitempty"`
	// Confidence is the level of every interval (0.95) and SmallCell the
	// number of answers below which a figure is flagged (survey.SmallCellSize).
	Confidence     float64               `json:"confidence,omitempty"`
	SmallCell      int                   `json:"small_cell,omitempty"`
	Questionnaires *QuestionnaireFigures `json:"questionnaires,omitempty"`
	Phone          *PhoneFigures         `json:"phone,omitempty"`
}

// QuestionnaireFigures sum up the Annex 2 questionnaires about services of
// the period. The questionnaires are answered by the clients who choose
// to: their intervals measure the chance in who answered, not the bias of
// who did not.
type QuestionnaireFigures struct {
	Count   int       `json:"count"`
	Ratings RatingSet `json:"ratings"` // the four aspects, in the annex's order
	// What the clients would like, as shares of all questionnaires: state
	// financial support (Any: at least one instrument), non-financial
	// support, and the purposes of their request.
	Financial    OptionFigures `json:"financial"`
	NonFinancial OptionFigures `json:"non_financial"`
	Purposes     OptionFigures `json:"purposes"`
}

// RatingSet is one or more 1-5 rating questions answered by the same
// people, overall and broken down by the region, the service and the
// manager of the service rated.
type RatingSet struct {
	// Questions are the codes of the questions, in the order of every
	// Ratings list below: survey.RatingAspect codes, or "phone_rating".
	Questions []string       `json:"questions"`
	Overall   []RatingFigure `json:"overall"`
	// Satisfied is, for each question, the share of ratings of 4 or 5
	// (the "top two boxes", the usual reading of satisfaction on a
	// five-point scale).
	Satisfied []Share       `json:"satisfied"`
	ByRegion  []GroupRating `json:"by_region"`  // by KATO code
	ByService []GroupRating `json:"by_service"` // by service code
	ByManager []GroupRating `json:"by_manager"` // by the manager's name
}

// GroupRating is the ratings of one group: Key is a region's KATO code, a
// service code or a manager's name ("" when the register does not say), N
// the answers of the group.
type GroupRating struct {
	Key     string         `json:"key"`
	N       int            `json:"n"`
	Small   bool           `json:"small,omitempty"`
	Ratings []RatingFigure `json:"ratings"`
}

// RatingFigure sums up the answers to one rating question
// (survey.Summarize): the number of each rating, the mean and its Student's
// t interval, cut to the 1-5 scale.
type RatingFigure struct {
	N     int     `json:"n"`
	Mean  float64 `json:"mean"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Dist  [5]int  `json:"dist"` // Dist[k] counts the ratings k+1
	Small bool    `json:"small,omitempty"`
}

// Share is Hits out of N answers, as a share Value (0-1) with its Wilson
// interval (survey.ProportionCI).
type Share struct {
	Hits  int     `json:"hits"`
	N     int     `json:"n"`
	Value float64 `json:"share"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Small bool    `json:"small,omitempty"`
}

// OptionShare is the share of answers naming one option of a list (an
// option code of survey.OptionGroups).
type OptionShare struct {
	Code string `json:"code"`
	Share
}

// OptionFigures are the answers to a "mark as necessary" list: Any is the
// share naming at least one option, Options the share naming each, in the
// annex's order (several may be named, so they add up to more than Any).
type OptionFigures struct {
	Any     Share         `json:"any"`
	Options []OptionShare `json:"options"`
}

// PhoneFigures sum up the telephone survey of Annex 4 about services of the
// period. Shares and ratings are of the main sample: the calls of the risk
// oversample are not a random sample and are counted apart.
type PhoneFigures struct {
	Calls      int `json:"calls"`      // calls about services of the period, oversample included
	Interviews int `json:"interviews"` // of the main sample, complete or partial
	// Response are the AAPOR dispositions and rates of the main sample of
	// each campaign, and Total of them all.
	Response []ResponseRow `json:"response"`
	Total    ResponseRow   `json:"total"`
	Rating   RatingSet     `json:"rating"` // question 2
	// Useful is the share of each answer to question 3, in its order.
	Useful []OptionShare `json:"useful"`
	// Interested is the share answering yes to question 4, and Instruments
	// the instruments named, as shares of those interested.
	Interested  Share         `json:"interested"`
	Instruments OptionFigures `json:"instruments"`
	// Unconfirmed is the share of services the clients did not confirm
	// (question 1 answered no); nil when no one answered question 1.
	Unconfirmed *Unconfirmed `json:"unconfirmed,omitempty"`
	// Oversample counts the risk oversample's answers to question 1:
	// Hits did not confirm their service, of N who answered.
	Oversample Share `json:"oversample"`
	// NotConfirmed is every client who did not confirm a service of the
	// period, main sample and oversample together: a count of cases for
	// the operator to look into, not an estimate.
	NotConfirmed int `json:"not_confirmed"`
}

// ResponseRow is the calling of one campaign (or of all: CampaignID 0)
// in AAPOR's terms (survey.Dispositions). Calls not finished count as
// not attempted (UH) when never dialled and as non-contacts (NC) after an
// attempt; Pending says how many. A rate is nil when its denominator is 0.
type ResponseRow struct {
	CampaignID   int64               `json:"campaign_id,omitempty"`
	Campaign     string              `json:"campaign,omitempty"`
	From         string              `json:"from,omitempty"`
	To           string              `json:"to,omitempty"`
	Dispositions survey.Dispositions `json:"dispositions"`
	Cases        int                 `json:"cases"`
	Pending      int                 `json:"pending"`
	RR1          *float64            `json:"rr1"`
	RR2          *float64            `json:"rr2"`
	COOP1        *float64            `json:"coop1"`
	REF1         *float64            `json:"ref1"`
	CON1         *float64            `json:"con1"`
}

// Unconfirmed is the estimated share of the register's services that their
// clients did not confirm, weighted by the campaigns' strata
// (survey.WeightedShare), and the number of the period's counted services
// it implies.
type Unconfirmed struct {
	Respondents  int     `json:"respondents"`   // main sample, question 1 answered
	NotConfirmed int     `json:"not_confirmed"` // of them, answered no
	Share        float64 `json:"share"`
	Lo           float64 `json:"lo"`
	Hi           float64 `json:"hi"`
	EffectiveN   float64 `json:"effective_n"` // Kish's, which the interval uses
	Small        bool    `json:"small,omitempty"`
	// Surveyed is the services of the strata with respondents, and
	// Uncovered those of strata without any, which the share does not
	// speak for.
	Surveyed  int `json:"surveyed"`
	Uncovered int `json:"uncovered"`
	// Register is the services counted in the report; Count (CountLo to
	// CountHi) is how many of them the share implies were not confirmed.
	Register int `json:"register"`
	Count    int `json:"count"`
	CountLo  int `json:"count_lo"`
	CountHi  int `json:"count_hi"`
}

// Conclusion is one observation of section 4: generated from the numbers
// as a message key with parameters, and editable by the analyst, whose text
// (per language) then replaces the generated one.
type Conclusion struct {
	Key    string            `json:"key"`
	Params map[string]string `json:"params,omitempty"`
	Edited map[string]string `json:"edited,omitempty"` // language → text
}

// Annexes list the exclusions by reason, the late registers, and the
// notification letters with their outcomes.
type Annexes struct {
	Exclusions    []stats.ReasonRow `json:"exclusions"`
	LateRegisters []stats.LateRow   `json:"late_registers"`
	Letters       []LetterOutcome   `json:"letters"`
}

// LetterOutcome is what came of one notification letter.
type LetterOutcome struct {
	Number        string `json:"number"`
	Date          string `json:"date"`  // drafted, YYYY-MM-DD
	Month         string `json:"month"` // the register it is about
	SentAt        string `json:"sent_at,omitempty"`
	CorrectionDue string `json:"correction_due,omitempty"`
	Problems      int    `json:"problems"`       // records with blocking findings listed
	Corrected     int    `json:"corrected"`      // of them, fixed in time
	CorrectedLate int    `json:"corrected_late"` // fixed after the deadline
	Outstanding   int    `json:"outstanding"`    // still not fixed
}
