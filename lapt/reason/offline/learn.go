package offline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/lapt/paper"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

// Evidence classes of a non-leading op, from weakest case against it to
// strongest. Ops are added back to an edge in this order.
const (
	classUndecided   = iota // the top architectures are split: no case against it
	classNotEnriched        // no more frequent among the top than elsewhere
	classDominated          // the leading op is significantly more frequent (sign test)
	classAbsent             // no top architecture carries it
)

// candidate is one op that could join an edge's allowed set.
type candidate struct {
	edge  int
	st    OpStat
	class int
	p     float64 // sign-test p-value of the lead against it
}

// separationLevel is the per-op significance level of the separation test:
// the family-wise level (Separation, default 0.05) divided by the number of
// ops tested (Bonferroni: every non-leading op of every decision).
func (r *Reasoner) separationLevel(an Analysis) float64 {
	tests := 0
	for _, es := range an.Edges {
		tests += max(len(es.Ops)-1, 0)
	}
	return r.separation() / float64(max(tests, 1))
}

// Confidence levels of a statement.
func confidence(p float64, alpha float64, thin bool) string {
	switch {
	case thin:
		return "low"
	case p < alpha/10:
		return "high"
	case p < alpha:
		return "medium"
	}
	return "low"
}

// sizeOf returns the number of architectures of sp allowed by allowed (the
// members, for spaces limited to known architectures).
func sizeOf(sp *space.Space, allowed [][]int) int64 {
	sub, err := sp.Restrict(allowed)
	if err != nil {
		return 0 // a limited space where no known architecture is allowed
	}
	return sub.Count()
}

// band returns the size band [lo, hi] of the refined space for a budget
// (see the package doc); hi is unbounded when the budget is unknown.
func band(budget int) (lo, hi int64) {
	if budget <= 0 {
		return 0, math.MaxInt64
	}
	return int64(max(budget/2, 1)), int64(budget)
}

// Learn implements reason.Reasoner.
func (r *Reasoner) Learn(ctx context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	if err := reason.CheckLearn(req); err != nil {
		return reason.Outcome{}, err
	}
	if err := ctx.Err(); err != nil {
		return reason.Outcome{}, err
	}
	sp := req.Space.Root()
	an, tasks, shown := analyseSources(sp, req)
	capN := opCap(req.MaxOpsPerEdge)
	k := req.TopK
	if k <= 0 {
		k = paper.LearnTopK
	}
	set := principles.Set{
		Version:    1, // Learn returns the first version
		Allowed:    make([][]int, sp.NumEdges()),
		Preference: make([][]int, sp.NumEdges()),
		Reason:     fmt.Sprintf("learned from the top %d of %d architectures of %s", an.K, an.N, strings.Join(tasks, "+")),
		Provenance: principles.Provenance{Reasoner: r.Name(), Sources: tasks, Evidence: shown},
	}
	// Thin evidence: the top-k is not contrasted with at least as many
	// other architectures (fewer than about 2 x top-k per source).
	thin := an.N < 2*k*len(req.Sources) || an.K < 2*len(sp.Ops())
	var warnings []string
	if thin {
		warnings = append(warnings, fmt.Sprintf("WARNING: thin evidence: %d source architectures for a top-%d contrast (want at least %d); every cut below is tentative and the space is kept as wide as the budget allows.",
			an.N, an.K, 2*k*len(req.Sources)))
	}
	sepAlpha := r.separationLevel(an)
	var cands []candidate
	for _, es := range an.Edges {
		lead := es.Ops[0]
		set.Allowed[es.Edge] = []int{lead.Op}
		for _, st := range es.Ops {
			set.Preference[es.Edge] = append(set.Preference[es.Edge], st.Op)
		}
		for _, st := range es.Ops[1:] {
			c := candidate{edge: es.Edge, st: st, p: signTest(lead.Top, st.Top)}
			switch {
			case st.Top == 0:
				c.class = classAbsent
			case c.p < r.alpha():
				c.class = classDominated
			case st.TopFrac <= st.Base:
				c.class = classNotEnriched
			}
			if thin && c.class != classAbsent {
				c.class = classUndecided
			}
			if st.Depletion >= sepAlpha {
				c.class = classUndecided // no exact separation: no case against it
			}
			cands = append(cands, c)
		}
	}
	// Undecided ops first, then by how weak the case against them is.
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.class != b.class {
			return a.class < b.class
		}
		if a.p != b.p {
			return a.p > b.p
		}
		if a.st.Top != b.st.Top {
			return a.st.Top > b.st.Top
		}
		return a.st.Enrichment > b.st.Enrichment
	})
	budget := req.Budget
	if r.IgnoreBudget {
		budget = 0
	}
	lo, hi := band(budget)
	size := sizeOf(sp, set.Allowed)
	byBudget := map[[2]int]bool{} // kept out only because of the budget
	widened := map[[2]int]bool{}  // let in against the evidence to reach the band
	for _, c := range cands {
		if len(set.Allowed[c.edge]) >= capN {
			continue
		}
		limit := hi
		if c.class != classUndecided {
			limit = lo // evidence against it: only to reach the band's floor
			if size >= lo {
				continue
			}
		}
		next := slices.Clone(set.Allowed)
		next[c.edge] = append(slices.Clone(next[c.edge]), c.st.Op)
		ns := sizeOf(sp, next)
		if ns > limit && !(c.class != classUndecided && ns <= hi) {
			if c.class == classUndecided {
				byBudget[[2]int{c.edge, c.st.Op}] = true
			}
			continue
		}
		set.Allowed, size = next, ns
		if c.class != classUndecided {
			widened[[2]int{c.edge, c.st.Op}] = true
		}
	}
	// A space limited to known architectures may hold none of the chosen
	// combinations: add ops in the same order until it holds some.
	for _, c := range cands {
		if size > 0 {
			break
		}
		if len(set.Allowed[c.edge]) >= capN || slices.Contains(set.Allowed[c.edge], c.st.Op) {
			continue
		}
		set.Allowed[c.edge] = append(slices.Clone(set.Allowed[c.edge]), c.st.Op)
		size = sizeOf(sp, set.Allowed)
		if c.class != classUndecided {
			widened[[2]int{c.edge, c.st.Op}] = true
		}
		delete(byBudget, [2]int{c.edge, c.st.Op})
	}
	if size == 0 {
		return reason.Outcome{}, fmt.Errorf("offline: no combination of the supported ops is a known architecture of %s", sp.Name())
	}
	var stmts []string
	stmts = append(stmts, warnings...)
	for _, es := range an.Edges {
		sort.Ints(set.Allowed[es.Edge])
		stmts = append(stmts, r.edgeStatement(sp, es, an.K, sepAlpha, set.Allowed[es.Edge], cands, byBudget, widened, thin))
	}
	if budget > 0 {
		full := sp.Count()
		stmts = append(stmts, fmt.Sprintf("Space size: %d of %d architectures for a budget of %d evaluations (band %d-%d: a space much smaller than the budget wastes it, one much larger is searched no better than the full space).",
			size, full, budget, lo, hi))
		if size < lo {
			stmts = append(stmts, fmt.Sprintf("WARNING: the refined space (%d) is below the band's floor (%d): the op cap leaves nothing more to add.", size, lo))
		}
	}
	stmts = append(stmts, depletionStatements(sp, an)...)
	stmts = append(stmts, r.pairStatements(sp, an)...)
	set.Statements = stmts
	set.Analysis = analysisText(sp, an)
	if thin {
		set.Analysis = warnings[0] + "\n" + set.Analysis
	}
	if err := set.Validate(sp, capN); err != nil {
		return reason.Outcome{}, fmt.Errorf("offline: internal error: %w", err)
	}
	return reason.Outcome{Set: set}, nil
}

// edgeStatement states what an edge keeps and why, with a confidence.
func (r *Reasoner) edgeStatement(sp *space.Space, es EdgeStats, k int, sepAlpha float64, allowed []int, cands []candidate, byBudget, widened map[[2]int]bool, thin bool) string {
	lead := es.Ops[0]
	var b strings.Builder
	// The confidence of an edge is that of its weakest cut: the largest
	// separation (Fisher) p-value of a cut op (a kept op needs none),
	// against the corrected level.
	maxP := 0.0
	var cut, against []string
	var tie bool
	for _, c := range cands {
		if c.edge != es.Edge {
			continue
		}
		key := [2]int{c.edge, c.st.Op}
		if c.st.Top == lead.Top {
			tie = true
		}
		if slices.Contains(allowed, c.st.Op) {
			if widened[key] {
				against = append(against, fmt.Sprintf("%s (%d/%d)", sp.OpName(c.st.Op), c.st.Top, k))
			}
			continue
		}
		switch {
		case byBudget[key]:
			cut = append(cut, fmt.Sprintf("%s (%d/%d; left out for the budget, not by the evidence: low confidence)", sp.OpName(c.st.Op), c.st.Top, k))
		case c.class == classAbsent:
			cut = append(cut, fmt.Sprintf("%s (0/%d; depleted: Fisher p=%.2g)", sp.OpName(c.st.Op), k, c.st.Depletion))
		case c.class == classDominated:
			cut = append(cut, fmt.Sprintf("%s (%d/%d; depleted: Fisher p=%.2g; %s leads, sign test p=%.2g)", sp.OpName(c.st.Op), c.st.Top, k, c.st.Depletion, sp.OpName(lead.Op), c.p))
		case c.class == classNotEnriched:
			cut = append(cut, fmt.Sprintf("%s (%d/%d, depleted: %.0f%% vs %.0f%% elsewhere, Fisher p=%.2g)", sp.OpName(c.st.Op), c.st.Top, k, 100*c.st.TopFrac, 100*c.st.Base, c.st.Depletion))
		default:
			cut = append(cut, fmt.Sprintf("%s (%d/%d; not separated from the rest, Fisher p=%.2g: left out by the cap of %d ops)", sp.OpName(c.st.Op), c.st.Top, k, c.st.Depletion, len(allowed)))
		}
	}
	for _, c := range cands {
		if c.edge == es.Edge && !slices.Contains(allowed, c.st.Op) {
			p := c.st.Depletion
			if byBudget[[2]int{c.edge, c.st.Op}] {
				p = 1
			}
			maxP = math.Max(maxP, p)
		}
	}
	conf := confidence(maxP, sepAlpha, thin)
	if len(allowed) == len(es.Ops) {
		conf = "n/a: nothing cut"
	}
	if len(allowed) == 1 {
		fmt.Fprintf(&b, "[confidence %s] %s should carry %s: %d of the top %d architectures use it (%.0f%%, %.1fx its frequency elsewhere, binomial p=%.2g).",
			conf, capital(edgeName(sp, es.Edge)), sp.OpName(lead.Op), lead.Top, k, 100*lead.TopFrac, lead.Enrichment, lead.P)
	} else {
		parts := make([]string, 0, len(allowed))
		for _, st := range es.Ops {
			if slices.Contains(allowed, st.Op) {
				parts = append(parts, fmt.Sprintf("%s (%d/%d, %.1fx)", sp.OpName(st.Op), st.Top, k, st.Enrichment))
			}
		}
		if len(against) == 0 {
			fmt.Fprintf(&b, "[confidence %s] %s keeps %s: the evidence does not single one out, so they stay available.",
				conf, capital(edgeName(sp, es.Edge)), strings.Join(parts, " and "))
		} else {
			fmt.Fprintf(&b, "[confidence %s] %s keeps %s. The evidence favours %s, but %s stay(s) so that the space is as large as the budget can search.",
				conf, capital(edgeName(sp, es.Edge)), strings.Join(parts, " and "), sp.OpName(lead.Op), strings.Join(against, ", "))
		}
	}
	if tie {
		fmt.Fprintf(&b, " WARNING: tie for the lead at %d/%d.", lead.Top, k)
	}
	if near := nearUniform(es, k); near {
		b.WriteString(" WARNING: the counts on this edge are close to uniform; the evidence barely prefers any op.")
	}
	if len(cut) > 0 {
		fmt.Fprintf(&b, " Cut: %s.", strings.Join(cut, "; "))
	}
	return b.String()
}

// nearUniform reports whether an edge's top-k counts are compatible with
// a uniform choice: the leader is not significantly above a fair share
// (one-sided binomial tail at 1/#ops, p >= 0.05; see the package doc).
func nearUniform(es EdgeStats, k int) bool {
	if k == 0 || len(es.Ops) < 2 {
		return false
	}
	return upperTail(es.Ops[0].Top, k, 1/float64(len(es.Ops))) >= 0.05
}
