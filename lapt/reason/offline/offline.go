// Package offline holds reasoners that need no LLM: the default offline
// reasoner, which derives design principles from the statistics of the
// evidence it is handed, and the frequency baseline.
//
// # Method of the offline reasoner
//
// Learning (source tasks only). The top-k architectures (k = TopK, 50 by
// default) are contrasted with the rest of the evidence. For each edge and op
// it counts the carriers among the top-k, the op's base frequency among the
// others, the enrichment (ratio of the two) and a one-sided binomial p-value
// for the enrichment. Ops on an edge are ranked by their count in the top-k.
// The first is always allowed. Each next op (up to MaxOpsPerEdge) is allowed
// unless (a) the leading op is significantly more frequent than it among the
// top-k (one-sided sign test on the two counts, p < Alpha, default 0.01),
// or (b) it is not enriched at all (no more frequent among the top-k than
// elsewhere), or (c) no top architecture carries it. So an edge keeps a
// single op when the evidence for it is decisive, and two (or three) when the
// top architectures are split. The prose states these findings with their
// numbers, the ops that are depleted across the cell, and the strongest
// co-occurrences of edge choices among the top-k (interactions).
//
// Adaptation (target results the search has paid for). When the best score
// improved, the set narrows an edge only where every one of the best found
// architectures agrees on one op and its alternative was tried at least
// twice, never reaching the best found. When the search stalled (or the
// space is exhausted), the set widens by one op: on the edge whose strongest
// not-yet-allowed op (by the original ranking) has the most source support,
// added if the edge is under the cap, else swapped for the allowed op with
// the weakest target results. Every change is explained in the new version's
// Reason and statements. The reasoner is deterministic.
package offline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

// Reasoner is the offline statistical reasoner. The zero value is ready to
// use with the defaults.
type Reasoner struct {
	// Alpha is the significance level of the dominance test (default 0.01).
	Alpha float64
	// Pairs is how many co-occurrence statements to write (default 2).
	Pairs int
}

// New returns an offline reasoner with the default settings.
func New() *Reasoner { return &Reasoner{} }

func (r *Reasoner) alpha() float64 {
	if r.Alpha <= 0 {
		return 0.01
	}
	return r.Alpha
}

// Name implements reason.Reasoner.
func (r *Reasoner) Name() string {
	if r.Alpha > 0 && r.Alpha != 0.01 {
		return fmt.Sprintf("offline(alpha=%g)", r.Alpha)
	}
	return "offline"
}

// merged pools the sources' evidence (each source's archs keep their order;
// the top-k of each source form the pooled top).
func merged(req reason.LearnRequest) (top []reason.Scored, rest []reason.Scored, tasks []string, shown []string) {
	for _, src := range req.Sources {
		k := req.TopK
		if k <= 0 {
			k = 50
		}
		t := src.Top(k)
		top = append(top, t...)
		rest = append(rest, src.Archs[len(t):]...)
		tasks = append(tasks, src.Task)
		for _, a := range t {
			shown = append(shown, a.Text)
		}
	}
	return top, rest, tasks, shown
}

// analyseSources pools the sources and contrasts their top-k with the rest.
func analyseSources(sp *space.Space, req reason.LearnRequest) (an Analysis, tasks, shown []string) {
	top, rest, tasks, shown := merged(req)
	return Analyse(sp, append(append([]reason.Scored{}, top...), rest...), len(top)), tasks, shown
}

// opCap returns the ops-per-edge cap of a request (2 when unset).
func opCap(n int) int {
	if n <= 0 {
		return 2
	}
	return n
}

func edgeName(sp *space.Space, e int) string {
	ed := sp.Edges()[e]
	if ed.From >= 0 {
		from := fmt.Sprintf("node %d", ed.From)
		if ed.From == 0 {
			from = "the cell input"
		}
		to := fmt.Sprintf("node %d", ed.To)
		if ed.To == sp.Nodes()-1 {
			to = "the cell output"
		}
		return fmt.Sprintf("edge %s (%s -> %s)", ed.Name, from, to)
	}
	return fmt.Sprintf("decision %s", ed.Name)
}

func edgeStatement(sp *space.Space, es EdgeStats, k int, allowed []int, dropped []string) string {
	lead := es.Ops[0]
	var b strings.Builder
	if len(allowed) == 1 {
		fmt.Fprintf(&b, "%s should carry %s: %d of the top %d architectures use it (%.0f%%, %.1fx its frequency elsewhere, binomial p=%.2g).",
			capital(edgeName(sp, es.Edge)), sp.OpName(lead.Op), lead.Top, k, 100*lead.TopFrac, lead.Enrichment, lead.P)
	} else {
		parts := make([]string, 0, len(allowed))
		for _, st := range es.Ops {
			if slices.Contains(allowed, st.Op) {
				parts = append(parts, fmt.Sprintf("%s (%d/%d, %.1fx)", sp.OpName(st.Op), st.Top, k, st.Enrichment))
			}
		}
		fmt.Fprintf(&b, "%s is split between %s: the evidence does not single one out, so both stay available.",
			capital(edgeName(sp, es.Edge)), strings.Join(parts, " and "))
	}
	if len(dropped) > 0 {
		fmt.Fprintf(&b, " Cut: %s.", strings.Join(dropped, "; "))
	}
	return b.String()
}

func depletionStatements(sp *space.Space, an Analysis) []string {
	// Per op across the cell: share of top-k edge slots vs elsewhere.
	nOps := len(sp.Ops())
	topSlots := make([]float64, nOps)
	base := make([]float64, nOps)
	edges := 0
	for _, es := range an.Edges {
		edges++
		for _, st := range es.Ops {
			topSlots[st.Op] += st.TopFrac
			base[st.Op] += st.Base
		}
	}
	var rich, poor []string
	for op := 0; op < nOps; op++ {
		if base[op] == 0 {
			continue
		}
		t, b := topSlots[op]/float64(edges), base[op]/float64(edges)
		desc := fmt.Sprintf("%s (%.0f%% of slots in the top %d vs %.0f%% elsewhere)", sp.OpName(op), 100*t, an.K, 100*b)
		if t >= 1.5*b {
			rich = append(rich, desc)
		} else if t <= 0.5*b {
			poor = append(poor, desc)
		}
	}
	var out []string
	where, slot := "Across the cell", "edge"
	if sp.Nodes() == 0 {
		where, slot = "Across the decisions", "decision"
	}
	if len(rich) > 5 {
		rich = append(rich[:5], fmt.Sprintf("%d more", len(rich)-5))
	}
	if len(poor) > 5 {
		poor = append(poor[:5], fmt.Sprintf("%d more", len(poor)-5))
	}
	if len(rich) > 0 {
		out = append(out, where+", the best architectures favour "+strings.Join(rich, ", ")+".")
	}
	if len(poor) > 0 {
		out = append(out, where+", the best architectures avoid "+strings.Join(poor, ", ")+"; such choices waste the capacity of a "+slot+".")
	}
	// Edges that are never cut by the zero op in the top-k.
	zero := -1
	for i, op := range sp.Ops() {
		if op.Zero {
			zero = i
		}
	}
	if zero >= 0 {
		var kept []string
		for _, es := range an.Edges {
			for _, st := range es.Ops {
				if st.Op == zero && st.Top == 0 && st.Base > 0.05 {
					kept = append(kept, sp.Edges()[es.Edge].Name)
				}
			}
		}
		if len(kept) > 0 {
			out = append(out, fmt.Sprintf("Information must flow: no top architecture removes edge %s (op %s), although random cells do so %.0f%% of the time.",
				strings.Join(kept, ", "), sp.OpName(zero), 100/float64(len(sp.AllowedOn(0)))))
		}
	}
	return out
}

func (r *Reasoner) pairStatements(sp *space.Space, an Analysis) []string {
	n := r.Pairs
	if n == 0 {
		n = 2
	}
	var out []string
	for _, p := range an.Pairs {
		if len(out) >= n {
			break
		}
		if p.Lift < 1.05 || p.Support < 0.2 {
			continue
		}
		out = append(out, fmt.Sprintf("Interaction: %s on edge %s together with %s on edge %s appears in %.0f%% of the top %d (lift %.2f over independent choices; %.1f%% elsewhere).",
			sp.OpName(p.OpA), sp.Edges()[p.EdgeA].Name, sp.OpName(p.OpB), sp.Edges()[p.EdgeB].Name, 100*p.Support, an.K, p.Lift, 100*p.BaseSupport))
	}
	return out
}

func analysisText(sp *space.Space, an Analysis) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Contrast of the top %d architectures with the other %d, per edge (count in the top / enrichment):\n", an.K, an.N-an.K)
	for _, es := range an.Edges {
		fmt.Fprintf(&b, "  %-5s", sp.Edges()[es.Edge].Name)
		for _, st := range es.Ops {
			fmt.Fprintf(&b, "  %s %d/%.1fx", sp.OpName(st.Op), st.Top, st.Enrichment)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Frequency is the no-LLM baseline of the LAPT paper: on every edge, the
// MaxOpsPerEdge ops most frequent among the source top-k. It never adapts.
type Frequency struct{}

// Name implements reason.Reasoner.
func (Frequency) Name() string { return "frequency" }

// Learn implements reason.Reasoner.
func (Frequency) Learn(ctx context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	if err := reason.CheckLearn(req); err != nil {
		return reason.Outcome{}, err
	}
	sp := req.Space.Root()
	an, tasks, shown := analyseSources(sp, req)
	capN := opCap(req.MaxOpsPerEdge)
	set := principles.Set{Allowed: make([][]int, sp.NumEdges()), Preference: make([][]int, sp.NumEdges()),
		Reason:     fmt.Sprintf("the %d most frequent ops per edge among the top %d of %s", capN, an.K, strings.Join(tasks, "+")),
		Provenance: principles.Provenance{Reasoner: "frequency", Sources: tasks, Evidence: shown}}
	for _, es := range an.Edges {
		var names []string
		for i, st := range es.Ops {
			set.Preference[es.Edge] = append(set.Preference[es.Edge], st.Op)
			if i < capN {
				set.Allowed[es.Edge] = append(set.Allowed[es.Edge], st.Op)
				names = append(names, fmt.Sprintf("%s (%d/%d)", sp.OpName(st.Op), st.Top, an.K))
			}
		}
		sort.Ints(set.Allowed[es.Edge])
		set.Statements = append(set.Statements, fmt.Sprintf("Edge %s: most frequent among the top: %s.", sp.Edges()[es.Edge].Name, strings.Join(names, ", ")))
	}
	return reason.Outcome{Set: set}, nil
}

// Adapt implements reason.Reasoner: the baseline keeps its set.
func (Frequency) Adapt(ctx context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	if err := reason.CheckAdapt(req); err != nil {
		return reason.Outcome{}, err
	}
	set := req.Current.Clone()
	set.Reason = "the frequency baseline does not adapt"
	return reason.Outcome{Set: set}, nil
}
