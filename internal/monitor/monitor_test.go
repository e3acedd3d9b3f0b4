package monitor

import (
	"testing"

	"esep/internal/kz"
	"esep/internal/register"
)

// TestDeadlines checks the letter deadlines of clauses 8-9 on the working-day
// calendar: 1 working day to send a letter after a register arrives, 3 to
// correct after the letter is received. Calendars: enbek.gov.kz and the
// government decrees cited in reference-kz.md §2.
func TestDeadlines(t *testing.T) {
	c := &Cycle{Calendar: kz.DefaultCalendar()}
	tests := []struct {
		name string
		from string
		days int
		want string
	}{
		// Across a weekend: a register arriving on Friday 2 October 2026
		// gets its letter by Monday 5 October.
		{"letter across a weekend", "2026-10-02", 1, "2026-10-05"},
		// Corrections from Thursday 1 October 2026: Fri, Mon, Tue.
		{"corrections across a weekend", "2026-10-01", 3, "2026-10-06"},
		// A holiday moved off a weekend: 8 March 2026 is a Sunday, so Monday
		// 9 March is off (alau.kz 2026 calendar). From Friday 6 March the
		// next working day is Tuesday 10 March.
		{"letter across a holiday moved off a weekend", "2026-03-06", 1, "2026-03-10"},
		// Nauryz 2026 (21-23 March; 21 and 22 fall on a weekend, so 24 and 25
		// are off): corrections from Friday 20 March run 26, 27, 30 March.
		{"corrections across Nauryz moved off a weekend", "2026-03-20", 3, "2026-03-30"},
		// A government transfer: in 2023 Saturday 1 July was worked and
		// Friday 7 July was off (python-holidays; aqparat.info). From
		// Thursday 6 July the next working day is Monday 10 July.
		{"letter across a transferred day off", "2023-07-06", 1, "2023-07-10"},
		{"corrections across a transferred day off", "2023-07-06", 3, "2023-07-12"},
		// The other side of a transfer: in 2022 Saturday 5 March was a
		// working day (Decree 713, pm.kz), so a letter received on Friday
		// 4 March was due the next day, Saturday.
		{"a Saturday made a working day", "2022-03-04", 1, "2022-03-05"},
	}
	for _, tt := range tests {
		if got := c.addWorkingDays(tt.from, tt.days); got != tt.want {
			t.Errorf("%s: %s + %d working days = %s, want %s", tt.name, tt.from, tt.days, got, tt.want)
		}
	}
}

func TestDueDateAndLateness(t *testing.T) {
	due, err := DueDate("2026-09")
	if err != nil || due != "2026-10-01" {
		t.Fatalf("DueDate(2026-09) = %s, %v", due, err)
	}
	if d, _ := DueDate("2026-12"); d != "2027-01-01" {
		t.Errorf("DueDate(2026-12) = %s", d)
	}
	tests := []struct {
		received string
		late     bool
	}{
		{"2026-10-01T23:30:00+05:00", false}, // on the due day
		{"2026-10-01T19:30:00Z", true},       // 00:30 on 2 October in Kazakhstan
		{"2026-09-30T10:00:00+05:00", false},
		{"2026-10-02T09:00:00+05:00", true},
	}
	for _, tt := range tests {
		if got := Late("2026-09", tt.received); got != tt.late {
			t.Errorf("Late(2026-09, %s) = %v, want %v", tt.received, got, tt.late)
		}
	}
	if _, err := DueDate("2026-13"); err == nil {
		t.Error("month 13 accepted")
	}
}

func TestExclusion(t *testing.T) {
	rec := register.Record{RecordID: "A", StartDate: "2026-09-10", EndDate: "2026-09-11", DeliveryMode: "online",
		ActNumber: "1", ActSignedAt: "2026-09-11T12:00:00+05:00", ActConfirmation: "eds"}
	act := &register.Act{Number: "1", SignedAt: "2026-09-11T15:00:00+05:00", Method: "eds"}
	onTime := "2026-10-01T10:00:00+05:00"
	tests := []struct {
		name string
		f    register.Facts
		want string
	}{
		{"counts", register.Facts{ArrivedAt: onTime, InCycle: true}, ""},
		{"history is never late", register.Facts{ArrivedAt: "2026-11-20T10:00:00+05:00"}, ""},
		{"late register", register.Facts{ArrivedAt: "2026-10-02T10:00:00+05:00", InCycle: true}, register.ExcludedLate},
		{"blocking", register.Facts{ArrivedAt: onTime, InCycle: true, Blocking: true}, register.ExcludedValidation},
		{"fixed in time", register.Facts{ArrivedAt: onTime, FixedAt: "2026-10-06T18:00:00+05:00", CorrectionDue: "2026-10-06"}, ""},
		{"fixed late", register.Facts{ArrivedAt: onTime, FixedAt: "2026-10-07T09:00:00+05:00", CorrectionDue: "2026-10-06"}, ExcludedCorrectedLate},
		{"fixed without a letter", register.Facts{ArrivedAt: onTime, FixedAt: "2026-12-01T09:00:00+05:00"}, ""},
		{"act registry: found", register.Facts{ActsCovered: true, Act: act, ActListsRecord: true}, ""},
		{"act registry: missing", register.Facts{ActsCovered: true}, ExcludedActNotFound},
		{"act registry: does not list the record", register.Facts{ActsCovered: true, Act: act}, ExcludedActMismatch},
		{"act registry: other date", register.Facts{Act: &register.Act{Number: "1", SignedAt: "2026-09-12T10:00:00+05:00", Method: "eds"}, ActListsRecord: true}, ExcludedActMismatch},
		{"act registry: online on paper", register.Facts{Act: &register.Act{Number: "1", SignedAt: act.SignedAt, Method: "paper"}, ActListsRecord: true}, register.ExcludedOnlinePaper},
		// The act rules come first: a late register's record without an act
		// is excluded for the act.
		{"act before lateness", register.Facts{ArrivedAt: "2026-10-02T10:00:00+05:00", InCycle: true}, register.ExcludedNoAct},
	}
	for _, tt := range tests {
		r := rec
		if tt.name == "act before lateness" {
			r.ActNumber = ""
		}
		if got := Exclusion(&r, &tt.f); got != tt.want {
			t.Errorf("%s: Exclusion = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseLetterNumber(t *testing.T) {
	if y, s, err := ParseLetterNumber(" 7/2026 "); err != nil || y != 2026 || s != 7 {
		t.Errorf("ParseLetterNumber = %d %d %v", y, s, err)
	}
	for _, bad := range []string{"7", "x/2026", "0/2026", "7-2026"} {
		if _, _, err := ParseLetterNumber(bad); err == nil {
			t.Errorf("ParseLetterNumber(%q) accepted", bad)
		}
	}
}
