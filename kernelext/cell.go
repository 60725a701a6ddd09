package kernelext

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// Edge is one labelled edge of a cell DAG: the operation Op applied to the
// output of node From, summed into node To (From < To).
type Edge struct {
	From, To int
	Op       string
}

// Cell is a cell DAG to draw: nodes 0..Nodes-1 and labelled edges.
type Cell struct {
	Nodes int
	Edges []Edge
	// Title, optional, is drawn above the cell (e.g. the accuracy).
	Title string
}

// ParseNB201Cell converts a NAS-Bench-201 architecture string, such as
// "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|",
// into a Cell with 4 nodes and 6 edges. The string is read by lapt/space
// ([space.NB201]); see [ArchCell] for an architecture of any cell space.
func ParseNB201Cell(arch string) (Cell, error) {
	sp := space.NB201()
	a, err := sp.Parse(strings.TrimSpace(arch))
	if err != nil {
		return Cell{}, fmt.Errorf("kernelext: %w", err)
	}
	return ArchCell(sp, a), nil
}

// String lists the edges as "0→1 op, ...".
func (c Cell) String() string {
	parts := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		parts[i] = fmt.Sprintf("%d→%d %s", e.From, e.To, e.Op)
	}
	s := strings.Join(parts, ", ")
	if c.Title != "" {
		s = c.Title + ": " + s
	}
	return s
}

// cell drawing geometry (pixels).
const (
	cellMargin  = 22
	cellRadius  = 11
	cellFont    = 10
	cellTitleH  = 18
	cellLabelCh = 6.0 // approximate width of one label character
)

// arcApex returns the distance from the node line to the apex of the arc of
// an edge spanning s nodes (s >= 2).
func arcApex(s int) float64 { return 34 + 16*float64(s-2) }

// CellSVG draws c as a compact SVG: nodes on a row (0 at the left), edges
// between neighbours as straight lines, longer edges as arcs (even spans
// above, odd spans below), each edge coloured by OpColor and labelled with its
// op; "none" edges are dashed. About 330 x 150 pixels for a NAS-Bench-201 cell.
func CellSVG(c Cell) string {
	n := max(c.Nodes, 1)
	longest := 4
	above, below := 0.0, 0.0
	for _, e := range c.Edges {
		longest = max(longest, len([]rune(e.Op)))
		if s := e.To - e.From; s >= 2 {
			if s%2 == 0 {
				above = max(above, arcApex(s))
			} else {
				below = max(below, arcApex(s))
			}
		}
	}
	spacing := math.Max(84, float64(longest)*cellLabelCh+2*cellRadius+16)
	width := int(2*cellMargin + float64(n-1)*spacing)
	top := float64(cellMargin)
	if c.Title != "" {
		top += cellTitleH
	}
	midY := top + math.Max(above+cellFont, cellRadius)
	height := int(midY + math.Max(below+cellFont+4, cellRadius) + cellMargin)
	x := func(i int) float64 { return cellMargin + float64(i)*spacing }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Verdana, sans-serif" font-size="%d">`+"\n",
		width, height, width, height, cellFont)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	if c.Title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="bold" fill="#333">%s</text>`+"\n", cellMargin-8, cellMargin+4, html.EscapeString(c.Title))
	}
	var labels strings.Builder
	for _, e := range c.Edges {
		if e.From < 0 || e.To >= n || e.From >= e.To {
			continue
		}
		col := OpColor(e.Op)
		dash := ""
		if e.Op == "none" {
			dash = ` stroke-dasharray="4 3"`
		}
		x0, x1, y := x(e.From), x(e.To), midY
		s := e.To - e.From
		var cx, cy, lx, ly float64 // control point and label position
		if s == 1 {
			cx, cy = (x0+x1)/2, y
			lx, ly = cx, y-9 // above the line, which stays visible
		} else {
			apex := arcApex(s)
			if s%2 == 0 {
				apex = -apex
			}
			cx, cy = (x0+x1)/2, y+2*apex
			lx, ly = cx, y+apex
		}
		// Start and end on the node circles, along the tangents.
		sx, sy := towards(x0, y, cx, cy, cellRadius)
		ex, ey := towards(x1, y, cx, cy, cellRadius)
		fmt.Fprintf(&b, `<path d="M%.1f %.1f Q%.1f %.1f %.1f %.1f" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", sx, sy, cx, cy, ex, ey, col, dash)
		// Arrowhead at the end, pointing along the tangent (control → end).
		dx, dy := ex-cx, ey-cy
		l := math.Hypot(dx, dy)
		ux, uy := dx/l, dy/l
		px, py := -uy, ux
		fmt.Fprintf(&b, `<path d="M%.1f %.1f L%.1f %.1f L%.1f %.1f Z" fill="%s"/>`+"\n",
			ex, ey, ex-7*ux+3.5*px, ey-7*uy+3.5*py, ex-7*ux-3.5*px, ey-7*uy-3.5*py, col)
		fmt.Fprintf(&labels, `<text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central" fill="%s" stroke="white" stroke-width="3" paint-order="stroke">%s</text>`+"\n",
			lx, ly, darker(col), html.EscapeString(e.Op))
	}
	for i := 0; i < n; i++ {
		fill := "#f4f4f4"
		if i == 0 || i == n-1 {
			fill = "#dde3f0"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%d" fill="%s" stroke="#555" stroke-width="1.2"/>`+"\n", x(i), midY, cellRadius, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central" fill="#222">%d</text>`+"\n", x(i), midY, i)
	}
	b.WriteString(labels.String())
	b.WriteString("</svg>")
	return b.String()
}

// towards returns the point at distance r from (x, y) in the direction of (tx, ty).
func towards(x, y, tx, ty, r float64) (float64, float64) {
	dx, dy := tx-x, ty-y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return x, y
	}
	return x + r*dx/l, y + r*dy/l
}

// darker returns a darker shade of "#rrggbb", for readable label text.
func darker(hex string) string {
	c := parseHex(hex, 255)
	f := func(v uint8) uint8 { return uint8(float64(v) * 0.72) }
	return fmt.Sprintf("#%02x%02x%02x", f(c.R), f(c.G), f(c.B))
}

// CellsHTML lays several cell drawings out in a wrapping row.
func CellsHTML(cells ...Cell) string {
	var b strings.Builder
	b.WriteString(`<div class="nasnb-cells" style="display:flex;flex-wrap:wrap;gap:8px">`)
	for _, c := range cells {
		b.WriteString("<div>" + CellSVG(c) + "</div>")
	}
	b.WriteString("</div>")
	return b.String()
}

// DisplayCells draws cells side by side in a notebook (HTML with inline SVG;
// a single cell is also sent as image/svg+xml); outside a notebook it prints
// one line per cell.
func DisplayCells(cells ...Cell) {
	lines := make([]string, len(cells))
	for i, c := range cells {
		lines[i] = c.String()
	}
	data := map[string]any{"text/html": CellsHTML(cells...), "text/plain": strings.Join(lines, "\n")}
	if len(cells) == 1 {
		data["image/svg+xml"] = CellSVG(cells[0])
	}
	DisplayData(data)
}
