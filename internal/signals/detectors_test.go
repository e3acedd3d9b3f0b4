package signals_test

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/signals"
)

// rec returns a plain offline service of 10 February 2026 (a Tuesday) by
// one manager for a client of its own, then applies the changes.
func rec(id string, changes ...func(*register.Record)) register.Record {
	r := register.Record{
		RecordID:        id,
		RegionKATO:      "710000000",
		SettlementKATO:  "711010000",
		SettlementName:  "Астана",
		PlaceKind:       "service_center",
		ServicePlace:    "ЦОП Астана",
		EnterpriseName:  "ИП «" + id + "»",
		EnterpriseID:    "ent-" + id,
		ClientFullName:  "Клиентов " + id,
		ClientGender:    "M",
		ClientBirthDate: "1985-01-01",
		ManagerFullName: "Оспанов Ерлан Маратұлы",
		StartDate:       "2026-02-10",
		EndDate:         "2026-02-10",
		MobilePhone:     phoneFor(id),
		DeliveryMode:    "offline",
		ActNumber:       "АКТ-" + id,
		ActSignedAt:     "2026-02-10T10:00:00+05:00",
		ActConfirmation: "eds",
	}
	for _, c := range changes {
		c(&r)
	}
	return r
}

// phoneFor gives each record id a phone number of its own.
func phoneFor(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("+7701%07d", h.Sum32()%10_000_000)
}

// many makes n records with ids prefix1..prefixN.
func many(prefix string, n int, changes ...func(i int, r *register.Record)) []register.Record {
	var out []register.Record
	for i := 1; i <= n; i++ {
		r := rec(fmt.Sprintf("%s%02d", prefix, i))
		for _, c := range changes {
			c(i, &r)
		}
		out = append(out, r)
	}
	return out
}

func signed(at string) func(int, *register.Record) {
	return func(_ int, r *register.Record) { r.ActSignedAt = at }
}

func minutesApart(i int, r *register.Record) {
	r.ActSignedAt = fmt.Sprintf("2026-02-10T%02d:%02d:00+05:00", 9+i/60, i%60)
}

// busyMinute has the first n records signed at 10:30 (minutesApart puts
// the rest before it).
func busyMinute(n int) func(int, *register.Record) {
	return func(i int, r *register.Record) {
		if i <= n {
			r.ActSignedAt = "2026-02-10T10:30:05+05:00"
		}
	}
}

func on(date string) func(int, *register.Record) {
	return func(_ int, r *register.Record) {
		r.StartDate, r.EndDate = date, date
		r.ActSignedAt = date + r.ActSignedAt[10:]
	}
}

func of(code string, ss []signals.Signal) []signals.Signal {
	var out []signals.Signal
	for _, s := range ss {
		if s.Code == code {
			out = append(out, s)
		}
	}
	return out
}

func validIIN(t *testing.T, birth string, g kz.Gender) string {
	t.Helper()
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		t.Fatal(err)
	}
	for serial := 100; ; serial++ {
		if s, err := kz.NewIIN(b, g, serial); err == nil {
			return s
		}
	}
}

func TestDetectors(t *testing.T) {
	cases := []struct {
		name    string
		code    string
		records []register.Record
		opts    signals.Options
		want    int    // signals of code
		param   string // "name=value" that the first signal must carry
	}{
		{name: "denied in the survey", code: signals.NotConfirmed,
			records: many("a", 3), opts: signals.Options{NotConfirmed: []string{"a02", "zz"}}, want: 1, param: "record=a02"},
		{name: "no survey answers", code: signals.NotConfirmed, records: many("a", 3), want: 0},

		{name: "three clients in one minute", code: signals.SameMinute,
			records: many("m", 3, signed("2026-02-10T10:30:05+05:00")), want: 1, param: "minute=2026-02-10 10:30"},
		{name: "one minute across offsets", code: signals.SameMinute,
			records: many("m", 3, func(i int, r *register.Record) {
				r.ActSignedAt = []string{"", "2026-02-10T05:30:01Z", "2026-02-10T10:30:40+05:00", "2026-02-10T11:30:59+06:00"}[i]
			}), want: 1, param: "clients=3"},
		{name: "one client signing three acts at once", code: signals.SameMinute,
			records: many("m", 3, signed("2026-02-10T10:30:05+05:00"), func(_ int, r *register.Record) { r.ClientFullName, r.ClientIIN = "Бір Адам", "" }), want: 0},
		{name: "two clients in one minute", code: signals.SameMinute,
			records: many("m", 2, signed("2026-02-10T10:30:05+05:00")), want: 0},
		{name: "three clients a minute boundary apart", code: signals.SameMinute,
			records: many("m", 3, func(i int, r *register.Record) {
				r.ActSignedAt = []string{"", "2026-02-10T10:30:59+05:00", "2026-02-10T10:31:00+05:00", "2026-02-10T10:31:01+05:00"}[i]
			}), want: 0},
		{name: "three clients, two managers", code: signals.SameMinute,
			records: many("m", 3, signed("2026-02-10T10:30:05+05:00"), func(i int, r *register.Record) {
				if i == 3 {
					r.ManagerFullName = "Другой Менеджер"
				}
			}), want: 0},

		// On a day of 30 clients, three in one minute happen by chance
		// (about one such day in seventy); four do not.
		{name: "three of a busy day's 30 clients in one minute", code: signals.SameMinute,
			records: many("m", 30, minutesApart, busyMinute(3)), want: 0},
		{name: "four of a busy day's 30 clients in one minute", code: signals.SameMinute,
			records: many("m", 30, minutesApart, busyMinute(4)), want: 1, param: "clients=4"},
		{name: "three in one minute, the busy day another", code: signals.SameMinute,
			records: many("m", 30, minutesApart, busyMinute(3), func(i int, r *register.Record) {
				if i > 3 {
					r.ActSignedAt = "2026-02-11" + r.ActSignedAt[10:]
				}
			}), want: 1, param: "clients=3"},

		{name: "26 services in a day", code: signals.Overlap, records: many("o", 26, minutesApart), want: 1, param: "count=26"},
		{name: "25 services in a day", code: signals.Overlap, records: many("o", 25, minutesApart), want: 0},
		{name: "26 online requests of one day ending on different days", code: signals.Overlap,
			records: many("o", 26, minutesApart, func(i int, r *register.Record) {
				r.DeliveryMode, r.PlaceKind, r.ServicePlace = "online", "online", ""
				r.EndDate = fmt.Sprintf("2026-02-%02d", 10+i%5)
			}), want: 0},

		{name: "bus in two settlements", code: signals.MobileTwoPlaces,
			records: many("b", 4, minutesApart, bus, func(i int, r *register.Record) {
				if i > 2 {
					r.SettlementKATO, r.SettlementName = "714230100", "Ақсу"
				}
			}), want: 1, param: "places=2"},
		{name: "bus with one stray record", code: signals.MobileTwoPlaces,
			records: many("b", 4, minutesApart, bus, func(i int, r *register.Record) {
				if i > 3 {
					r.SettlementKATO = "714230100"
				}
			}), want: 0},
		{name: "two buses", code: signals.MobileTwoPlaces,
			records: many("b", 4, minutesApart, bus, func(i int, r *register.Record) {
				if i > 2 {
					r.SettlementKATO, r.ServicePlace = "714230100", "Мобильный ЦПП №2"
				}
			}), want: 0},
		{name: "bus on two days", code: signals.MobileTwoPlaces,
			records: many("b", 4, minutesApart, bus, func(i int, r *register.Record) {
				if i > 2 {
					r.SettlementKATO, r.StartDate, r.EndDate = "714230100", "2026-02-11", "2026-02-11"
				}
			}), want: 0},

		{name: "five services on Nauryz", code: signals.NonWorkingDay,
			records: many("h", 5, minutesApart, on("2026-03-23")), want: 1, param: "date=2026-03-23"},
		{name: "five services ending on a Saturday", code: signals.NonWorkingDay,
			records: many("h", 5, minutesApart, func(_ int, r *register.Record) { r.EndDate = "2026-02-14" }), want: 1, param: "date=2026-02-14"},
		{name: "four services on Nauryz", code: signals.NonWorkingDay,
			records: many("h", 4, minutesApart, on("2026-03-23")), want: 0},
		{name: "five services on a Tuesday", code: signals.NonWorkingDay, records: many("h", 5, minutesApart), want: 0},
		{name: "a busy Saturday of a manager who works Saturdays", code: signals.NonWorkingDay, records: saturdays(), want: 0},
		{name: "the same with the weekend routine off", code: signals.NonWorkingDay, records: saturdays(),
			opts: signals.Options{WeekendRoutine: 2}, want: 1, param: "date=2026-02-14"},
		{name: "online requests made on a Sunday", code: signals.NonWorkingDay,
			records: many("h", 5, minutesApart, func(_ int, r *register.Record) {
				r.DeliveryMode, r.PlaceKind, r.ServicePlace, r.StartDate = "online", "online", "", "2026-02-08"
			}), want: 0},

		{name: "one phone for three unrelated clients", code: signals.SharedContact,
			records: many("p", 3, func(i int, r *register.Record) {
				r.MobilePhone = []string{"", "+77011234567", "8 (701) 123-45-67", "+7 701 123 45 67"}[i]
			}), want: 1, param: "contact=+77011234567"},
		{name: "one e-mail for three unrelated clients", code: signals.SharedContact,
			records: many("p", 3, func(i int, r *register.Record) { r.Email = []string{"", "x@mail.kz", " X@Mail.kz", "x@mail.kz"}[i] }),
			want:    1, param: "clients=3"},
		{name: "one phone for three people of one enterprise", code: signals.SharedContact,
			records: many("p", 3, func(i int, r *register.Record) { r.MobilePhone, r.EnterpriseID = "+77011234567", "ent-1" }), want: 0},
		{name: "one person with and without an IIN, and a relative", code: signals.SharedContact,
			records: many("p", 3, func(i int, r *register.Record) {
				r.MobilePhone = "+77011234567"
				if i < 3 {
					r.ClientFullName = "Қасымов Нұрлан"
				}
				if i == 1 {
					r.ClientIIN = validIIN(t, "1985-01-01", kz.Male)
				}
			}), want: 0},

		{name: "month-end burst", code: signals.MonthEndSpike, records: month(10), want: 2, param: "days=2026-02-26, 2026-02-27"},
		{name: "ordinary month end", code: signals.MonthEndSpike, records: month(2), want: 0},

		{name: "IIN of a man, stated woman", code: signals.IINMismatch,
			records: many("i", 1, func(_ int, r *register.Record) {
				r.ClientIIN, r.ClientGender = validIIN(t, "1985-01-01", kz.Male), "F"
			}), want: 1, param: "client=Клиентов i01"},
		{name: "IIN matching the person", code: signals.IINMismatch,
			records: many("i", 2, func(_ int, r *register.Record) { r.ClientIIN = validIIN(t, "1985-01-01", kz.Male) }), want: 0},

		{name: "copied one-time clients", code: signals.CopyPaste,
			records: many("c", 5, minutesApart, copied, func(i int, r *register.Record) { r.ActNumber = fmt.Sprintf("АКТ-2602-%07d", 500+2*i) }),
			want:    1, param: "acts=АКТ-2602-0000502 … АКТ-2602-0000510"},
		{name: "copied one-time clients signed in one minute", code: signals.CopyPaste,
			records: many("c", 5, copied, signed("2026-02-10T12:00:00+05:00"), func(i int, r *register.Record) { r.ActNumber = fmt.Sprintf("АКТ-%d", 100*i) }),
			want:    1, param: "count=5"},
		{name: "one of them came twice", code: signals.CopyPaste,
			records: append(many("c", 5, minutesApart, copied, func(i int, r *register.Record) { r.ActNumber = fmt.Sprintf("АКТ-%d", 500+i) }),
				rec("c01-again", func(r *register.Record) {
					r.ClientFullName, r.StartDate, r.EndDate = "Клиентов c01", "2026-01-05", "2026-01-05"
				})),
			want: 0},
		{name: "same text, acts far apart", code: signals.CopyPaste,
			records: many("c", 5, minutesApart, copied, func(i int, r *register.Record) { r.ActNumber = fmt.Sprintf("АКТ-%d", 500+10*i) }), want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := of(tc.code, signals.Detect(tc.records, nil, tc.opts))
			if len(got) != tc.want {
				t.Fatalf("%d %s signals, want %d: %+v", len(got), tc.code, tc.want, got)
			}
			if tc.param == "" {
				return
			}
			name, value, _ := strings.Cut(tc.param, "=")
			if got[0].Params[name] != value {
				t.Errorf("param %s = %q, want %q (%v)", name, got[0].Params[name], value, got[0].Params)
			}
			for _, lang := range i18n.Langs {
				if _, text := signals.Explain(got[0], lang); !strings.Contains(text, value) {
					t.Errorf("%s explanation %q does not show %q", lang, text, value)
				}
			}
		})
	}
}

func bus(_ int, r *register.Record) {
	r.PlaceKind, r.ServicePlace, r.SettlementKATO, r.SettlementName = "mobile_center", "Мобильный ЦПП №1", "711210000", "Қосшы"
}

func copied(i int, r *register.Record) {
	r.EnterpriseName, r.EnterpriseID = "ТОО «Сарыарқа Жол»", fmt.Sprintf("BIN%02d", i)
}

// month is February 2026 for one manager at one center: a service on each
// working day, and last services on each of the last two working days
// (26 and 27 February).
func month(last int) []register.Record {
	cal := kz.DefaultCalendar()
	var out []register.Record
	for d := kz.Date(2026, 2, 1); d.Month() == 2; d = d.AddDate(0, 0, 1) {
		if !cal.IsWorkingDay(d) {
			continue
		}
		n := 1
		if d.Day() >= 26 {
			n = last
		}
		day := d.Format("2006-01-02")
		out = append(out, many("d"+day, n, minutesApart, on(day))...)
	}
	return out
}

// saturdays is a manager who serves a client every Saturday of January and
// February 2026, and six on 14 February.
func saturdays() []register.Record {
	var out []register.Record
	for d := kz.Date(2026, 1, 3); d.Month() <= 2; d = d.AddDate(0, 0, 7) {
		n := 1
		if d.Day() == 14 {
			n = 6
		}
		day := d.Format("2006-01-02")
		out = append(out, many("s"+day, n, minutesApart, on(day))...)
	}
	return out
}

func TestRiskyRecords(t *testing.T) {
	got := signals.RiskyRecords([]signals.Signal{
		{Code: signals.NonWorkingDay, Records: []string{"a", "b"}, Score: 0.4},
		{Code: signals.SameMinute, Records: []string{"b", "c"}, Score: 0.8},
	})
	want := map[string]float64{"a": 0.4, "b": 0.8, "c": 0.8}
	if len(got) != len(want) {
		t.Fatalf("RiskyRecords = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("RiskyRecords[%s] = %v, want %v", k, got[k], v)
		}
	}
}

func TestIINMismatchIsWeak(t *testing.T) {
	iin := validIIN(t, "1985-01-01", kz.Male)
	rs := []register.Record{
		rec("g", func(r *register.Record) { r.ClientIIN, r.ClientGender = iin, "F" }),
		rec("gb", func(r *register.Record) { r.ClientIIN, r.ClientGender, r.ClientBirthDate = iin, "F", "1986-02-02" }),
	}
	got := of(signals.IINMismatch, signals.Detect(rs, nil, signals.Options{}))
	if len(got) != 2 {
		t.Fatalf("%d signals, want 2: %+v", len(got), got)
	}
	if got[0].Records[0] != "gb" || got[0].Score <= got[1].Score || got[0].Score > 0.3 {
		t.Errorf("a disagreement in both should weigh more, and at most 0.3: %+v", got)
	}
	_, text := signals.Explain(got[0], i18n.RU)
	if !strings.Contains(text, "мужской") || !strings.Contains(text, "женский") {
		t.Errorf("genders are not shown as words: %s", text)
	}
}

func TestCodesHaveTexts(t *testing.T) {
	for _, code := range signals.Codes() {
		if signals.Weight(code) <= 0 || signals.Weight(code) > 1 {
			t.Errorf("%s: weight %v outside (0, 1]", code, signals.Weight(code))
		}
		for _, lang := range i18n.Langs {
			for _, k := range []string{signals.TitleKey(code), signals.ExplainKey(code)} {
				if !i18n.Has(lang, k) {
					t.Errorf("%s: no text for %s", lang, k)
				}
			}
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(signals.Codes())), sortedCodes()) {
		t.Error("Codes() has repeats")
	}
}

func sortedCodes() []string {
	seen := map[string]bool{}
	for _, c := range signals.Codes() {
		seen[c] = true
	}
	var out []string
	for c := range seen {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
