// Package offline holds reasoners that need no LLM: the default offline
// reasoner, which derives design principles from the statistics of the
// evidence it is handed, and the frequency baseline.
//
// # Method of the offline reasoner
//
// Learning (source tasks only). The top-k architectures (k = TopK, 50 by
// default) are contrasted with the rest of the evidence. For each edge and op
// it counts the carriers among the top-k, the op's base frequency among the
// others, the enrichment (ratio of the two), a one-sided binomial p-value
// for the enrichment and a one-sided Fisher exact (hypergeometric) p-value
// for the depletion: the chance that k architectures drawn at random from
// the evidence carry the op at most as often as the top-k do. Ops on an edge
// are ranked by their count in the top-k, and the first is always allowed.
//
// Evidence counts against an op only when the separation test rejects it:
// its Fisher depletion p-value is below Separation (default 0.05) divided by
// the number of ops tested (every non-leading op of every decision:
// Bonferroni, so the family of cuts, not each cut, is at 5%). An op that
// passes the test is undecided whatever its count. A rejected op gets a
// class, from the weakest case against it to the strongest: not enriched
// (no more frequent among the top-k than elsewhere), dominated (the leading
// op is significantly more frequent: one-sided sign test on the two counts,
// p < Alpha, default 0.01), absent (no top architecture carries it).
//
// How far to shrink follows from the evidence and the budget together. The
// ops are added back in that order (undecided first; within a class, the
// weakest case against an op first: largest sign-test p), up to
// MaxOpsPerEdge per edge, while the refined space stays within a size band
// derived from the request's Budget B (the target evaluations the search
// will pay for):
//
//   - upper bound B: a space the budget can search exhaustively. Undecided
//     ops are added while the space stays at most B; an undecided op left
//     out only because of the budget is said so, with low confidence.
//   - lower bound B/2: ops with evidence against them are added back only
//     while the space is below B/2, so that the budget is not wasted on a
//     space far smaller than it. Half, because adding an op to a single-op
//     edge doubles the space: a greedy growth that stops at B lands in
//     (B/2, B] on a full product space.
//
// The size counts the architectures the space really holds (for a space
// limited to known architectures, only those). With an unknown budget (0)
// there is no band: undecided ops stay and the others are cut (the
// evidence alone decides). No constant depends on the benchmark.
//
// Thin evidence is flagged loudly: fewer source architectures than 2 x
// top-k per source (so the top-k is not contrasted with at least as many
// others), or a top-k smaller than 2 x the number of ops (the counts
// cannot separate the ops). Then every class but "absent" counts as
// undecided, the first statement is a WARNING, and every edge statement
// has low confidence. Ties for the lead and near-uniform counts on an edge
// (the leader is not above a fair 1/#ops share at one-sided binomial
// p < 0.05) are warned about in the edge's statement.
//
// Every edge statement starts with a confidence, that of its weakest cut:
// "high" when every cut op is separated at a Fisher p below a tenth of the
// corrected level, "medium" below the corrected level, "low" otherwise (an
// op cut only by the op cap or the budget; always when evidence is thin). The
// prose also states the space size against the budget and band, the ops
// that are depleted across the cell, and the strongest co-occurrences of
// edge choices among the top-k (interactions).
//
// Adaptation (target results the search has paid for). The reasoner
// tabulates the target's own evidence per decision and op
// (reason.TargetEvidence: tries, best and mean score). Then, in order:
//
//  1. Disagreement: when an architecture outside the space in force (an
//     escape of the transfer loop, or one found under an earlier version)
//     scores at least as well as the best found inside, the target
//     disagrees with the sources: its ops are added on every decision where
//     they are missing (at the cap, they replace the allowed op with the
//     weakest target results that the incumbent does not carry). At a
//     check without improvement, a one-decision win is disagreement too:
//     an architecture outside the space that scored above one found
//     inside it which differs from it on one decision alone adds its op on
//     that decision (a paired comparison on the target, so no threshold is
//     needed; at the cap it replaces only an op the target has tried and
//     scored below the winner: an untested op is not given up for it).
//  2. Improvement: the set narrows (an edge keeps one op only where every
//     one of the best k found agrees on it and its alternative, tried at
//     least twice, never reached them) only when the space holds more
//     unexplored architectures than the budget has evaluations left;
//     otherwise it stays as is.
//  3. Stall: while the space still holds unexplored architectures it stays
//     as is. If the search is exhausted all the same (nothing new is
//     proposed: the rest is unreachable from its population), the space
//     stays too, and the transfer loop falls back to the full space, where
//     the target alone guides the search. Once every architecture of the
//     space has been evaluated, it widens by one op, preferring ops the
//     target already scored well (escapes), then the source ranking, never
//     removing an op the incumbent carries.
//
// Every change is explained in the new version's Reason and statements.
// The reasoner is deterministic.
package offline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/lapt/paper"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

// Reasoner is the offline statistical reasoner. The zero value is ready to
// use with the defaults.
type Reasoner struct {
	// Alpha is the significance level of the dominance test (default 0.01).
	Alpha float64
	// Separation is the family-wise significance level of the separation
	// test that lets evidence count against an op (default 0.05; divided
	// by the number of ops tested, see the package doc).
	Separation float64
	// Pairs is how many co-occurrence statements to write (default 2).
	Pairs int
	// IgnoreBudget sizes the refined space by the evidence alone (no band
	// relative to the budget): undecided ops stay, the others are cut, as
	// if the budget were unknown. For ablations and teaching: such a space
	// may be far smaller than the budget.
	IgnoreBudget bool
}

// New returns an offline reasoner with the default settings.
func New() *Reasoner { return &Reasoner{} }

func (r *Reasoner) alpha() float64 {
	if r.Alpha <= 0 {
		return 0.01
	}
	return r.Alpha
}

func (r *Reasoner) separation() float64 {
	if r.Separation <= 0 {
		return 0.05
	}
	return r.Separation
}

// Name implements reason.Reasoner.
func (r *Reasoner) Name() string {
	var opts []string
	if r.Alpha > 0 && r.Alpha != 0.01 {
		opts = append(opts, fmt.Sprintf("alpha=%g", r.Alpha))
	}
	if r.Separation > 0 && r.Separation != 0.05 {
		opts = append(opts, fmt.Sprintf("separation=%g", r.Separation))
	}
	if r.IgnoreBudget {
		opts = append(opts, "no-budget-band")
	}
	if len(opts) > 0 {
		return "offline(" + strings.Join(opts, ",") + ")"
	}
	return "offline"
}

// merged pools the sources' evidence (each source's archs keep their order;
// the top-k of each source form the pooled top).
func merged(req reason.LearnRequest) (top []reason.Scored, rest []reason.Scored, tasks []string, shown []string) {
	for _, src := range req.Sources {
		k := req.TopK
		if k <= 0 {
			k = paper.LearnTopK
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

// opCap returns the ops-per-edge cap of a request (the paper's NB201 cap,
// 2, when unset).
func opCap(n int) int {
	if n <= 0 {
		return paper.MaxOpsPerEdge
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
	set := principles.Set{Version: 1, Allowed: make([][]int, sp.NumEdges()), Preference: make([][]int, sp.NumEdges()),
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
