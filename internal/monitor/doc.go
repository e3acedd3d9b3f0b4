// Package monitor runs the monthly cycle of the methodology (clauses 7-11):
// which register each delivery belongs to and whether it was on time, the
// notification letters and their deadlines on Kazakhstan's working-day
// calendar, the correction window, the verification of records against
// their acts, and from all of it the reason, if any, that a record is left
// out of a report.
package monitor
