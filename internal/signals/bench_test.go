package signals_test

import (
	"testing"

	"esep/internal/kz"
	"esep/internal/signals"
)

// BenchmarkDetect runs every detector over 200,000 generated records (a
// fifth of the yearly volume esep plans for), with a survey's answers for
// one record in a thousand. Generating the register is not timed.
func BenchmarkDetect(b *testing.B) {
	opts := window
	opts.Rows = 200_000
	recs := generate(opts)
	var survey []string
	for i := 0; i < len(recs); i += 1000 {
		survey = append(survey, recs[i].RecordID)
	}
	cal := kz.DefaultCalendar()
	b.ResetTimer()
	var n int
	for b.Loop() {
		n = len(signals.Detect(recs, cal, signals.Options{NotConfirmed: survey}))
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(n), "signals")
}
