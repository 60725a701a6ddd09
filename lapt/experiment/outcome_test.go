package experiment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/nasnb/nasnb/lapt/curve"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// score rates an NB201 cell: conv3x3 on late edges is best.
var score = eval.Func(func(_ context.Context, a space.Arch) (eval.Result, error) {
	v := 0.0
	for i := 0; i < a.Len(); i++ {
		v += []float64{0, 1, 2, 3, 0.5}[a.Op(i)] * float64(i+1)
	}
	return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: v, Test: v + 1}}, nil
})

func searchSeed(sp *space.Space, budget int, compact bool) experiment.Procedure {
	return func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
		st, err := search.NewEvolution(sp, seed, search.EvolutionConfig{Population: 3, Tournament: 2})
		if err != nil {
			return experiment.Outcome{}, err
		}
		r, err := search.Execute(ctx, search.Config{Strategy: st, Evaluator: score, Budget: budget, Seed: seed})
		if err != nil {
			return experiment.Outcome{}, err
		}
		o := experiment.Outcome{Evaluations: r.Evaluations(), Exhausted: errors.Is(r.Err(), search.ErrExhausted)}
		if compact {
			o.Steps = r.Steps()
		} else {
			o.Val, o.Test = r.Curve()
		}
		return o, nil
	}
}

// TestCompactOutcomesSummarizeAlike: outcomes holding Steps give the same
// checkpoints, metrics and JSON as the dense ones.
func TestCompactOutcomesSummarizeAlike(t *testing.T) {
	seeds, _ := experiment.ParseSeeds("0-19")
	for _, sp := range []*space.Space{space.NB201(), tinySpace(t)} {
		dense, err := experiment.RunSeeds(context.Background(), seeds, 2, searchSeed(sp, 60, false), nil)
		if err != nil {
			t.Fatal(err)
		}
		compact, err := experiment.RunSeeds(context.Background(), seeds, 2, searchSeed(sp, 60, true), nil)
		if err != nil {
			t.Fatal(err)
		}
		cps := []int{1, 5, 10, 20, 50, 60, 61}
		a, _ := json.Marshal(experiment.Summarize(dense, cps, 63))
		b, _ := json.Marshal(experiment.Summarize(compact, cps, 63))
		if string(a) != string(b) {
			t.Fatalf("%s: summaries differ:\n%s\n%s", sp.Name(), a, b)
		}
		for i := range dense {
			a, _ := json.Marshal(dense[i])
			b, _ := json.Marshal(compact[i])
			if string(a) != string(b) {
				t.Fatalf("%s seed %d: JSON differs:\n%s\n%s", sp.Name(), i, a, b)
			}
			if dense[i].Len() != compact[i].Len() || dense[i].EvalsToReach(50) != compact[i].EvalsToReach(50) ||
				fmt.Sprint(dense[i].LAPTMetric(63, 60)) != fmt.Sprint(compact[i].LAPTMetric(63, 60)) {
				t.Fatalf("%s seed %d: metrics differ", sp.Name(), i)
			}
			if fmt.Sprint(experiment.LAPTMetric(dense[i].Val, 63, 60)) != fmt.Sprint(compact[i].LAPTMetric(63, 60)) {
				t.Fatalf("%s seed %d: LAPTMetric differs", sp.Name(), i)
			}
		}
	}
}

func tinySpace(t testing.TB) *space.Space {
	t.Helper()
	sub, err := space.NB201().Restrict([][]int{{2, 3}, {2, 3}, {3}, {3}, {3}, {3}})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// TestHugeBudgetSummary: 8 seeds at a budget of 1e8 on a 4-cell space, run
// and summarised at the usual checkpoints, allocate little (dense curves
// would be 1.6 GB a seed).
func TestHugeBudgetSummary(t *testing.T) {
	const budget = 100_000_000
	seeds, _ := experiment.ParseSeeds("0-7")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	outs, err := experiment.RunSeeds(context.Background(), seeds, 2, searchSeed(tinySpace(t), budget, true), nil)
	if err != nil {
		t.Fatal(err)
	}
	pts := experiment.Summarize(outs, experiment.Checkpoints(budget), 63)
	runtime.ReadMemStats(&after)
	last := pts[len(pts)-1]
	if last.Evals != budget || math.IsNaN(last.ValMean) || last.ValStd != 0 {
		t.Fatalf("last checkpoint %+v", last)
	}
	for _, o := range outs {
		if !o.Exhausted || o.Len() != budget {
			t.Fatalf("seed %d: exhausted %v, len %d", o.Seed, o.Exhausted, o.Len())
		}
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("8 seeds at budget %d: %d KB allocated", budget, got>>10)
	if got > 64<<20 {
		t.Fatalf("8 seeds at budget %d allocated %d MB", budget, got>>20)
	}
}

func ExampleOutcome_At() {
	s := curve.Steps{Len: 1_000_000}
	s.Add(1, 80, 79)
	s.Add(3, 91, 90)
	o := experiment.Outcome{Steps: s, Evaluations: 3, Exhausted: true}
	v, te := o.At(2)
	fmt.Println(o.Len(), v, te, o.EvalsToReach(90))
	fmt.Println(experiment.Summarize([]experiment.Outcome{o}, []int{1000000}, 91)[0].TestMean)
	// Output:
	// 1000000 80 79 3
	// 90
}
