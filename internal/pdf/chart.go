package pdf

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"sync"

	stdfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartDPI is the resolution of the chart images: enough for print at
// their size on the page, small enough to keep the file light.
//
// Each chart of a document must have its own pixel width, so the second
// is drawn at chartDPI+1 (the difference does not show): fpdf's sorted
// catalog orders images by width alone, and images of equal width come out
// in map order, which would make the bytes of the file vary from run to
// run.
const chartDPI = 150

// chartFonts is a font cache of its own holding the embedded DejaVu: the
// chart labels are region names in Kazakh, which plot's default Liberation
// fonts do not all have, and the global cache is left as other packages
// expect it.
var chartFonts = sync.OnceValue(func() text.Handler {
	var coll font.Collection
	for _, f := range []struct {
		data   []byte
		weight stdfont.Weight
	}{{fontRegular, stdfont.WeightNormal}, {fontBold, stdfont.WeightBold}} {
		face, err := opentype.Parse(f.data)
		if err != nil {
			panic(fmt.Errorf("pdf: embedded font: %w", err)) // a build defect
		}
		coll = append(coll, font.Face{Font: font.Font{Typeface: family, Weight: f.weight}, Face: face})
	}
	return text.Plain{Fonts: font.NewCache(coll)}
})

// bar is one bar of a chart.
type bar struct {
	label string
	value int
}

// barChart draws a horizontal bar chart of bars as a PNG image of w × h
// millimetres at dpi dots per inch. The largest bar is at the top; equal
// bars keep their given order, so the image depends on the data alone.
func barChart(bars []bar, w, h float64, dpi int) ([]byte, error) {
	// Ascending, because the first bar is drawn at the bottom; reversed
	// first, so that equal bars read from the top in their given order.
	bars = slices.Clone(bars)
	slices.Reverse(bars)
	slices.SortStableFunc(bars, func(a, b bar) int { return cmp.Compare(a.value, b.value) })

	hdlr := chartFonts()
	// Only the font changes: plot's styles carry the alignments that place
	// tick labels beside their axis.
	setFont := func(st *text.Style, size vg.Length) {
		st.Font = font.Font{Typeface: family, Size: size}
		st.Handler = hdlr
	}
	p := plot.New()
	p.TextHandler = hdlr
	setFont(&p.Title.TextStyle, 10)
	setFont(&p.Legend.TextStyle, 8)
	setFont(&p.X.Label.TextStyle, 8)
	setFont(&p.Y.Label.TextStyle, 8)
	setFont(&p.X.Tick.Label, 7.5)
	setFont(&p.Y.Tick.Label, 7.5)
	p.X.Tick.Marker = intTicks{}

	values := make(plotter.Values, len(bars))
	labels := make([]string, len(bars))
	xys := make(plotter.XYs, len(bars))
	texts := make([]string, len(bars))
	top := 0
	for i, b := range bars {
		values[i] = float64(b.value)
		labels[i] = clean(b.label)
		xys[i] = plotter.XY{X: float64(b.value), Y: float64(i)}
		texts[i] = num(b.value)
		top = max(top, b.value)
	}
	if len(bars) == 0 {
		return nil, fmt.Errorf("chart: no bars")
	}
	// The bar thickness follows the room each bar has.
	plotH := vg.Length(h)*vg.Millimeter - 40
	width := max(2, min(14, 0.65*plotH/vg.Length(len(bars))))
	bc, err := plotter.NewBarChart(values, width)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	bc.Horizontal = true
	bc.Color = color.RGBA{R: 0x2b, G: 0x6c, B: 0xb0, A: 0xff}
	bc.LineStyle.Width = 0

	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	grid.Vertical.Color = color.Gray{Y: 0xd8}

	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	for i := range lbl.TextStyle {
		setFont(&lbl.TextStyle[i], 7)
		lbl.TextStyle[i].YAlign = draw.YCenter
	}
	lbl.Offset = vg.Point{X: 3}

	p.Add(grid, bc, lbl)
	p.NominalY(labels...)
	p.X.Min = 0
	// Half a slot of room above the top bar and below the bottom one.
	p.Y.Min, p.Y.Max = -0.6, float64(len(bars))-0.4
	// Room at the right for the value printed after the longest bar.
	p.X.Max = math.Max(1, float64(top)*1.12)

	c := vgimg.NewWith(vgimg.UseWH(vg.Length(w)*vg.Millimeter, vg.Length(h)*vg.Millimeter), vgimg.UseDPI(dpi))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// intTicks marks the count axis with whole numbers, grouped like the
// tables' numbers, where plot's default would print 1e+04 or 2.5.
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Label != "" {
			if t.Value != math.Trunc(t.Value) {
				continue
			}
			t.Label = num(int(t.Value))
		}
		out = append(out, t)
	}
	return out
}
