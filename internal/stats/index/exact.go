package index

import (
	"esep/internal/register"
	"esep/internal/stats"
)

// computeExact counts a period with stats.Counter itself, from records
// written back out of the index. It runs only when a counted record of the
// period has values without codes (a start_date that is not a canonical day,
// a dictionary full of garbage values): slow, but the same answer, so that
// no input, however odd, makes the index disagree with the reference.
//
// The records it writes back carry what Counter reads, in a form that
// Counter reads the same way: the client key as the IIN (distinct keys stay
// distinct, equal ones equal), and the age band as an age inside the band.
func (x *Index) computeExact(from, to string) (*stats.Tables, *stats.National) {
	c := stats.NewCounter(from, to)
	var rec register.Record
	if lo, hi, ok := dayRange(from, to); ok && len(x.days) > 0 {
		for d := max(lo, x.base); d <= min(hi, x.base+len(x.days)-1); d++ {
			end := dayString(uint16(d))
			for r := range x.days[d-x.base].all() {
				x.recordOf(&rec, r, end, nil)
				c.Add(&rec, x.reason.vals[r.reason])
			}
		}
	}
	for _, o := range x.odd {
		if o.end < from || o.end > to {
			continue
		}
		x.recordOf(&rec, &o.r, o.end, o.f)
		if o.f != nil {
			c.Add(&rec, o.f.reason)
		} else {
			c.Add(&rec, x.reason.vals[o.r.reason])
		}
	}
	return c.Tables(), c.National()
}

// bandAges are ages that register.AgeBand puts into each band, in the order
// of register.AgeBands ("" is unknown).
var bandAges = [...]string{"10", "20", "35", "45", "55", "70", ""}

func (x *Index) recordOf(rec *register.Record, r *row, end string, f *fields) {
	*rec = register.Record{
		RecordID:     x.rids.key(r.h),
		ClientIIN:    x.clients.key(r.client),
		EnterpriseID: x.ents.key(r.ent),
		ClientAge:    bandAges[r.bits&bandMask],
		EndDate:      end,
		DeliveryMode: "offline",
	}
	if r.bits&onlineBit != 0 {
		rec.DeliveryMode = "online"
	}
	if f != nil {
		rec.StartDate, rec.RegionKATO, rec.ServiceCode, rec.OKEDSection = f.start, f.region, f.service, f.section
		rec.LegalForm, rec.Category, rec.ClientGender = f.form, f.category, f.gender
		return
	}
	rec.StartDate = dayString(r.start)
	rec.RegionKATO, rec.ServiceCode, rec.OKEDSection = x.region.vals[r.region], x.service.vals[r.service], x.section.vals[r.section]
	rec.LegalForm, rec.Category, rec.ClientGender = x.form.vals[r.form], x.cat.vals[r.cat], x.gender.vals[r.gender]
}
