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
// outside it: a parent drawn by tournament from the population (escapes
// join it, as any evaluated architecture does) with one decision, drawn at
// random, changed to the first op the principles cut there in the source
// preference order (an unseen one, known to the space). So the budget the refined space cannot use is spent next to its
// best architectures rather than on repeats; escapes are paid for like any
// other evaluation (they count against the budget) and give the adaptation
// target evidence on ops the sources ruled out. Adaptation may then widen
// the space, which closes the hatch until the wider space is used up.
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
	off     bool
	last    bool
	// escapes counts the paid (not repeated) escape evaluations.
	escapes int
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

// Ask implements search.Strategy.
func (e *escaper) Ask() (space.Arch, error) {
	e.last = false
	if e.usedUp() {
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
	// Per decision, the first cut op in the source preference order whose
	// change of the parent is a known, unseen architecture.
	var cands []space.Arch
	for i := 0; i < e.root.NumEdges(); i++ {
		order := e.root.AllowedOn(i)
		if i < len(pref) && len(pref[i]) > 0 {
			order = append(slices.Clone(pref[i]), order...)
		}
		for _, op := range order {
			if cur.Allows(i, op) || !e.root.Allows(i, op) || op == parent.Arch.Op(i) {
				continue
			}
			child := parent.Arch.With(i, op)
			if e.root.Contains(child) && !e.seen(child) {
				cands = append(cands, child)
				break
			}
		}
	}
	if len(cands) == 0 {
		return space.Arch{}, false
	}
	return cands[e.r.IntN(len(cands))], true
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
