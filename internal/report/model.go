// Package report builds the Report on monitoring of service support of
// Annex 3 of the methodology (clauses 12-14): the introduction, the
// statistical tables of clause 5.1, the quality audit, the conclusions and
// the annexes. A Report is plain data; the packages pdf and xlsx render it,
// and its JSON is the machine form. A report that has been sent is frozen:
// its stored snapshot renders to the same bytes whatever changes later.
package report

import (
	"esep/internal/stats"
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

// Quality is section 3, the quality audit (clause 5.2). Until the
// questionnaire and telephone-survey work exists it carries no numbers and
// says so: a report never shows invented figures.
type Quality struct {
	HasData bool   `json:"has_data"`
	NoteKey string `json:"note_key"` // message key of the section's text
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
