package kernelext

import (
	"fmt"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// OpFreqChart shows how often each operation appears on each edge of a cell,
// e.g. among the top-50 architectures of a source task: grouped bars, one
// group per edge, one bar (coloured by OpColor) per operation.
type OpFreqChart struct {
	Title string
	// Edges names the edges (x groups), e.g. "0→1".
	Edges []string
	// Ops names the operations (bars within a group).
	Ops []string
	// Counts[e][o] is the count of op o on edge e.
	Counts [][]float64
	// Normalize divides every edge's counts by their sum (fractions).
	Normalize bool
	// Width and Height in CSS pixels; 0 means 720 x 360.
	Width, Height int
}

// Size returns the chart's width and height in CSS pixels.
func (c *OpFreqChart) Size() (int, int) { return sizeOr(c.Width, 720), sizeOr(c.Height, 360) }

// value returns the (normalised) count of op o on edge e.
func (c *OpFreqChart) value(e, o int) float64 {
	if e >= len(c.Counts) || o >= len(c.Counts[e]) {
		return 0
	}
	v := c.Counts[e][o]
	if c.Normalize {
		sum := 0.0
		for _, x := range c.Counts[e] {
			sum += x
		}
		if sum > 0 {
			v /= sum
		}
	}
	return v
}

func (c *OpFreqChart) yLabel() string {
	if c.Normalize {
		return "fraction"
	}
	return "count"
}

// Option returns the ECharts option.
func (c *OpFreqChart) Option() (string, error) {
	w, h := c.Size()
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: fmt.Sprintf("%dpx", w), Height: fmt.Sprintf("%dpx", h), ChartID: "nasnb"}),
		charts.WithTitleOpts(opts.Title{Title: c.Title, Left: "center"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: "edge", NameLocation: "middle", NameGap: 28}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: c.yLabel()}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "28"}),
	)
	bar.SetXAxis(c.Edges)
	for o, op := range c.Ops {
		data := make([]opts.BarData, len(c.Edges))
		for e := range c.Edges {
			data[e] = opts.BarData{Value: c.value(e, o)}
		}
		bar.AddSeries(op, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: OpColor(op)}))
	}
	bar.Validate()
	return patchOption(bar.JSON(), func(m map[string]any) {
		m["grid"] = map[string]any{"top": 64, "left": 56, "right": 24, "bottom": 48, "containLabel": true}
	})
}

// SVG returns the static rendering of the chart (gonum/plot).
func (c *OpFreqChart) SVG() (string, error) {
	p := newPlot(c.Title, "edge", c.yLabel())
	p.Legend.Top = true
	p.Legend.Left = false
	n := len(c.Ops)
	if n == 0 || len(c.Edges) == 0 {
		w, h := c.Size()
		return plotSVG(p, w, h)
	}
	w, h := c.Size()
	groupPx := float64(w-80) / float64(len(c.Edges)) * 0.75 * 0.8
	barW := vg.Points(groupPx / float64(n))
	for o, op := range c.Ops {
		vals := make(plotter.Values, len(c.Edges))
		for e := range c.Edges {
			vals[e] = c.value(e, o)
		}
		bc, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return "", err
		}
		bc.Color = parseHex(OpColor(op), 255)
		bc.LineStyle.Width = 0
		bc.Offset = barW * vg.Length(float64(o)-float64(n-1)/2)
		p.Add(bc)
		p.Legend.Add(op, bc)
	}
	p.NominalX(c.Edges...)
	top := 0.0
	for e := range c.Edges {
		for o := range c.Ops {
			top = max(top, c.value(e, o))
		}
	}
	p.Y.Min = 0
	p.Y.Max = top * (1.12 + 0.07*float64(n)) // room for the legend above the bars
	return plotSVG(p, w, h)
}

// Text returns a plain-text table: one row per edge, one column per op.
func (c *OpFreqChart) Text() string {
	rows := make([][]string, len(c.Edges))
	for e, name := range c.Edges {
		rows[e] = append(rows[e], name)
		for o := range c.Ops {
			if c.Normalize {
				rows[e] = append(rows[e], fmt.Sprintf("%.2f", c.value(e, o)))
			} else {
				rows[e] = append(rows[e], fmt.Sprintf("%g", c.value(e, o)))
			}
		}
	}
	var b strings.Builder
	if c.Title != "" {
		b.WriteString(c.Title + "\n")
	}
	b.WriteString(TableText(append([]string{"edge"}, c.Ops...), rows))
	return b.String()
}
