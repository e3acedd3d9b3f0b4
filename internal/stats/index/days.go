package index

import "sort"

// Dates are held as days since 1900-01-01 in a uint16, which reaches
// 2079-06-05. Only canonical dates (YYYY-MM-DD, a real calendar day) in that
// range become days: for them the order of the numbers is the order of the
// strings, which is the order the reference and the databases compare
// end_date and start_date in. Any other text is kept as it was written (see
// oddRow), so that no value is ever rounded into a different one.

const (
	epochYear = 1900
	// noDay marks a record whose end_date is not a day of the range: it lives
	// among the odd rows instead of a day bucket.
	noDay  = 0xFFFF
	maxDay = noDay - 1
)

var epochDays = daysFromCivil(epochYear, 1, 1)

// daysFromCivil counts days from 1970-01-01 (H. Hinnant's algorithm): no
// time.Time, no allocation, on the path of every record put.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseDay reads a canonical date of the range; ok is false for anything
// else, including real dates before 1900 or after 2079-06-05.
func parseDay(s string) (day uint16, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	n := daysFromCivil(y, m, d) - epochDays
	if n < 0 || n > maxDay {
		return 0, false
	}
	return uint16(n), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// appendDay writes the canonical YYYY-MM-DD of a day.
func appendDay(b []byte, day uint16) []byte {
	y, m, d := civilFromDays(int(day) + epochDays)
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

func dayString(day uint16) string {
	var b [10]byte
	return string(appendDay(b[:0], day))
}

// dayRange gives the days whose canonical strings s satisfy from <= s <= to,
// for any from and to (a partial date such as "2026-03" included): the
// strings of the days are sorted like the days, so the days of a string
// range are one contiguous run, found by binary search. ok is false when
// the run is empty.
func dayRange(from, to string) (lo, hi int, ok bool) {
	var buf [10]byte
	lo = sort.Search(maxDay+1, func(d int) bool { return string(appendDay(buf[:0], uint16(d))) >= from })
	hi = sort.Search(maxDay+1, func(d int) bool { return string(appendDay(buf[:0], uint16(d))) > to }) - 1
	return lo, hi, lo <= hi
}
