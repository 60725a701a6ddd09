package offline

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

// synthEvidence draws n NB201 architectures scored by a sum of per-edge op
// weights plus noise (seeded).
func synthEvidence(n int, seed uint64) reason.Evidence {
	sp := space.NB201()
	r := rand.New(rand.NewPCG(seed, 2))
	w := make([][]float64, sp.NumEdges())
	for e := range w {
		w[e] = make([]float64, len(sp.Ops()))
		for o := range w[e] {
			w[e][o] = r.NormFloat64()
		}
	}
	ev := reason.Evidence{Task: "synth"}
	seen := map[space.Arch]bool{}
	for len(ev.Archs) < n {
		a := sp.Sample(r)
		if seen[a] {
			continue
		}
		seen[a] = true
		s := 0.0
		for e := range w {
			s += w[e][a.Op(e)]
		}
		ev.Archs = append(ev.Archs, reason.Scored{Arch: a, Text: sp.Format(a), Score: s + 0.5*r.NormFloat64()})
	}
	ev.Sort()
	return ev
}

func TestLearnSizesTheSpaceToTheBudget(t *testing.T) {
	sp := space.NB201()
	ev := synthEvidence(3000, 1)
	for _, budget := range []int{20, 50, 200} {
		out, err := New().Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 3, Budget: budget})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := out.Set.Compile(sp)
		if err != nil {
			t.Fatal(err)
		}
		if out.Set.Version != 1 {
			t.Errorf("budget %d: Learn returned version %d, want 1", budget, out.Set.Version)
		}
		if n := sub.Count(); n > int64(budget) || n < int64(budget/4) {
			t.Errorf("budget %d: refined space %d, want within about [B/2, B]", budget, n)
		}
		text := strings.Join(out.Set.Statements, "\n")
		if !strings.Contains(text, "[confidence ") || !strings.Contains(text, "for a budget of") {
			t.Errorf("budget %d: statements lack confidences or the budget:\n%s", budget, text)
		}
		if strings.Contains(text, "WARNING: thin evidence") {
			t.Errorf("budget %d: 3000 architectures flagged as thin evidence", budget)
		}
	}
}

func TestFrequencyLearnsVersion1(t *testing.T) {
	out, err := Frequency{}.Learn(context.Background(), reason.LearnRequest{Space: space.NB201(), Sources: []reason.Evidence{synthEvidence(300, 2)}, TopK: 50, MaxOpsPerEdge: 2})
	if err != nil || out.Set.Version != 1 {
		t.Fatalf("version %d, %v", out.Set.Version, err)
	}
}

func TestLearnWarnsOnThinEvidence(t *testing.T) {
	sp := space.NB201()
	ev := synthEvidence(45, 3) // fewer than 2 x top-50
	out, err := New().Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 2, Budget: 50})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Set.Statements[0], "WARNING: thin evidence") || !strings.Contains(out.Set.Analysis, "WARNING") {
		t.Fatalf("no thin-evidence warning: %q", out.Set.Statements[0])
	}
	single := 0
	for i, st := range out.Set.Statements {
		if strings.HasPrefix(st, "[confidence high]") || strings.HasPrefix(st, "[confidence medium]") {
			t.Errorf("statement %d claims confidence on thin evidence: %s", i, st)
		}
	}
	for _, al := range out.Set.Allowed {
		if len(al) == 1 {
			single++
		}
	}
	sub, _ := out.Set.Compile(sp)
	if sub.Count() < 25 {
		t.Errorf("thin evidence shrank the space to %d (single-op edges: %d); the band's floor is 25", sub.Count(), single)
	}
}

func TestAdaptWidensWhereTheTargetDisagrees(t *testing.T) {
	sp := space.NB201()
	cur := principles.Set{Version: 1, Allowed: [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}},
		Preference: [][]int{{3, 2, 4, 0, 1}, {2, 3, 1, 0, 4}, {3, 2, 4, 1, 0}, {1, 2, 3, 0, 4}, {3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}}}
	mk := func(ops []int, s float64) reason.Scored { return reason.Scored{Arch: space.MustArch(ops...), Score: s} }
	// An escape with nor_conv_1x1 (2) on edge 2 beats everything inside.
	found := []reason.Scored{mk([]int{3, 3, 2, 1, 3, 3}, 95), mk([]int{3, 3, 3, 1, 3, 3}, 94), mk([]int{3, 2, 3, 1, 3, 3}, 90)}
	out, err := New().Adapt(context.Background(), reason.AdaptRequest{Space: sp, Original: cur, Current: cur, Improved: true,
		Found: found, TopK: 5, MaxOpsPerEdge: 2, Evaluations: 10, Budget: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Set.Allowed[2], []int{2, 3}) || !strings.Contains(out.Set.Reason, "disagrees") {
		t.Fatalf("allowed %v (%s)", out.Set.Allowed, out.Set.Reason)
	}
	// At the cap, the op the incumbent carries is never the one removed.
	cur2 := cur.Clone()
	cur2.Allowed[1] = []int{2, 3}
	found2 := []reason.Scored{mk([]int{3, 1, 3, 1, 3, 3}, 96), mk([]int{3, 3, 3, 1, 3, 3}, 94), mk([]int{3, 2, 3, 1, 3, 3}, 80)}
	out, err = New().Adapt(context.Background(), reason.AdaptRequest{Space: sp, Original: cur2, Current: cur2, Improved: true,
		Found: found2, TopK: 5, MaxOpsPerEdge: 2, Evaluations: 10, Budget: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Set.Allowed[1], []int{1, 3}) {
		t.Fatalf("edge 1: %v, want skip_connect in place of the weakest op nor_conv_1x1 (%s)", out.Set.Allowed[1], out.Set.Reason)
	}
	// A stall without disagreement keeps the space.
	out, err = New().Adapt(context.Background(), reason.AdaptRequest{Space: sp, Original: cur, Current: cur, Improved: false,
		Found: found[1:], TopK: 5, MaxOpsPerEdge: 2, Evaluations: 10, Budget: 20})
	if err != nil {
		t.Fatal(err)
	}
	if d := principles.Compare(sp, cur, out.Set); len(d.Edges) != 0 {
		t.Fatalf("a stall changed the space: %v", d)
	}
}

// TestAdaptWidensOnAOneDecisionWin: without improvement, an escape that
// beats the architecture inside the space it differs from on one decision
// alone widens that decision, although it is below the best inside; with
// improvement the space stays.
func TestAdaptWidensOnAOneDecisionWin(t *testing.T) {
	sp := space.NB201()
	cur := principles.Set{Version: 1, Allowed: [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}},
		Preference: [][]int{{3, 2, 4, 0, 1}, {2, 3, 1, 0, 4}, {3, 2, 4, 1, 0}, {1, 2, 3, 0, 4}, {3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}}}
	mk := func(ops []int, s float64) reason.Scored { return reason.Scored{Arch: space.MustArch(ops...), Score: s} }
	// nor_conv_1x1 (2) on edge 0 scores 92 where nor_conv_3x3 scored 90.
	found := []reason.Scored{mk([]int{3, 3, 3, 1, 3, 3}, 95), mk([]int{2, 2, 3, 1, 3, 3}, 92), mk([]int{3, 2, 3, 1, 3, 3}, 90)}
	req := reason.AdaptRequest{Space: sp, Original: cur, Current: cur, Improved: false,
		Found: found, TopK: 5, MaxOpsPerEdge: 2, Evaluations: 10, Budget: 20}
	out, err := New().Adapt(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Set.Allowed[0], []int{2, 3}) || !strings.Contains(out.Set.Reason, "on this edge alone") {
		t.Fatalf("edge 0: %v, want nor_conv_1x1 added (%s)", out.Set.Allowed[0], out.Set.Reason)
	}
	req.Improved = true
	if out, err = New().Adapt(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Set.Allowed[0], []int{3}) {
		t.Fatalf("edge 0: %v after an improvement, want it unchanged (%s)", out.Set.Allowed[0], out.Set.Reason)
	}
}
