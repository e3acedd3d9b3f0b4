package signals

import (
	"math"
	"slices"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
)

// This file holds the signs read from dates and times: acts signed in one
// minute, more services than a day holds, work on days off, and a burst at
// the end of a month.

// detectNotConfirmed lists the services the client denied in the telephone
// survey, one signal per record: the client's word is the strongest sign
// there is, and it concerns that one service.
func detectNotConfirmed(d *data, o Options) []Signal {
	if len(o.NotConfirmed) == 0 {
		return nil
	}
	no := make(map[string]bool, len(o.NotConfirmed))
	for _, id := range o.NotConfirmed {
		no[id] = true
	}
	var out []Signal
	for i := range d.items {
		r := d.items[i].rec
		if !no[r.RecordID] {
			continue
		}
		delete(no, r.RecordID) // a repeated record_id is one service
		out = append(out, Signal{
			Code:    NotConfirmed,
			Records: []string{r.RecordID},
			Params:  map[string]string{"record": r.RecordID, "client": r.ClientFullName, "manager": r.ManagerFullName, "date": r.StartDate},
			Score:   score(NotConfirmed, 1),
		})
	}
	return out
}

// detectSameMinute finds a manager whose acts for SameMinuteClients or more
// different clients were signed in one minute. One client signing several
// acts at once is normal and counts once. A manager who signs many acts in
// a day sees some minutes shared by chance, the more the busier the day (as
// the cube of the day's clients, for three in a minute), so on such a day
// more clients are needed: see sameMinuteNeed. Counting per manager's day
// keeps the signal as rare on a register of a million as on one of twenty
// thousand, and leaves the quiet days of most managers at the threshold.
func detectSameMinute(d *data, o Options) []Signal {
	keys := make([]key, 0, len(d.items))
	days := make([]key, 0, len(d.items))
	for i, it := range d.items {
		if it.manager >= 0 && it.minute != noMinute {
			keys = append(keys, key{pair(it.manager, it.minute), int32(i)})
			days = append(days, key{pair(it.manager, minuteDay(it.minute)), int32(i)})
		}
	}
	// A manager's day → the clients with acts signed that day, for the days
	// that can hold a signal at all.
	busy := map[uint64]int{}
	eachGroup(days, o.SameMinuteClients, func(g uint64, idx []int32) {
		busy[g] = d.distinct(idx, func(it *item) int32 { return it.client })
	})
	var out []Signal
	eachGroup(keys, o.SameMinuteClients, func(g uint64, idx []int32) {
		minute := right(g)
		need := sameMinuteNeed(busy[pair(left(g), minuteDay(minute))], o.SameMinuteClients)
		clients := d.distinct(idx, func(it *item) int32 { return it.client })
		if clients < need {
			return
		}
		out = append(out, Signal{
			Code:    SameMinute,
			Records: d.ids(idx),
			Params: map[string]string{
				"manager": d.mostCommon(idx, managerName),
				"minute":  time.Unix(int64(minute)*60, 0).In(kz.Zone).Format("2006-01-02 15:04"),
				"count":   itoa(len(idx)),
				"clients": itoa(clients),
			},
			Score: score(SameMinute, strength(float64(clients), float64(need))),
		})
	})
	return out
}

// zoneOffset is Kazakhstan's offset from UTC in minutes (the zone is
// fixed).
var zoneOffset = func() int32 {
	_, off := time.Unix(0, 0).In(kz.Zone).Zone()
	return int32(off / 60)
}()

// minuteDay is the day, in Kazakhstan, of a minute since the Unix epoch.
func minuteDay(minute int32) int32 {
	return int32(floorDiv(int64(minute)+int64(zoneOffset), 24*60))
}

// workMinutes is the length of a working day in minutes (9:00 to 18:00),
// over which a manager's acts of a day are taken to be spread.
const workMinutes = 540

// sameMinuteChance is how many minutes with the needed number of clients a
// manager's day may be expected to hold by chance: about one day in a
// thousand.
const sameMinuteChance = 0.001

// sameMinuteNeed is how many different clients in one minute make a signal
// on a manager's day with n clients: at least floor, and more when n clients
// with acts spread at random over a working day would put k of them in one
// minute more often than sameMinuteChance. That expectation is
// workMinutes·C(n,k)/workMinutes^k (a minute holds k of the n with
// probability C(n,k)/workMinutes^k, near enough when it is small). With the
// default of three it stays three up to 13 clients a day, is four from 14
// to 45 and five from 46 to 102: a batch of fakes signed together still
// stands out on a busy day, and three strangers in one minute among thirty
// clients a day no longer do.
func sameMinuteNeed(n, floor int) int {
	k := floor
	for k < n {
		expected := float64(workMinutes)
		for j := 0; j < k; j++ { // workMinutes · C(n,k) / workMinutes^k
			expected *= float64(n-j) / float64(j+1) / workMinutes
		}
		if expected <= sameMinuteChance {
			break
		}
		k++
	}
	return k
}

// workDay is the one day a manager certainly worked on a service: the start
// date of an offline service, when the client came, and the end date of an
// online one, when it was completed and confirmed. An online request can
// arrive on any day and wait.
func (it *item) workDay() int32 {
	if it.online {
		return it.end
	}
	return it.start
}

// detectOverlap finds a manager with more than OverlapMax services on one
// work day (see item.workDay).
func detectOverlap(d *data, o Options) []Signal {
	keys := make([]key, 0, len(d.items))
	for i := range d.items {
		it := &d.items[i]
		if day := it.workDay(); it.manager >= 0 && day != noDay {
			keys = append(keys, key{pair(it.manager, day), int32(i)})
		}
	}
	var out []Signal
	eachGroup(keys, o.OverlapMax+1, func(g uint64, idx []int32) {
		day := right(g)
		out = append(out, Signal{
			Code:    Overlap,
			Records: d.ids(idx),
			Params: map[string]string{
				"manager": d.mostCommon(idx, managerName),
				"date":    dayString(day),
				"count":   itoa(len(idx)),
				"limit":   itoa(o.OverlapMax),
			},
			Score: score(Overlap, strength(float64(len(idx)), float64(o.OverlapMax+1))),
		})
	})
	return out
}

// minRoutineWeekends is how many Saturdays (or Sundays) a manager's span of
// work must hold before working on them can be called a routine.
const minRoutineWeekends = 4

// detectNonWorkingDay finds a manager with NonWorkingDayMin or more services
// on one non-working day. A service is on the days it starts (offline only)
// and ends. A Saturday or Sunday is left alone for a manager who works most
// of them (WeekendRoutine): a center open on Saturdays keeps a schedule, and
// flagging every Saturday would bury the rest of the list. A weekday off (a
// holiday, its substitute or a transferred day) is never routine and weighs
// most, then Sunday, then Saturday.
func detectNonWorkingDay(d *data, o Options) []Signal {
	off := map[int32]bool{}
	isOff := func(day int32) bool {
		v, ok := off[day]
		if !ok {
			v = !d.working(day)
			off[day] = v
		}
		return v
	}
	from, to := make([]int32, d.managers), make([]int32, d.managers) // each manager's span of work
	for m := range from {
		from[m], to[m] = math.MaxInt32, math.MinInt32
	}
	var keys []key
	for i := range d.items {
		it := &d.items[i]
		if it.manager < 0 {
			continue
		}
		for _, day := range [2]int32{it.start, it.end} {
			if day != noDay {
				from[it.manager], to[it.manager] = min(from[it.manager], day), max(to[it.manager], day)
			}
		}
		if !it.online && it.start != noDay && isOff(it.start) {
			keys = append(keys, key{pair(it.manager, it.start), int32(i)})
		}
		if it.end != noDay && (it.online || it.end != it.start) && isOff(it.end) {
			keys = append(keys, key{pair(it.manager, it.end), int32(i)})
		}
	}
	type candidate struct {
		g   uint64
		idx []int32
	}
	var found []candidate
	worked := map[[2]int32]int{} // manager, weekday → weekend days worked
	eachGroup(keys, 1, func(g uint64, idx []int32) {
		if wd := weekday(right(g)); wd == time.Saturday || wd == time.Sunday {
			worked[[2]int32{left(g), int32(wd)}]++
		}
		if len(idx) >= o.NonWorkingDayMin {
			found = append(found, candidate{g, slices.Clone(idx)})
		}
	})
	var out []Signal
	for _, c := range found {
		m, day := left(c.g), right(c.g)
		kind := 1.0
		switch wd := weekday(day); wd {
		case time.Saturday, time.Sunday:
			if n := countWeekdays(from[m], to[m], wd); n >= minRoutineWeekends && float64(worked[[2]int32{m, int32(wd)}]) >= o.WeekendRoutine*float64(n) {
				continue
			}
			kind = map[time.Weekday]float64{time.Sunday: 0.9, time.Saturday: 0.8}[wd]
		}
		out = append(out, Signal{
			Code:    NonWorkingDay,
			Records: d.ids(c.idx),
			Params: map[string]string{
				"manager": d.mostCommon(c.idx, managerName),
				"date":    dayString(day),
				"count":   itoa(len(c.idx)),
			},
			Score: score(NonWorkingDay, kind*strength(float64(len(c.idx)), float64(o.NonWorkingDayMin))),
		})
	}
	return out
}

// monthEnd is what the month-end detector needs to know about one month.
type monthEnd struct {
	last  [2]int32 // the last two working days
	other int      // the other working days of the month inside the register's span
	ok    bool     // the month is covered well enough to compare
}

// minOtherDays is how many other working days of a month the register must
// cover before its last two days are compared with them.
const minOtherDays = 5

func (d *data) monthEnd(month int32) monthEnd {
	y, m := int(month/12), time.Month(month%12+1)
	first := dayOf(kz.Date(y, m, 1))
	lastDay := dayOf(kz.Date(y, m+1, 0))
	var me monthEnd
	n := 0
	for day := lastDay; day >= first; day-- {
		if !d.working(day) {
			continue
		}
		if n < 2 {
			me.last[n] = day
			n++
			continue
		}
		if day >= d.firstEnd && day <= d.last {
			me.other++
		}
	}
	me.ok = n == 2 && me.last[0] <= d.last && me.other >= minOtherDays
	return me
}

// detectMonthEndSpike finds a manager, and a center, whose services ending in
// the last two working days of a month number at least MonthEndMin and, per
// day, at least MonthEndFactor times the average per working day over the
// rest of the month. The end date is the one that puts a service into a
// reporting period (spec §2), so it is where padding to meet a plan shows.
func detectMonthEndSpike(d *data, o Options) []Signal {
	months := map[int32]monthEnd{}
	var byManager, byCenter []key
	for i := range d.items {
		it := &d.items[i]
		if it.end == noDay {
			continue
		}
		if _, ok := months[it.endMonth]; !ok {
			months[it.endMonth] = d.monthEnd(it.endMonth)
		}
		if it.manager >= 0 {
			byManager = append(byManager, key{pair(it.manager, it.endMonth), int32(i)})
		}
		if it.center >= 0 {
			byCenter = append(byCenter, key{pair(it.center, it.endMonth), int32(i)})
		}
	}
	var out []Signal
	check := func(who func([]int32) string) func(g uint64, idx []int32) {
		return func(g uint64, idx []int32) {
			me := months[right(g)]
			if !me.ok {
				return
			}
			var late []int32
			for _, i := range idx {
				if e := d.items[i].end; e == me.last[0] || e == me.last[1] {
					late = append(late, i)
				}
			}
			perDay := float64(len(late)) / 2
			average := float64(len(idx)-len(late)) / float64(me.other)
			if len(late) < o.MonthEndMin || perDay < o.MonthEndFactor*average {
				return
			}
			out = append(out, Signal{
				Code:    MonthEndSpike,
				Records: d.ids(late),
				Params: map[string]string{
					"who":     who(late),
					"month":   dateOf(me.last[0]).Format("2006-01"),
					"days":    dayString(me.last[1]) + ", " + dayString(me.last[0]),
					"count":   itoa(len(late)),
					"per_day": oneDecimal(perDay),
					"average": oneDecimal(average),
				},
				Score: score(MonthEndSpike, strength(perDay, max(o.MonthEndFactor*average, float64(o.MonthEndMin)/2))),
			})
		}
	}
	eachGroup(byManager, o.MonthEndMin, check(func(idx []int32) string { return d.mostCommon(idx, managerName) }))
	eachGroup(byCenter, o.MonthEndMin, check(func(idx []int32) string {
		return d.mostCommon(idx, func(r *register.Record) string { return r.ServicePlace })
	}))
	return out
}
