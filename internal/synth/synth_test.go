package synth

import (
	"context"
	"math"
	"reflect"
	"sort"
	"testing"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func vals(tk *tabular.Task) []float64 {
	var v []float64
	for _, e := range tk.Table.Bench().Entries() {
		v = append(v, e.Val)
	}
	return v
}

// spearman is the rank correlation of two score lists without ties.
func spearman(a, b []float64) float64 {
	rank := func(x []float64) []float64 {
		idx := make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(i, j int) bool { return x[idx[i]] < x[idx[j]] })
		r := make([]float64, len(x))
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	ra, rb := rank(a), rank(b)
	n := float64(len(a))
	d := 0.0
	for i := range ra {
		d += (ra[i] - rb[i]) * (ra[i] - rb[i])
	}
	return 1 - 6*d/(n*(n*n-1))
}

func TestTasksAreSeededAndCorrelated(t *testing.T) {
	a, err := NB201Tasks(2, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NB201Tasks(2, 7)
	c, _ := NB201Tasks(2, 8)
	if !reflect.DeepEqual(vals(a[1]), vals(b[1])) {
		t.Error("same seed, different tables")
	}
	if reflect.DeepEqual(vals(a[1]), vals(c[1])) {
		t.Error("different seeds, same tables")
	}
	if a[0].Name != "nb201/synth0@200" || a[1].Name != "nb201/synth1@200" || a[0].Space.Count() != 15625 || a[0].Space.IsSubSpace() {
		t.Errorf("tasks %s %s over %d archs", a[0].Name, a[1].Name, a[0].Space.Count())
	}
	// Sources carry real but imperfect signal about targets (measured: 0.84).
	if r := spearman(vals(a[0]), vals(a[1])); r < 0.4 || r > 0.95 {
		t.Errorf("source/target rank correlation %.2f, want between 0.4 and 0.95", r)
	}
	if !a[1].Space.Contains(a[1].Best) || a[1].Threshold >= a[1].BestEntry.Val {
		t.Errorf("best %v, threshold %.3f of best %.3f", a[1].Best, a[1].Threshold, a[1].BestEntry.Val)
	}
}

func TestMacroTasks(t *testing.T) {
	sp := MacroSpace()
	if sp.Count() != 1536 || sp.Nodes() != 0 || sp.NumEdges() != 6 || sp.Name() != "synth-macro" {
		t.Fatalf("macro space: %d archs, %d nodes, %d decisions", sp.Count(), sp.Nodes(), sp.NumEdges())
	}
	a, err := sp.Parse("conv5x5,mbconv3,mbconv5,conv3x3,skip,w1.5")
	if err != nil {
		t.Fatal(err)
	}
	if got := sp.Format(a); got != "conv5x5,mbconv3,mbconv5,conv3x3,skip,w1.5" {
		t.Errorf("format %q", got)
	}
	ts, err := MacroTasks(3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[2].Name != "synth-macro/synth2@200" || ts[0].Space.Count() != 1536 || len(ts[0].Evidence().Archs) != 1536 {
		t.Fatalf("%d tasks, %s", len(ts), ts[2].Name)
	}
	if r := spearman(vals(ts[0]), vals(ts[1])); r < 0.4 || r > 0.95 { // measured: 0.77
		t.Errorf("macro source/target rank correlation %.2f", r)
	}
}

func TestTasksErrors(t *testing.T) {
	if _, err := Tasks(nil, 1, 0); err == nil {
		t.Error("nil space accepted")
	}
	if _, err := Tasks(MacroSpace(), 0, 0); err == nil {
		t.Error("zero tasks accepted")
	}
	big, _ := space.Define("big", []space.EdgeSpec{
		space.Choice("a", "1", "2", "3", "4", "5", "6", "7", "8"), space.Choice("b", "1", "2", "3", "4", "5", "6", "7", "8"),
		space.Choice("c", "1", "2", "3", "4", "5", "6", "7", "8"), space.Choice("d", "1", "2", "3", "4", "5", "6", "7", "8"),
		space.Choice("e", "1", "2", "3", "4", "5", "6", "7", "8")})
	if _, err := Tasks(big, 1, 0); err == nil {
		t.Error("a 32,768-architecture space was tabulated")
	}
}

func TestEvaluator(t *testing.T) {
	ts, _ := MacroTasks(1, 2)
	ev := &Evaluator{Task: ts[0], Seconds: 2.5, Fault: func(n int, a space.Arch) eval.Status {
		switch n {
		case 2:
			return eval.Failed
		case 3:
			return eval.Diverged
		}
		return eval.OK
	}}
	ctx := context.Background()
	want, _ := ts[0].Table.Lookup(ts[0].Best)
	r, err := ev.Evaluate(ctx, ts[0].Best)
	if err != nil || !r.Usable() || r.Metrics.Val != want.Val || r.Metrics.Test != want.Test || r.Cost.Seconds != 2.5 {
		t.Fatalf("call 1: %+v %v", r, err)
	}
	for _, st := range []eval.Status{eval.Failed, eval.Diverged} {
		r, err = ev.Evaluate(ctx, ts[0].Best)
		if err != nil || r.Status != st || r.Usable() || !math.IsNaN(r.Metrics.Val) || r.Err == "" {
			t.Fatalf("want %s: %+v %v", st, r, err)
		}
	}
	if ev.Calls() != 3 {
		t.Errorf("%d calls", ev.Calls())
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ev.Evaluate(cctx, ts[0].Best); err == nil {
		t.Error("cancelled context: no error")
	}
	if ev.Calls() != 3 {
		t.Errorf("a cancelled call was counted: %d", ev.Calls())
	}
}
