package demo

import (
	"bytes"
	"testing"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
)

func TestGenerate(t *testing.T) {
	opts := Options{Rows: 3000, Seed: 9, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}
	var a, b bytes.Buffer
	if err := WriteCSV(&a, opts); err != nil {
		t.Fatal(err)
	}
	WriteCSV(&b, opts)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed gave two different registers")
	}
	regions := map[string]bool{}
	people := map[string]map[string]bool{} // IIN → names
	enterprisesOf := map[string]map[string]bool{}
	visits := map[string]int{}
	v := &register.Validator{Today: opts.To}
	Generate(opts, func(r *register.Record) bool {
		regions[r.RegionKATO] = true
		if fs := v.Validate(r); len(fs) > 0 {
			t.Errorf("%s: a record generated without mistakes has findings %v", r.RecordID, fs)
		}
		if r.ClientIIN != "" {
			iin, err := kz.ParseIIN(r.ClientIIN)
			if err != nil || string(iin.Gender) != r.ClientGender || iin.BirthDate.Format(time.DateOnly) != r.ClientBirthDate {
				t.Errorf("%s: IIN %s does not match gender %s and birth date %s (%v)", r.RecordID, r.ClientIIN, r.ClientGender, r.ClientBirthDate, err)
			}
			if people[r.ClientIIN] == nil {
				people[r.ClientIIN] = map[string]bool{}
				enterprisesOf[r.ClientIIN] = map[string]bool{}
			}
			people[r.ClientIIN][kz.FoldName(r.ClientFullName)] = true
			enterprisesOf[r.ClientIIN][r.EnterpriseID] = true
			visits[r.ClientIIN]++
		}
		if r.StartDate < "2026-01-01" || r.EndDate > "2026-06-30" {
			t.Errorf("%s: dates %s..%s outside the window", r.RecordID, r.StartDate, r.EndDate)
		}
		return true
	})
	if len(regions) != 20 {
		t.Errorf("%d regions, want 20", len(regions))
	}
	repeat, multi := 0, 0
	for iin, names := range people {
		if len(names) != 1 {
			t.Errorf("IIN %s is given to %d different people", iin, len(names))
		}
		if visits[iin] > 1 {
			repeat++
		}
		if len(enterprisesOf[iin]) > 1 {
			multi++
		}
	}
	if repeat < len(people)/5 || multi == 0 {
		t.Errorf("%d of %d people come back, %d for several enterprises: too few", repeat, len(people), multi)
	}
}

func TestErrorRate(t *testing.T) {
	opts := Options{Rows: 2000, Seed: 2, ErrorRate: 0.1, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}
	v := &register.Validator{Today: opts.To}
	bad := 0
	Generate(opts, func(r *register.Record) bool {
		if len(v.Validate(r)) > 0 {
			bad++
		}
		return true
	})
	if bad < 120 || bad > 280 {
		t.Errorf("%d of 2000 records have findings at a 10%% error rate", bad)
	}
}

// TestRealisticForSignals checks what keeps the detectors of package
// signals quiet on clean data: no service starts or ends on a weekday off,
// a bus is in one settlement a day, strangers of registers with different
// seeds do not share an e-mail, and a large register has the staff for its
// volume, each manager with a name of their own.
func TestRealisticForSignals(t *testing.T) {
	cal := kz.DefaultCalendar()
	opts := Options{Rows: 40_000, Seed: 4, From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)}
	mails := map[string]bool{}
	bus := map[string]string{}               // region and day → settlement
	managers := map[string]map[string]bool{} // manager → regions
	serviceDays := map[string]bool{}
	Generate(opts, func(r *register.Record) bool {
		for _, s := range []string{r.StartDate, r.EndDate} {
			d, _ := time.Parse(time.DateOnly, s)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !cal.IsWorkingDay(d) {
				t.Fatalf("%s: a service on %s, a weekday off", r.RecordID, s)
			}
		}
		if r.PlaceKind == "mobile_center" {
			k := r.RegionKATO + " " + r.StartDate
			if s, ok := bus[k]; ok && s != r.SettlementKATO {
				t.Fatalf("%s: the bus of %s in %s and %s on %s", r.RecordID, r.RegionKATO, s, r.SettlementKATO, r.StartDate)
			}
			bus[k] = r.SettlementKATO
		}
		if r.Email != "" {
			mails[r.Email] = true
		}
		if managers[r.ManagerFullName] == nil {
			managers[r.ManagerFullName] = map[string]bool{}
		}
		managers[r.ManagerFullName][r.RegionKATO] = true
		serviceDays[r.StartDate] = true
		return true
	})
	for m, regions := range managers {
		if len(regions) > 1 {
			t.Errorf("manager %s works in %d regions: namesakes", m, len(regions))
		}
	}
	if load := float64(opts.Rows) / float64(len(managers)*len(serviceDays)); load > 1.2*managerLoad {
		t.Errorf("%d managers give %.1f services a day each, want about %d", len(managers), load, managerLoad)
	}
	other := opts
	other.Seed, other.Rows = 5, 3000
	Generate(other, func(r *register.Record) bool {
		if mails[r.Email] {
			t.Fatalf("%s: e-mail %s also given by a stranger in the register of seed %d", r.RecordID, r.Email, opts.Seed)
		}
		return true
	})
}
