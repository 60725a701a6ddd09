package kernelext

// Seed sweeps for teaching notebooks: one search strategy run once per seed,
// and the few numbers a class looks at (mean best-so-far, how often the
// optimum was found, evaluations wasted on repeats).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// Sweep is one search strategy run once per seed.
type Sweep struct {
	// Strategy is a name search.New knows ("random", "rea", "local", ...).
	Strategy string
	// Space is searched; Evaluator scores its architectures.
	Space     *space.Space
	Evaluator eval.Evaluator
	// Seeds to run; Budget counted evaluations per run.
	Seeds  []uint64
	Budget int
	// Dedup is the repeat policy (zero value: search's default).
	Dedup search.Dedup
	// Evolution configures "rea" (zero fields: search's defaults).
	Evolution search.EvolutionConfig
	// Workers running seeds in parallel (0: all CPUs).
	Workers int
	// Key, when set, keeps the runs for later cells of this kernel (see
	// Remember) under Key plus a fingerprint of the settings above (the
	// space's allowed ops included), so an edited cell runs again. Key must
	// name the evaluator: it is not part of the fingerprint.
	Key string
}

// StateKey returns the key under which RunSweep keeps s's runs ("" when
// s.Key is empty).
func (s Sweep) StateKey() string {
	if s.Key == "" {
		return ""
	}
	var sp string
	if s.Space != nil {
		sp = fmt.Sprintf("%s/%v/%d", s.Space.Name(), s.Space.Allowed(), s.Space.Count())
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%v|%d|%v|%+v", s.Strategy, sp, s.Seeds, s.Budget, s.Dedup, s.Evolution)))
	return s.Key + "-" + hex.EncodeToString(h[:6])
}

// Extra keys of the outcomes RunSweep returns.
const (
	// ExtraWasted counts repeats that were charged to the budget (DedupCount).
	ExtraWasted = "wasted"
	// ExtraFree counts proposals answered from the run's cache for free.
	ExtraFree = "free"
)

// RunSweep runs s and returns one outcome per seed, in seed order: the
// best-so-far validation and test curves, the counted evaluations, whether
// the space was exhausted, and the ExtraWasted / ExtraFree counters.
func RunSweep(ctx context.Context, s Sweep) (Runs, error) {
	if k := s.StateKey(); k != "" {
		s.Key = ""
		return Remember(k, func() (Runs, error) { return RunSweep(ctx, s) })
	}
	switch {
	case s.Space == nil || s.Evaluator == nil:
		return nil, fmt.Errorf("kernelext: sweep %q needs a space and an evaluator", s.Strategy)
	case len(s.Seeds) == 0:
		return nil, fmt.Errorf("kernelext: sweep %q has no seeds", s.Strategy)
	case s.Budget < 1:
		return nil, fmt.Errorf("kernelext: sweep %q: budget %d, want >= 1", s.Strategy, s.Budget)
	}
	outs, err := experiment.RunSeeds(ctx, s.Seeds, s.Workers, func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
		st, err := search.New(s.Strategy, s.Space, seed, s.Evolution)
		if err != nil {
			return experiment.Outcome{}, err
		}
		run, err := search.Execute(ctx, search.Config{Strategy: st, Evaluator: s.Evaluator, Budget: s.Budget, Seed: seed, Dedup: s.Dedup})
		if err != nil {
			return experiment.Outcome{}, err
		}
		val, test := run.Curve()
		wasted := 0
		for _, t := range run.Trials() {
			if t.Cached && t.Counted {
				wasted++
			}
		}
		return experiment.Outcome{Seed: seed, Val: val, Test: test, Evaluations: run.Evaluations(),
			Exhausted: errors.Is(run.Err(), search.ErrExhausted),
			Extra:     map[string]float64{ExtraWasted: float64(wasted), ExtraFree: float64(len(run.Trials()) - run.Evaluations())}}, nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("kernelext: sweep %q: %w", s.Strategy, err)
	}
	return Runs(outs), nil
}

// Runs are the outcomes of a seed sweep (or of one study method).
type Runs []experiment.Outcome

// at returns the curve's value after n evaluations (its last value when it
// is shorter: the run stopped early; NaN when it is empty).
func at(c []float64, n int) float64 {
	if len(c) == 0 || n < 1 {
		return math.NaN()
	}
	return c[min(n, len(c))-1]
}

// Val returns the best-so-far validation curves, one per run, for a Curve's Runs.
func (r Runs) Val() [][]float64 {
	out := make([][]float64, 0, len(r))
	for _, o := range r {
		v, _ := o.Curves()
		out = append(out, v)
	}
	return out
}

// ValAt returns each run's best validation score after n evaluations.
func (r Runs) ValAt(n int) []float64 {
	out := make([]float64, 0, len(r))
	for _, o := range r {
		v, _ := o.Curves()
		out = append(out, at(v, n))
	}
	return out
}

// MeanVal is the mean over runs of the best validation score after n evaluations.
func (r Runs) MeanVal(n int) float64 { m, _ := experiment.MeanStd(r.ValAt(n)); return m }

// MeanTest is the mean over runs of the test score of the incumbent after n evaluations.
func (r Runs) MeanTest(n int) float64 {
	var xs []float64
	for _, o := range r {
		_, t := o.Curves()
		xs = append(xs, at(t, n))
	}
	m, _ := experiment.MeanStd(xs)
	return m
}

// Found is the fraction of runs whose best validation score reached target
// within n evaluations.
func (r Runs) Found(n int, target float64) float64 {
	if len(r) == 0 {
		return math.NaN()
	}
	k := 0
	for _, o := range r {
		if e := o.EvalsToReach(target); e > 0 && e <= n {
			k++
		}
	}
	return float64(k) / float64(len(r))
}

// MeanExtra is the mean over runs of an Extra counter (ExtraWasted, ExtraFree).
func (r Runs) MeanExtra(key string) float64 {
	if len(r) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, o := range r {
		s += o.Extra[key]
	}
	return s / float64(len(r))
}

// Exhausted counts the runs that stopped because the space was exhausted.
func (r Runs) Exhausted() int {
	k := 0
	for _, o := range r {
		if o.Exhausted {
			k++
		}
	}
	return k
}

// MeanEvaluations is the mean number of counted evaluations per run.
func (r Runs) MeanEvaluations() float64 {
	if len(r) == 0 {
		return math.NaN()
	}
	s := 0
	for _, o := range r {
		s += o.Evaluations
	}
	return float64(s) / float64(len(r))
}

// Curve returns the runs as a named curve of a CurveChart.
func (r Runs) Curve(name string) Curve { return Curve{Name: name, Runs: r.Val()} }

// FlatLine is a horizontal line at y over n evaluations, e.g. a task's
// optimum in a best-so-far chart, named "NAME Y" (two decimals).
func FlatLine(name string, y float64, n int) Curve {
	m := make([]float64, n)
	for i := range m {
		m[i] = y
	}
	return Curve{Name: fmt.Sprintf("%s %.2f", name, y), Mean: m}
}
