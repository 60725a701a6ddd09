package search

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

// denseCurve is the dense curve as Run.Curve computed it before Steps: the
// reference Steps must reproduce exactly.
func denseCurve(r *Run) (val, test []float64) {
	val = make([]float64, r.cfg.Budget)
	test = make([]float64, r.cfg.Budget)
	bv, bt := math.NaN(), math.NaN()
	n := 0
	for _, t := range r.trials {
		if t.Result.Usable() && (math.IsNaN(bv) || t.Result.Metrics.Val > bv) {
			bv, bt = t.Result.Metrics.Val, t.Result.Metrics.Test
		}
		if t.Counted && t.N <= r.cfg.Budget {
			n = t.N
			val[n-1], test[n-1] = bv, bt
		}
	}
	for i := n; i < r.cfg.Budget; i++ {
		val[i], test[i] = bv, bt
	}
	return val, test
}

func sameCurve(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// tiny is NB201 with two edges free to be conv1x1 or conv3x3 and the rest
// fixed: 4 cells, exhausted after a handful of evaluations.
func tiny(t testing.TB) *space.Space {
	t.Helper()
	sub, err := space.NB201().Restrict([][]int{{2, 3}, {2, 3}, {3}, {3}, {3}, {3}})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestStepsEqualDenseCurve(t *testing.T) {
	for _, s := range []string{"random", "rea", "local"} {
		for _, d := range []Dedup{DedupCanonical, DedupExact, DedupCount} {
			for _, budget := range []int{1, 7, 60} {
				for _, sp := range []*space.Space{space.NB201(), tiny(t)} {
					st, err := New(s, sp, 3, EvolutionConfig{Population: 5, Tournament: 2})
					if err != nil {
						t.Fatal(err)
					}
					r, err := Execute(context.Background(), Config{Strategy: st, Evaluator: synth(0), Budget: budget, Seed: 3, Dedup: d, MaxFree: 50})
					if err != nil {
						t.Fatal(err)
					}
					wv, wt := denseCurve(r)
					gv, gt := r.Curve()
					if !sameCurve(gv, wv) || !sameCurve(gt, wt) {
						t.Fatalf("%s %s budget %d %s: curve %v %v, want %v %v", s, d, budget, sp.Name(), gv, gt, wv, wt)
					}
					steps := r.Steps()
					if steps.Len != budget || len(steps.Steps) > r.Evaluations()+1 {
						t.Fatalf("%s %s budget %d: %d steps over %d evaluations", s, d, budget, len(steps.Steps), r.Evaluations())
					}
				}
			}
		}
	}
	// A batch run too (proposals committed out of evaluation order).
	st, _ := New("rea", space.NB201(), 9, EvolutionConfig{Population: 10, Tournament: 3})
	r, err := Execute(context.Background(), Config{Strategy: st, Evaluator: &pool{inner: synth(0), batch: 4, workers: 2}, Budget: 50, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	wv, wt := denseCurve(r)
	if gv, gt := r.Curve(); !sameCurve(gv, wv) || !sameCurve(gt, wt) {
		t.Fatalf("batch: curve %v, want %v", gv, wv)
	}
}

// TestHugeBudgetOnExhaustedSpace is issue 13's "memory grows with the budget
// after the space is exhausted" (1.77 GB at budget 1e8): a budget of 1e8 on a
// 4-cell space stops as exhausted and its curves take memory independent of
// the budget (the dense curves would be 1.6 GB).
func TestHugeBudgetOnExhaustedSpace(t *testing.T) {
	const budget = 100_000_000
	sp := tiny(t)
	var r *Run
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	st, err := New("rea", sp, 1, EvolutionConfig{Population: 3, Tournament: 2})
	if err != nil {
		t.Fatal(err)
	}
	r, err = Execute(context.Background(), Config{Strategy: st, Evaluator: synth(0), Budget: budget, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	steps := r.Steps()
	runtime.ReadMemStats(&after)
	if !errors.Is(r.Err(), ErrExhausted) || r.Evaluations() > 4 {
		t.Fatalf("stop %v after %d evaluations, want exhaustion after at most 4", r.Err(), r.Evaluations())
	}
	inc, _ := r.Incumbent()
	if v, te := steps.At(budget); steps.Len != budget || len(steps.Steps) > 4 || v != inc.Result.Metrics.Val || te != inc.Result.Metrics.Test {
		t.Fatalf("steps %+v: at the budget %v %v, incumbent %+v", steps, v, te, inc.Result.Metrics)
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("budget %d: %d evaluations, %d trials, %d steps, %d KB allocated", budget, r.Evaluations(), len(r.Trials()), len(steps.Steps), got>>10)
	if got > 64<<20 {
		t.Fatalf("a budget of %d on a 4-cell space allocated %d MB", budget, got>>20)
	}
}
