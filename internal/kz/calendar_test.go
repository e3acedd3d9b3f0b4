package kz

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// day parses a YYYY-MM-DD date for the tables below.
func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func dates(ds []time.Time) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Format(time.DateOnly)
	}
	return out
}

func daysOff(c *Calendar, year int) []string {
	var out []string
	for _, d := range c.DaysOff(year) {
		out = append(out, d.Date.Format(time.DateOnly))
	}
	return out
}

// TestDaysOff2022 compares the whole of 2022 with the published calendar.
// Sources: Government Decree No. 713 of 06.10.2021 (pm.kz) for the March
// and August transfers; its 2022 amendment (vestikavkaza.ru, quoting the
// Ministry of Labour's draft: "перенести выходной день: с субботы 22
// октября на понедельник 24 октября 2022 года") after Republic Day was
// restored; reference-kz.md §2.2 for the 2022 changes (First President Day
// abolished, Independence Day one day); mangystaumedia.kz for Kurban Ait on
// Saturday 09.07.2022 without a substitute; ada-adv.kz (Kazpravda) for
// 3–4 January replacing 1–2 January.
func TestDaysOff2022(t *testing.T) {
	c := DefaultCalendar()
	want := []string{
		"2022-01-03", "2022-01-04", // New Year on Saturday and Sunday
		"2022-01-07", // Orthodox Christmas, Friday
		"2022-03-07", // transfer from Saturday 05.03
		"2022-03-08",
		"2022-03-21", "2022-03-22", "2022-03-23", // Nauryz, Monday to Wednesday
		"2022-05-02",               // Unity Day on Sunday 01.05
		"2022-05-09", "2022-05-10", // Victory Day; Defender's Day was Saturday 07.05
		"2022-07-06", // Capital Day
		"2022-08-29", // transfer from Saturday 27.08
		"2022-08-30", // Constitution Day
		"2022-10-24", // transfer from Saturday 22.10
		"2022-10-25", // Republic Day, restored
		"2022-12-16", // Independence Day, one day since 2022
	}
	if got := daysOff(c, 2022); !slices.Equal(got, want) {
		t.Errorf("DaysOff(2022) =\n%v\nwant\n%v", got, want)
	}
	wantWork := []string{"2022-03-05", "2022-08-27", "2022-10-22"}
	if got := dates(c.WorkingWeekendDays(2022)); !slices.Equal(got, wantWork) {
		t.Errorf("WorkingWeekendDays(2022) = %v, want %v", got, wantWork)
	}
	// The original decree gave 245 working days (Kazpravda via
	// ada-adv.kz), with 01.12 and 19.12 off and no October transfer. The
	// 2022 changes took those two days off away and added 24–25.10 off
	// and Saturday 22.10 worked: 245 + 2 - 2 + 1 = 246.
	if n := c.WorkingDaysBetween(Date(2021, 12, 31), Date(2022, 12, 31)); n != 246 {
		t.Errorf("working days in 2022 = %d, want 246", n)
	}
}

// TestDaysOff2026 compares 2026 with the official egov.kz calendar as
// reported by alau.kz (02.01.2026, "Переносы выходных: праздничный
// календарь Казахстана на 2026 год") and tengrinews via alau.kz
// (11.12.2025), less 31.08: 30.08.2026 is a Sunday and Constitution Day is
// no longer a holiday from 2026 (reference-kz.md §2.2, python-holidays PR
// #3690; UNCONFIRMED by the law's text), so 31.08.2026 is an ordinary
// working day.
func TestDaysOff2026(t *testing.T) {
	c := DefaultCalendar()
	want := []string{
		"2026-01-01", "2026-01-02", // "с 1 по 4 января"
		"2026-01-07",                             // Christmas, Wednesday
		"2026-03-09",                             // for 8 March on Sunday
		"2026-03-23", "2026-03-24", "2026-03-25", // Nauryz: 21–22 on the weekend, so 24 and 25
		"2026-05-01", "2026-05-07",
		"2026-05-11", // for Victory Day on Saturday
		"2026-05-27", // Kurban Ait
		"2026-07-06",
		"2026-10-26", // for Republic Day on Sunday 25.10
		"2026-12-16",
	}
	if got := daysOff(c, 2026); !slices.Equal(got, want) {
		t.Errorf("DaysOff(2026) =\n%v\nwant\n%v", got, want)
	}
	if got := c.WorkingWeekendDays(2026); len(got) != 0 {
		t.Errorf("WorkingWeekendDays(2026) = %v, want none (no transfer decree found)", dates(got))
	}
	// tengrinews: "246 рабочих дней" and "15 дополнительных выходных"
	// (alau.kz), both counting 31.08; without it, 247 and 14.
	if n := c.WorkingDaysBetween(Date(2025, 12, 31), Date(2026, 12, 31)); n != 247 {
		t.Errorf("working days in 2026 = %d, want 247", n)
	}
}

// TestIsWorkingDay checks single days that the rules get wrong easily.
func TestIsWorkingDay(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		date    string
		working bool
		why     string // and the source
	}{
		// 2020: Victory Day fell on Saturday 09.05; its substitute, Monday
		// 11.05, was made a working day and the day off moved to Friday
		// 08.05 (reference-kz.md §2.3 note; decree quoted by
		// kyzylorda-news.kz).
		{"2020-05-11", true, "transfer overrides the Victory Day substitute"},
		{"2020-05-08", false, "day off moved from 11.05.2020"},
		{"2020-01-05", true, "Sunday made working (python-holidays, adilet P1900000820)"},
		{"2020-01-03", false, "day off moved from 05.01.2020"},
		{"2020-12-20", true, "Sunday made working"},
		// Kurban Ait on Sunday 11.08.2019 gave no substitute (enbek.gov.kz, 2019).
		{"2019-08-11", false, "Sunday"},
		{"2019-08-12", true, "no substitute for Kurban Ait"},
		// Christmas on Saturday 07.01.2012 was not moved (zakon.kz).
		{"2012-01-09", true, "no substitute for Orthodox Christmas"},
		{"2012-01-03", false, "substitute for New Year on Sunday 01.01.2012"},
		// 2026: no Constitution Day (reference-kz.md §2.2).
		{"2026-08-31", true, "Constitution Day is no longer a holiday"},
		{"2025-09-01", false, "substitute for Constitution Day on Saturday 30.08.2025"},
		{"2027-03-15", false, "Constitution Day from 2027 (UNCONFIRMED)"},
		// 2018: Independence Day on Sunday 16 and Monday 17 December; the
		// substitute goes to the next day not already off (python-holidays
		// tests, observed 2018-12-18).
		{"2018-12-17", false, "Independence Day"},
		{"2018-12-18", false, "substitute for 16.12.2018"},
		// 2022 changes (reference-kz.md §2.2).
		{"2021-12-01", false, "First President Day, last year"},
		{"2022-12-01", true, "First President Day abolished"},
		{"2021-12-17", false, "Independence Day, second day, last year"},
		{"2022-12-19", true, "Independence Day is one day since 2022"},
		{"2021-10-25", true, "Republic Day not yet restored"},
		// Multi-day holiday substitutes (Law 267 art. 5; alau.kz 2026).
		{"2020-03-24", false, "Nauryz 21–22.03.2020 on the weekend: 24 and 25 off"},
		{"2020-03-26", true, "the day after"},
		{"2022-01-05", true, "after 3–4 January 2022"},
		// Plain days.
		{"2026-06-01", true, "Monday"},
		{"2026-06-06", false, "Saturday"},
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(day(tt.date)); got != tt.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v: %s", tt.date, got, tt.working, tt.why)
		}
	}
}

// TestKurbanAit checks the first days of Kurban Ait of reference-kz.md
// §2.1 (python-holidays; egov.kz via alau.kz for 2026): each is a day off,
// and none of those on a weekend gives a substitute.
func TestKurbanAit(t *testing.T) {
	c := DefaultCalendar()
	for _, s := range []string{"2019-08-11", "2020-07-31", "2021-07-20", "2022-07-09",
		"2023-06-28", "2024-06-16", "2025-06-06", "2026-05-27"} {
		d := day(s)
		if c.IsWorkingDay(d) {
			t.Errorf("Kurban Ait %s is a working day", s)
		}
		if isWeekend(d) {
			for _, off := range c.DaysOff(d.Year()) {
				if off.Kind == DayOffSubstitute && off.Holiday == "kurban_ait" {
					t.Errorf("Kurban Ait %s gave a substitute on %s", s, off.Date.Format(time.DateOnly))
				}
			}
		}
	}
}

func TestDayOffReasons(t *testing.T) {
	c := DefaultCalendar()
	find := func(s string) DayOff {
		for _, d := range c.DaysOff(day(s).Year()) {
			if d.Date.Equal(day(s)) {
				return d
			}
		}
		t.Fatalf("%s is not a day off", s)
		return DayOff{}
	}
	if d := find("2020-05-08"); d.Kind != DayOffTransfer || !d.For.Equal(day("2020-05-11")) ||
		!strings.Contains(d.Name.EN, "11.05.2020") || !strings.Contains(d.Name.RU, "11.05.2020") || !strings.Contains(d.Name.KK, "11.05.2020") {
		t.Errorf("2020-05-08 = %+v", d)
	}
	if d := find("2026-03-25"); d.Kind != DayOffSubstitute || d.Holiday != "nauryz" || !d.For.Equal(day("2026-03-22")) ||
		!strings.Contains(d.Name.RU, "Наурыз") || !strings.Contains(d.Name.EN, "22.03.2026") {
		t.Errorf("2026-03-25 = %+v", d)
	}
	if d := find("2026-05-27"); d.Kind != DayOffHoliday || d.Holiday != "kurban_ait" || d.Name.KK != "Құрбан айт" || !d.For.IsZero() {
		t.Errorf("2026-05-27 = %+v", d)
	}
	if d := find("2026-10-26"); d.Name.KK == "" || !strings.Contains(d.Name.KK, "Қазақстан Республикасы күні") {
		t.Errorf("2026-10-26 = %+v, want the 2026 Kazakh name of Republic Day", d)
	}
	for _, d := range c.DaysOff(2024) {
		if isWeekend(d.Date) || d.Date.Location() != time.UTC || d.Date.Hour() != 0 {
			t.Errorf("DaysOff(2024) lists %v", d.Date)
		}
	}
}

// TestAddWorkingDays counts deadlines: day 1 is the first working day
// after the event.
func TestAddWorkingDays(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		from string
		n    int
		want string
		why  string
	}{
		// Nauryz 2026: 21–25 March off (alau.kz).
		{"2026-03-20", 1, "2026-03-26", "across Nauryz"},
		{"2026-03-20", 3, "2026-03-30", "across Nauryz and a weekend"},
		{"2026-03-21", 1, "2026-03-26", "event on a day off"},
		// New Year 2026: 1–4 January off, 7 January Christmas (alau.kz).
		{"2025-12-31", 1, "2026-01-05", "across New Year"},
		{"2025-12-31", 3, "2026-01-08", "across New Year and Christmas"},
		// New Year 2020: 3 January off, Sunday 5 January worked.
		{"2019-12-31", 1, "2020-01-05", "a working Sunday counts"},
		{"2019-12-31", 2, "2020-01-06", ""},
		// May 2020: 7–10 off, Monday 11 worked.
		{"2020-05-06", 1, "2020-05-11", "the transferred Monday counts"},
		// Clause 8-9: a letter within 1 working day, a correction within 3.
		{"2026-05-08", 1, "2026-05-12", "Friday, then weekend and 11.05 off"},
		{"2026-05-12", 3, "2026-05-15", ""},
		// n = 0: the day itself if working, else the next working day.
		{"2026-03-21", 0, "2026-03-26", "n = 0 on a day off"},
		{"2026-03-26", 0, "2026-03-26", "n = 0 on a working day"},
		// Negative n counts back.
		{"2026-03-26", -1, "2026-03-20", "back across Nauryz"},
		{"2020-01-06", -1, "2020-01-05", "back to the working Sunday"},
		// A year with no data still skips weekends and fixed holidays.
		{"2030-12-31", 1, "2031-01-03", "1–2 January 2031 (uncovered year)"},
	}
	for _, tt := range tests {
		got := c.AddWorkingDays(day(tt.from), tt.n)
		if got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("AddWorkingDays(%s, %d) = %v, want %s (%s)", tt.from, tt.n, got, tt.want, tt.why)
		}
	}
	// Only the civil date counts, in the time's own location.
	almaty := time.FixedZone("Asia/Almaty", 5*3600)
	late := time.Date(2026, 3, 20, 23, 30, 0, 0, almaty) // 18:30 UTC the same day
	if got := c.AddWorkingDays(late, 1); !got.Equal(Date(2026, 3, 26)) {
		t.Errorf("AddWorkingDays(%v, 1) = %v", late, got)
	}
	early := time.Date(2026, 3, 26, 1, 0, 0, 0, almaty) // 20:00 UTC on 25 March
	if !c.IsWorkingDay(early) {
		t.Errorf("IsWorkingDay(%v) = false; its civil date 26.03 is a working day", early)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := DefaultCalendar()
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-03-20", "2026-03-26", 1},
		{"2026-03-20", "2026-03-25", 0},
		{"2026-03-26", "2026-03-26", 0},
		{"2026-03-26", "2026-03-20", -1},
		{"2019-12-31", "2020-01-06", 2},
		{"2026-01-01", "2026-01-31", 19}, // alau.kz: "19 рабочих дней" in January 2026 (1 January itself is off)
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(day(tt.a), day(tt.b)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestAddWorkingDaysInverse checks AddWorkingDays(a, n) = b ⇒
// WorkingDaysBetween(a, b) = n on random dates.
func TestAddWorkingDaysInverse(t *testing.T) {
	c := DefaultCalendar()
	r := rand.New(rand.NewPCG(1, 2))
	start := Date(2018, 1, 1)
	for i := 0; i < 2000; i++ {
		a := start.AddDate(0, 0, r.IntN(3650))
		n := 1 + r.IntN(40)
		b := c.AddWorkingDays(a, n)
		if got := c.WorkingDaysBetween(a, b); got != n {
			t.Fatalf("WorkingDaysBetween(%v, AddWorkingDays(%v, %d) = %v) = %d", a, a, n, b, got)
		}
		if !c.IsWorkingDay(b) {
			t.Fatalf("AddWorkingDays(%v, %d) = %v, not a working day", a, n, b)
		}
		// Counting back from b lands on a when a is a working day.
		if back := c.AddWorkingDays(b, -n); c.IsWorkingDay(a) && !back.Equal(a) {
			t.Fatalf("AddWorkingDays(%v, %d) = %v, want %v", b, -n, back, a)
		}
	}
}

func TestCovers(t *testing.T) {
	c := DefaultCalendar()
	for y := 2018; y <= 2027; y++ {
		if !c.Covers(y) {
			t.Errorf("Covers(%d) = false", y)
		}
		if want := y <= 2025; c.Confirmed(y) != want {
			t.Errorf("Confirmed(%d) = %v, want %v", y, c.Confirmed(y), want)
		}
	}
	for _, y := range []int{2012, 2017, 2028} {
		if c.Covers(y) || c.Confirmed(y) {
			t.Errorf("Covers(%d) = true for a year without data", y)
		}
	}
	if got := c.Years(); len(got) != 10 || got[0] != 2018 || got[9] != 2027 {
		t.Errorf("Years() = %v", got)
	}
}

// testHolidays and testFile make small calendar files for the
// LoadCalendar tests.
const testHolidays = `
    {"id": "new_year", "date": "01-01", "days": 2, "substitute": true, "name": {"kk": "Жаңа жыл", "ru": "Новый год", "en": "New Year"}},
    {"id": "christmas", "date": "01-07", "substitute": false, "name": {"kk": "Рождество", "ru": "Рождество", "en": "Christmas"}},
    {"id": "victory_day", "date": "05-09", "substitute": true, "name": {"kk": "Жеңіс күні", "ru": "День Победы", "en": "Victory Day"}},
    {"id": "kurban_ait", "movable": true, "substitute": false, "name": {"kk": "Құрбан айт", "ru": "Курбан айт", "en": "Kurban Ait"}}`

func testFile(holidays, years string) string {
	return `{"holidays": [` + holidays + `], "years": [` + years + `]}`
}

func TestLoadCalendar(t *testing.T) {
	good := testFile(testHolidays, `
    {"year": 2020, "confirmed": true, "movable": [{"id": "kurban_ait", "date": "2020-07-31"}],
     "transfers": [{"work": "2020-05-11", "off": "2020-05-08"}, {"work": "2020-01-05", "off": "2020-01-03"}]},
    {"year": 2028, "movable": [{"id": "kurban_ait", "date": "2028-05-05"}], "transfers": []}`)
	c, err := LoadCalendar(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkingDay(day("2020-05-11")) || c.IsWorkingDay(day("2020-05-08")) || c.IsWorkingDay(day("2028-05-05")) {
		t.Error("the loaded calendar ignores its data")
	}
	if !c.Covers(2028) || c.Confirmed(2028) || !c.Confirmed(2020) || c.Covers(2021) {
		t.Error("Covers/Confirmed wrong for the loaded calendar")
	}
	// A year row without the movable date is not covered.
	c, err = LoadCalendar(strings.NewReader(testFile(testHolidays, `{"year": 2029, "transfers": []}`)))
	if err != nil || c.Covers(2029) {
		t.Errorf("a row without Kurban Ait: err %v, Covers %v", err, c != nil && c.Covers(2029))
	}

	bad := []struct{ name, file, want string }{
		{"syntax", `{"holidays": [}`, "line 1, column"},
		{"syntax on line 3", "{\n\"holidays\": [\n  {\"id\": 1}\n]}", "line 3"},
		{"unknown field", testFile(testHolidays+`, {"id": "x", "date": "02-01", "substitute": true, "nmae": {}}`, ``), `unknown field "nmae"`},
		{"trailing data", testFile(testHolidays, ``) + `{}`, "after the JSON object"},
		{"no holidays", `{"holidays": [], "years": []}`, "no holidays"},
		{"bad id", testFile(`{"id": "New Year", "date": "01-01", "substitute": true, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "id must be"},
		{"no substitute", testFile(`{"id": "x", "date": "01-01", "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), `"substitute"`},
		{"no kk name", testFile(`{"id": "x", "date": "01-01", "substitute": true, "name": {"ru": "b", "en": "c"}}`, ``), "kk, ru and en"},
		{"bad date", testFile(`{"id": "x", "date": "13-01", "substitute": true, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "not MM-DD"},
		{"30 February", testFile(`{"id": "x", "date": "02-30", "substitute": true, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "not MM-DD"},
		{"days", testFile(`{"id": "x", "date": "01-01", "days": 9, "substitute": true, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "days 9"},
		{"until before from", testFile(`{"id": "x", "date": "01-01", "from": 2020, "until": 2019, "substitute": true, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "before from"},
		{"movable with date", testFile(`{"id": "x", "date": "01-01", "movable": true, "substitute": false, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "movable day has no fixed date"},
		{"overlap", testFile(testHolidays+`, {"id": "new_year", "date": "01-01", "from": 2020, "substitute": true, "name": {"kk": "a", "ru": "b", "en": "c"}}`, ``), "overlap"},
		{"duplicate year", testFile(testHolidays, `{"year": 2020}, {"year": 2020}`), "twice"},
		{"year range", testFile(testHolidays, `{"year": 20}`), "out of range"},
		{"movable unknown", testFile(testHolidays, `{"year": 2020, "movable": [{"id": "eid", "date": "2020-07-31"}]}`), `"eid" is not a movable holiday`},
		{"movable fixed id", testFile(testHolidays, `{"year": 2020, "movable": [{"id": "new_year", "date": "2020-07-31"}]}`), "not a movable holiday"},
		{"movable other year", testFile(testHolidays, `{"year": 2020, "movable": [{"id": "kurban_ait", "date": "2021-07-20"}]}`), "not a YYYY-MM-DD date in 2020"},
		{"transfer date", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "05.01.2020", "off": "2020-01-03"}]}`), "YYYY-MM-DD"},
		{"transfer off other year", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "2020-01-05", "off": "2021-01-04"}]}`), "must be in 2020"},
		{"transfer work far", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "2018-01-06", "off": "2020-01-03"}]}`), "within a year"},
		{"transfer off on weekend", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "2020-01-05", "off": "2020-01-04"}]}`), "already a day off"},
		{"transfer off on holiday", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "2020-01-05", "off": "2020-01-02"}]}`), "already a day off (New Year)"},
		{"transfer work on weekday", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "2020-01-06", "off": "2020-01-03"}]}`), "already a working day"},
		{"transfer work on holiday", testFile(testHolidays, `{"year": 2020, "transfers": [{"work": "2020-05-09", "off": "2020-05-08"}]}`), "is a holiday"},
	}
	for _, tt := range bad {
		_, err := LoadCalendar(strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "calendar: ") {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestCalendarConcurrent asks many goroutines about years that are built on
// demand; run with -race.
func TestCalendarConcurrent(t *testing.T) {
	c := DefaultCalendar()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := 2000; y < 2060; y++ {
				c.IsWorkingDay(Date(y, 1, 1))
			}
		}()
	}
	wg.Wait()
	if c.IsWorkingDay(Date(2045, 1, 2)) {
		t.Error("2 January 2045 is a working day")
	}
}

func BenchmarkIsWorkingDay(b *testing.B) {
	c := DefaultCalendar()
	d := Date(2024, 5, 8)
	for b.Loop() {
		c.IsWorkingDay(d)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := DefaultCalendar()
	d := Date(2025, 12, 31)
	for b.Loop() {
		c.AddWorkingDays(d, 20)
	}
}
