package transfer

import (
	"context"
	"fmt"
	"testing"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
)

// synthTarget is an NB201 table whose score counts the edges carrying op
// want[e]: its optimum is the architecture want.
func synthTarget(t *testing.T, want []int) *eval.Table {
	t.Helper()
	sp := space.NB201()
	var entries []bench.Entry
	i := 0
	sp.Enumerate(func(a space.Arch) bool {
		s := 0.0
		for e, op := range want {
			if a.Op(e) == op {
				s += 1 + 0.01*float64(e)
			}
		}
		entries = append(entries, bench.Entry{Arch: sp.Format(a), Index: i, Val: s, Test: s, HasVal: true, HasTest: true})
		i++
		return true
	})
	tb, err := bench.NewTable("nb201", "synth", 200, "synthetic", entries)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.NewTable(sp, tb)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestEscapeRecoversACutOptimum: the principles allow a 4-architecture
// space that cuts the target optimum on one edge; once the space is used
// up the escape hatch tries cut ops (paid from the budget), and where an
// escape beats the space the target disagrees and the space widens. Escape
// parents come from the aging population, which escapes join, so the
// search drifts away from the refined space like evolution in the full
// space: the optimum is recovered in some seeds, not all (measured: 2 of
// 20; the optimum's op comes last in the source preference, after two ops
// that tie with the space's best and are let in first).
func TestEscapeRecoversACutOptimum(t *testing.T) {
	sp := space.NB201()
	want := []int{3, 3, 2, 1, 3, 3} // the optimum needs nor_conv_1x1 on edge 2
	tgt := synthTarget(t, want)
	init := reason.Outcome{Set: principles.Set{Allowed: [][]int{{3}, {3}, {3, 4}, {1}, {2, 3}, {3}},
		Preference: [][]int{{3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}, {3, 4, 1, 0, 2}, {1, 2, 3, 0, 4}, {3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}},
		Statements: []string{"test principles"}}}
	sch := Schedule{Budget: 30, Population: 3, Tournament: 2, Warmup: -1, AdaptEvery: 3, AdaptTopK: 3, MaxOpsPerEdge: 2}
	found, escapes := 0, 0
	for seed := uint64(0); seed < 20; seed++ {
		j, err := journal.Open(t.TempDir() + "/run.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Space: sp, Target: tgt, Reasoner: offline.New(), Initial: &init, Schedule: sch, Seed: seed, Journal: j,
			References: []principles.Reference{{Name: "optimum", Arch: space.MustArch(want...)}}}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Run.Evaluations() != sch.Budget {
			t.Fatalf("seed %d: %d evaluations, budget %d (escapes count against it)", seed, res.Run.Evaluations(), sch.Budget)
		}
		if res.Escapes == 0 {
			t.Errorf("seed %d: no escape although the 4-architecture space is used up", seed)
		}
		escapes += res.Escapes
		if inc, _ := res.Run.Incumbent(); inc.Arch == space.MustArch(want...) {
			found++
		}
		// Only space-changing versions count, and no space is taken twice.
		changed := 0
		seen := map[string]int{}
		for i, ev := range res.Events {
			if ev.Err != "" {
				continue
			}
			k := fmt.Sprint(ev.Set.Allowed)
			if v, ok := seen[k]; ok && v != i-1 && fmt.Sprint(res.Events[i-1].Set.Allowed) != k {
				t.Errorf("seed %d: version %d returns to an earlier space %s", seed, ev.Set.Version, k)
			}
			seen[k] = i
			if i > 0 && len(ev.Diff.Edges) > 0 {
				changed++
			}
		}
		for _, ev := range res.Events {
			if ev.Trigger == TriggerFallback || ev.Trigger == TriggerDistrust {
				changed++ // to the full space
			}
		}
		if res.Adaptations() != changed {
			t.Errorf("seed %d: %d adaptations counted, %d versions changed the space", seed, res.Adaptations(), changed)
		}
		// Resuming from the journal repeats nothing and ends identically.
		j.Close()
		j2, err := journal.Open(j.Path())
		if err != nil {
			t.Fatal(err)
		}
		cfg.Journal = j2
		again, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if again.Escapes != res.Escapes || fmt.Sprint(again.Run.Curve()) != fmt.Sprint(res.Run.Curve()) {
			t.Errorf("seed %d: the resumed run differs", seed)
		}
		j2.Close()
	}
	t.Logf("optimum recovered in %d of 20 seeds, %d escapes", found, escapes)
	if found < 1 {
		t.Errorf("the cut optimum was never recovered (escapes: %d)", escapes)
	}
}

// TestNoEscapeWithoutAdaptation: with adaptation off the run stays inside.
func TestNoEscapeWithoutAdaptation(t *testing.T) {
	sp := space.NB201()
	tgt := synthTarget(t, []int{3, 3, 2, 1, 3, 3})
	init := reason.Outcome{Set: principles.Set{Allowed: [][]int{{3}, {3}, {3, 4}, {1}, {2, 3}, {3}}}}
	res, err := Run(context.Background(), Config{Space: sp, Target: tgt, Reasoner: offline.New(), Initial: &init,
		Schedule: Schedule{Budget: 20, Population: 3, Tournament: 2, NoAdapt: true, MaxOpsPerEdge: 2, ExhaustAfter: 10}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Escapes != 0 || res.Adaptations() != 0 {
		t.Fatalf("escapes %d, adaptations %d with adaptation off", res.Escapes, res.Adaptations())
	}
	for _, tr := range res.Run.Trials() {
		if tr.Arch.Op(2) == 2 {
			t.Fatalf("proposed %s outside the space", tr.Text)
		}
	}
}

// TestSourceSupport counts the sources' top-k uses per decision and op,
// plus one, so an op no source uses keeps odds 1 and the top-k cut holds.
func TestSourceSupport(t *testing.T) {
	sp := space.NB201()
	a, err := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|")
	if err != nil {
		t.Fatal(err)
	}
	op := func(name string) int {
		id, ok := sp.OpID(name)
		if !ok {
			t.Fatalf("no op %s", name)
		}
		return id
	}
	b := a.With(0, op("skip_connect"))
	src := []reason.Evidence{{Task: "s", Archs: []reason.Scored{{Arch: a}, {Arch: a}, {Arch: b}}}}
	got := sourceSupport(sp, src, 2)
	if c := got[0][op("nor_conv_3x3")]; c != 3 {
		t.Errorf("edge 0, nor_conv_3x3: support %v, want 3 (2 top-2 uses + 1)", c)
	}
	if c := got[0][op("skip_connect")]; c != 1 {
		t.Errorf("edge 0, skip_connect: support %v, want 1 (its use is below the top 2)", c)
	}
	if c := got[5][op("avg_pool_3x3")]; c != 3 {
		t.Errorf("edge 5, avg_pool_3x3: support %v, want 3", c)
	}
}
