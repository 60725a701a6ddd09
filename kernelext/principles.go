package kernelext

// Principle sets, their diffs and refinements, transfer events and single
// architectures, as HTML for the notebook.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// provenanceLine is "reasoner offline · model m · sources a, b".
func provenanceLine(p principles.Provenance) string {
	var parts []string
	if p.Reasoner != "" {
		parts = append(parts, "reasoner "+p.Reasoner)
	}
	if p.Model != "" {
		parts = append(parts, "model "+p.Model)
	}
	if len(p.Sources) > 0 {
		parts = append(parts, "sources "+strings.Join(p.Sources, ", "))
	}
	if len(p.Evidence) > 0 {
		parts = append(parts, fmt.Sprintf("%d architectures shown", len(p.Evidence)))
	}
	if len(parts) == 0 {
		return "provenance unknown"
	}
	return strings.Join(parts, " · ")
}

// PrinciplesHTML renders a principle set: a header with its version and
// provenance (reasoner, model, sources), why it exists, the statements as a
// numbered list, and the constraint as a grid (edges as rows, ops as
// columns, allowed ops marked) with the size of the space it allows.
func PrinciplesHTML(sp *space.Space, set principles.Set) string {
	root := sp.Root()
	var b strings.Builder
	b.WriteString(`<div class="nasnb-principles" style="font-size:13px;line-height:1.45;max-width:980px">` + "\n")
	fmt.Fprintf(&b, `<div><b>Principles v%d</b> <span style="color:#666">(%s)</span></div>`+"\n", set.Version, esc(provenanceLine(set.Provenance)))
	if set.Reason != "" {
		fmt.Fprintf(&b, `<div style="color:#555;font-style:italic">%s</div>`+"\n", esc(set.Reason))
	}
	if len(set.Statements) > 0 {
		b.WriteString(`<ol style="margin:4px 0 6px 0;padding-left:24px">` + "\n")
		for _, s := range set.Statements {
			fmt.Fprintf(&b, "<li>%s</li>\n", esc(s))
		}
		b.WriteString("</ol>\n")
	}
	// The grid and the size are what Refine reports for this space, so a
	// space limited to known architectures counts only those.
	_, rep, err := principles.Refine(sp, set)
	if err != nil {
		fmt.Fprintf(&b, "\n"+`<div style="color:#a00">The constraint does not compile in this space: %s</div>`+"\n", esc(err.Error()))
		b.WriteString("</div>")
		return b.String()
	}
	rows := make([]gridRow, len(rep.Edges))
	for i, e := range rep.Edges {
		rows[i] = gridRow{label: e.Label, state: map[string]gridState{}}
		for _, op := range slices.Sorted(slices.Values(append(slices.Clone(e.KeptIDs), e.CutIDs...))) {
			st := gridCut
			if slices.Contains(e.KeptIDs, op) {
				st = gridKept
			}
			rows[i].state[root.OpName(op)] = st
			rows[i].ops = append(rows[i].ops, root.OpName(op))
		}
	}
	b.WriteString(opGridHTML(rep.Ops, rows, "allowed", "·"))
	fmt.Fprintf(&b, "\n"+`<div style="color:#333">Allowed: %s of %s architectures (%s of the space).</div>`+"\n",
		commas(rep.SizeAfter), commas(rep.SizeBefore), percent(rep.Fraction()))
	b.WriteString("</div>")
	return b.String()
}

// DisplayPrinciples shows a principle set (see PrinciplesHTML); its plain
// text, also printed outside a notebook, is set.Format(sp).
func DisplayPrinciples(sp *space.Space, set principles.Set) {
	DisplayData(map[string]any{"text/html": PrinciplesHTML(sp, set), "text/plain": set.Format(sp)})
}

// DiffHTML renders what changed from one principle version to the next and
// why: the reason, the space size before and after, the ops added (+, green)
// and removed (−, red) per edge, and the statements added or dropped.
func DiffHTML(sp *space.Space, d principles.Diff) string {
	root := sp.Root()
	var b strings.Builder
	b.WriteString(`<div class="nasnb-diff" style="font-size:13px;line-height:1.45;max-width:980px">` + "\n")
	if d.From > 0 {
		fmt.Fprintf(&b, "<div><b>Principles v%d → v%d</b>", d.From, d.To)
	} else {
		fmt.Fprintf(&b, "<div><b>Principles v%d</b>", d.To)
	}
	fmt.Fprintf(&b, ` · space %s → %s architectures <span style="color:#666">(of %s)</span></div>`+"\n",
		commas(d.SizeBefore), commas(d.SizeAfter), commas(root.Count()))
	if d.Reason != "" {
		fmt.Fprintf(&b, `<div style="color:#555;font-style:italic">%s</div>`+"\n", esc(d.Reason))
	}
	if d.Empty() {
		b.WriteString(`<div style="color:#666">No change.</div>` + "\n")
	}
	if len(d.Edges) > 0 {
		b.WriteString(`<table class="nasnb-table" style="border-collapse:collapse;font-size:12px;margin:4px 0">` + "\n")
		b.WriteString(`<thead><tr><th style="text-align:left;padding:2px 8px;border-bottom:1px solid #888">edge</th>` +
			`<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #888">change</th></tr></thead>` + "\n<tbody>\n")
		for _, e := range d.Edges {
			fmt.Fprintf(&b, `<tr><td style="padding:2px 8px;font-family:monospace">%s</td><td style="padding:2px 8px">`, esc(e.Label))
			for _, a := range e.Added {
				fmt.Fprintf(&b, `<span style="color:%s;margin-right:8px">+%s</span>`, diffAddFG, esc(a))
			}
			for _, r := range e.Removed {
				fmt.Fprintf(&b, `<span style="color:%s;margin-right:8px;text-decoration:line-through">−%s</span>`, diffDelFG, esc(r))
			}
			b.WriteString("</td></tr>\n")
		}
		b.WriteString("</tbody></table>\n")
	}
	shown := 0
	for _, s := range d.StatementsAdded {
		if d.Reason == "" || !strings.HasSuffix(s, d.Reason) {
			shown++
		}
	}
	if shown+len(d.StatementsRemoved) > 0 {
		b.WriteString(`<ul style="margin:4px 0;padding-left:20px;list-style:none">` + "\n")
		for _, s := range d.StatementsAdded {
			if d.Reason != "" && strings.HasSuffix(s, d.Reason) {
				continue // "Adaptation after n evaluations: <reason>": already shown above
			}
			fmt.Fprintf(&b, `<li style="color:%s">+ %s</li>`+"\n", diffAddFG, esc(s))
		}
		for _, s := range d.StatementsRemoved {
			fmt.Fprintf(&b, `<li style="color:%s">− %s</li>`+"\n", diffDelFG, esc(s))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</div>")
	return b.String()
}

// DisplayDiff shows a principle diff (see DiffHTML); its plain text is
// d.String().
func DisplayDiff(sp *space.Space, d principles.Diff) {
	DisplayData(map[string]any{"text/html": DiffHTML(sp, d), "text/plain": d.String()})
}

// RefinementHTML renders a refinement report: the space size before and
// after with the fraction kept, a grid of kept (green) and cut (grey) ops
// per edge, and whether each reference architecture (e.g. the target's
// optimum, for analysis only) survived or on which edges it was cut.
func RefinementHTML(rep principles.Report) string {
	var b strings.Builder
	b.WriteString(`<div class="nasnb-refinement" style="font-size:13px;line-height:1.45;max-width:980px">` + "\n")
	name := rep.Space
	if name == "" {
		name = "the"
	}
	fmt.Fprintf(&b, `<div><b>Refinement of %s space</b>`, esc(name))
	if rep.Version > 0 {
		fmt.Fprintf(&b, ` by principles v%d`, rep.Version)
	}
	frac := math.NaN()
	if rep.SizeBefore > 0 {
		frac = rep.Fraction()
	}
	fmt.Fprintf(&b, `: %s → <b>%s</b> architectures (%s kept)</div>`+"\n", commas(rep.SizeBefore), commas(rep.SizeAfter), percent(frac))
	rows := make([]gridRow, len(rep.Edges))
	for i, e := range rep.Edges {
		rows[i] = gridRow{label: e.Label, state: map[string]gridState{}}
		for _, op := range e.Kept {
			rows[i].state[op] = gridKept
		}
		for _, op := range e.Cut {
			rows[i].state[op] = gridCut
		}
		rows[i].ops = e.Kept
		rows[i].ops = append(slices.Clone(rows[i].ops), e.Cut...)
	}
	b.WriteString(opGridHTML(rep.Ops, rows, "kept", "cut"))
	b.WriteString("\n")
	for _, ref := range rep.References {
		if ref.Survived {
			fmt.Fprintf(&b, `<div><span style="color:%s">✔ <b>%s: survived</b></span> <span style="color:#666;font-family:monospace">%s</span></div>`+"\n",
				gridKeptFG, esc(ref.Name), esc(ref.Arch))
		} else {
			fmt.Fprintf(&b, `<div><span style="color:%s">✘ <b>%s: CUT</b> on edge %s</span> <span style="color:#666;font-family:monospace">%s</span></div>`+"\n",
				diffDelFG, esc(ref.Name), esc(strings.Join(ref.Blocking, "; ")), esc(ref.Arch))
		}
	}
	b.WriteString("</div>")
	return b.String()
}

// DisplayRefinement shows a refinement report (see RefinementHTML); its plain
// text is rep.String().
func DisplayRefinement(rep principles.Report) {
	DisplayData(map[string]any{"text/html": RefinementHTML(rep), "text/plain": rep.String()})
}

// ArchCell converts an architecture of a cell space (NAS-Bench-201,
// TransNAS micro, a space.Define'd cell) into a Cell to draw with CellSVG or
// DisplayCells. For a space of plain decisions (no cell nodes) it returns the
// zero Cell; use DisplayArch, which falls back to a table there.
func ArchCell(sp *space.Space, a space.Arch) Cell {
	root := sp.Root()
	if root.Nodes() == 0 {
		return Cell{}
	}
	c := Cell{Nodes: root.Nodes()}
	for i, e := range root.Edges() {
		if i >= a.Len() {
			break
		}
		c.Edges = append(c.Edges, Edge{From: e.From, To: e.To, Op: root.OpName(a.Op(i))})
	}
	return c
}

// ArchHTML renders an architecture: the cell drawn as SVG for cell spaces,
// a table of decisions and chosen options otherwise. title (optional) is
// shown above it.
func ArchHTML(sp *space.Space, a space.Arch, title string) string {
	root := sp.Root()
	if root.Nodes() > 0 {
		c := ArchCell(sp, a)
		c.Title = title
		return CellsHTML(c)
	}
	var b strings.Builder
	b.WriteString(`<div class="nasnb-arch">`)
	if title != "" {
		fmt.Fprintf(&b, `<div style="font-weight:bold;font-size:13px">%s</div>`, esc(title))
	}
	var rows [][]string
	for i := 0; i < root.NumEdges() && i < a.Len(); i++ {
		rows = append(rows, []string{root.EdgeLabel(i), root.OpName(a.Op(i))})
	}
	b.WriteString(TableHTML([]string{"decision", "choice"}, rows))
	b.WriteString("</div>")
	return b.String()
}

// DisplayArch shows an architecture: for cell spaces the cell DAG as SVG
// (drawn by CellSVG, also sent as image/svg+xml), for decision spaces a small
// table; the plain text is "title: " followed by the space's text form.
func DisplayArch(sp *space.Space, a space.Arch, title string) {
	text := sp.Root().Format(a)
	if title != "" {
		text = title + ": " + text
	}
	data := map[string]any{"text/html": ArchHTML(sp, a, title), "text/plain": text}
	if sp.Root().Nodes() > 0 {
		c := ArchCell(sp, a)
		c.Title = title
		data["image/svg+xml"] = CellSVG(c)
	}
	DisplayData(data)
}

// PrincipleEventHTML renders a principle version coming into force during a
// transfer run: when (trigger, evaluations), why (the version's reason) and
// what changed (DiffHTML); the first version lists its allowed ops per edge.
func PrincipleEventHTML(sp *space.Space, ev transfer.Event) string {
	root := sp.Root()
	var b strings.Builder
	b.WriteString(`<div class="nasnb-principle-event" style="font-size:13px;line-height:1.45;border-left:3px solid #5470c6;padding:2px 8px;margin:4px 0;max-width:980px">` + "\n")
	fmt.Fprintf(&b, `<div style="color:#5470c6"><b>%s</b></div>`+"\n", esc(eventTitle(ev)))
	switch {
	case ev.Err != "":
		fmt.Fprintf(&b, `<div style="color:%s">%s</div>`+"\n", diffDelFG, esc(ev.Err))
	case ev.Diff.From == 0:
		fmt.Fprintf(&b, `<div>space %s → <b>%s</b> architectures (%s of the space); %d statements`,
			commas(ev.Report.SizeBefore), commas(ev.Report.SizeAfter), percent(ev.Report.Fraction()), len(ev.Set.Statements))
		if ev.Set.Reason != "" {
			fmt.Fprintf(&b, `, <i style="color:#555">%s</i>`, esc(ev.Set.Reason))
		}
		b.WriteString("</div>\n")
		b.WriteString(`<div style="font-family:monospace;font-size:12px">` + esc(allowedLine(root, ev.Set.Allowed)) + "</div>\n")
	default:
		b.WriteString(DiffHTML(sp, ev.Diff) + "\n")
	}
	b.WriteString("</div>")
	return b.String()
}

// eventTitle is "Principles v2 in force after 10 evaluations (adapt, best improved)".
func eventTitle(ev transfer.Event) string {
	what := fmt.Sprintf("Principles v%d in force", ev.Set.Version)
	switch {
	case ev.Trigger == transfer.TriggerFallback:
		what = "Fallback to the full space"
	case ev.Trigger == transfer.TriggerHedge:
		what = "Hedge: the full space from here"
	case ev.Trigger == transfer.TriggerDistrust:
		what = "The target distrusts the principles: the full space from here"
	case ev.Err != "":
		what = fmt.Sprintf("Principles kept at v%d", ev.Set.Version)
	}
	s := fmt.Sprintf("%s after %d evaluations (%s", what, ev.Evaluations, ev.Trigger)
	if ev.Trigger == transfer.TriggerAdapt {
		if ev.Improved {
			s += ", best improved"
		} else {
			s += ", no improvement"
		}
	}
	return s + ")"
}

// PrincipleEventText is the plain-text form of PrincipleEventHTML.
func PrincipleEventText(sp *space.Space, ev transfer.Event) string {
	root := sp.Root()
	s := eventTitle(ev) + "\n"
	switch {
	case ev.Err != "":
		s += "  " + ev.Err + "\n"
	case ev.Diff.From == 0:
		s += fmt.Sprintf("  space %d -> %d architectures; %s\n", ev.Report.SizeBefore, ev.Report.SizeAfter, allowedLine(root, ev.Set.Allowed))
	default:
		s += ev.Diff.String()
	}
	return s
}

// DisplayPrincipleEvent shows one principle version coming into force (see
// PrincipleEventHTML).
func DisplayPrincipleEvent(sp *space.Space, ev transfer.Event) {
	DisplayData(map[string]any{"text/html": PrincipleEventHTML(sp, ev), "text/plain": PrincipleEventText(sp, ev)})
}
