package kernelext

import (
	"fmt"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Points is one series of a ScatterChart. Labels (optional, same length as X)
// name each point, e.g. the architecture string, shown in the tooltip.
type Points struct {
	Name   string
	X, Y   []float64
	Labels []string
}

// ScatterChart plots points of one or more series, e.g. accuracy against
// parameters, or score against trial number.
type ScatterChart struct {
	Title, XLabel, YLabel string
	Series                []Points
	// Width and Height in CSS pixels; 0 means 720 x 400.
	Width, Height int
	// LogX draws the x axis on a log scale (parameters, FLOPs).
	LogX bool
}

// Size returns the chart's width and height in CSS pixels.
func (c *ScatterChart) Size() (int, int) { return sizeOr(c.Width, 720), sizeOr(c.Height, 400) }

// Option returns the ECharts option.
func (c *ScatterChart) Option() (string, error) {
	w, h := c.Size()
	sc := charts.NewScatter()
	xType := "value"
	if c.LogX {
		xType = "log"
	}
	sc.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: fmt.Sprintf("%dpx", w), Height: fmt.Sprintf("%dpx", h), ChartID: "nasnb"}),
		charts.WithTitleOpts(opts.Title{Title: c.Title, Left: "center"}),
		charts.WithXAxisOpts(opts.XAxis{Type: xType, Name: c.XLabel, NameLocation: "middle", NameGap: 28, Scale: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: c.YLabel, Scale: opts.Bool(true)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(c.Series) > 1), Top: "28"}),
	)
	for k, s := range c.Series {
		data := make([]opts.ScatterData, 0, len(s.X))
		for i := range s.X {
			if i >= len(s.Y) {
				break
			}
			d := opts.ScatterData{Value: []any{jsonNum(s.X[i]), jsonNum(s.Y[i])}}
			if i < len(s.Labels) {
				d.Name = s.Labels[i]
			}
			data = append(data, d)
		}
		sc.AddSeries(s.Name, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(k), Opacity: opts.Float(0.8)}))
	}
	sc.Validate()
	return patchOption(sc.JSON(), func(m map[string]any) {
		m["grid"] = map[string]any{"top": 64, "left": 56, "right": 24, "bottom": 48, "containLabel": true}
		for _, s := range seriesList(m) {
			s["symbolSize"] = 7
		}
	})
}

// SVG returns the static rendering of the chart (gonum/plot).
func (c *ScatterChart) SVG() (string, error) {
	p := newPlot(c.Title, c.XLabel, c.YLabel)
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for k, s := range c.Series {
		var pts plotter.XYs
		for i := range s.X {
			if i < len(s.Y) && (!c.LogX || s.X[i] > 0) {
				pts = append(pts, plotter.XY{X: s.X[i], Y: s.Y[i]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		sp, err := plotter.NewScatter(pts)
		if err != nil {
			return "", err
		}
		sp.GlyphStyle.Color = parseHex(seriesColor(k), 210)
		sp.GlyphStyle.Radius = vg.Points(2.6)
		sp.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sp)
		if len(c.Series) > 1 {
			p.Legend.Add(s.Name, sp)
		}
	}
	w, h := c.Size()
	return plotSVG(p, w, h)
}

// Text returns a plain-text summary: per series the number of points and the
// point with the highest y.
func (c *ScatterChart) Text() string {
	var b strings.Builder
	if c.Title != "" {
		b.WriteString(c.Title + "\n")
	}
	for _, s := range c.Series {
		best := -1
		for i := range s.Y {
			if i < len(s.X) && (best < 0 || s.Y[i] > s.Y[best]) {
				best = i
			}
		}
		if best < 0 {
			fmt.Fprintf(&b, "  %s: no points\n", s.Name)
			continue
		}
		label := ""
		if best < len(s.Labels) {
			label = " " + s.Labels[best]
		}
		fmt.Fprintf(&b, "  %s: %d points, max %s %.4g at %s %.4g%s\n", s.Name, min(len(s.X), len(s.Y)),
			orDefault(c.YLabel, "y"), s.Y[best], orDefault(c.XLabel, "x"), s.X[best], label)
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
