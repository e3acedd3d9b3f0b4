package signals

import (
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/kz"
	"esep/internal/register"
)

func demoRecords(n int) []register.Record {
	var recs []register.Record
	demo.Generate(demo.Options{Rows: n, Seed: 3, ErrorRate: 0.05,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
		func(r *register.Record) bool { recs = append(recs, *r); return true })
	return recs
}

// TestClientIdentity checks that prepare numbers clients exactly as
// register.ClientKey identifies them.
func TestClientIdentity(t *testing.T) {
	recs := demoRecords(3000)
	recs = append(recs,
		register.Record{RecordID: "x1", ClientFullName: "Қасымов Нұрлан", ClientBirthDate: "1990-01-01"},
		register.Record{RecordID: "x2", ClientFullName: "КАСЫМОВ  Нурлан", ClientBirthDate: "1990-01-01"},
		register.Record{RecordID: "x3", ClientFullName: "Қасымов Нұрлан", ClientBirthDate: "1990-01-02"},
		register.Record{RecordID: "x4", ClientFullName: "", ClientBirthDate: ""},
		register.Record{RecordID: "x5", ClientFullName: " ", ClientBirthDate: ""},
		register.Record{RecordID: "x6", ClientIIN: "900101300001", ClientFullName: "Қасымов Нұрлан", ClientBirthDate: "1990-01-01"},
	)
	d := prepare(recs, kz.DefaultCalendar())
	byKey := map[string]int32{}
	byNumber := map[int32]string{}
	for i, it := range d.items {
		k := register.ClientKey(&recs[i])
		if it.client < 0 || int(it.client) >= d.clients {
			t.Fatalf("%s: client number %d outside 0..%d", recs[i].RecordID, it.client, d.clients)
		}
		if n, ok := byKey[k]; ok && n != it.client {
			t.Fatalf("%s: key %q has numbers %d and %d", recs[i].RecordID, k, n, it.client)
		}
		if o, ok := byNumber[it.client]; ok && o != k {
			t.Fatalf("%s: number %d stands for %q and %q", recs[i].RecordID, it.client, o, k)
		}
		byKey[k], byNumber[it.client] = it.client, k
	}
}

// TestIINAgrees checks the quick test against kz.ParseIIN.
func TestIINAgrees(t *testing.T) {
	recs := demoRecords(2000)
	for i := range recs {
		r := recs[i]
		if r.ClientIIN == "" {
			continue
		}
		for _, v := range []register.Record{r, with(r, "F", ""), with(r, "M", ""), with(r, "", "1999-09-09"), with(r, "", "")} {
			iin, err := kz.ParseIIN(v.ClientIIN)
			want := err == nil && (v.ClientGender == "" || v.ClientGender == string(iin.Gender)) &&
				v.ClientBirthDate == iin.BirthDate.Format(time.DateOnly)
			if got := iinAgrees(&v); got && !want {
				t.Fatalf("iinAgrees(%s, %s, %s) = true, but they disagree", v.ClientIIN, v.ClientGender, v.ClientBirthDate)
			}
		}
	}
}

func with(r register.Record, gender, birth string) register.Record {
	if gender != "" {
		r.ClientGender = gender
	}
	if birth != "" {
		r.ClientBirthDate = birth
	}
	return r
}

func TestPhoneNumber(t *testing.T) {
	for in, want := range map[string]uint64{
		"+77011234567": 7011234567, "87011234567": 7011234567, "8 (701) 123-45-67": 7011234567,
		"7011234567": 7011234567, "+7 701 123 45 67": 7011234567,
	} {
		if got, ok := phoneNumber(in); !ok || got != want {
			t.Errorf("phoneNumber(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "8-777-123", "+49 30 1234567890", "97011234567", "+770112345678"} {
		if got, ok := phoneNumber(in); ok {
			t.Errorf("phoneNumber(%q) = %d, want none", in, got)
		}
	}
}

func TestActNumber(t *testing.T) {
	tests := []struct {
		in     string
		prefix string
		n      int64
		ok     bool
	}{
		{"АКТ-2603-0000123", "АКТ-2603-", 123, true},
		{"  17 ", "", 17, true},
		{"АКТ", "", 0, false},
		{"", "", 0, false},
		{"A-9999999999999999999", "", 0, false},
	}
	for _, tt := range tests {
		p, n, ok := actNumber(tt.in)
		if ok != tt.ok || ok && (p != tt.prefix || n != tt.n) {
			t.Errorf("actNumber(%q) = %q, %d, %v; want %q, %d, %v", tt.in, p, n, ok, tt.prefix, tt.n, tt.ok)
		}
	}
}

// TestSameMinuteNeed pins the number of clients in one minute that a
// manager's day of n clients needs, as the doc of sameMinuteNeed states it.
func TestSameMinuteNeed(t *testing.T) {
	for _, tc := range []struct{ n, floor, want int }{
		{0, 3, 3}, {3, 3, 3}, {13, 3, 3}, {14, 3, 4}, {30, 3, 4}, {45, 3, 4}, {46, 3, 5}, {102, 3, 5}, {103, 3, 6},
		{40, 5, 5}, {2, 2, 2},
	} {
		if got := sameMinuteNeed(tc.n, tc.floor); got != tc.want {
			t.Errorf("sameMinuteNeed(%d, %d) = %d, want %d", tc.n, tc.floor, got, tc.want)
		}
	}
}
