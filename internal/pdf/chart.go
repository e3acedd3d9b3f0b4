package pdf

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"sync"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	stdfont "golang.org/x/image/font"
)

// chartDPI is the resolution of the chart images: enough for print at
// their size on the page, small enough to keep the file light.
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
// millimetres. The largest bar is at the top; equal bars keep their given
// order, so the image depends on the data alone.
func barChart(bars []bar, w, h float64) ([]byte, error) {
	// Ascending, because the first bar is drawn at the bottom; reversed
	// first, so that equal bars read from the top in their given order.
	bars = slices.Clone(bars)
	slices.Reverse(bars)
	slices.SortStableFunc(bars, func(a, b bar) int { return cmp.Compare(a.value, b.value) })

	hdlr := chartFonts()
	style := func(size vg.Length) text.Style {
		return text.Style{Color: color.Black, Font: font.Font{Typeface: family, Size: size}, Handler: hdlr}
	}
	p := plot.New()
	p.TextHandler = hdlr
	p.Title.TextStyle = style(10)
	p.Legend.TextStyle = style(8)
	p.X.Label.TextStyle = style(8)
	p.Y.Label.TextStyle = style(8)
	p.X.Tick.Label = style(7.5)
	p.Y.Tick.Label = style(7.5)
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
		lbl.TextStyle[i] = style(7)
		lbl.TextStyle[i].YAlign = draw.YCenter
	}
	lbl.Offset = vg.Point{X: 3}

	p.Add(grid, bc, lbl)
	p.NominalY(labels...)
	p.X.Min = 0
	// Room at the right for the value printed after the longest bar.
	p.X.Max = math.Max(1, float64(top)*1.12)

	c := vgimg.NewWith(vgimg.UseWH(vg.Length(w)*vg.Millimeter, vg.Length(h)*vg.Millimeter), vgimg.UseDPI(chartDPI))
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
