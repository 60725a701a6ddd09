package transfer

import (
	"github.com/nasnb/nasnb/lapt/reason"
	"math/rand/v2"
	"slices"

	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// escaper wraps the search strategy with the escape hatch: once every
// architecture of the space in force has been evaluated, each proposal lies
// outside it; before that, one proposal per adaptation period does (a
// guided escape, see probe). An escape is a parent drawn by tournament
// from the population (escapes join it, as any evaluated architecture
// does) with one decision changed to an op the principles cut there (an
// unseen one, known to the space; per decision the one the target has
// tried least, then the first in the source preference order). The
// decision is drawn with odds proportional to how often the op it would
// try appears among the sources' top-k architectures, plus one: an op cut
// on thin evidence (for the budget, or not separated from the kept ones)
// is tried before one the sources clearly rule out, and no op is ever
// excluded. No constant is involved beyond the schedule's top-k. So the budget the refined space cannot use is spent
// next to its best architectures rather than on repeats; escapes are paid
// for like any other evaluation (they count against the budget) and give
// the adaptation target evidence on ops the sources ruled out. Adaptation
// may then widen the space where an escape beats it.
type escaper struct {
	search.Strategy
	evo     *search.Evolution
	root    *space.Space
	r       *rand.Rand
	seen    func(space.Arch) bool
	evals   func() int
	minEval int
	tour    int
	pref    func() [][]int
	// tried counts, per decision and op, the target's paid evaluations
	// (nil: escapes follow the source preference alone).
	tried func() [][]int
	off   bool
	// every is the period of the guided escapes made while the space in
	// force still has unexplored architectures (0: none).
	every int
	last  bool
	// escapes counts the paid (not repeated) escape evaluations.
	escapes int
	// support is, per decision and op, the op's count among the sources'
	// best architectures plus one (nil: every decision alike). An escape
	// picks its decision with odds proportional to the support of the op it
	// would try there: ops the sources cut on thin evidence are tried
	// before ops the sources clearly ruled out.
	support [][]float64
}

// sourceSupport counts, per decision and op, the uses among the top k
// architectures of every source, plus one (Laplace), so no op is ruled out.
func sourceSupport(root *space.Space, sources []reason.Evidence, k int) [][]float64 {
	out := make([][]float64, root.NumEdges())
	for i := range out {
		out[i] = make([]float64, len(root.Ops()))
		for j := range out[i] {
			out[i][j] = 1
		}
	}
	for _, src := range sources {
		for n, a := range src.Archs {
			if k > 0 && n >= k {
				break
			}
			for i := range out {
				if op := a.Arch.Op(i); op >= 0 && op < len(out[i]) {
					out[i][op]++
				}
			}
		}
	}
	return out
}

func newEscaper(evo *search.Evolution, root *space.Space, seed uint64, population, tournament int) *escaper {
	return &escaper{Strategy: evo, evo: evo, root: root, r: rand.New(rand.NewPCG(seed, 0xe5ca9e)), minEval: population, tour: max(tournament, 1)}
}

// usedUp reports whether the escape hatch is open: the run is past its
// initial population and every architecture of the space in force has
// been evaluated.
func (e *escaper) usedUp() bool {
	if e.off || e.seen == nil || e.evals() < e.minEval {
		return false
	}
	cur := e.Strategy.Space()
	if cur.Count() > int64(e.evals())+1 {
		return false // more architectures than evaluations so far
	}
	done := true
	cur.Enumerate(func(a space.Arch) bool {
		done = e.seen(a)
		return done
	})
	return done
}

// probe reports whether the next proposal is a guided escape made while
// the space in force is not used up: the last evaluation of every period
// of e.every evaluations after the initial population, so that each
// adaptation check (every e.every evaluations) has a target result outside
// the space to weigh the sources against.
func (e *escaper) probe() bool {
	if e.off || e.every <= 0 || e.seen == nil {
		return false
	}
	n := e.evals()
	return n >= e.minEval && n%e.every == e.every-1
}

// Ask implements search.Strategy.
func (e *escaper) Ask() (space.Arch, error) {
	e.last = false
	if e.usedUp() || e.probe() {
		if x, ok := e.pick(); ok {
			e.last = true
			return x, nil
		}
	}
	return e.Strategy.Ask()
}

// Tell implements search.Strategy.
func (e *escaper) Tell(o search.Observation) {
	escape := e.last
	e.last = false

	if escape && !o.Free {
		e.escapes++
	}
	e.Strategy.Tell(o)
}

// pick returns an unseen one-decision change, to an op the space in force
// excludes, of a parent drawn by tournament from the population (as
// evolution draws its parents), if there is one.
func (e *escaper) pick() (space.Arch, bool) {
	pop := e.evo.Population()
	if len(pop) == 0 {
		return space.Arch{}, false
	}
	var parent search.Observation
	for i := 0; i < e.tour; i++ {
		c := pop[e.r.IntN(len(pop))]
		if i == 0 || (c.OK && c.Val > parent.Val) {
			parent = c
		}
	}
	cur := e.Strategy.Space()
	var pref [][]int
	if e.pref != nil {
		pref = e.pref()
	}
	// Per decision, the first cut op, fewest target tries on the decision
	// first and then in the source preference order, whose change of the
	// parent is a known, unseen architecture.
	var tried [][]int
	if e.tried != nil {
		tried = e.tried()
	}
	var cands []space.Arch
	var weights []float64
	for i := 0; i < e.root.NumEdges(); i++ {
		order := e.root.AllowedOn(i)
		if i < len(pref) && len(pref[i]) > 0 {
			order = append(slices.Clone(pref[i]), order...)
		}
		if tried != nil && i < len(tried) {
			// Ops the target has tried least on this decision first.
			order = slices.Clone(order)
			slices.SortStableFunc(order, func(a, b int) int { return count(tried[i], a) - count(tried[i], b) })
		}
		for _, op := range order {
			if cur.Allows(i, op) || !e.root.Allows(i, op) || op == parent.Arch.Op(i) {
				continue
			}
			child := parent.Arch.With(i, op)
			if e.root.Contains(child) && !e.seen(child) {
				cands = append(cands, child)
				w := 1.0
				if i < len(e.support) && op < len(e.support[i]) {
					w = e.support[i][op]
				}
				weights = append(weights, w)
				break
			}
		}
	}
	if len(cands) == 0 {
		return space.Arch{}, false
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := e.r.Float64() * total
	for i, w := range weights {
		if x < w {
			return cands[i], true
		}
		x -= w
	}
	return cands[len(cands)-1], true
}

func count(c []int, op int) int {
	if op < 0 || op >= len(c) {
		return 0
	}
	return c[op]
}

// reject records an adapted set that was not taken.
func (l *loop) reject(out reason.Outcome, trigger Trigger, n int, improved bool, why string) {
	l.res.Exchanges = append(l.res.Exchanges, out.Exchanges...)
	l.emit(Event{Trigger: trigger, Evaluations: n, Improved: improved, Set: l.current(), Err: why, Fidelity: l.told})
}

// Adaptations counts the adaptations that changed the space, the fall back
// to the full space included (versions that only restate it, and rejected
// ones, are not counted).
func (r *Result) Adaptations() int {
	n := 0
	for _, ev := range r.Events {
		switch {
		case ev.Trigger == TriggerFallback:
			n++ // to the full space
		case (ev.Trigger == TriggerAdapt || ev.Trigger == TriggerExhausted) && ev.Err == "" && len(ev.Diff.Edges) > 0:
			n++
		}
	}
	return n
}
