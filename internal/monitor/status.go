package monitor

import (
	"context"
	"time"

	"esep/internal/store"
)

// MonthStatus is where one register month stands in the cycle.
type MonthStatus struct {
	Month      string         `json:"month"`
	DueDate    string         `json:"due_date"`
	ReceivedAt string         `json:"received_at,omitempty"` // the first delivery
	Late       bool           `json:"late"`                  // arrived after the due date
	Overdue    bool           `json:"overdue"`               // due, and nothing has arrived
	Deliveries int            `json:"deliveries"`
	Letters    []LetterStatus `json:"letters"`
}

// LetterStatus is where one letter stands: to send, sent and awaiting
// corrections, or done.
type LetterStatus struct {
	Number        string `json:"number"`
	DueSend       string `json:"due_send"`
	SentAt        string `json:"sent_at,omitempty"`
	SendOverdue   bool   `json:"send_overdue"` // not sent, and the day to send it has passed
	CorrectionDue string `json:"correction_due,omitempty"`
	Problems      int    `json:"problems"`
	Corrected     int    `json:"corrected"`
	CorrectedLate int    `json:"corrected_late"`
	Outstanding   int    `json:"outstanding"`
	// CorrectionOverdue says the deadline has passed with records still
	// not fixed.
	CorrectionOverdue bool `json:"correction_overdue"`
}

// Status reports the months [fromMonth, toMonth] as of today.
func (c *Cycle) Status(ctx context.Context, fromMonth, toMonth string, today time.Time) ([]MonthStatus, error) {
	start, err := ParseMonth(fromMonth)
	if err != nil {
		return nil, err
	}
	end, err := ParseMonth(toMonth)
	if err != nil {
		return nil, err
	}
	deliveries, err := c.DB.Deliveries(ctx, fromMonth, toMonth)
	if err != nil {
		return nil, err
	}
	letters, err := c.DB.Letters(ctx, fromMonth, toMonth)
	if err != nil {
		return nil, err
	}
	day := today.Format(time.DateOnly)
	var out []MonthStatus
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		ms := MonthStatus{Month: m.Format("2006-01"), Letters: []LetterStatus{}}
		ms.DueDate, _ = DueDate(ms.Month)
		for _, d := range deliveries {
			if d.Month != ms.Month {
				continue
			}
			if ms.Deliveries == 0 {
				ms.ReceivedAt = d.ReceivedAt
				ms.Late = Late(ms.Month, d.ReceivedAt)
			}
			ms.Deliveries++
		}
		ms.Overdue = ms.Deliveries == 0 && day > ms.DueDate
		for _, l := range letters {
			if l.Month != ms.Month {
				continue
			}
			ls, err := c.letterStatus(ctx, l, day)
			if err != nil {
				return nil, err
			}
			ms.Letters = append(ms.Letters, ls)
		}
		out = append(out, ms)
	}
	return out, nil
}

func (c *Cycle) letterStatus(ctx context.Context, l *store.StoredLetter, day string) (LetterStatus, error) {
	o, err := c.DB.LetterOutcomes(ctx, l, func(fixedAt string) bool {
		return l.CorrectionDue == "" || CivilDate(fixedAt) <= l.CorrectionDue
	})
	if err != nil {
		return LetterStatus{}, err
	}
	return LetterStatus{
		Number: l.Number(), DueSend: l.DueSend, SentAt: l.SentAt, CorrectionDue: l.CorrectionDue,
		SendOverdue: l.SentAt == "" && day > l.DueSend,
		Problems:    o.Problems, Corrected: o.Corrected, CorrectedLate: o.CorrectedLate, Outstanding: o.Outstanding,
		CorrectionOverdue: l.CorrectionDue != "" && day > l.CorrectionDue && o.Outstanding > 0,
	}, nil
}
