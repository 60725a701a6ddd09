package kernelext

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Curve is one series of a CurveChart (one search strategy, say): either the
// raw runs (one per seed, Runs[r][i] = value after evaluation i+1), from which
// the chart computes a mean line and a spread band, or precomputed Mean/Lo/Hi
// (used when Runs is empty). Runs may have different lengths.
type Curve struct {
	Name         string
	Runs         [][]float64
	Mean, Lo, Hi []float64
}

// Band selects the spread drawn around each mean line.
type Band int

const (
	// BandStd draws mean ± one (sample) standard deviation.
	BandStd Band = iota
	// BandIQR draws the 25th to 75th percentile over runs.
	BandIQR
	// BandMinMax draws the minimum to the maximum over runs.
	BandMinMax
	// BandNone draws the mean line only.
	BandNone
)

// String returns the band's short description, as shown in legends.
func (b Band) String() string {
	switch b {
	case BandStd:
		return "±1 std"
	case BandIQR:
		return "IQR"
	case BandMinMax:
		return "min–max"
	default:
		return "none"
	}
}

// CurveStats are the per-evaluation statistics of a Curve. N[i] is the number
// of runs that reached evaluation i+1 (0 for precomputed curves).
type CurveStats struct {
	Name         string
	Mean, Lo, Hi []float64
	N            []int
}

// Stats computes the mean and band of c over its runs (or returns the
// precomputed values when c has no runs; Lo/Hi default to Mean).
func (c Curve) Stats(band Band) CurveStats {
	st := CurveStats{Name: c.Name}
	if len(c.Runs) == 0 {
		st.Mean = append([]float64(nil), c.Mean...)
		st.Lo = fillTo(c.Lo, c.Mean)
		st.Hi = fillTo(c.Hi, c.Mean)
		st.N = make([]int, len(c.Mean))
		return st
	}
	n := 0
	for _, r := range c.Runs {
		n = max(n, len(r))
	}
	vals := make([]float64, 0, len(c.Runs))
	for i := 0; i < n; i++ {
		vals = vals[:0]
		for _, r := range c.Runs {
			if i < len(r) && !math.IsNaN(r[i]) {
				vals = append(vals, r[i])
			}
		}
		mean, lo, hi := bandOf(vals, band)
		st.Mean = append(st.Mean, mean)
		st.Lo = append(st.Lo, lo)
		st.Hi = append(st.Hi, hi)
		st.N = append(st.N, len(vals))
	}
	return st
}

// fillTo returns v when it has the length of ref, else a copy of ref.
func fillTo(v, ref []float64) []float64 {
	if len(v) == len(ref) {
		return append([]float64(nil), v...)
	}
	return append([]float64(nil), ref...)
}

// bandOf returns the mean of vals and the band's low and high ends.
func bandOf(vals []float64, band Band) (mean, lo, hi float64) {
	if len(vals) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, v := range vals {
		mean += v
	}
	mean /= float64(len(vals))
	switch band {
	case BandStd:
		if len(vals) < 2 {
			return mean, mean, mean
		}
		ss := 0.0
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(ss / float64(len(vals)-1))
		return mean, mean - sd, mean + sd
	case BandIQR:
		s := append([]float64(nil), vals...)
		sort.Float64s(s)
		return mean, quantile(s, 0.25), quantile(s, 0.75)
	case BandMinMax:
		lo, hi = vals[0], vals[0]
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
		return mean, lo, hi
	default:
		return mean, mean, mean
	}
}

// quantile of sorted s by linear interpolation.
func quantile(s []float64, q float64) float64 {
	if len(s) == 1 {
		return s[0]
	}
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(i)
	return s[i]*(1-f) + s[i+1]*f
}

// BestSoFar returns the running maximum of scores (higher is better): the
// best-so-far curve of one search run. NaN scores (failed evaluations) are
// skipped; the curve is NaN until the first valid score.
func BestSoFar(scores []float64) []float64 {
	out := make([]float64, len(scores))
	best := math.NaN()
	for i, s := range scores {
		if !math.IsNaN(s) && (math.IsNaN(best) || s > best) {
			best = s
		}
		out[i] = best
	}
	return out
}

// CurveChart plots, for several curves (strategies), the mean over runs of a
// quantity against the evaluation number, with a spread band: typically the
// best score found so far against the number of evaluations.
type CurveChart struct {
	Title, XLabel, YLabel string
	Curves                []Curve
	Band                  Band
	// Width and Height in CSS pixels; 0 means 720 x 400.
	Width, Height int
	// XStart is the x value of the first point (default 1: evaluation 1).
	XStart int
	// Precision is the number of decimals in Text (default 2).
	Precision int
}

// Size returns the chart's width and height in CSS pixels.
func (c *CurveChart) Size() (int, int) { return sizeOr(c.Width, 720), sizeOr(c.Height, 400) }

func (c *CurveChart) xStart() int {
	if c.XStart == 0 {
		return 1
	}
	return c.XStart
}

func (c *CurveChart) labels() (string, string) {
	xl, yl := c.XLabel, c.YLabel
	if xl == "" {
		xl = "evaluations"
	}
	if yl == "" {
		yl = "best so far"
	}
	return xl, yl
}

// Option returns the ECharts option: per curve a mean line and, unless Band is
// BandNone, a translucent band drawn as two stacked series (low end, then the
// band's height) that are hidden from the legend and the tooltip.
func (c *CurveChart) Option() (string, error) {
	xl, yl := c.labels()
	w, h := c.Size()
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: fmt.Sprintf("%dpx", w), Height: fmt.Sprintf("%dpx", h), ChartID: "nasnb"}),
		charts.WithTitleOpts(opts.Title{Title: c.Title, Left: "center"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xl, NameLocation: "middle", NameGap: 28, Min: c.xStart()}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yl, Scale: opts.Bool(true)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "28"}),
	)
	var names []string
	x0 := c.xStart()
	for k, cv := range c.Curves {
		st := cv.Stats(c.Band)
		col := seriesColor(k)
		names = append(names, cv.Name)
		if c.Band != BandNone {
			lo := make([]opts.LineData, len(st.Lo))
			span := make([]opts.LineData, len(st.Lo))
			for i := range st.Lo {
				lo[i] = opts.LineData{Value: []any{x0 + i, jsonNum(st.Lo[i])}}
				span[i] = opts.LineData{Value: []any{x0 + i, jsonNum(st.Hi[i] - st.Lo[i])}}
			}
			stack := fmt.Sprintf("band%d", k)
			line.AddSeries(cv.Name+" band low", lo, charts.WithLineChartOpts(opts.LineChart{Stack: stack, ShowSymbol: opts.Bool(false)}))
			line.AddSeries(cv.Name+" band", span, charts.WithLineChartOpts(opts.LineChart{Stack: stack, ShowSymbol: opts.Bool(false)}),
				charts.WithAreaStyleOpts(opts.AreaStyle{Color: col, Opacity: opts.Float(0.18)}))
		}
		mean := make([]opts.LineData, len(st.Mean))
		for i, v := range st.Mean {
			mean[i] = opts.LineData{Value: []any{x0 + i, jsonNum(v)}}
		}
		line.AddSeries(cv.Name, mean, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(st.Mean) <= 60)}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: col, Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col}))
	}
	line.Validate()
	return patchOption(line.JSON(), func(m map[string]any) {
		m["legend"].(map[string]any)["data"] = names
		m["grid"] = map[string]any{"top": 64, "left": 64, "right": 24, "bottom": 48, "containLabel": true}
		// The y-axis name runs along the axis, clear of the legend above the grid.
		if ys, ok := m["yAxis"].([]any); ok {
			for _, y := range ys {
				if ym, ok := y.(map[string]any); ok {
					ym["nameLocation"], ym["nameGap"], ym["nameRotate"] = "middle", 48, 90
				}
			}
		}
		for _, s := range seriesList(m) {
			name, _ := s["name"].(string)
			if strings.HasSuffix(name, " band low") || strings.HasSuffix(name, " band") {
				s["lineStyle"] = map[string]any{"opacity": 0}
				s["tooltip"] = map[string]any{"show": false}
				s["silent"] = true
				s["symbol"] = "none"
			}
		}
	})
}

// jsonNum maps NaN and infinities to nil (JSON null: a gap in ECharts) and
// rounds to 6 significant digits (smaller options, stable golden files).
func jsonNum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return r
}

// SVG returns the static rendering of the chart (gonum/plot).
func (c *CurveChart) SVG() (string, error) {
	xl, yl := c.labels()
	p := newPlot(c.Title, xl, yl)
	p.Legend.Top = false
	p.Legend.Left = false
	x0 := float64(c.xStart())
	for k, cv := range c.Curves {
		st := cv.Stats(c.Band)
		col := seriesColor(k)
		if c.Band != BandNone && len(st.Mean) > 1 {
			var pts plotter.XYs
			for i, v := range st.Hi {
				if !math.IsNaN(v) {
					pts = append(pts, plotter.XY{X: x0 + float64(i), Y: v})
				}
			}
			for i := len(st.Lo) - 1; i >= 0; i-- {
				if !math.IsNaN(st.Lo[i]) {
					pts = append(pts, plotter.XY{X: x0 + float64(i), Y: st.Lo[i]})
				}
			}
			if len(pts) >= 3 {
				poly, err := plotter.NewPolygon(pts)
				if err != nil {
					return "", err
				}
				poly.Color = parseHex(col, 46)
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
		}
		var pts plotter.XYs
		for i, v := range st.Mean {
			if !math.IsNaN(v) {
				pts = append(pts, plotter.XY{X: x0 + float64(i), Y: v})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return "", err
		}
		l.Color = parseHex(col, 255)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(cv.Name, l)
	}
	w, h := c.Size()
	return plotSVG(p, w, h)
}

// Text returns a plain-text summary: per curve the number of runs, the final
// mean and band, as for a terminal.
func (c *CurveChart) Text() string {
	prec := c.Precision
	if prec == 0 {
		prec = 2
	}
	var b strings.Builder
	if c.Title != "" {
		b.WriteString(c.Title + "\n")
	}
	for _, cv := range c.Curves {
		st := cv.Stats(c.Band)
		if len(st.Mean) == 0 {
			fmt.Fprintf(&b, "  %s: no data\n", cv.Name)
			continue
		}
		i := len(st.Mean) - 1
		fmt.Fprintf(&b, "  %s: %d runs, %d points, final mean %.*f", cv.Name, len(cv.Runs), len(st.Mean), prec, st.Mean[i])
		if c.Band != BandNone {
			fmt.Fprintf(&b, " [%s %.*f .. %.*f]", c.Band, prec, st.Lo[i], prec, st.Hi[i])
		}
		b.WriteString("\n")
	}
	return b.String()
}
