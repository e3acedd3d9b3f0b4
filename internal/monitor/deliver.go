package monitor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"esep/internal/ingest"
	"esep/internal/register"
	"esep/internal/store"
)

// Delivery says how a register file arrives in the cycle.
type Delivery struct {
	Month string // YYYY-MM
	// ReceivedAt is the true arrival of a register received earlier
	// (RFC 3339), recorded by an administrator; zero means now. Setting it
	// is audited, because it decides lateness.
	ReceivedAt string
	By         string
}

// ImportRegister loads the monthly register of d.Month from path: the
// records get the register's arrival time, and when the checks find
// problems a notification letter is drafted in the same transaction, due
// 1 working day after the arrival (clause 8).
func (c *Cycle) ImportRegister(ctx context.Context, path string, d Delivery, opts ingest.Options) (*ingest.Result, *store.StoredLetter, error) {
	return c.deliver(ctx, d, opts, func(meta store.ImportMeta, opts ingest.Options) (*ingest.Result, error) {
		meta.FileName = path
		return ingest.ImportFile(ctx, c.DB, path, meta, opts)
	})
}

// DeliverRecords is ImportRegister for records pushed through the API.
func (c *Cycle) DeliverRecords(ctx context.Context, recs []register.Record, d Delivery, opts ingest.Options) (*ingest.Result, *store.StoredLetter, error) {
	return c.deliver(ctx, d, opts, func(meta store.ImportMeta, opts ingest.Options) (*ingest.Result, error) {
		meta.FileName = "api"
		return ingest.ImportRecords(ctx, c.DB, recs, meta, opts)
	})
}

func (c *Cycle) deliver(ctx context.Context, d Delivery, opts ingest.Options, run func(store.ImportMeta, ingest.Options) (*ingest.Result, error)) (*ingest.Result, *store.StoredLetter, error) {
	due, err := DueDate(d.Month)
	if err != nil {
		return nil, nil, err
	}
	received := d.ReceivedAt
	if received != "" {
		t, err := time.Parse(time.RFC3339, received)
		if err != nil {
			return nil, nil, fmt.Errorf("received %q: want an RFC 3339 time such as 2026-10-01T10:00:00+05:00", received)
		}
		if t.After(time.Now()) {
			return nil, nil, fmt.Errorf("received %q is in the future", received)
		}
		received = t.UTC().Format(time.RFC3339Nano)
	} else {
		received = time.Now().UTC().Format(time.RFC3339Nano)
	}
	var letter *store.StoredLetter
	opts.BeforeCommit = func(ctx context.Context, tx *store.ImportTx, res *ingest.Result) error {
		if d.ReceivedAt != "" {
			if err := tx.AuditImport(ctx, d.By, "register.received_at", "month "+d.Month+" received "+received); err != nil {
				return err
			}
		}
		var err error
		letter, err = tx.DraftLetter(ctx, d.Month, c.addWorkingDays(CivilDate(received), 1))
		return err
	}
	meta := store.ImportMeta{By: d.By, Month: d.Month, ReceivedAt: received, DueDate: due}
	res, err := run(meta, opts)
	if err != nil {
		return nil, nil, err
	}
	return res, letter, nil
}

// addWorkingDays adds n working days to a YYYY-MM-DD date on the cycle's
// calendar.
func (c *Cycle) addWorkingDays(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return c.Calendar.AddWorkingDays(t, n).Format(time.DateOnly)
}

// ParseLetterNumber reads a letter number as printed, "7/2026".
func ParseLetterNumber(s string) (year, seq int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	seq, err1 := strconv.Atoi(a)
	year, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || seq < 1 {
		return 0, 0, fmt.Errorf("letter number %q: want N/YYYY, e.g. 7/2026", s)
	}
	return year, seq, nil
}

// SendLetter records that letter number was sent at sentAt and received by
// the operator at deliveredAt (both RFC 3339; deliveredAt defaults to
// sentAt, as for electronic delivery). The corrections are then due 3
// working days after the day of receipt (clause 9).
func (c *Cycle) SendLetter(ctx context.Context, number, sentAt, deliveredAt, by string) (*store.StoredLetter, error) {
	year, seq, err := ParseLetterNumber(number)
	if err != nil {
		return nil, err
	}
	l, err := c.DB.Letter(ctx, year, seq)
	if err != nil {
		return nil, err
	}
	if l.SentAt != "" {
		return nil, fmt.Errorf("letter %s was already sent on %s: %w", number, CivilDate(l.SentAt), store.ErrConflict)
	}
	if sentAt == "" {
		sentAt = time.Now().UTC().Format(time.RFC3339)
	}
	if deliveredAt == "" {
		deliveredAt = sentAt
	}
	for _, ts := range []string{sentAt, deliveredAt} {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			return nil, fmt.Errorf("time %q: want RFC 3339, e.g. 2026-10-02T09:00:00+05:00", ts)
		}
	}
	if CivilDate(deliveredAt) < CivilDate(sentAt) {
		return nil, errors.New("the letter cannot be received before it was sent")
	}
	due := c.addWorkingDays(CivilDate(deliveredAt), 3)
	if err := c.DB.SendLetter(ctx, l.ID, sentAt, deliveredAt, due, by); err != nil {
		return nil, err
	}
	l.SentAt, l.DeliveredAt, l.CorrectionDue = sentAt, deliveredAt, due
	return l, nil
}

// Letter assembles a letter for rendering.
func (c *Cycle) Letter(ctx context.Context, l *store.StoredLetter) (*Letter, error) {
	items, err := c.DB.LetterItems(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	sender, err := c.DB.Setting(ctx, "letter.sender", DefaultSender)
	if err != nil {
		return nil, err
	}
	addressee, err := c.DB.Setting(ctx, "letter.addressee", DefaultAddressee)
	if err != nil {
		return nil, err
	}
	out := &Letter{ID: l.ID, Number: l.Number(), Date: CivilDate(l.DraftedAt), Month: l.Month, Sender: sender, Addressee: addressee,
		RegisterReceivedAt: l.RegisterReceivedAt, DueSend: l.DueSend, SentAt: l.SentAt, DeliveredAt: l.DeliveredAt, CorrectionDue: l.CorrectionDue}
	for _, it := range items {
		out.Items = append(out.Items, LetterItem{Row: it.Row, RecordID: it.RecordID, Finding: it.Finding})
	}
	return out, nil
}

// The parties named on letters until an administrator sets them
// (settings letter.sender and letter.addressee).
const (
	DefaultSender    = `АО «Фонд развития предпринимательства «Даму»`
	DefaultAddressee = `НПП РК «Атамекен»`
)
