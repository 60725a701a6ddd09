// Package experiment runs a search (or any seeded procedure) over many seeds
// in parallel and summarises the curves: mean ± std of the incumbent's test
// score at budget checkpoints, how often the best architecture was found, and
// LAPT's "evaluations until the optimum" metric.
package experiment

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/stat"

	"github.com/nasnb/nasnb/lapt/curve"
)

// Outcome is one seed's result: the incumbent's validation and test score
// after each counted evaluation (index k = k+1 evaluations), either dense in
// Val and Test or, when Val is nil, compact in Steps (memory independent of
// the budget, see [curve.Steps]). Read them with [Outcome.Len],
// [Outcome.At] and [Outcome.Curves], which accept either form.
type Outcome struct {
	Seed uint64    `json:"seed"`
	Val  []float64 `json:"val"`
	Test []float64 `json:"test"`
	// Steps holds the curves in compact form when Val is nil (as
	// search.Run.Steps returns them). JSON always carries the dense form.
	Steps curve.Steps `json:"-"`
	// Evaluations is the number of counted evaluations actually made (can be
	// below the budget when the space was exhausted).
	Evaluations int `json:"evaluations"`
	// Exhausted is true when the run stopped because the space was exhausted.
	Exhausted bool `json:"exhausted,omitempty"`
	// Extra holds procedure-specific numbers (e.g. refined space size).
	Extra map[string]float64 `json:"extra,omitempty"`
	// Error is why the seed failed (set by RunSeedsKeepGoing; such an
	// outcome has no curves).
	Error string `json:"error,omitempty"`
}

// Procedure runs one seed.
type Procedure func(ctx context.Context, seed uint64) (Outcome, error)

// RunSeeds runs fn for every seed on up to workers goroutines (0 means
// GOMAXPROCS) and returns the outcomes in seed order. progress, when not nil,
// is called after each seed (from one goroutine at a time).
func RunSeeds(ctx context.Context, seeds []uint64, workers int, fn Procedure, progress func(done, total int)) ([]Outcome, error) {
	return runSeeds(ctx, seeds, workers, fn, progress, false)
}

// RunSeedsKeepGoing is RunSeeds where a failing seed does not sink the
// others: its error is recorded in its Outcome's Error and the other seeds
// run on. It returns an error only when ctx is done. Use [Split] to
// separate the failed outcomes.
func RunSeedsKeepGoing(ctx context.Context, seeds []uint64, workers int, fn Procedure, progress func(done, total int)) ([]Outcome, error) {
	return runSeeds(ctx, seeds, workers, fn, progress, true)
}

// Split returns the outcomes without an Error and those with one, in order.
func Split(outs []Outcome) (ok, failed []Outcome) {
	for _, o := range outs {
		if o.Error != "" {
			failed = append(failed, o)
		} else {
			ok = append(ok, o)
		}
	}
	return ok, failed
}

func runSeeds(ctx context.Context, seeds []uint64, workers int, fn Procedure, progress func(done, total int), keepGoing bool) ([]Outcome, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Outcome, len(seeds))
	errs := make([]error, len(seeds))
	var mu sync.Mutex
	done := 0
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, max(1, len(seeds))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o, err := fn(ctx, seeds[i])
				o.Seed = seeds[i]
				out[i], errs[i] = o, err
				mu.Lock()
				done++
				if progress != nil {
					progress(done, len(seeds))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range seeds {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			if keepGoing {
				out[i] = Outcome{Seed: seeds[i], Error: err.Error()}
				continue
			}
			return nil, fmt.Errorf("seed %d: %w", seeds[i], err)
		}
	}
	return out, nil
}

// MaxSeeds is the most seeds ParseSeeds accepts in one list, all parts
// together.
const MaxSeeds = 100_000

// ParseSeeds reads "0-99", "3", "0,2,5-7". Seeds must be distinct (each
// seed names one run and one journal file): a repeated seed or overlapping
// ranges are refused, naming the seed. At most [MaxSeeds] seeds in all.
func ParseSeeds(s string) ([]uint64, error) {
	var out []uint64
	where := map[uint64]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seeds %q: %q is not a seed or range", s, part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("seeds %q: bad range %q", s, part)
			}
		}
		if b-a >= MaxSeeds || len(out)+int(b-a)+1 > MaxSeeds {
			return nil, fmt.Errorf("seeds %q: more than %d seeds in all (experiment.MaxSeeds)", s, MaxSeeds)
		}
		for x := a; ; x++ { // no x <= b test: it never fails when b is 2^64-1
			if prev, dup := where[x]; dup {
				return nil, fmt.Errorf("seeds %q: seed %d is given twice (in %q and %q); seeds must be distinct", s, x, prev, part)
			}
			where[x] = part
			out = append(out, x)
			if x == b {
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("seeds %q: no seed", s)
	}
	return out, nil
}

// Checkpoints returns the usual budget checkpoints up to budget: 10, 20, 50,
// 100, 200, 500, 1000, ... and the budget itself.
func Checkpoints(budget int) []int {
	var out []int
	for _, base := range []int{10, 20, 50} {
		for m := 1; base*m <= budget; m *= 10 {
			if base*m < budget {
				out = append(out, base*m)
			}
		}
	}
	out = append(out, budget)
	sort.Ints(out)
	return out
}

// Point summarises all seeds after a number of evaluations.
type Point struct {
	Evals    int     `json:"evals"`
	TestMean float64 `json:"test_mean"`
	TestStd  float64 `json:"test_std"`
	ValMean  float64 `json:"val_mean"`
	ValStd   float64 `json:"val_std"`
	// FoundFrac is the fraction of seeds whose incumbent reached the target
	// validation score (the best in the benchmark), NaN when none is given.
	FoundFrac float64 `json:"found_frac"`
}

// Summarize computes Points at the checkpoints. target is the validation
// score that counts as "found the best" (NaN to skip).
func Summarize(outs []Outcome, checkpoints []int, target float64) []Point {
	var pts []Point
	for _, c := range checkpoints {
		var vals, tests []float64
		found := 0
		for _, o := range outs {
			if v, t := o.At(c); c <= o.Len() && !math.IsNaN(v) {
				vals = append(vals, v)
				if !math.IsNaN(t) {
					tests = append(tests, t)
				}
				if v >= target-1e-9 {
					found++
				}
			}
		}
		p := Point{Evals: c, FoundFrac: math.NaN()}
		p.TestMean, p.TestStd = meanStd(tests)
		p.ValMean, p.ValStd = meanStd(vals)
		if !math.IsNaN(target) && len(outs) > 0 {
			p.FoundFrac = float64(found) / float64(len(outs))
		}
		pts = append(pts, p)
	}
	return pts
}

func meanStd(x []float64) (float64, float64) {
	switch len(x) {
	case 0:
		return math.NaN(), math.NaN()
	case 1:
		return x[0], 0
	}
	return stat.MeanStdDev(x, nil)
}

// EvalsToReach returns the number of evaluations until the validation curve
// first reaches target, or 0 if it never does.
func EvalsToReach(val []float64, target float64) int {
	for i, v := range val {
		if !math.IsNaN(v) && v >= target-1e-9 {
			return i + 1
		}
	}
	return 0
}

// LAPTMetric is the paper's per-run metric: the evaluations until the best
// validation score reaches the optimum, else until it reaches the top-0.1%
// threshold, else the budget; level says which ("optimum", "top0.1%", "budget").
func LAPTMetric(val []float64, optimum, threshold float64) (evals int, level string) {
	if n := EvalsToReach(val, optimum); n > 0 {
		return n, "optimum"
	}
	if n := EvalsToReach(val, threshold); n > 0 {
		return n, "top0.1%"
	}
	return len(val), "budget"
}

// MeanStd returns the mean and sample standard deviation (NaN for none).
func MeanStd(x []float64) (mean, std float64) { return meanStd(x) }
