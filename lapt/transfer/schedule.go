package transfer

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/paper"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// Schedule holds the method's numbers. A zero field means "the default of
// the space" ([Schedule.Complete]): the paper's number on its two
// benchmarks, a number derived from the space's size and the budget on any
// other space.
type Schedule struct {
	// TopK source architectures shown when learning (LAPT: 50).
	TopK int `json:"top_k"`
	// MaxOpsPerEdge caps the ops per edge (NB201: 2, TransNAS: 3).
	MaxOpsPerEdge int `json:"max_ops_per_edge"`
	// Population and Tournament of regularized evolution.
	Population int `json:"population"`
	Tournament int `json:"tournament"`
	// Budget is the number of counted target evaluations.
	Budget int `json:"budget"`
	// Warmup is the number of plain evaluations after the initial
	// population before the first adaptation check: 0 takes the default
	// (the paper's), -1 (any negative number) means none. The CLI's
	// --warmup flag means the same.
	Warmup int `json:"warmup"`
	// AdaptEvery is the number of evaluations between adaptation checks.
	AdaptEvery int `json:"adapt_every"`
	// AdaptTopK is how many of the best found architectures an adaptation
	// shows (NB201: 5, TransNAS: 15).
	AdaptTopK int `json:"adapt_top_k"`
	// NoAdapt switches adaptation off.
	NoAdapt bool `json:"no_adapt,omitempty"`
	// FullSpaceAfter, when positive, is a hedge for sources you do not
	// trust: after that many counted evaluations the search leaves the
	// principles and spends the rest of the budget in the full space
	// (regularized evolution, keeping its population), with a
	// [TriggerHedge] event. 0 (the default, the paper's method) never
	// leaves them. Not supported by multi-fidelity runs.
	FullSpaceAfter int `json:"full_space_after,omitempty"`
	// ExhaustAfter is the number of consecutive free (repeated) proposals
	// that mean the current space is exhausted: an adaptation is triggered
	// then, or the run ends (default: search.ExhaustAfter of the space's
	// size, 50 on the paper's benchmarks).
	ExhaustAfter int `json:"exhaust_after"`
	// Note says, in a sentence, where the defaults came from when the
	// space has no paper schedule (they were derived from its size and the
	// budget); empty for the paper's spaces. The CLI prints it.
	Note string `json:"note,omitempty"`
}

// fromPaper turns a paper schedule into a Schedule for a space of size cells.
func fromPaper(p paper.Schedule, size int64) Schedule {
	return Schedule{TopK: p.TopK, MaxOpsPerEdge: p.MaxOpsPerEdge, Population: p.Population, Tournament: p.Tournament,
		Budget: p.Budget, Warmup: p.Warmup, AdaptEvery: p.AdaptEvery, AdaptTopK: p.AdaptTopK, ExhaustAfter: search.ExhaustAfter(size)}
}

// NB201Schedule is the paper's NB201 schedule ([paper.NB201]): population 5,
// tournament 2, budget 20, adapt every 5 evaluations after 5 plain steps,
// top-50, cap 2.
func NB201Schedule() Schedule { return fromPaper(paper.NB201(), space.NB201().Count()) }

// TransNASSchedule is the paper's TransNAS-Bench-101 micro schedule
// ([paper.TransNAS]): population 10, tournament 5, budget 50, adapt every
// 10, top-15 shown, cap 3.
func TransNASSchedule() Schedule {
	return fromPaper(paper.TransNAS(), space.TransNASMicro().Count())
}

// ScheduleFor returns the default schedule of a space: the paper's on
// NAS-Bench-201 and TransNAS-Bench-101 micro; on any other space one
// derived from its size and the paper's budget, with a [Schedule.Note]
// saying so. It is Schedule{}.Complete(sp).
func ScheduleFor(sp *space.Space) Schedule { return Schedule{}.Complete(sp) }

// Complete returns s with every unset (zero) field taken from the default
// schedule of the space (see [ScheduleFor]); a negative Warmup (none) is
// kept, any other negative number is replaced. On a space without a paper
// schedule the defaults are derived from its size and s.Budget (the
// paper's NB201 budget, 20, when unset) and Note says how. It is
// idempotent.
func (s Schedule) Complete(sp *space.Space) Schedule {
	if sp == nil {
		sp = space.NB201()
	}
	root := sp.Root()
	size := root.Count()
	def, known := paper.For(root.Name())
	var derived Schedule
	if known {
		derived = fromPaper(def, size)
	} else {
		derived = derive(root, size, s.Budget)
	}
	for _, f := range []struct {
		dst *int
		def int
	}{
		{&s.TopK, derived.TopK}, {&s.MaxOpsPerEdge, derived.MaxOpsPerEdge}, {&s.Population, derived.Population},
		{&s.Tournament, derived.Tournament}, {&s.Budget, derived.Budget}, {&s.Warmup, derived.Warmup},
		{&s.AdaptEvery, derived.AdaptEvery}, {&s.AdaptTopK, derived.AdaptTopK}, {&s.ExhaustAfter, derived.ExhaustAfter},
	} {
		if *f.dst == 0 || (*f.dst < 0 && f.dst != &s.Warmup) {
			*f.dst = f.def
		}
	}
	if s.Note == "" && !known {
		s.Note = derived.Note
	}
	return s
}

// derive makes a schedule for a space the paper does not cover, from its
// size (architectures) and a budget (0: the paper's NB201 budget, at most the
// size). The ratios are the paper's NB201 ones: population = budget/4,
// tournament = population/2, warm-up = adaptation period = shown top-k =
// population; the learn step shows the paper's top-50 (at most a tenth of
// the space) and allows the paper's 2 ops per decision.
func derive(sp *space.Space, size int64, budget int) Schedule {
	b := budget
	if b <= 0 {
		b = paper.NB201().Budget
		if size > 0 && int64(b) > size {
			b = int(size)
		}
	}
	pop := max(2, b/4)
	tour := max(1, pop/2)
	topK := paper.LearnTopK
	if size > 0 && int64(topK) > max(size/10, 1) {
		topK = int(max(size/10, 1))
	}
	ops := paper.MaxOpsPerEdge
	s := Schedule{TopK: topK, MaxOpsPerEdge: ops, Population: pop, Tournament: tour, Budget: b, Warmup: pop,
		AdaptEvery: pop, AdaptTopK: pop, ExhaustAfter: search.ExhaustAfter(size)}
	s.Note = fmt.Sprintf("space %s has no paper schedule: derived from its size (%d architectures) and budget %d: "+
		"population %d (budget/4), tournament %d, adaptation every %d after %d plain evaluations, top-%d sources shown, "+
		"at most %d ops per decision, exhausted after %d repeats", sp.Name(), size, b, pop, tour, pop, pop, topK, ops, s.ExhaustAfter)
	return s
}
