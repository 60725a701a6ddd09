package eval

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/space"
)

func TestTableEvaluator(t *testing.T) {
	sp := space.NB201()
	a := space.MustArch(3, 3, 3, 1, 3, 2)
	tb, err := bench.NewTable("nb201", "toy", 200, "inline", []bench.Entry{
		{Arch: sp.Format(a), Index: 0, Val: 91.6, Test: 94.4, HasVal: true, HasTest: true},
		{Arch: sp.Format(space.MustArch(0, 0, 0, 0, 0, 0)), Index: 1, Val: 10, HasVal: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewTable(sp, tb)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ev.Evaluate(context.Background(), a)
	if err != nil || r.Status != OK || r.Metrics.Val != 91.6 || r.Metrics.Test != 94.4 || r.Metrics.Fidelity != 200 {
		t.Fatalf("%+v %v", r, err)
	}
	r, _ = ev.Evaluate(context.Background(), space.MustArch(0, 0, 0, 0, 0, 0))
	if !math.IsNaN(r.Metrics.Test) || !r.Usable() {
		t.Fatalf("missing test: %+v", r)
	}
	r, _ = ev.Evaluate(context.Background(), space.MustArch(1, 1, 1, 1, 1, 1))
	if r.Status != Failed || r.Usable() || r.Err == "" {
		t.Fatalf("missing arch: %+v", r)
	}
	// NaN survives JSON as null.
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(js, &back); err != nil || !math.IsNaN(back.Metrics.Val) {
		t.Fatalf("%s %v %+v", js, err, back)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ev.Evaluate(ctx, a); err == nil {
		t.Fatal("cancelled context ignored")
	}
	bad, _ := bench.NewTable("nb201", "bad", 200, "inline", []bench.Entry{{Arch: "|conv~0|", Index: 0, Val: 1, HasVal: true}})
	if _, err := NewTable(sp, bad); err == nil {
		t.Fatal("bad arch string accepted")
	}
}
