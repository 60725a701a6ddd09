package transfer

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// escaper wraps the search strategy with the escape hatch: once every
// architecture of the space in force has been evaluated, each proposal lies
// outside it; before that, guided escapes do (see probe and the package
// doc). An escape is a parent drawn by tournament from the population
// (escapes join it, as any evaluated architecture does) with one decision
// changed to an op the principles cut there (an unseen one, known to the
// space; per decision the one the target has tried least, then the first
// in the source preference order). The decision is drawn with odds
// proportional to how often the op it would try appears among the sources'
// top-k architectures, plus one: an op cut on thin evidence (for the
// budget, or not separated from the kept ones) is tried before one the
// sources clearly rule out, and no op is ever excluded. So the budget the
// refined space cannot use is spent next to its best architectures rather
// than on repeats; escapes are paid for like any other evaluation (they
// count against the budget) and give the adaptation target evidence on ops
// the sources ruled out. The escaper also keeps the success counts of
// escapes and of proposals inside the space (arm) from which the loop
// decides to distrust the principles.
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
	// warmup is the number of evaluations after the initial population
	// in which every other proposal is a guided escape (the schedule's
	// warm-up).
	warmup int
	// median is the population's median score when the last proposal was
	// asked for; inside and outside count the proposals inside the space
	// and the escapes, and how many scored above that median.
	median          float64
	inside, outside arm
}

// arm counts the counted proposals of one kind after the initial
// population and how many scored above the population's median when they
// were proposed.
type arm struct{ n, wins int }

// escapesBetter returns the posterior probability that an escape scores
// above the population median more often than a proposal inside the space:
// each rate has a Beta(1+wins, 1+losses) posterior (uniform prior), and the
// probability that the escape rate is the larger is taken from the normal
// approximation of their difference.
func escapesBetter(outside, inside arm) float64 {
	mv := func(a arm) (mean, variance float64) {
		x, y := float64(1+a.wins), float64(1+a.n-a.wins)
		return x / (x + y), x * y / ((x + y) * (x + y) * (x + y + 1))
	}
	mo, vo := mv(outside)
	mi, vi := mv(inside)
	return 0.5 * math.Erfc(-(mo-mi)/math.Sqrt(2*(vo+vi)))
}

// distrustLevel is the posterior probability that escapes beat the space
// above which the run leaves the principles for the full space: the usual
// 5% error level, the family-wise level at which the offline reasoner cuts
// an op in the first place.
const distrustLevel = 0.95

// distrusted reports whether the target's results say the space holds the
// search back: after at least two escapes, the posterior probability that
// escapes beat the population median more often than proposals inside the
// space reaches distrustLevel.
func (e *escaper) distrusted() bool {
	return !e.off && e.outside.n >= 2 && escapesBetter(e.outside, e.inside) >= distrustLevel
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
// the space in force is not used up: every other proposal of the warm-up
// after the initial population, then the last evaluation of every period
// of e.every evaluations, so that each adaptation check has a target
// result outside the space to weigh the sources against, unless escapes
// have done worse than the space so far.
func (e *escaper) probe() bool {
	if e.off || e.every <= 0 || e.seen == nil {
		return false
	}
	n := e.evals()
	if n < e.minEval {
		return false
	}
	if k := n - e.minEval; k < e.warmup {
		return k%2 == 0 // the warm-up: every other proposal
	}
	if e.outside.n > 0 && escapesBetter(e.outside, e.inside) < 0.5 {
		return false // escapes have done worse than the space: trust it
	}
	return n%e.every == e.every-1
}

// populationMedian returns the median score of the usable members of the
// population (-Inf when there are none).
func (e *escaper) populationMedian() float64 {
	var v []float64
	for _, o := range e.evo.Population() {
		if o.OK {
			v = append(v, o.Val)
		}
	}
	if len(v) == 0 {
		return math.Inf(-1)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// Ask implements search.Strategy.
func (e *escaper) Ask() (space.Arch, error) {
	if !e.off {
		e.median = e.populationMedian() // what the proposal will be judged against
	}
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
	if !e.off && !o.Free && e.seen != nil && e.evals() > e.minEval {
		a := &e.inside
		if escape {
			a = &e.outside
		}
		a.n++
		if o.OK && o.Val > e.median {
			a.wins++
		}
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
// to the full space and leaving distrusted principles included (versions that only restate it, and rejected
// ones, are not counted).
func (r *Result) Adaptations() int {
	n := 0
	for _, ev := range r.Events {
		switch {
		case ev.Trigger == TriggerFallback || ev.Trigger == TriggerDistrust:
			n++ // to the full space
		case (ev.Trigger == TriggerAdapt || ev.Trigger == TriggerExhausted) && ev.Err == "" && len(ev.Diff.Edges) > 0:
			n++
		}
	}
	return n
}
