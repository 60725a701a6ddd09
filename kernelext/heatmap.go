package kernelext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// HeatmapChart is a grid of numbers coloured on a scale, e.g. a transfer
// matrix: one row per source task, one column per target task. NaN cells
// (such as a task transferred to itself) are left blank.
type HeatmapChart struct {
	Title string
	// Rows and Cols label the grid (rows top to bottom).
	Rows, Cols []string
	// RowName and ColName name the axes, e.g. "source" and "target".
	RowName, ColName string
	// Values[r][c] is the value of row r and column c (NaN: no value).
	Values [][]float64
	// Min and Max fix the colour scale; both 0 means the data's range.
	Min, Max float64
	// Format prints a value in the cells (default "%.0f").
	Format string
	// Diverging colours values below zero red and above zero blue (for
	// differences, e.g. against a baseline); otherwise white to blue.
	Diverging bool
	// Width and Height in CSS pixels; 0 sizes the chart from the grid.
	Width, Height int
}

const (
	heatLeft, heatTop, heatCell, heatCellH = 150, 56, 72, 30
)

// Size returns the chart's width and height in CSS pixels.
func (c *HeatmapChart) Size() (int, int) {
	return sizeOr(c.Width, heatLeft+heatCell*max(len(c.Cols), 1)+40), sizeOr(c.Height, heatTop+heatCellH*max(len(c.Rows), 1)+90)
}

func (c *HeatmapChart) value(r, col int) float64 {
	if r >= len(c.Values) || col >= len(c.Values[r]) {
		return math.NaN()
	}
	return c.Values[r][col]
}

// scale returns the colour scale's bounds.
func (c *HeatmapChart) scale() (lo, hi float64) {
	if c.Min != 0 || c.Max != 0 {
		return c.Min, c.Max
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for r := range c.Rows {
		for col := range c.Cols {
			if v := c.value(r, col); !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	if c.Diverging {
		m := math.Max(math.Abs(lo), math.Abs(hi))
		return -m, m
	}
	if lo == hi {
		hi = lo + 1
	}
	return lo, hi
}

func (c *HeatmapChart) format(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	f := c.Format
	if f == "" {
		f = "%.0f"
	}
	return fmt.Sprintf(f, v)
}

// colors returns the colour stops of the scale.
func (c *HeatmapChart) colors() []string {
	if c.Diverging {
		return []string{"#c0392b", "#f7f7f7", "#2166ac"}
	}
	return []string{"#f7fbff", "#6baed6", "#08306b"}
}

// colorAt interpolates the scale at v.
func (c *HeatmapChart) colorAt(v float64) string {
	lo, hi := c.scale()
	t := 0.5
	if hi > lo {
		t = math.Min(1, math.Max(0, (v-lo)/(hi-lo)))
	}
	stops := c.colors()
	seg := t * float64(len(stops)-1)
	i := min(int(seg), len(stops)-2)
	f := seg - float64(i)
	a, b := parseHex(stops[i], 255), parseHex(stops[i+1], 255)
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return fmt.Sprintf("#%02x%02x%02x", mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B))
}

// Option returns the ECharts option (a heatmap series with a visual map).
func (c *HeatmapChart) Option() (string, error) {
	lo, hi := c.scale()
	var data [][]any
	for r := range c.Rows {
		for col := range c.Cols {
			v := c.value(r, col)
			if math.IsNaN(v) {
				data = append(data, []any{col, r, "-"})
				continue
			}
			data = append(data, []any{col, r, v})
		}
	}
	rows := append([]string(nil), c.Rows...)
	m := map[string]any{
		"animation": false,
		"title":     map[string]any{"text": c.Title, "left": "center"},
		"tooltip":   map[string]any{"position": "top"},
		"grid":      map[string]any{"top": heatTop, "left": heatLeft - 10, "right": 24, "bottom": 80, "containLabel": false},
		"xAxis":     map[string]any{"type": "category", "data": c.Cols, "name": c.ColName, "nameLocation": "middle", "nameGap": 44, "axisLabel": map[string]any{"rotate": 30, "interval": 0}},
		"yAxis":     map[string]any{"type": "category", "data": rows, "name": c.RowName, "inverse": true, "axisLabel": map[string]any{"interval": 0}},
		"visualMap": map[string]any{"min": lo, "max": hi, "calculable": true, "orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 120, "inRange": map[string]any{"color": c.colors()}},
		"series": []any{map[string]any{"type": "heatmap", "data": data,
			"label": map[string]any{"show": true}, "emphasis": map[string]any{"itemStyle": map[string]any{"borderColor": "#333", "borderWidth": 1}}}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// SVG returns the static rendering: coloured cells with their values.
func (c *HeatmapChart) SVG() (string, error) {
	w, h := c.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
	if c.Title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="22" text-anchor="middle" font-size="15" font-weight="bold">%s</text>`+"\n", w/2, esc(c.Title))
	}
	if c.RowName != "" {
		fmt.Fprintf(&b, `<text x="8" y="%d" font-style="italic">%s</text>`+"\n", heatTop-8, esc(c.RowName))
	}
	for r, name := range c.Rows {
		y := heatTop + r*heatCellH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", heatLeft-6, y+heatCellH/2, esc(name))
		for col := range c.Cols {
			x := heatLeft + col*heatCell
			v := c.value(r, col)
			fill := "#eeeeee"
			if !math.IsNaN(v) {
				fill = c.colorAt(v)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff"/>`+"\n", x, y, heatCell, heatCellH, fill)
			if s := c.format(v); s != "" {
				ink := "#000000"
				if lum(fill) < 0.45 {
					ink = "#ffffff"
				}
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" dominant-baseline="middle" fill="%s">%s</text>`+"\n", x+heatCell/2, y+heatCellH/2, ink, esc(s))
			}
		}
	}
	base := heatTop + len(c.Rows)*heatCellH
	for col, name := range c.Cols {
		x := heatLeft + col*heatCell + heatCell/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" transform="rotate(-30 %d %d)">%s</text>`+"\n", x, base+14, x, base+14, esc(name))
	}
	if c.ColName != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-style="italic">%s</text>`+"\n", heatLeft+heatCell*len(c.Cols)/2, h-8, esc(c.ColName))
	}
	lo, hi := c.scale()
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">scale %s … %s</text>`+"\n", 8, h-8, esc(c.format(lo)), esc(c.format(hi)))
	b.WriteString("</svg>")
	return b.String(), nil
}

// lum returns the relative luminance (0..1) of a "#rrggbb" colour.
func lum(hex string) float64 {
	c := parseHex(hex, 255)
	return (0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)) / 255
}

// Text returns the grid as a plain-text table.
func (c *HeatmapChart) Text() string {
	rows := make([][]string, len(c.Rows))
	for r, name := range c.Rows {
		rows[r] = append(rows[r], name)
		for col := range c.Cols {
			s := c.format(c.value(r, col))
			if s == "" {
				s = "·"
			}
			rows[r] = append(rows[r], s)
		}
	}
	var b strings.Builder
	if c.Title != "" {
		b.WriteString(c.Title + "\n")
	}
	corner := c.RowName
	if c.ColName != "" {
		corner += " \\ " + c.ColName
	}
	b.WriteString(TableText(append([]string{corner}, c.Cols...), rows))
	return b.String()
}
