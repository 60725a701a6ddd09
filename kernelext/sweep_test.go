package kernelext

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

func TestRunSweep(t *testing.T) {
	sp := lineSpace(t)
	tk := lineTask(t, sp, "target")
	s := Sweep{Strategy: "rea", Space: sp, Evaluator: tk.Table, Seeds: []uint64{0, 1, 2, 3}, Budget: 30,
		Dedup: search.DedupCount, Evolution: search.EvolutionConfig{Population: 4, Tournament: 2}, Workers: 2}
	runs, err := RunSweep(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || runs[2].Seed != 2 || len(runs.Val()) != 4 || len(runs.Val()[0]) != 30 {
		t.Fatalf("runs: %d, seeds %v", len(runs), runs)
	}
	again, err := RunSweep(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := runs.MeanVal(30), again.MeanVal(30); a != b {
		t.Errorf("not deterministic: %v vs %v", a, b)
	}
	for _, o := range runs {
		if o.Extra[ExtraWasted] < 0 || o.Extra[ExtraFree] != 0 {
			t.Errorf("DedupCount: seed %d extra %v (repeats are charged, never free)", o.Seed, o.Extra)
		}
	}
	if w := runs.MeanExtra(ExtraWasted); w <= 0 {
		t.Errorf("REA on a 64-cell space with 30 evaluations wastes nothing? %v", w)
	}
	if f := runs.Found(30, tk.BestEntry.Val); f < 0 || f > 1 {
		t.Errorf("found %v", f)
	}
	if m := runs.MeanTest(30); math.Abs(m-runs.MeanVal(30)-1) > 1e-9 {
		t.Errorf("test = val + 1 in lineTask: %v vs %v", m, runs.MeanVal(30))
	}
	for _, bad := range []Sweep{{Strategy: "rea"}, {Strategy: "rea", Space: sp, Evaluator: tk.Table, Budget: 5},
		{Strategy: "rea", Space: sp, Evaluator: tk.Table, Seeds: []uint64{0}}, {Strategy: "nope", Space: sp, Evaluator: tk.Table, Seeds: []uint64{0}, Budget: 3}} {
		if _, err := RunSweep(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "sweep") {
			t.Errorf("bad sweep %+v: %v", bad, err)
		}
	}
}

// A keyed sweep runs once per kernel; edited settings run again.
func TestRunSweepKept(t *testing.T) {
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	sp := lineSpace(t)
	tk := lineTask(t, sp, "target")
	calls := 0
	counting := eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		calls++
		return tk.Table.Evaluate(ctx, a)
	})
	s := Sweep{Strategy: "random", Space: sp, Evaluator: counting, Seeds: []uint64{0, 1}, Budget: 5, Workers: 1, Key: "line-random"}
	first, err := RunSweep(context.Background(), s)
	if err != nil || calls == 0 {
		t.Fatalf("%v, %d calls", err, calls)
	}
	n := calls
	again, err := RunSweep(context.Background(), s)
	if err != nil || calls != n || again.MeanVal(5) != first.MeanVal(5) {
		t.Errorf("kept sweep: err %v, %d more calls, %v vs %v", err, calls-n, again.MeanVal(5), first.MeanVal(5))
	}
	sub, err := sp.Restrict([][]int{{0, 1}, {0, 1}, {0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	s.Space = sub
	if k := s.StateKey(); k == (Sweep{Strategy: "random", Space: sp, Seeds: []uint64{0, 1}, Budget: 5, Key: "line-random"}).StateKey() {
		t.Error("a restricted space keeps the key")
	}
	if _, err := RunSweep(context.Background(), s); err != nil || calls == n {
		t.Errorf("sub-space sweep recalled instead of run (err %v)", err)
	}
}

func TestRunsAggregates(t *testing.T) {
	runs := Runs{
		{Seed: 0, Val: []float64{1, 2, 5}, Test: []float64{2, 3, 6}, Evaluations: 3, Extra: map[string]float64{ExtraFree: 2}},
		{Seed: 1, Val: []float64{3, 3}, Test: []float64{4, 4}, Evaluations: 2, Exhausted: true},
	}
	if got := runs.ValAt(3); got[0] != 5 || got[1] != 3 {
		t.Errorf("ValAt(3) = %v (a shorter run keeps its last value)", got)
	}
	if runs.MeanVal(1) != 2 || runs.MeanTest(3) != 5 {
		t.Errorf("means %v %v", runs.MeanVal(1), runs.MeanTest(3))
	}
	if runs.Found(3, 5) != 0.5 || runs.Found(2, 3) != 0.5 || runs.Found(1, 4) != 0 {
		t.Errorf("found %v %v %v", runs.Found(3, 5), runs.Found(2, 3), runs.Found(1, 4))
	}
	if runs.MeanExtra(ExtraFree) != 1 || runs.Exhausted() != 1 || runs.MeanEvaluations() != 2.5 {
		t.Errorf("extra %v exhausted %d evals %v", runs.MeanExtra(ExtraFree), runs.Exhausted(), runs.MeanEvaluations())
	}
	c := runs.Curve("REA")
	if c.Name != "REA" || len(c.Runs) != 2 {
		t.Errorf("curve %+v", c)
	}
	l := FlatLine("optimum", 91.6067, 4)
	if l.Name != "optimum 91.61" || len(l.Mean) != 4 || l.Mean[3] != 91.6067 {
		t.Errorf("flat line %+v", l)
	}
	var none Runs
	if !math.IsNaN(none.Found(3, 1)) || !math.IsNaN(none.MeanEvaluations()) {
		t.Error("empty runs should give NaN")
	}
}
