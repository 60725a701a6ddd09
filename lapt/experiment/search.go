package experiment

import (
	"context"
	"errors"
	"fmt"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// SearchConfig is one search repeated over many seeds (see [Search]).
type SearchConfig struct {
	// Space is searched; Evaluator scores its architectures (for a results
	// table, a tabular.Task's Space and Table).
	Space     *space.Space
	Evaluator eval.Evaluator
	// Strategy is a strategy name of [search.New]: "rea" (default),
	// "random" or "local"; Evolution configures REA.
	Strategy  string
	Evolution search.EvolutionConfig
	// Budget is the number of counted evaluations per seed (> 0).
	Budget int
	// Seeds are the seeds, one run each (e.g. from [ParseSeeds]).
	Seeds []uint64
	// Workers runs seeds in parallel (0: GOMAXPROCS).
	Workers int
	// Dedup decides how repeats and equivalent architectures are treated
	// (default search.DedupCanonical: answered for free).
	Dedup search.Dedup
	// Journal, when set, names each seed's journal file, so that a rerun
	// resumes instead of starting over.
	Journal func(seed uint64) string
	// Label is recorded in each run's journal header.
	Label string
	// Progress, when set, is called after each seed.
	Progress func(done, total int)
}

// Search runs cfg's search once per seed and returns the outcomes in seed
// order, each with the extra "equivalent_free": how many proposals were
// answered for free because an equivalent architecture had been evaluated
// ([search.Run.EquivalentFree]). Summarise them with [Summarize].
func Search(ctx context.Context, cfg SearchConfig) ([]Outcome, error) {
	if cfg.Space == nil || cfg.Evaluator == nil {
		return nil, errors.New("experiment: Search needs a space and an evaluator")
	}
	if cfg.Budget <= 0 {
		return nil, fmt.Errorf("experiment: Search: budget must be positive, got %d", cfg.Budget)
	}
	if len(cfg.Seeds) == 0 {
		return nil, errors.New("experiment: Search: no seeds")
	}
	if cfg.Strategy == "" {
		cfg.Strategy = "rea"
	}
	if _, err := search.New(cfg.Strategy, cfg.Space, 0, cfg.Evolution); err != nil {
		return nil, fmt.Errorf("experiment: Search: %w", err)
	}
	proc := func(ctx context.Context, seed uint64) (Outcome, error) {
		st, err := search.New(cfg.Strategy, cfg.Space, seed, cfg.Evolution)
		if err != nil {
			return Outcome{}, err
		}
		sc := search.Config{Strategy: st, Evaluator: cfg.Evaluator, Budget: cfg.Budget, Seed: seed, Dedup: cfg.Dedup, Label: cfg.Label}
		if cfg.Journal != nil {
			j, err := journal.Open(cfg.Journal(seed))
			if err != nil {
				return Outcome{}, err
			}
			defer j.Close()
			sc.Journal = j
		}
		r, err := search.Execute(ctx, sc)
		if err != nil {
			return Outcome{}, err
		}
		return Outcome{Steps: r.Steps(), Evaluations: r.Evaluations(), Exhausted: errors.Is(r.Err(), search.ErrExhausted),
			Extra: map[string]float64{"equivalent_free": float64(r.EquivalentFree())}}, nil
	}
	return RunSeeds(ctx, cfg.Seeds, cfg.Workers, proc, cfg.Progress)
}
