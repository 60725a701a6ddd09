package kernelext

import (
	"bytes"
	"encoding/json"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// sansFont is the typeface of the static renderings.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a gonum plot with sans-serif text and a light grid.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, ts := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		size := ts.Size
		*ts = sansFont
		ts.Size = size
	}
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Y.Label.TextStyle.Font.Size = vg.Points(10)
	p.X.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	grid := plotter.NewGrid()
	grid.Vertical.Color = parseHex("#e0e0e0", 255)
	grid.Horizontal.Color = parseHex("#e0e0e0", 255)
	p.Add(grid)
	return p
}

// plotSVG renders p as an SVG document of w x h CSS pixels, without the XML
// prolog (it is meant to be inlined in HTML as well).
func plotSVG(p *plot.Plot, w, h int) (string, error) {
	c := vgsvg.New(vg.Length(float64(w)*0.75), vg.Length(float64(h)*0.75))
	dc := draw.New(c)
	m := vg.Points(8)
	p.Draw(draw.Crop(dc, m, -m, m/2, -m))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	return trimSVG(buf.String()), nil
}

// trimSVG drops anything before the <svg element (XML prolog, doctype).
func trimSVG(s string) string {
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return strings.TrimSpace(s)
}

// patchOption round-trips an ECharts option (as produced by go-echarts) through
// a generic map so that fields go-echarts does not model can be set.
func patchOption(option map[string]any, patch func(m map[string]any)) (string, error) {
	raw, err := json.Marshal(option)
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	delete(m, "toolbox")
	m["animation"] = false
	if patch != nil {
		patch(m)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true) // the option is inlined in a <script>: keep "<" escaped
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// seriesList returns m["series"] as a slice of maps.
func seriesList(m map[string]any) []map[string]any {
	raw, _ := m["series"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, s := range raw {
		if sm, ok := s.(map[string]any); ok {
			out = append(out, sm)
		}
	}
	return out
}

func sizeOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
