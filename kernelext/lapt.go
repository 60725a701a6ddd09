package kernelext

// Adapters from the LAPT core (lapt/...) to the notebook: principle sets,
// their diffs and refinements as HTML, architectures as cell drawings, search
// and transfer hooks that drive Progress and LiveCurve, and study reports as
// tables and curve charts. The core never imports kernelext: everything here
// attaches through the core's hook points and reads its result values.

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/transfer"
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

// esc is html.EscapeString.
func esc(s string) string { return html.EscapeString(s) }

// commas formats n with thousands separators: 15625 -> "15,625".
func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// percent formats a fraction in [0, 1] with enough digits to be non-zero
// when the fraction is: 0.000512 -> "0.05%", 0.5 -> "50%".
func percent(f float64) string {
	switch {
	case math.IsNaN(f):
		return "n/a"
	case f == 0 || f >= 0.1:
		return fmt.Sprintf("%.0f%%", 100*f)
	case f >= 0.001:
		return fmt.Sprintf("%.2g%%", 100*f)
	default:
		return fmt.Sprintf("%.1g%%", 100*f)
	}
}

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
	rows := make([]gridRow, root.NumEdges())
	for i := range rows {
		rows[i] = gridRow{label: root.EdgeLabel(i), state: map[string]gridState{}}
		for _, op := range root.AllowedOn(i) {
			st := gridCut
			if i < len(set.Allowed) && slices.Contains(set.Allowed[i], op) {
				st = gridKept
			}
			rows[i].state[root.OpName(op)] = st
			rows[i].ops = append(rows[i].ops, root.OpName(op))
		}
	}
	b.WriteString(opGridHTML(spaceOps(root), rows, "allowed", "·"))
	// The size is what the constraint compiles to in this space, so a space
	// limited to known architectures counts only those.
	if sub, err := set.Compile(sp); err != nil {
		fmt.Fprintf(&b, "\n"+`<div style="color:#a00">The constraint does not compile in this space: %s</div>`+"\n", esc(err.Error()))
	} else {
		fmt.Fprintf(&b, "\n"+`<div style="color:#333">Allowed: %s of %s architectures (%s of the space).</div>`+"\n",
			commas(sub.Count()), commas(root.Count()), percent(float64(sub.Count())/float64(root.Count())))
	}
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

// reportOps returns the op names of a refinement report in a consistent
// column order: each edge lists its kept and its cut ops in op-table order,
// so a topological sort of those constraints (ties broken by first
// appearance) recovers the table order wherever the report determines it.
func reportOps(rep principles.Report) []string {
	if len(rep.Ops) > 0 {
		return rep.Ops
	}
	// A report from before Report.Ops (e.g. read from an old JSON file).
	var names []string
	index := map[string]int{}
	after := map[string][]string{} // a -> ops that must come after a
	indeg := map[string]int{}
	edge := map[[2]string]bool{}
	add := func(seq []string) {
		for i, n := range seq {
			if _, ok := index[n]; !ok {
				index[n] = len(names)
				names = append(names, n)
			}
			if i > 0 && !edge[[2]string{seq[i-1], n}] {
				edge[[2]string{seq[i-1], n}] = true
				after[seq[i-1]] = append(after[seq[i-1]], n)
				indeg[n]++
			}
		}
	}
	for _, e := range rep.Edges {
		add(e.Kept)
		add(e.Cut)
	}
	var out []string
	done := map[string]bool{}
	for len(out) < len(names) {
		pick := ""
		for _, n := range names { // first in appearance order with no pending predecessor
			if !done[n] && indeg[n] == 0 {
				pick = n
				break
			}
		}
		if pick == "" { // a cycle (inconsistent report): keep appearance order
			for _, n := range names {
				if !done[n] {
					pick = n
					break
				}
			}
		}
		done[pick] = true
		out = append(out, pick)
		for _, m := range after[pick] {
			indeg[m]--
		}
	}
	return out
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
	b.WriteString(opGridHTML(reportOps(rep), rows, "kept", "cut"))
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

// TrialEventOf converts a search trial into the TrialEvent that Progress and
// LiveCurve take: Trial is the number of counted evaluations, Budget the
// run's, Score the trial's validation score (NaN when unusable), BestSoFar
// the incumbent's (NaN before the first usable result).
func TrialEventOf(r *search.Run, t search.Trial) TrialEvent {
	ev := TrialEvent{Trial: t.N, Budget: r.Budget(), Score: math.NaN(), BestSoFar: math.NaN(), Arch: t.Text, Elapsed: r.Elapsed()}
	if t.Result.Usable() {
		ev.Score = t.Result.Metrics.Val
	}
	if inc, ok := r.Incumbent(); ok {
		ev.BestSoFar = inc.Result.Metrics.Val
	}
	return ev
}

// CombineHooks returns search hooks that call each of hs in order.
func CombineHooks(hs ...search.Hooks) search.Hooks {
	var out search.Hooks
	for _, h := range hs {
		h := h
		if h.OnStart != nil {
			prev := out.OnStart
			out.OnStart = func(r *search.Run) {
				if prev != nil {
					prev(r)
				}
				h.OnStart(r)
			}
		}
		if h.OnTrial != nil {
			prev := out.OnTrial
			out.OnTrial = func(r *search.Run, t search.Trial) {
				if prev != nil {
					prev(r, t)
				}
				h.OnTrial(r, t)
			}
		}
		if h.OnEnd != nil {
			prev := out.OnEnd
			out.OnEnd = func(r *search.Run, err error) {
				if prev != nil {
					prev(r, err)
				}
				h.OnEnd(r, err)
			}
		}
	}
	return out
}

// SearchProgress returns search hooks that show the run's progress in place:
// a Progress titled title appears when the run starts, shows "trial k/n",
// the best score so far, the last score and architecture, the elapsed time
// and an estimate of the remaining time after every trial, and keeps its
// final state when the run ends. Use one per run (search.Config.Hooks, or
// transfer.Hooks.Search).
func SearchProgress(title string) search.Hooks {
	var p *Progress
	start := func() {
		if p == nil {
			p = NewProgress(title)
		}
	}
	return search.Hooks{
		OnStart: func(*search.Run) { start() },
		OnTrial: func(r *search.Run, t search.Trial) {
			start()
			p.OnTrial(TrialEventOf(r, t))
		},
		OnEnd: func(r *search.Run, err error) {
			start()
			if err != nil && err != search.ErrExhausted {
				p.mu.Lock()
				p.Title = title + " (stopped: " + err.Error() + ")"
				p.mu.Unlock()
			}
			p.Done()
		},
	}
}

// SearchHooks returns search hooks that append the run's best-so-far score
// after every counted evaluation to run `run` (0-based) of the curve called
// name. They never close l: several runs (seeds, methods) can share one
// chart; call l.Close when all are done.
func (l *LiveCurve) SearchHooks(name string, run int) search.Hooks {
	return search.Hooks{OnTrial: func(r *search.Run, t search.Trial) {
		if !t.Counted {
			return // answered from the cache: no evaluation was spent
		}
		l.Append(name, run, TrialEventOf(r, t).BestSoFar)
	}}
}

// LiveSearchCurve returns search hooks that draw one run's best score so far
// against the number of evaluations as a live chart (configured by chart;
// the curve is called name): the chart appears when the run starts, grows
// after every counted evaluation, and becomes the full interactive chart
// with its static SVG when the run ends.
func LiveSearchCurve(chart CurveChart, name string) search.Hooks {
	if chart.YLabel == "" {
		chart.YLabel = "best validation score so far"
	}
	var l *LiveCurve
	var inner search.Hooks
	start := func() {
		if l == nil {
			l = NewLiveCurve(chart)
			inner = l.SearchHooks(name, 0)
		}
	}
	return search.Hooks{
		OnStart: func(*search.Run) { start() },
		OnTrial: func(r *search.Run, t search.Trial) {
			start()
			inner.OnTrial(r, t)
		},
		OnEnd: func(*search.Run, error) {
			start()
			l.Close()
		},
	}
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
			commas(root.Count()), commas(ev.Report.SizeAfter), percent(float64(ev.Report.SizeAfter)/float64(root.Count())), len(ev.Set.Statements))
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
	case ev.Trigger == "fallback":
		what = "Fallback to the full space"
	case ev.Err != "":
		what = fmt.Sprintf("Principles kept at v%d", ev.Set.Version)
	}
	s := fmt.Sprintf("%s after %d evaluations (%s", what, ev.Evaluations, ev.Trigger)
	if ev.Trigger == "adapt" {
		if ev.Improved {
			s += ", best improved"
		} else {
			s += ", no improvement"
		}
	}
	return s + ")"
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

// PrincipleEventText is the plain-text form of PrincipleEventHTML.
func PrincipleEventText(sp *space.Space, ev transfer.Event) string {
	root := sp.Root()
	s := eventTitle(ev) + "\n"
	switch {
	case ev.Err != "":
		s += "  " + ev.Err + "\n"
	case ev.Diff.From == 0:
		s += fmt.Sprintf("  space %d -> %d architectures; %s\n", root.Count(), ev.Report.SizeAfter, allowedLine(root, ev.Set.Allowed))
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

// TransferHooks returns hooks for one transfer run (transfer.Config.Hooks):
// each principle version is shown as it comes into force (the first with
// its allowed ops, later ones as a diff with the reason), and the search
// drives a Progress titled title and a live best-so-far chart. Use it for a
// single run, not for study.Config.TransferHooks (many parallel runs).
func TransferHooks(sp *space.Space, title string) transfer.Hooks {
	return transfer.Hooks{
		OnPrinciples: func(ev transfer.Event) { DisplayPrincipleEvent(sp, ev) },
		Search: CombineHooks(
			SearchProgress(title),
			LiveSearchCurve(CurveChart{Title: title + ": best so far", Band: BandNone, Height: 320}, "LAPT"),
		),
	}
}

// studyLabel returns the label of a method (its name when it has none).
func studyLabel(m study.Method) string {
	if m.Label != "" {
		return m.Label
	}
	return m.Name
}

// studyShort is a method's name in chart legends, short enough for the
// legend to fit on one line: "LAPT (offline)", "no adaptation",
// "frequency", "REA full space"; other methods keep their label.
func studyShort(rep *study.Report, m study.Method) string {
	switch m.Name {
	case study.LAPT:
		return "LAPT (" + rep.Reasoner + ")"
	case study.NoAdapt:
		return "no adaptation"
	case study.Frequency:
		return "frequency"
	case study.FullREA:
		return "REA full space"
	}
	return studyLabel(m)
}

// StudyCurves returns, for a study report, the incumbent's score ("val":
// validation, the score the searches optimise; "test": test, for reporting)
// against the number of evaluations: per method (named as in studyShort)
// the mean over seeds as a line and the interquartile range as a band. With
// "val" a flat line marks the target's optimum.
func StudyCurves(rep *study.Report, metric string) *CurveChart {
	test := metric == "test"
	what := "validation"
	if test {
		what = "test"
	}
	c := &CurveChart{
		Title:     fmt.Sprintf("%s → %s: best so far (mean and IQR over %d seeds)", taskShort(rep.Sources...), taskShort(rep.Target), rep.Seeds),
		XLabel:    "evaluations",
		YLabel:    what + " score",
		Band:      BandIQR,
		Precision: 2,
	}
	n := 0
	for _, m := range rep.Methods {
		cv := Curve{Name: studyShort(rep, m)}
		for _, o := range m.Runs {
			r, te := o.Curves()
			if test {
				r = te
			}
			cv.Runs = append(cv.Runs, r)
			n = max(n, len(r))
		}
		c.Curves = append(c.Curves, cv)
	}
	if !test && n > 0 && !math.IsNaN(rep.Optimum) && rep.Optimum != 0 {
		opt := make([]float64, n)
		for i := range opt {
			opt[i] = rep.Optimum
		}
		c.Curves = append(c.Curves, Curve{Name: fmt.Sprintf("optimum %.2f", rep.Optimum), Mean: opt})
	}
	return c
}

// taskShort shortens "nb201/cifar10@200" to "cifar10" and joins several names.
func taskShort(names ...string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if _, after, ok := strings.Cut(n, "/"); ok {
			n = after
		}
		if before, _, ok := strings.Cut(n, "@"); ok {
			n = before
		}
		out[i] = n
	}
	return strings.Join(out, "+")
}

// pm formats "mean ± std" with 2 decimals (n/a for NaN).
func pm(mean, std float64) string {
	if math.IsNaN(mean) {
		return "n/a"
	}
	if math.IsNaN(std) {
		return fmt.Sprintf("%.2f", mean)
	}
	return fmt.Sprintf("%.2f\u00a0±\u00a0%.2f", mean, std) // no-break spaces: one line in HTML tables
}

// StudyTable returns the results of a study as table headers and rows: per
// method its label, initial space size, whether the target optimum is in
// that space, the paper's metric (evaluations until the optimum, else the
// top-0.1%, else the budget; mean ± std), how often the optimum and the
// top-0.1% were found, and the incumbent's test score at each checkpoint.
func StudyTable(rep *study.Report) ([]string, [][]string) {
	headers := []string{"method", "space", "optimum kept", "evals (LAPT metric)", "found optimum", "found top-0.1%"}
	if len(rep.Methods) > 0 {
		for _, p := range rep.Methods[0].Points {
			headers = append(headers, fmt.Sprintf("test@%d", p.Evals))
		}
	}
	var rows [][]string
	for _, m := range rep.Methods {
		kept := "no"
		if m.OptimumKept {
			kept = "yes"
		}
		row := []string{studyLabel(m), fmt.Sprint(m.SpaceSize), kept, fmt.Sprintf("%.1f\u00a0±\u00a0%.1f", m.MetricMean, m.MetricStd),
			fmt.Sprintf("%.0f%%", 100*m.FoundOptimum), fmt.Sprintf("%.0f%%", 100*m.FoundTop)}
		for _, p := range m.Points {
			row = append(row, pm(p.TestMean, p.TestStd))
		}
		rows = append(rows, row)
	}
	return headers, rows
}

// studyCaption is the line above the study table.
func studyCaption(rep *study.Report) string {
	s := rep.Schedule
	return fmt.Sprintf("%s → %s, reasoner %s, %d seeds; REA population %d, tournament %d, budget %d; target optimum val %.4f (test %.4f), top-0.1%% threshold val %.4f",
		strings.Join(rep.Sources, " + "), rep.Target, rep.Reasoner, rep.Seeds, s.Population, s.Tournament, s.Budget, rep.Optimum, rep.OptTest, rep.Threshold)
}

// StudyHTML returns the study's caption and results table as HTML.
func StudyHTML(rep *study.Report) string {
	h, rows := StudyTable(rep)
	return `<div class="nasnb-study"><div style="font-size:13px;color:#333;margin:4px 0">` + esc(studyCaption(rep)) + "</div>\n" + TableHTML(h, rows) + "</div>"
}

// DisplayStudy shows a study report: the caption and results table (see
// StudyTable), then the validation curves of StudyCurves. Outside a
// notebook it prints both as text.
func DisplayStudy(rep *study.Report) {
	h, rows := StudyTable(rep)
	DisplayData(map[string]any{"text/html": StudyHTML(rep), "text/plain": studyCaption(rep) + "\n" + TableText(h, rows)})
	Display(StudyCurves(rep, "val"))
}

// StudySummary returns a short plain-text summary of a study, one line per
// method: how often it found the target's optimum (and the top-0.1%), the
// mean evaluations of the paper's metric, and the incumbent's mean test
// score at each checkpoint. Lines start with the method's name (lapt,
// lapt-noadapt, frequency, rea-full), so scripts can pick them.
func StudySummary(rep *study.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s, reasoner %s, %d seeds, budget %d\n", strings.Join(rep.Sources, "+"), rep.Target, rep.Reasoner, rep.Seeds, rep.Schedule.Budget)
	fmt.Fprintf(&b, "target optimum: val %.4f, test %.4f\n", rep.Optimum, rep.OptTest)
	w := 0
	for _, m := range rep.Methods {
		w = max(w, len(m.Name))
	}
	for _, m := range rep.Methods {
		fmt.Fprintf(&b, "%-*s  found optimum %3.0f%% (top-0.1%% %3.0f%%), evals %4.1f", w, m.Name, 100*m.FoundOptimum, 100*m.FoundTop, m.MetricMean)
		for _, p := range m.Points {
			if math.IsNaN(p.TestMean) {
				fmt.Fprintf(&b, ", test@%d n/a", p.Evals)
			} else {
				fmt.Fprintf(&b, ", test@%d %.2f", p.Evals, p.TestMean)
			}
		}
		fmt.Fprintf(&b, ", space %d\n", m.SpaceSize)
	}
	return b.String()
}
