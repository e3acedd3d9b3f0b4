package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"esep/internal/register"
)

// Delivery is one arrival of a monthly register.
type Delivery struct {
	ImportID   int64  `json:"import_id"`
	Month      string `json:"month"`
	DueDate    string `json:"due_date"`
	ReceivedAt string `json:"received_at"`
	FileName   string `json:"file"`
	Rows       int    `json:"rows"`
}

// Deliveries lists the monthly registers that arrived for months in
// [fromMonth, toMonth] (YYYY-MM), by month and arrival.
func (db *DB) Deliveries(ctx context.Context, fromMonth, toMonth string) ([]Delivery, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, register_month, due_date, received_at, file_name, rows_read FROM imports
		WHERE register_month <> '' AND register_month >= ? AND register_month <= ? ORDER BY register_month, received_at, id`), fromMonth, toMonth)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", db.err(err))
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ImportID, &d.Month, &d.DueDate, &d.ReceivedAt, &d.FileName, &d.Rows); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, db.err(rows.Err())
}

// StoredLetter is a notification letter as the store keeps it.
type StoredLetter struct {
	ID                 int64
	Year, Seq          int
	ImportID           int64
	Month              string
	DraftedAt          string
	RegisterReceivedAt string
	DueSend            string
	SentAt             string
	DeliveredAt        string
	CorrectionDue      string
}

// Number is the letter's number as printed: sequence/year.
func (l *StoredLetter) Number() string { return strconv.Itoa(l.Seq) + "/" + strconv.Itoa(l.Year) }

// DraftLetter drafts a notification letter listing every problem this
// import found, in the import's transaction. A correction arriving is not a
// problem (rule record_changed), so it is left out. It returns nil when
// there is nothing to write about.
func (t *ImportTx) DraftLetter(ctx context.Context, month, dueSend string) (*StoredLetter, error) {
	var n int
	if err := t.tx.QueryRowContext(ctx, t.db.q(`SELECT COUNT(*) FROM import_findings WHERE import_id = ? AND rule <> 'record_changed'`), t.id).Scan(&n); err != nil {
		return nil, fmt.Errorf("draft letter: %w", t.db.err(err))
	}
	if n == 0 {
		return nil, nil
	}
	l := &StoredLetter{ImportID: t.id, Month: month, DraftedAt: t.now, RegisterReceivedAt: t.received, DueSend: dueSend}
	at, _ := time.Parse(time.RFC3339Nano, t.now)
	l.Year = at.Year()
	if err := t.tx.QueryRowContext(ctx, t.db.q(`SELECT COALESCE(MAX(seq), 0) + 1 FROM letters WHERE year = ?`), l.Year).Scan(&l.Seq); err != nil {
		return nil, fmt.Errorf("draft letter: %w", t.db.err(err))
	}
	err := t.tx.QueryRowContext(ctx, t.db.q(`INSERT INTO letters (year, seq, import_id, register_month, drafted_at, register_received_at, due_send)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), l.Year, l.Seq, t.id, month, t.now, t.received, dueSend).Scan(&l.ID)
	if err != nil {
		return nil, fmt.Errorf("draft letter: %w", t.db.err(err))
	}
	if _, err := t.tx.ExecContext(ctx, t.db.q(`INSERT INTO letter_items (letter_id, row_num, record_id, rule, severity, column_name, value, detail)
		SELECT ?, row_num, record_id, rule, severity, column_name, value, detail FROM import_findings WHERE import_id = ? AND rule <> 'record_changed'`), l.ID, t.id); err != nil {
		return nil, fmt.Errorf("draft letter: %w", t.db.err(err))
	}
	return l, nil
}

const letterColumns = `id, year, seq, import_id, register_month, drafted_at, register_received_at, due_send, sent_at, delivered_at, correction_due`

func scanLetter(s interface{ Scan(...any) error }) (*StoredLetter, error) {
	l := &StoredLetter{}
	err := s.Scan(&l.ID, &l.Year, &l.Seq, &l.ImportID, &l.Month, &l.DraftedAt, &l.RegisterReceivedAt, &l.DueSend, &l.SentAt, &l.DeliveredAt, &l.CorrectionDue)
	return l, err
}

// Letters lists the letters about registers of months in [fromMonth,
// toMonth], in order of their numbers.
func (db *DB) Letters(ctx context.Context, fromMonth, toMonth string) ([]*StoredLetter, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+letterColumns+` FROM letters WHERE register_month >= ? AND register_month <= ? ORDER BY year, seq`), fromMonth, toMonth)
	if err != nil {
		return nil, fmt.Errorf("letters: %w", db.err(err))
	}
	defer rows.Close()
	var out []*StoredLetter
	for rows.Next() {
		l, err := scanLetter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, db.err(rows.Err())
}

// Letter returns the letter with the number seq/year, or ErrNotFound.
func (db *DB) Letter(ctx context.Context, year, seq int) (*StoredLetter, error) {
	l, err := scanLetter(db.r.QueryRowContext(ctx, db.q(`SELECT `+letterColumns+` FROM letters WHERE year = ? AND seq = ?`), year, seq))
	if err != nil {
		return nil, fmt.Errorf("letter %d/%d: %w", seq, year, db.err(err))
	}
	return l, nil
}

// LetterItem is one finding listed in a letter.
type LetterItem struct {
	Row      int
	RecordID string
	register.Finding
}

// LetterItems lists a letter's findings: blocking first, then by row.
func (db *DB) LetterItems(ctx context.Context, letterID int64) ([]LetterItem, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT row_num, record_id, rule, severity, column_name, value, detail FROM letter_items
		WHERE letter_id = ? ORDER BY CASE severity WHEN 'blocking' THEN 0 ELSE 1 END, row_num, rule, column_name`), letterID)
	if err != nil {
		return nil, fmt.Errorf("letter items: %w", db.err(err))
	}
	defer rows.Close()
	var out []LetterItem
	for rows.Next() {
		var it LetterItem
		var sev string
		if err := rows.Scan(&it.Row, &it.RecordID, &it.Rule, &sev, &it.Column, &it.Value, &it.Detail); err != nil {
			return nil, err
		}
		it.Severity = register.Severity(sev)
		out = append(out, it)
	}
	return out, db.err(rows.Err())
}

// LetterOutcome counts what became of the records a letter listed with
// blocking findings: fixed by the deadline, fixed after it, or not yet.
type LetterOutcome struct {
	Problems, Corrected, CorrectedLate, Outstanding int
}

// LetterOutcomes counts the outcome of a letter. fixedInTime decides, for a
// record's fix time, whether it met the letter's deadline.
func (db *DB) LetterOutcomes(ctx context.Context, l *StoredLetter, fixedInTime func(fixedAt string) bool) (LetterOutcome, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT DISTINCT li.record_id, COALESCE(r.blocking, 1), COALESCE(r.fixed_at, '') FROM letter_items li
		LEFT JOIN records r ON r.record_id = li.record_id WHERE li.letter_id = ? AND li.severity = 'blocking'`), l.ID)
	if err != nil {
		return LetterOutcome{}, fmt.Errorf("letter outcome: %w", db.err(err))
	}
	defer rows.Close()
	var o LetterOutcome
	for rows.Next() {
		var id, fixed string
		var blocking int
		if err := rows.Scan(&id, &blocking, &fixed); err != nil {
			return o, err
		}
		o.Problems++
		switch {
		case blocking != 0 || fixed == "":
			o.Outstanding++
		case fixedInTime(fixed):
			o.Corrected++
		default:
			o.CorrectedLate++
		}
	}
	return o, db.err(rows.Err())
}

// SendLetter records that a letter was sent and when the operator received
// it, with the correction deadline that follows, and audits it.
func (db *DB) SendLetter(ctx context.Context, id int64, sentAt, deliveredAt, correctionDue, actor string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE letters SET sent_at = ?, delivered_at = ?, correction_due = ? WHERE id = ?`), sentAt, deliveredAt, correctionDue, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := db.audit(ctx, tx, actor, "letter.send", "letter:"+strconv.FormatInt(id, 10), "sent "+sentAt+", delivered "+deliveredAt+", corrections due "+correctionDue); err != nil {
			return err
		}
		_, err = db.logChanges(ctx, tx, &changeSet{letterID: id})
		return err
	})
	if err == nil {
		db.changes.Add(1)
	}
	return err
}

// ImportActs stores an act registry: each act with the records it covers,
// and the months it covers, in one transaction; an act delivered again is
// replaced.
func (db *DB) ImportActs(ctx context.Context, meta ImportMeta, acts []register.Act, months []string) (int64, error) {
	tx, err := db.BeginImport(ctx, meta)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var actRows, links [][]any
	for _, a := range acts {
		if err := tx.exec(ctx, `DELETE FROM act_records WHERE act_number = ?`, a.Number); err != nil {
			return 0, err
		}
		if err := tx.exec(ctx, `DELETE FROM acts WHERE act_number = ?`, a.Number); err != nil {
			return 0, err
		}
		actRows = append(actRows, []any{a.Number, a.SignedAt, a.Method, a.Signer, tx.id})
		for _, r := range a.Records {
			links = append(links, []any{a.Number, r})
		}
	}
	monthRows := make([][]any, 0, len(months))
	for _, m := range months {
		monthRows = append(monthRows, []any{m})
	}
	if err := tx.insertMany(ctx, "acts", "act_number, signed_at, method, signer, import_id", "", actRows); err != nil {
		return 0, err
	}
	if err := tx.insertMany(ctx, "act_records", "act_number, record_id", " ON CONFLICT (act_number, record_id) DO NOTHING", links); err != nil {
		return 0, err
	}
	if err := tx.insertMany(ctx, "act_months", "month", " ON CONFLICT (month) DO NOTHING", monthRows); err != nil {
		return 0, err
	}
	tx.changed.months, tx.changed.actsImportID = months, tx.id
	return tx.id, tx.Commit(ctx, ImportSummary{RowsRead: len(acts), Accepted: len(acts)})
}

// Plan is a target number of services for a region (and a service, or all
// services when ServiceCode is "") in a period: "2026", "2026Q3" or
// "2026-09".
type Plan struct {
	Period      string `json:"period"`
	Region      string `json:"region_kato"`
	ServiceCode string `json:"service_code"`
	Target      int    `json:"target"`
}

// PutPlans stores plans, replacing those with the same period, region and
// service, in one transaction, and audits the load.
func (db *DB) PutPlans(ctx context.Context, plans []Plan, by, source string) error {
	now := time.Now().UTC().Format(time.RFC3339)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range plans {
			if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM plans WHERE period = ? AND region_kato = ? AND service_code = ?`), p.Period, p.Region, p.ServiceCode); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO plans (period, region_kato, service_code, target, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?)`),
				p.Period, p.Region, p.ServiceCode, p.Target, now, by); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, by, "plan.import", source, strconv.Itoa(len(plans))+" plans")
	})
}

// Plans lists the plans of the given periods.
func (db *DB) Plans(ctx context.Context, periods []string) ([]Plan, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT period, region_kato, service_code, target FROM plans WHERE period IN (`+marks(len(periods))+`) ORDER BY region_kato, service_code, period`), anys(periods)...)
	if err != nil {
		return nil, fmt.Errorf("plans: %w", db.err(err))
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		var p Plan
		if err := rows.Scan(&p.Period, &p.Region, &p.ServiceCode, &p.Target); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, db.err(rows.Err())
}

// StoredReport is a generated report: its model as JSON, frozen once sent.
type StoredReport struct {
	ID          int64
	Kind        string
	Period      string
	Version     int
	Status      string
	GeneratedAt string
	SentAt      string
	Snapshot    []byte
}

// SaveReport stores a new version of a report and returns its id and
// version. A sent report is never changed: a new version is a new report.
func (db *DB) SaveReport(ctx context.Context, r *StoredReport, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COALESCE(MAX(version), 0) + 1 FROM reports WHERE kind = ? AND period = ?`), r.Kind, r.Period).Scan(&r.Version); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO reports (kind, period, version, status, generated_at, sent_at, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			r.Kind, r.Period, r.Version, r.Status, r.GeneratedAt, r.SentAt, string(r.Snapshot)).Scan(&r.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "report.generate", fmt.Sprintf("report:%d", r.ID), r.Kind+" "+r.Period+" v"+strconv.Itoa(r.Version))
	})
}

// UpdateDraft replaces the snapshot of a draft report (edited conclusions).
// A sent report cannot be changed: it returns ErrConflict.
func (db *DB) UpdateDraft(ctx context.Context, id int64, snapshot []byte, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE reports SET snapshot = ? WHERE id = ? AND status = 'draft'`), string(snapshot), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		return db.audit(ctx, tx, actor, "report.edit", fmt.Sprintf("report:%d", id), "")
	})
}

// MarkReportSent freezes a report with its final snapshot. It returns
// ErrConflict when the report was already sent.
func (db *DB) MarkReportSent(ctx context.Context, id int64, sentAt string, snapshot []byte, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE reports SET status = 'sent', sent_at = ?, snapshot = ? WHERE id = ? AND status = 'draft'`), sentAt, string(snapshot), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		return db.audit(ctx, tx, actor, "report.send", fmt.Sprintf("report:%d", id), sentAt)
	})
}

// Report returns a stored report: the given version, or the latest when
// version is 0. It returns ErrNotFound when there is none.
func (db *DB) Report(ctx context.Context, kind, period string, version int) (*StoredReport, error) {
	q := `SELECT id, kind, period, version, status, generated_at, sent_at, snapshot FROM reports WHERE kind = ? AND period = ?`
	args := []any{kind, period}
	if version > 0 {
		q += ` AND version = ?`
		args = append(args, version)
	}
	q += ` ORDER BY version DESC LIMIT 1`
	r := &StoredReport{}
	var snap string
	err := db.r.QueryRowContext(ctx, db.q(q), args...).Scan(&r.ID, &r.Kind, &r.Period, &r.Version, &r.Status, &r.GeneratedAt, &r.SentAt, &snap)
	if err != nil {
		return nil, fmt.Errorf("report %s %s: %w", kind, period, db.err(err))
	}
	r.Snapshot = []byte(snap)
	return r, nil
}

// AuditEvent is one line of the audit log.
type AuditEvent struct {
	At, Actor, Action, Object, Detail string
}

// Audit records an event on its own, for actions with no other write.
func (db *DB) Audit(ctx context.Context, actor, action, object, detail string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.audit(ctx, tx, actor, action, object, detail) })
}

// AuditEvents lists the audit log, newest first.
func (db *DB) AuditEvents(ctx context.Context, limit int) ([]AuditEvent, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT at, actor, action, object, detail FROM audit_events ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", db.err(err))
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, db.err(rows.Err())
}

// audit writes an audit event inside the transaction of the change, so the
// change and its record stand or fall together.
func (db *DB) audit(ctx context.Context, tx *sql.Tx, actor, action, object, detail string) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO audit_events (at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?)`),
		time.Now().UTC().Format(time.RFC3339Nano), actor, action, object, detail)
	return err
}

// AuditImport records an event in an import's transaction.
func (t *ImportTx) AuditImport(ctx context.Context, actor, action, detail string) error {
	return t.db.audit(ctx, t.tx, actor, action, fmt.Sprintf("import:%d", t.id), detail)
}

// Setting returns a setting's value, or def when it is not set.
func (db *DB) Setting(ctx context.Context, name, def string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT value FROM settings WHERE name = ?`), name).Scan(&v)
	if err == sql.ErrNoRows {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", name, db.err(err))
	}
	return v, nil
}

// SetSetting stores a setting and audits the change.
func (db *DB) SetSetting(ctx context.Context, name, value, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`), name, value); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "setting.set", "setting:"+name, value)
	})
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.err(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return db.err(err)
	}
	return db.err(tx.Commit())
}

// ListReports lists the saved reports without their snapshots, newest
// period and version first; period "" lists all.
func (db *DB) ListReports(ctx context.Context, period string) ([]StoredReport, error) {
	q := `SELECT id, kind, period, version, status, generated_at, sent_at FROM reports`
	var args []any
	if period != "" {
		q += ` WHERE period = ?`
		args = append(args, period)
	}
	q += ` ORDER BY period DESC, version DESC`
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", db.err(err))
	}
	defer rows.Close()
	var out []StoredReport
	for rows.Next() {
		var r StoredReport
		if err := rows.Scan(&r.ID, &r.Kind, &r.Period, &r.Version, &r.Status, &r.GeneratedAt, &r.SentAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, db.err(rows.Err())
}
