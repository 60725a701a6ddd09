package kernelext

// Op grids: one row per decision (or cell edge), one column per op, showing
// what a principle set or refinement keeps and cuts.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// Colours of the op grids: kept/allowed, cut/not allowed, added, removed.
const (
	gridKeptBG = "#d9f2d0"
	gridKeptFG = "#1e6b12"
	gridCutBG  = "#ececec"
	gridCutFG  = "#9a9a9a"
	diffAddFG  = "#1e6b12"
	diffDelFG  = "#b02020"
)

// gridState is one cell of an op grid.
type gridState int

const (
	gridAbsent gridState = iota // not a choice of the edge: blank
	gridKept                    // allowed / kept: green
	gridCut                     // a choice, but not allowed / cut: grey
)

// gridRow is one edge of an op grid: its choices in order, and their state.
type gridRow struct {
	label string
	ops   []string
	state map[string]gridState
}

// opGridHTML draws rows (edges) against columns (ops): kept cells green with
// a check mark, cut cells grey, non-choices blank. When the edges do not all
// offer the same ops (a space of plain decisions), a shared column per op
// would be mostly blank and too wide: each row then lists its own choices.
// keptWord and cutWord are the cell texts.
func opGridHTML(ops []string, rows []gridRow, keptWord, cutWord string) string {
	uniform := true
	for _, r := range rows {
		if len(r.ops) != len(ops) {
			uniform = false
			break
		}
		for _, op := range ops {
			if !slices.Contains(r.ops, op) {
				uniform = false
			}
		}
	}
	kept := func(op string) string {
		return fmt.Sprintf(`<td title="%s" style="text-align:center;padding:2px 6px;background:%s;color:%s;border:1px solid #fff">✓ %s</td>`, keptWord, gridKeptBG, gridKeptFG, op)
	}
	cut := func(op string) string {
		return fmt.Sprintf(`<td title="%s" style="text-align:center;padding:2px 6px;background:%s;color:%s;border:1px solid #fff">%s</td>`, cutWord, gridCutBG, gridCutFG, op)
	}
	var b strings.Builder
	b.WriteString(`<table class="nasnb-opgrid" style="border-collapse:collapse;font-size:12px;margin:4px 0">` + "\n<thead><tr>")
	b.WriteString(`<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #888">edge</th>`)
	if uniform {
		for _, op := range ops {
			fmt.Fprintf(&b, `<th style="text-align:center;padding:2px 6px;border-bottom:1px solid #888"><span style="border-bottom:3px solid %s">%s</span></th>`, OpColor(op), esc(op))
		}
	} else {
		fmt.Fprintf(&b, `<th colspan="%d" style="text-align:left;padding:2px 6px;border-bottom:1px solid #888">choices (green: %s)</th>`, maxChoices(rows), esc(keptWord))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range rows {
		fmt.Fprintf(&b, `<tr><td style="padding:2px 8px;font-family:monospace">%s</td>`, esc(r.label))
		if !uniform {
			for _, op := range r.ops {
				if r.state[op] == gridKept {
					b.WriteString(kept(esc(op)))
				} else {
					b.WriteString(cut(esc(op)))
				}
			}
			b.WriteString("</tr>\n")
			continue
		}
		for _, op := range ops {
			switch r.state[op] {
			case gridKept:
				b.WriteString(kept(keptWord))
			case gridCut:
				b.WriteString(cut(cutWord))
			default:
				b.WriteString(`<td style="border:1px solid #fff"></td>`)
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// maxChoices is the largest number of choices of a row.
func maxChoices(rows []gridRow) int {
	n := 1
	for _, r := range rows {
		n = max(n, len(r.ops))
	}
	return n
}

// spaceOps returns the op names of the root space that are a choice of at
// least one edge, in op-table order.
func spaceOps(root *space.Space) []string {
	used := make([]bool, len(root.Ops()))
	for i := 0; i < root.NumEdges(); i++ {
		for _, op := range root.AllowedOn(i) {
			used[op] = true
		}
	}
	var ops []string
	for id, u := range used {
		if u {
			ops = append(ops, root.OpName(id))
		}
	}
	return ops
}

// allowedLine is "0->1: nor_conv_3x3 | 0->2: nor_conv_1x1, nor_conv_3x3 | …".
func allowedLine(root *space.Space, allowed [][]int) string {
	parts := make([]string, len(allowed))
	for i, al := range allowed {
		names := make([]string, len(al))
		for k, op := range al {
			names[k] = root.OpName(op)
		}
		parts[i] = root.EdgeLabel(i) + ": " + strings.Join(names, ", ")
	}
	return strings.Join(parts, " | ")
}
