package survey

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"esep/internal/register"
)

// DrawMethod names the drawing procedure of Draw. It is written into every
// sample's description so that an auditor knows which procedure re-draws
// it; any change to the procedure that could change a sample must give it a
// new name.
const DrawMethod = "esep-survey-draw/v1"

// Unit is one record of the sampling frame: a service of the Register of
// services that the telephone survey may ask its client about.
type Unit struct {
	RecordID string // the record's record_id; unique in the frame
	Region   string // the region's KATO code, the first stratifier
	Service  string // the service code, the second stratifier when Plan.ByService
	Client   string // the client's identity key (register.ClientKey), so a client is called once
	Risk     bool   // the record carries a risk signal and may be oversampled
}

// UnitOf returns the frame unit of a normalised register record: its region,
// service and client identity key as esep counts them elsewhere.
func UnitOf(r *register.Record, risk bool) Unit {
	return Unit{
		RecordID: r.RecordID,
		Region:   r.RegionKATO,
		Service:  r.ServiceCode,
		Client:   register.ClientKey(r),
		Risk:     risk,
	}
}

// Plan says how large the sample of each stratum is and who is not called.
type Plan struct {
	// Margin and Confidence fix each stratum's size by SampleSize with the
	// stratum's N and p = 0.5, e.g. 0.05 and 0.95.
	Margin, Confidence float64
	// ByService stratifies by region and service; otherwise by region only.
	ByService bool
	// Exclude reports whether a client must not be called: called in the
	// last months, or refused to be contacted. It is called once per client
	// of the frame, in the order of their keys; nil excludes no one.
	Exclude func(client string) bool
	// Oversample is the extra share, on top of each stratum's sample, drawn
	// from its risky units: 0.2 adds ceil(0.2·n) risky units. Between 0 and
	// 1; more would make a risk audit of what is a quality survey.
	Oversample float64
}

// Sample is the result of Draw: the units to call and an account of every
// stratum, enough to re-draw it and to check it.
type Sample struct {
	Method      string  // DrawMethod
	Seed        uint64  // the seed the sample was drawn with
	Margin      float64 // the plan's numbers, since Plan.Exclude cannot be recorded
	Confidence  float64
	ByService   bool
	Oversample  float64
	FrameSize   int    // units in the frame
	FrameDigest string // SHA-256 of the sorted frame, see Description
	// Excluded holds the record IDs of the frame whose clients Plan.Exclude
	// ruled out, sorted, so that the draw can be repeated without the
	// exclusion rules' state at the time.
	Excluded []string
	Strata   []Stratum  // sorted by region, then service
	Units    []Selected // by stratum, then in the order drawn
}

// Stratum accounts for one stratum of a Sample.
type Stratum struct {
	Region, Service string // Service is "" unless the plan stratifies by service
	N               int    // units of the frame in the stratum
	Excluded        int    // of them, units whose client was excluded
	Clients         int    // distinct clients not excluded: at most this many can be called
	Wanted          int    // SampleSize of N
	Drawn           int    // units drawn for the sample (without the oversample)
	ExtraWanted     int    // ceil(Oversample · Wanted)
	ExtraDrawn      int    // risky units drawn on top
	// Everyone says the stratum had fewer callable clients than it needed,
	// so every one of them was taken.
	Everyone bool
}

// Key returns the stratum's key: the region, and "/service" after it when
// the plan stratifies by service.
func (s Stratum) Key() string { return stratumKey(s.Region, s.Service) }

// Selected is a unit drawn into a Sample.
type Selected struct {
	Unit
	Stratum string // the stratum's Key
	Order   int    // 1, 2, ... in the order drawn within the stratum: call in this order
	// Extra marks a unit of the risk oversample. Extra units answer the
	// audit of risky records; shares and ratings of the stratum leave them
	// out, since they are not a random sample of it.
	Extra bool
}

func stratumKey(region, service string) string {
	if service == "" {
		return region
	}
	return region + "/" + service
}

// Draw draws a stratified sample of frame for the telephone survey.
//
// The frame is sorted by RecordID first, so the order it comes in does not
// matter, and every stratum (a region, or a region and a service) gets a
// simple random sample of the size SampleSize gives for its N at the plan's
// margin and confidence, or every callable client when it has fewer. A
// client is called at most once per stratum, and excluded clients never.
// By service, a client of two services may be drawn in both strata; the
// campaign decides whether that is one call about both or two calls.
// The same frame, plan and seed always give the same sample.
//
// Within a stratum: the units whose clients are not excluded are shuffled
// by Fisher-Yates (D. E. Knuth, The Art of Computer Programming, vol. 2,
// 3rd ed., §3.4.2, Algorithm P) driven by a PCG-DXSM generator (math/rand/v2
// PCG) seeded with (seed, FNV-1a-64 of the stratum key), with each bound
// drawn by rejection from 64-bit outputs so that it is exactly uniform. The
// shuffled list is walked taking the first unit of each client not yet
// taken until the stratum's n is reached; the walk then goes on taking
// risky units of clients not yet taken for the oversample. Seeding each
// stratum from its own key means that adding or removing a region leaves
// the other regions' samples unchanged, and the oversample never changes
// the main sample. A client with several records in a stratum is reached
// through one of them, more likely the more records it has, which keeps
// the sample close to a random sample of records, the unit the audit
// counts.
//
// It returns a *ValidationError (matching ErrInvalid) for a bad plan, or a
// unit without a record ID, region, client or (by service) service, or a
// record ID that repeats.
func Draw(frame []Unit, plan Plan, seed uint64) (Sample, error) {
	if !(plan.Margin > 0 && plan.Margin < 1) {
		return Sample{}, invalid("margin", ErrOutOfRange, plan.Margin, "between 0 and 1")
	}
	if !(plan.Confidence > 0 && plan.Confidence < 1) {
		return Sample{}, invalid("confidence", ErrOutOfRange, plan.Confidence, "between 0 and 1")
	}
	if !(plan.Oversample >= 0 && plan.Oversample <= 1) {
		return Sample{}, invalid("oversample", ErrOutOfRange, plan.Oversample, "0 to 1")
	}
	units := slices.Clone(frame)
	slices.SortFunc(units, func(a, b Unit) int { return strings.Compare(a.RecordID, b.RecordID) })
	for i, u := range units {
		switch {
		case u.RecordID == "":
			return Sample{}, invalid("record_id", ErrRequired, "", "")
		case i > 0 && units[i-1].RecordID == u.RecordID:
			return Sample{}, invalid("record_id", ErrRepeated, u.RecordID, "")
		case u.Region == "":
			return Sample{}, invalid("region", ErrRequired, u.RecordID, "")
		case u.Client == "":
			return Sample{}, invalid("client", ErrRequired, u.RecordID, "")
		case plan.ByService && u.Service == "":
			return Sample{}, invalid("service", ErrRequired, u.RecordID, "")
		}
	}

	excluded := map[string]bool{}
	if plan.Exclude != nil {
		clients := make([]string, 0, len(units))
		for _, u := range units {
			clients = append(clients, u.Client)
		}
		slices.Sort(clients)
		for _, c := range slices.Compact(clients) {
			if plan.Exclude(c) {
				excluded[c] = true
			}
		}
	}

	s := Sample{
		Method: DrawMethod, Seed: seed,
		Margin: plan.Margin, Confidence: plan.Confidence,
		ByService: plan.ByService, Oversample: plan.Oversample,
		FrameSize: len(units), FrameDigest: frameDigest(units),
	}
	strata := map[[2]string][]Unit{}
	for _, u := range units {
		k := [2]string{u.Region, ""}
		if plan.ByService {
			k[1] = u.Service
		}
		strata[k] = append(strata[k], u)
		if excluded[u.Client] {
			s.Excluded = append(s.Excluded, u.RecordID)
		}
	}
	keys := make([][2]string, 0, len(strata))
	for k := range strata {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	})
	for _, k := range keys {
		st, sel, err := drawStratum(k[0], k[1], strata[k], plan, seed, excluded)
		if err != nil {
			return Sample{}, err
		}
		s.Strata = append(s.Strata, st)
		s.Units = append(s.Units, sel...)
	}
	return s, nil
}

// drawStratum draws one stratum; its units are sorted by RecordID.
func drawStratum(region, service string, units []Unit, plan Plan, seed uint64, excluded map[string]bool) (Stratum, []Selected, error) {
	st := Stratum{Region: region, Service: service, N: len(units)}
	var err error
	if st.Wanted, err = SampleSize(st.N, plan.Margin, plan.Confidence, 0.5); err != nil {
		return st, nil, err
	}
	eligible := make([]Unit, 0, len(units))
	clients := map[string]bool{}
	for _, u := range units {
		if excluded[u.Client] {
			st.Excluded++
			continue
		}
		eligible = append(eligible, u)
		clients[u.Client] = true
	}
	st.Clients = len(clients)

	key := st.Key()
	h := fnv.New64a()
	h.Write([]byte(key))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	for i := len(eligible) - 1; i > 0; i-- {
		j := uniform(r, uint64(i)+1)
		eligible[i], eligible[j] = eligible[j], eligible[i]
	}

	taken := map[string]bool{}
	var sel []Selected
	next := 0
	for ; next < len(eligible) && st.Drawn < st.Wanted; next++ {
		u := eligible[next]
		if taken[u.Client] {
			continue
		}
		taken[u.Client] = true
		st.Drawn++
		sel = append(sel, Selected{Unit: u, Stratum: key, Order: len(sel) + 1})
	}
	st.Everyone = st.Drawn < st.Wanted
	if st.Everyone {
		return st, sel, nil // every callable client is in: nothing is left to oversample
	}
	st.ExtraWanted = int(math.Ceil(plan.Oversample*float64(st.Wanted) - 1e-9))
	for ; next < len(eligible) && st.ExtraDrawn < st.ExtraWanted; next++ {
		u := eligible[next]
		if !u.Risk || taken[u.Client] {
			continue
		}
		taken[u.Client] = true
		st.ExtraDrawn++
		sel = append(sel, Selected{Unit: u, Stratum: key, Order: len(sel) + 1, Extra: true})
	}
	return st, sel, nil
}

// uniform returns a uniform integer in [0, n) from r's 64-bit outputs by
// rejection: outputs below 2⁶⁴ mod n are drawn again, so that every value
// has exactly the same number of outputs mapping to it. It is written out
// rather than taken from rand.Rand so that the procedure DrawMethod names
// does not depend on how a Go release implements bounded draws.
func uniform(r *rand.Rand, n uint64) uint64 {
	threshold := -n % n // 2⁶⁴ mod n
	for {
		if x := r.Uint64(); x >= threshold {
			return x % n
		}
	}
}

// frameDigest is the SHA-256 of the sorted frame, one line per unit: record
// ID, region, service, client and risk (0 or 1), separated by unit
// separators (0x1f) and ended by a newline.
func frameDigest(units []Unit) string {
	h := sha256.New()
	for _, u := range units {
		risk := "0"
		if u.Risk {
			risk = "1"
		}
		fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%s\x1f%s\n", u.RecordID, u.Region, u.Service, u.Client, risk)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Description returns a plain-text account of the draw, the same for the
// same frame, plan and seed: the method, the seed, the plan, the frame's
// digest, the exclusions' digest and each stratum's figures. Filed with the
// survey, it lets an auditor re-draw the sample from the frame and check
// that nothing was picked by hand.
func (s *Sample) Description() string {
	var b strings.Builder
	fmt.Fprintf(&b, "method: %s\n", s.Method)
	fmt.Fprintf(&b, "seed: %d\n", s.Seed)
	strata := "region"
	if s.ByService {
		strata = "region and service"
	}
	fmt.Fprintf(&b, "plan: margin %g, confidence %g, p 0.5, strata by %s, oversample of risky units %g\n",
		s.Margin, s.Confidence, strata, s.Oversample)
	fmt.Fprintf(&b, "frame: %d units, sha256 %s\n", s.FrameSize, s.FrameDigest)
	h := sha256.New()
	for _, id := range s.Excluded {
		fmt.Fprintf(h, "%s\n", id)
	}
	fmt.Fprintf(&b, "excluded: %d units, sha256 %s\n", len(s.Excluded), hex.EncodeToString(h.Sum(nil)))
	for _, st := range s.Strata {
		fmt.Fprintf(&b, "stratum %s: N %d, excluded %d, clients %d, wanted %d, drawn %d, extra wanted %d, extra drawn %d",
			st.Key(), st.N, st.Excluded, st.Clients, st.Wanted, st.Drawn, st.ExtraWanted, st.ExtraDrawn)
		if st.Everyone {
			b.WriteString(", everyone taken")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
