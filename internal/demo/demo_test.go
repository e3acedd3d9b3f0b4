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
