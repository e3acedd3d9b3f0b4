package report

import (
	"strconv"
	"strings"

	"esep/internal/i18n"
	"esep/internal/survey"
)

// Section 3 is laid out once, here, as blocks of text and tables in the
// reader's language; the PDF, the workbook and the web page each draw the
// same blocks in their own way. So the three say the same thing, and what
// the section shows is decided in one place.

// Block is one piece of the quality section: a subsection heading or a
// caption, paragraphs, and a table with notes under it. Any part may be
// empty.
type Block struct {
	Heading bool   // Title is a subsection heading, not a table's caption
	Title   string // "" for none
	Paras   []string
	Strong  bool // the paragraphs are the section's main message
	Cols    []Column
	Rows    []Row
	Notes   []string // small print under the table
}

// Column is a column of a block's table. Width is relative: the PDF shares
// its page width in these proportions.
type Column struct {
	Title string
	Kind  CellKind
	Width float64
}

// Row is a row of a block's table; Total rows are drawn in bold.
type Row struct {
	Cells []Cell
	Total bool
}

// CellKind says what a cell holds, so that a workbook can store it as a
// number (and a confidence interval as two).
type CellKind int

// The kinds of cell.
const (
	CellText       CellKind = iota // words or a code
	CellCount                      // Value is a whole number
	CellMean                       // Value is a mean rating, two decimals
	CellPercent                    // Value is a share (0-1), shown as a percentage
	CellMeanCI                     // Lo and Hi bound a mean rating
	CellPercentCI                  // Lo and Hi bound a share
	CellMeanWithCI                 // Value, Lo and Hi: a mean and its interval in one cell
	CellFlag                       // "*" when the row's figure rests on too few answers
)

// Cell is one cell: Text is how it reads (with Sub on a second line), and
// Value, Lo and Hi what it is, by its column's Kind. A cell Undefined has
// no value (a rate with nothing to divide) and reads "—".
type Cell struct {
	Text      string
	Sub       string
	Value     float64
	Lo, Hi    float64
	Undefined bool
}

// SmallMark marks a figure that rests on fewer than SmallCell answers.
const SmallMark = "*"

// QualityLayout lays section 3 out in lang, after the criteria paragraph
// every renderer writes first.
func QualityLayout(q Quality, lang i18n.Lang) []Block {
	l := layout{lang: lang, small: q.SmallCell}
	if l.small == 0 {
		l.small = survey.SmallCellSize
	}
	if !q.HasData {
		l.add(Block{Paras: []string{l.t(qualityNoData)}, Strong: true})
		if q.Phone != nil { // calls made, none answered yet: how the calling goes
			l.response(q.Phone)
		}
		return l.blocks
	}
	var notes []string
	for _, n := range q.Notes {
		notes = append(notes, l.t(n))
	}
	notes = append(notes, l.t("doc.quality.legend", "mark", SmallMark, "n", l.small))
	l.add(Block{Paras: notes})
	if f := q.Questionnaires; f != nil {
		l.add(Block{Heading: true, Title: l.t("doc.quality.questionnaires"),
			Paras: []string{l.t("doc.quality.questionnaires_count", "n", count(f.Count))}})
		l.ratings(f.Ratings)
		l.options("doc.quality.financial", survey.GroupFinancial, f.Financial)
		l.options("doc.quality.non_financial", survey.GroupNonFinancial, f.NonFinancial)
		l.options("doc.quality.purposes", survey.GroupPurpose, f.Purposes)
	}
	if p := q.Phone; p != nil {
		l.add(Block{Heading: true, Title: l.t("doc.quality.phone"),
			Paras: []string{l.t("doc.quality.phone_count", "calls", count(p.Calls), "interviews", count(p.Interviews))}})
		l.response(p)
		l.unconfirmed(p)
		l.ratings(p.Rating)
		l.shares("doc.quality.useful", survey.GroupPhoneUseful, p.Useful)
		l.add(Block{Title: l.t("doc.quality.interest"), Paras: []string{l.shareText("doc.quality.interested", p.Interested)}})
		l.options("doc.quality.instruments", survey.GroupFinancial, p.Instruments)
	}
	return l.blocks
}

type layout struct {
	lang   i18n.Lang
	small  int
	blocks []Block
}

func (l *layout) add(b Block)                        { l.blocks = append(l.blocks, b) }
func (l *layout) t(key string, params ...any) string { return i18n.T(l.lang, key, params...) }
func (l *layout) col(key string, kind CellKind, w float64) Column {
	return Column{Title: l.t(key), Kind: kind, Width: w}
}

// flagCol is the column that marks figures resting on too few answers.
func (l *layout) flagCol() Column {
	return Column{Title: l.t("doc.quality.col.flag", "n", l.small), Kind: CellFlag, Width: 9}
}

// QuestionName names a rating question of a RatingSet in lang.
func QuestionName(lang i18n.Lang, code string) string {
	return i18n.T(lang, "doc.quality.q."+code)
}

// OptionName names an option of an Annex 2 or 4 list in lang.
func OptionName(lang i18n.Lang, group, code string) string {
	if l, ok := survey.OptionLabel(group, code); ok {
		return l.In(string(lang))
	}
	return code
}

// ratings lays out a RatingSet: the distribution, mean and interval of
// each question, the share of 4 and 5, and the breakdowns by region,
// service and manager.
func (l *layout) ratings(s RatingSet) {
	dist := Block{Title: l.t("doc.quality.ratings"), Cols: []Column{
		l.col("doc.quality.col.question", CellText, 36), l.col("doc.quality.col.n", CellCount, 9),
		l.col("doc.quality.col.mean", CellMean, 12), l.col("doc.quality.col.ci", CellMeanCI, 17)}}
	for k := range 5 {
		dist.Cols = append(dist.Cols, Column{Title: strconv.Itoa(k + 1), Kind: CellCount, Width: 8})
	}
	dist.Cols = append(dist.Cols, l.flagCol())
	top := Block{Title: l.t("doc.quality.satisfied"), Cols: l.shareCols("doc.quality.col.question")}
	for k, code := range s.Questions {
		r := s.Overall[k]
		cells := []Cell{text(QuestionName(l.lang, code)), countCell(r.N), mean(r), meanCI(r)}
		for _, n := range r.Dist {
			cells = append(cells, countCell(n))
		}
		dist.Rows = append(dist.Rows, Row{Cells: append(cells, flag(r.Small))})
		top.Rows = append(top.Rows, Row{Cells: append([]Cell{text(QuestionName(l.lang, code))}, shareCells(s.Satisfied[k])...)})
	}
	l.add(dist)
	l.add(top)
	l.groups("doc.quality.by_region", "doc.col.region", s.Questions, s.ByRegion, func(k string) string { return Name(l.lang, NameRegion, k) })
	l.groups("doc.quality.by_service", "doc.col.service", s.Questions, s.ByService, func(k string) string { return Name(l.lang, NameService, k) })
	l.groups("doc.quality.by_manager", "doc.quality.col.manager", s.Questions, s.ByManager, func(k string) string {
		if k == "" {
			return l.t("doc.unspecified")
		}
		return k
	})
}

// groups lays out a breakdown: with one question its mean and interval in
// columns of their own; with several, a column per question holding both.
func (l *layout) groups(titleKey, keyTitle string, questions []string, gs []GroupRating, name func(string) string) {
	if len(gs) == 0 {
		return
	}
	b := Block{Title: l.t(titleKey), Cols: []Column{l.col(keyTitle, CellText, 28), l.col("doc.quality.col.n", CellCount, 8)}}
	one := len(questions) == 1
	if one {
		b.Cols = append(b.Cols, l.col("doc.quality.col.mean", CellMean, 12), l.col("doc.quality.col.ci", CellMeanCI, 18))
	} else {
		for _, q := range questions {
			b.Cols = append(b.Cols, Column{Title: l.t("doc.quality.short." + q), Kind: CellMeanWithCI, Width: 22})
		}
	}
	b.Cols = append(b.Cols, l.flagCol())
	for _, g := range gs {
		cells := []Cell{text(name(g.Key)), countCell(g.N)}
		for _, r := range g.Ratings {
			if one {
				cells = append(cells, mean(r), meanCI(r))
				continue
			}
			c := mean(r)
			c.Lo, c.Hi, c.Sub, c.Undefined = r.Lo, r.Hi, meanCI(r).Text, r.N == 0
			cells = append(cells, c)
		}
		b.Rows = append(b.Rows, Row{Cells: append(cells, flag(g.Small))})
	}
	if !one {
		b.Notes = []string{l.t("doc.quality.mean_ci_note")}
	}
	l.add(b)
}

// shareCols are the columns of a table of shares after its first.
func (l *layout) shareCols(firstKey string) []Column {
	return []Column{l.col(firstKey, CellText, 60), l.col("doc.quality.col.count", CellCount, 10), l.col("doc.quality.col.n", CellCount, 10),
		l.col("doc.quality.col.percent", CellPercent, 10), l.col("doc.quality.col.ci", CellPercentCI, 16), l.flagCol()}
}

// options lays out the answers to a "mark as necessary" list: at least
// one, then each option.
func (l *layout) options(titleKey, group string, f OptionFigures) {
	b := Block{Title: l.t(titleKey), Cols: l.shareCols("doc.quality.col.option")}
	b.Rows = append(b.Rows, Row{Cells: append([]Cell{text(l.t("doc.quality.any"))}, shareCells(f.Any)...), Total: true})
	for _, o := range f.Options {
		b.Rows = append(b.Rows, Row{Cells: append([]Cell{text(OptionName(l.lang, group, o.Code))}, shareCells(o.Share)...)})
	}
	l.add(b)
}

// shares lays out the shares of the answers to a single-choice question.
func (l *layout) shares(titleKey, group string, os []OptionShare) {
	b := Block{Title: l.t(titleKey), Cols: l.shareCols("doc.quality.col.answer")}
	for _, o := range os {
		b.Rows = append(b.Rows, Row{Cells: append([]Cell{text(OptionName(l.lang, group, o.Code))}, shareCells(o.Share)...)})
	}
	l.add(b)
}

// response lays out the AAPOR dispositions and rates of each campaign and
// of all of them.
func (l *layout) response(p *PhoneFigures) {
	disp := Block{Title: l.t("doc.quality.dispositions"), Cols: []Column{l.col("doc.quality.col.campaign", CellText, 32),
		l.col("doc.quality.col.cases", CellCount, 15)}}
	for _, c := range []string{"I", "P", "R", "NC", "O", "UH", "NE"} {
		disp.Cols = append(disp.Cols, Column{Title: c, Kind: CellCount, Width: 8})
	}
	disp.Cols = append(disp.Cols, l.col("doc.quality.col.pending", CellCount, 17))
	rates := Block{Title: l.t("doc.quality.rates"), Cols: []Column{l.col("doc.quality.col.campaign", CellText, 34)},
		Notes: []string{l.t("doc.quality.rates_note")}}
	for _, c := range []string{"RR1", "RR2", "COOP1", "REF1", "CON1"} {
		rates.Cols = append(rates.Cols, Column{Title: c + ", %", Kind: CellPercent, Width: 13})
	}
	rows := append([]ResponseRow(nil), p.Response...)
	rows = append(rows, p.Total)
	for i, r := range rows {
		name := r.Campaign
		if r.From != "" {
			name += " (" + r.From + " — " + r.To + ")"
		}
		total := i == len(rows)-1
		if total {
			name = l.t("doc.quality.all_campaigns")
		}
		d := r.Dispositions
		cells := []Cell{text(name), countCell(r.Cases)}
		for _, n := range []int{d.I, d.P, d.R, d.NC, d.O, d.UH, d.NE} {
			cells = append(cells, countCell(n))
		}
		disp.Rows = append(disp.Rows, Row{Cells: append(cells, countCell(r.Pending)), Total: total})
		cells = []Cell{text(name)}
		for _, v := range []*float64{r.RR1, r.RR2, r.COOP1, r.REF1, r.CON1} {
			cells = append(cells, rate(v))
		}
		rates.Rows = append(rates.Rows, Row{Cells: cells, Total: total})
	}
	l.add(disp)
	l.add(rates)
}

// unconfirmed states the share of services not confirmed and what it
// implies for the register, on what it rests, and the oversample's cases.
func (l *layout) unconfirmed(p *PhoneFigures) {
	b := Block{Title: l.t("doc.quality.unconfirmed_title")}
	if u := p.Unconfirmed; u == nil {
		b.Paras = append(b.Paras, l.t("doc.quality.unconfirmed_none"))
	} else {
		b.Paras = append(b.Paras,
			l.t("doc.quality.unconfirmed", "share", pct(u.Share), "lo", pct(u.Lo), "hi", pct(u.Hi), "register", count(u.Register),
				"count", count(u.Count), "count_lo", count(u.CountLo), "count_hi", count(u.CountHi)),
			l.t("doc.quality.unconfirmed_basis", "respondents", count(u.Respondents), "not_confirmed", count(u.NotConfirmed),
				"neff", strconv.FormatFloat(u.EffectiveN, 'f', 1, 64), "surveyed", count(u.Surveyed)))
		if u.Small {
			b.Paras[0] += " " + SmallMark
		}
		if u.Uncovered > 0 {
			b.Paras = append(b.Paras, l.t("doc.quality.unconfirmed_uncovered", "uncovered", count(u.Uncovered)))
		}
	}
	b.Paras = append(b.Paras, l.t("doc.quality.oversample", "n", count(p.Oversample.N), "hits", count(p.Oversample.Hits), "total", count(p.NotConfirmed)))
	l.add(b)
}

// shareText is a sentence about a share: key with share, lo, hi, hits and
// n filled in, marked when small.
func (l *layout) shareText(key string, s Share) string {
	t := l.t(key, "share", pct(s.Value), "lo", pct(s.Lo), "hi", pct(s.Hi), "hits", count(s.Hits), "n", count(s.N))
	if s.Small {
		t += " " + SmallMark
	}
	return t
}

func text(s string) Cell { return Cell{Text: s} }

func countCell(n int) Cell { return Cell{Text: count(n), Value: float64(n)} }

func flag(small bool) Cell {
	if small {
		return Cell{Text: SmallMark}
	}
	return Cell{}
}

// mean is a mean rating, "—" with no ratings.
func mean(r RatingFigure) Cell {
	if r.N == 0 {
		return Cell{Text: "—", Undefined: true}
	}
	return Cell{Text: dec(r.Mean), Value: r.Mean}
}

func meanCI(r RatingFigure) Cell {
	if r.N == 0 {
		return Cell{Text: "—", Undefined: true}
	}
	return Cell{Text: dec(r.Lo) + "–" + dec(r.Hi), Lo: r.Lo, Hi: r.Hi}
}

// shareCells are the cells of a share after its label: hits, n, the share
// and its interval, the flag. With no answers the share is undefined.
func shareCells(s Share) []Cell {
	if s.N == 0 {
		none := Cell{Text: "—", Undefined: true}
		return []Cell{countCell(0), countCell(0), none, none, flag(true)}
	}
	return []Cell{countCell(s.Hits), countCell(s.N), {Text: pct(s.Value), Value: s.Value},
		{Text: pct(s.Lo) + "–" + pct(s.Hi), Lo: s.Lo, Hi: s.Hi}, flag(s.Small)}
}

func rate(v *float64) Cell {
	if v == nil {
		return Cell{Text: "—", Undefined: true}
	}
	return Cell{Text: pct(*v), Value: *v}
}

// dec writes a mean rating with two decimals.
func dec(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// pct writes a share as a percentage with one decimal, as the conclusions
// do.
func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) }

func count(n int) string { return GroupDigits(n) }

// GroupDigits writes a whole number with its thousands grouped by a narrow
// no-break space (12 345), the grouping of the report's PDF tables and web
// page in all three languages; it never breaks across lines.
func GroupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return b.String()
}
