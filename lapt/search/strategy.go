// Package search runs architecture searches: strategies in ask/tell form
// (random search, regularized evolution, local search), and a [Run] that
// drives one to a budget against an evaluator, answers repeated architectures
// from a cache, journals every trial and resumes an interrupted run exactly.
package search

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nasnb/nasnb/lapt/space"
)

// Observation is what a strategy learns about one architecture: its
// validation score only (never test data).
type Observation struct {
	Arch space.Arch
	// Val is the validation score (higher is better).
	Val float64
	// OK is false when the evaluation failed; Val is then meaningless.
	OK bool
	// Free is true when the architecture was a repeat answered from the
	// cache without using budget.
	Free bool
}

// Strategy proposes architectures one at a time (ask/tell). Calls alternate:
// Ask, then Tell with the proposed architecture's observation. A strategy is
// deterministic given its seed and the observations it is told.
type Strategy interface {
	// Name identifies the strategy and its settings, e.g. "rea(p=10,s=3)".
	Name() string
	// Ask proposes the next architecture to evaluate.
	Ask() (space.Arch, error)
	// Tell reports the observation for the last proposal.
	Tell(o Observation)
	// SetSpace replaces the space that later proposals come from (principle
	// adaptation); what the strategy already knows is kept.
	SetSpace(sp *space.Space)
	// Space returns the current space.
	Space() *space.Space
}

// NewRNG returns the random generator every strategy uses for a seed.
func NewRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// Random samples architectures uniformly from the space.
type Random struct {
	sp *space.Space
	r  *rand.Rand
}

// NewRandom returns a random search over sp.
func NewRandom(sp *space.Space, seed uint64) *Random { return &Random{sp: sp, r: NewRNG(seed)} }

// Name implements Strategy.
func (s *Random) Name() string { return "random" }

// Ask implements Strategy.
func (s *Random) Ask() (space.Arch, error) { return s.sp.Sample(s.r), nil }

// Tell implements Strategy.
func (s *Random) Tell(Observation) {}

// SetSpace implements Strategy.
func (s *Random) SetSpace(sp *space.Space) { s.sp = sp }

// Space implements Strategy.
func (s *Random) Space() *space.Space { return s.sp }

// EvolutionConfig configures regularized evolution.
type EvolutionConfig struct {
	// Population is the number of members kept (default 10).
	Population int
	// Tournament is the number of members drawn (with replacement) to pick
	// a parent (default 3).
	Tournament int
}

// Evolution is regularized (aging) evolution (Real et al., 2019): a random
// initial population, then tournament selection, mutation of one edge, and
// the oldest member leaves.
type Evolution struct {
	sp  *space.Space
	r   *rand.Rand
	cfg EvolutionConfig
	pop []Observation // oldest first
	// repeats counts consecutive free repeats; past a limit the next
	// proposal is a random immigrant, so a population whose neighbourhoods
	// are exhausted cannot stall the search.
	repeats int
}

// immigrantAfter is the number of consecutive free repeats after which
// evolution proposes a random architecture.
const immigrantAfter = 20

// NewEvolution returns regularized evolution over sp.
func NewEvolution(sp *space.Space, seed uint64, cfg EvolutionConfig) (*Evolution, error) {
	if cfg.Population == 0 {
		cfg.Population = 10
	}
	if cfg.Tournament == 0 {
		cfg.Tournament = 3
	}
	if cfg.Population < 1 || cfg.Tournament < 1 || cfg.Tournament > cfg.Population {
		return nil, fmt.Errorf("search: evolution needs population >= 1 and 1 <= tournament <= population, got %d and %d", cfg.Population, cfg.Tournament)
	}
	return &Evolution{sp: sp, r: NewRNG(seed), cfg: cfg}, nil
}

// Name implements Strategy.
func (s *Evolution) Name() string {
	return fmt.Sprintf("rea(p=%d,s=%d)", s.cfg.Population, s.cfg.Tournament)
}

// Population returns the current members, oldest first.
func (s *Evolution) Population() []Observation { return append([]Observation(nil), s.pop...) }

// Ask implements Strategy.
func (s *Evolution) Ask() (space.Arch, error) {
	if len(s.pop) < s.cfg.Population || s.repeats >= immigrantAfter {
		return s.sp.Sample(s.r), nil
	}
	best := -1
	bestVal := math.Inf(-1)
	for i := 0; i < s.cfg.Tournament; i++ {
		k := s.r.IntN(len(s.pop))
		if best < 0 || s.pop[k].Val > bestVal {
			best, bestVal = k, s.pop[k].Val
		}
	}
	child, err := s.sp.Mutate(s.pop[best].Arch, s.r)
	if errors.Is(err, space.ErrNoMutation) {
		return child, nil // the space holds one architecture: propose it again
	}
	return child, err
}

// Tell implements Strategy. Failed evaluations do not enter the
// population; repeats do, as in the reference (they age it).
func (s *Evolution) Tell(o Observation) {
	if o.Free {
		s.repeats++
	} else {
		s.repeats = 0
	}
	if !o.OK {
		return
	}
	s.pop = append(s.pop, o)
	if len(s.pop) > s.cfg.Population {
		s.pop = s.pop[1:]
	}
}

// SetSpace implements Strategy. Members are kept; their children are
// projected into the new space by mutation.
func (s *Evolution) SetSpace(sp *space.Space) { s.sp = sp }

// Space implements Strategy.
func (s *Evolution) Space() *space.Space { return s.sp }

// LocalSearch is first-improvement hill climbing over one-edge
// neighbourhoods, restarting from a random architecture at a local optimum.
type LocalSearch struct {
	sp      *space.Space
	r       *rand.Rand
	cur     Observation
	hasCur  bool
	queue   []space.Arch
	pending space.Arch
}

// NewLocalSearch returns a local search over sp.
func NewLocalSearch(sp *space.Space, seed uint64) *LocalSearch {
	return &LocalSearch{sp: sp, r: NewRNG(seed)}
}

// Name implements Strategy.
func (s *LocalSearch) Name() string { return "local" }

// Ask implements Strategy.
func (s *LocalSearch) Ask() (space.Arch, error) {
	if !s.hasCur || len(s.queue) == 0 {
		// Start or restart.
		s.hasCur = false
		s.pending = s.sp.Sample(s.r)
		return s.pending, nil
	}
	s.pending = s.queue[0]
	s.queue = s.queue[1:]
	return s.pending, nil
}

// Tell implements Strategy.
func (s *LocalSearch) Tell(o Observation) {
	if !s.hasCur {
		if o.OK {
			s.cur, s.hasCur = o, true
			s.refill()
		}
		return
	}
	if o.OK && o.Val > s.cur.Val {
		s.cur = o
		s.refill()
	}
}

func (s *LocalSearch) refill() {
	s.queue = s.sp.Neighbours(s.cur.Arch)
	s.r.Shuffle(len(s.queue), func(i, j int) { s.queue[i], s.queue[j] = s.queue[j], s.queue[i] })
}

// SetSpace implements Strategy.
func (s *LocalSearch) SetSpace(sp *space.Space) {
	s.sp = sp
	if s.hasCur {
		s.refill()
	}
}

// Space implements Strategy.
func (s *LocalSearch) Space() *space.Space { return s.sp }

// New builds a strategy by name: "random", "rea" (or "evolution") and
// "local". Population and tournament apply to "rea".
func New(name string, sp *space.Space, seed uint64, cfg EvolutionConfig) (Strategy, error) {
	switch name {
	case "random", "rs":
		return NewRandom(sp, seed), nil
	case "rea", "evolution", "re":
		return NewEvolution(sp, seed, cfg)
	case "local", "ls":
		return NewLocalSearch(sp, seed), nil
	}
	return nil, fmt.Errorf("search: unknown strategy %q (want random, rea or local)", name)
}
