package campaign

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"esep/internal/survey"
)

// The verdicts of a Verification. They are stable: the API and the CLI's
// JSON return them, and they name the i18n keys
// "campaign.verify.verdict.<verdict>".
const (
	// VerdictReproduced: today's frame is the one drawn from, and the draw
	// gives exactly the calls and the account stored.
	VerdictReproduced = "reproduced"
	// VerdictFrameChanged: the register's records of the period changed
	// after the draw, so the draw cannot be repeated on the frame it was
	// made from; the sample re-drawn from today's frame is shown all the
	// same, since its unchanged strata still compare.
	VerdictFrameChanged = "frame_changed"
	// VerdictSampleDiffers: the frame is the one drawn from, yet the stored
	// calls or the account of the strata are not what the draw gives: they
	// were changed after the draw, or not drawn by this procedure.
	VerdictSampleDiffers = "sample_differs"
)

// MaxDifferences bounds the differences a Verification lists: the first
// few say where to look, and the count says how far it goes.
const MaxDifferences = 20

// Verification is the result of drawing a campaign's sample again: whether
// the frame is the one drawn from, and whether the stored sample is the
// one the draw gives.
type Verification struct {
	CampaignID int64       `json:"campaign_id"`
	Method     string      `json:"method"`
	Seed       uint64      `json:"seed,string"`
	Excluded   int         `json:"excluded"` // records left out at the draw, as kept
	Risky      int         `json:"risky"`    // records marked risky at the draw, as kept
	Frame      FrameCheck  `json:"frame"`
	Sample     SampleCheck `json:"sample"`
	Verdict    string      `json:"verdict"`
}

// FrameCheck compares the frame of the draw with today's frame of the same
// period.
type FrameCheck struct {
	Unchanged     bool   `json:"unchanged"`
	StoredSize    int    `json:"stored_size"`
	StoredDigest  string `json:"stored_digest"`
	CurrentSize   int    `json:"current_size"`
	CurrentDigest string `json:"current_digest"`
	// Strata lists, when the frame changed, the strata whose size did: the
	// frame's records are not kept, so this and SampledGone say where the
	// register moved.
	Strata []StratumSize `json:"strata,omitempty"`
	// SampledGone counts, when the frame changed, the stored calls whose
	// record is no longer in the frame as it was drawn: removed, no longer
	// counted, moved out of the period, or with another region or client.
	SampledGone int `json:"sampled_gone"`
}

// StratumSize is a stratum whose size changed since the draw.
type StratumSize struct {
	Stratum string `json:"stratum"`
	Stored  int    `json:"stored"`  // N at the draw; 0 for a stratum that is new
	Current int    `json:"current"` // N now; 0 for a stratum that is gone
}

// SampleCheck compares the stored sample with the re-drawn one.
type SampleCheck struct {
	Identical    bool `json:"identical"`
	StoredCalls  int  `json:"stored_calls"`
	RedrawnCalls int  `json:"redrawn_calls"`
	// Differences counts the places (a stratum and an order) where the
	// stored call and the re-drawn unit are not the same record with the
	// same extra flag; First holds the first MaxDifferences of them, by
	// stratum and order.
	Differences int          `json:"differences"`
	First       []Difference `json:"first,omitempty"`
	// Strata lists the strata whose stored account (N, excluded, wanted,
	// drawn...) is not the re-draw's.
	Strata []string `json:"strata,omitempty"`
	// ExcludedSame says the re-draw left out exactly the records kept.
	ExcludedSame bool `json:"excluded_same"`
}

// Difference is one place of the sample where the stored call and the
// re-drawn unit differ. A record is "" where one side has none.
type Difference struct {
	Stratum      string `json:"stratum"`
	Order        int    `json:"order"`
	Stored       string `json:"stored"`
	StoredExtra  bool   `json:"stored_extra"`
	Redrawn      string `json:"redrawn"`
	RedrawnExtra bool   `json:"redrawn_extra"`
}

// Verify draws a campaign's sample again and compares it with what was
// stored, for an auditor: the frame is built from today's register as Open
// builds it, the risk marks and the exclusions are those kept at the draw
// (the state they came from has moved on since), and the plan and seed are
// the campaign's. A register changed since the draw is a finding reported
// in the result, not an error.
//
// It returns an error matching ErrNotFound for no such campaign, and an
// *Error of CodeMethod for a campaign drawn by a procedure this esep does
// not implement.
func (s *Service) Verify(ctx context.Context, id int64) (*Verification, error) {
	c, err := s.Store.Campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Method != survey.DrawMethod {
		return nil, &Error{Code: CodeMethod, Value: c.Method}
	}
	excluded, risky, err := s.Store.DrawInputs(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("verify campaign %d: %w", id, err)
	}
	frame, _, err := s.frame(ctx, c.From, c.To, false)
	if err != nil {
		return nil, fmt.Errorf("verify campaign %d: %w", id, err)
	}
	if c.Oversample > 0 {
		markRisk(frame, has(risky))
	}
	// The draw left clients out, and kept the records that left out; a
	// client is left out again when one of those records is its.
	out, ex := map[string]bool{}, has(excluded)
	for _, u := range frame {
		if ex(u.RecordID) {
			out[u.Client] = true
		}
	}
	sample, err := survey.Draw(frame, c.plan(func(client string) bool { return out[client] }), c.Seed)
	if err != nil {
		return nil, fmt.Errorf("verify campaign %d: re-draw: %w", id, err)
	}
	calls, err := s.Store.Calls(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("verify campaign %d: %w", id, err)
	}
	strata, err := s.Store.Strata(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("verify campaign %d: %w", id, err)
	}

	v := &Verification{CampaignID: id, Method: c.Method, Seed: c.Seed, Excluded: len(excluded), Risky: len(risky),
		Frame: FrameCheck{Unchanged: sample.FrameDigest == c.FrameDigest && sample.FrameSize == c.FrameSize,
			StoredSize: c.FrameSize, StoredDigest: c.FrameDigest, CurrentSize: sample.FrameSize, CurrentDigest: sample.FrameDigest}}
	if !v.Frame.Unchanged {
		v.Frame.Strata = strataSizes(strata, sample.Strata)
		v.Frame.SampledGone = sampledGone(calls, frame)
	}
	v.Sample = compareSample(calls, strata, sample)
	v.Sample.ExcludedSame = slices.Equal(excluded, sample.Excluded)
	v.Sample.Identical = v.Sample.Differences == 0 && len(v.Sample.Strata) == 0 && v.Sample.ExcludedSame
	switch {
	case !v.Frame.Unchanged:
		v.Verdict = VerdictFrameChanged
	case !v.Sample.Identical:
		v.Verdict = VerdictSampleDiffers
	default:
		v.Verdict = VerdictReproduced
	}
	return v, nil
}

// Reproduced reports whether the verification found the draw reproduced:
// the same frame, and the sample stored is the one it gives.
func (v *Verification) Reproduced() bool { return v.Verdict == VerdictReproduced }

func has(ids []string) func(string) bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return func(id string) bool { return set[id] }
}

// strataSizes lists the strata whose N differs between the stored account
// and the re-draw, by key.
func strataSizes(stored, redrawn []survey.Stratum) []StratumSize {
	sizes := map[string]*StratumSize{}
	at := func(key string) *StratumSize {
		if sizes[key] == nil {
			sizes[key] = &StratumSize{Stratum: key}
		}
		return sizes[key]
	}
	for _, st := range stored {
		at(st.Key()).Stored = st.N
	}
	for _, st := range redrawn {
		at(st.Key()).Current = st.N
	}
	var out []StratumSize
	for _, s := range sizes {
		if s.Stored != s.Current {
			out = append(out, *s)
		}
	}
	slices.SortFunc(out, func(a, b StratumSize) int { return strings.Compare(a.Stratum, b.Stratum) })
	return out
}

// sampledGone counts the calls whose record is not in frame with the region
// and client it was drawn with.
func sampledGone(calls []*Call, frame []survey.Unit) int {
	current := make(map[string]survey.Unit, len(frame))
	for _, u := range frame {
		current[u.RecordID] = u
	}
	n := 0
	for _, c := range calls {
		u, ok := current[c.RecordID]
		if !ok || u.Region != c.Region || ClientHash(u.Client) != c.ClientHash {
			n++
		}
	}
	return n
}

// place is one unit of a sample at its stratum and order.
type place struct {
	stratum string
	order   int
	record  string
	extra   bool
}

func comparePlaces(a, b place) int {
	return cmp.Or(strings.Compare(a.stratum, b.stratum), cmp.Compare(a.order, b.order), strings.Compare(a.record, b.record))
}

// compareSample compares the stored calls and strata with the re-drawn
// sample, place by place: both lists are sorted by stratum and order and
// walked together, so a call missing, added, moved or swapped shows at
// the places it touches.
func compareSample(calls []*Call, strata []survey.Stratum, sample survey.Sample) SampleCheck {
	out := SampleCheck{StoredCalls: len(calls), RedrawnCalls: len(sample.Units)}
	stored := make([]place, 0, len(calls))
	for _, c := range calls {
		stored = append(stored, place{c.Stratum, c.Order, c.RecordID, c.Extra})
	}
	redrawn := make([]place, 0, len(sample.Units))
	for _, u := range sample.Units {
		redrawn = append(redrawn, place{u.Stratum, u.Order, u.RecordID, u.Extra})
	}
	slices.SortFunc(stored, comparePlaces)
	slices.SortFunc(redrawn, comparePlaces)
	differ := func(d Difference) {
		out.Differences++
		if len(out.First) < MaxDifferences {
			out.First = append(out.First, d)
		}
	}
	i, j := 0, 0
	for i < len(stored) || j < len(redrawn) {
		var c int
		switch {
		case i == len(stored):
			c = 1
		case j == len(redrawn):
			c = -1
		default:
			c = cmp.Or(strings.Compare(stored[i].stratum, redrawn[j].stratum), cmp.Compare(stored[i].order, redrawn[j].order))
		}
		switch {
		case c < 0:
			differ(Difference{Stratum: stored[i].stratum, Order: stored[i].order, Stored: stored[i].record, StoredExtra: stored[i].extra})
			i++
		case c > 0:
			differ(Difference{Stratum: redrawn[j].stratum, Order: redrawn[j].order, Redrawn: redrawn[j].record, RedrawnExtra: redrawn[j].extra})
			j++
		default:
			if stored[i] != redrawn[j] {
				differ(Difference{Stratum: stored[i].stratum, Order: stored[i].order, Stored: stored[i].record, StoredExtra: stored[i].extra,
					Redrawn: redrawn[j].record, RedrawnExtra: redrawn[j].extra})
			}
			i, j = i+1, j+1
		}
	}

	accounts := map[string]survey.Stratum{}
	for _, st := range strata {
		accounts[st.Key()] = st
	}
	for _, st := range sample.Strata {
		if kept, ok := accounts[st.Key()]; !ok || kept != st {
			out.Strata = append(out.Strata, st.Key())
		}
		delete(accounts, st.Key())
	}
	for key := range accounts {
		out.Strata = append(out.Strata, key)
	}
	slices.Sort(out.Strata)
	return out
}

// Message is one line of a Verification's account: an i18n key and its
// parameters, for the CLI and the web page to write in the user's
// language the same way.
type Message struct {
	Key    string
	Params []any
}

// Messages gives the account of the verification, line by line: what was
// re-drawn, the frame, where it changed, the sample, its first differences,
// the strata accounts that differ, and the verdict.
func (v *Verification) Messages() []Message {
	f, s := v.Frame, v.Sample
	seed := strconv.FormatUint(v.Seed, 10)
	out := []Message{{"campaign.verify.head", []any{"id", v.CampaignID, "method", v.Method, "seed", seed, "excluded", v.Excluded, "risky", v.Risky}}}
	if f.Unchanged {
		out = append(out, Message{"campaign.verify.frame_same", []any{"size", f.StoredSize, "digest", f.StoredDigest}})
	} else {
		out = append(out, Message{"campaign.verify.frame_changed", []any{"stored_size", f.StoredSize, "stored_digest", f.StoredDigest,
			"current_size", f.CurrentSize, "current_digest", f.CurrentDigest}})
		for _, st := range f.Strata {
			out = append(out, Message{"campaign.verify.stratum_size", []any{"stratum", st.Stratum, "stored", st.Stored, "current", st.Current}})
		}
		out = append(out, Message{"campaign.verify.sampled_gone", []any{"n", f.SampledGone, "calls", s.StoredCalls}})
	}
	if s.Identical {
		out = append(out, Message{"campaign.verify.sample_same", []any{"calls", s.StoredCalls}})
	} else {
		out = append(out, Message{"campaign.verify.sample_differs", []any{"n", s.Differences, "stored", s.StoredCalls, "redrawn", s.RedrawnCalls}})
		for _, d := range s.First {
			out = append(out, Message{"campaign.verify.difference", []any{"stratum", d.Stratum, "order", d.Order,
				"stored", placeText(d.Stored, d.StoredExtra), "redrawn", placeText(d.Redrawn, d.RedrawnExtra)}})
		}
		if len(s.First) > 0 {
			out = append(out, Message{"campaign.verify.legend", nil})
		}
		if len(s.Strata) > 0 {
			out = append(out, Message{"campaign.verify.strata_differ", []any{"strata", strings.Join(s.Strata, ", ")}})
		}
		if !s.ExcludedSame {
			out = append(out, Message{"campaign.verify.excluded_differ", nil})
		}
	}
	return append(out, Message{"campaign.verify.verdict." + v.Verdict, nil})
}

// placeText writes one side of a difference: the record, with "+" after
// one of the risk oversample, or "—" for none (the legend line says so).
func placeText(record string, extra bool) string {
	switch {
	case record == "":
		return "—"
	case extra:
		return record + "+"
	}
	return record
}
