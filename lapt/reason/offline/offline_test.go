package offline

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func source(t *testing.T, task string) reason.Evidence {
	t.Helper()
	dir := datatest.Dir(t)
	tk, err := tabular.Open(dir, "nb201", task, 200)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Evidence()
}

func TestLearnImageNetPrinciples(t *testing.T) {
	ev := source(t, "imagenet16-120")
	sp := space.NB201()
	out, err := New().Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 2})
	if err != nil {
		t.Fatal(err)
	}
	set := out.Set
	t.Log("\n" + set.Format(sp) + set.Analysis)
	// Decisive edges keep one op; split edges keep two (cap 2).
	want := [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}}
	if !reflect.DeepEqual(set.Allowed, want) {
		t.Fatalf("allowed = %v, want %v", set.Allowed, want)
	}
	c10, _ := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
	_, rep, err := principles.Refine(sp, set, principles.Reference{Name: "cifar10 optimum", Arch: c10})
	if err != nil || rep.SizeAfter != 8 || !rep.References[0].Survived {
		t.Fatalf("%v %+v", err, rep)
	}
	if !strings.Contains(strings.Join(set.Statements, " "), "34 of the top 50") {
		t.Fatalf("statements lack the numbers: %v", set.Statements)
	}
	// Deterministic.
	out2, _ := New().Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 2})
	if !reflect.DeepEqual(out.Set, out2.Set) {
		t.Fatal("not deterministic")
	}
}

func TestFrequencyBaseline(t *testing.T) {
	ev := source(t, "imagenet16-120")
	out, err := Frequency{}.Learn(context.Background(), reason.LearnRequest{Space: space.NB201(), Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{2, 3}, {2, 3}, {2, 3}, {1, 2}, {2, 3}, {2, 3}}
	if !reflect.DeepEqual(out.Set.Allowed, want) {
		t.Fatalf("allowed = %v", out.Set.Allowed)
	}
}

func TestAdaptWidenAndNarrow(t *testing.T) {
	sp := space.NB201()
	cur := principles.Set{Version: 1, Allowed: [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}},
		Preference: [][]int{{3, 2, 4, 0, 1}, {2, 3, 1, 0, 4}, {3, 2, 4, 1, 0}, {1, 2, 3, 0, 4}, {3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}}}
	r := New()
	out, err := r.Adapt(context.Background(), reason.AdaptRequest{Space: sp, Original: cur, Current: cur, Improved: false, MaxOpsPerEdge: 2, Evaluations: 10, Exhausted: true, Found: all(t, sp, cur)})
	if err != nil {
		t.Fatal(err)
	}
	// Widening adds the runner-up on the first singleton edge with a rank-1 alternative.
	if !reflect.DeepEqual(out.Set.Allowed[0], []int{2, 3}) {
		t.Fatalf("widen: %v (%s)", out.Set.Allowed, out.Set.Reason)
	}
	if d := principles.Compare(sp, cur, out.Set); len(d.Edges) != 1 {
		t.Fatalf("diff %v", d)
	}
	// Narrowing: top-5 found agree on edge 1 op 3; op 2 tried twice, worse.
	mk := func(ops []int, s float64) reason.Scored { return reason.Scored{Arch: space.MustArch(ops...), Score: s} }
	found := []reason.Scored{
		mk([]int{3, 3, 3, 1, 3, 3}, 95), mk([]int{3, 3, 3, 1, 2, 3}, 94), mk([]int{3, 3, 3, 1, 3, 2}, 93),
		mk([]int{3, 3, 3, 1, 2, 2}, 92), mk([]int{3, 3, 3, 1, 2, 3}, 91), mk([]int{3, 2, 3, 1, 3, 3}, 80), mk([]int{3, 2, 3, 1, 2, 3}, 70),
	}
	out, err = r.Adapt(context.Background(), reason.AdaptRequest{Space: sp, Original: cur, Current: cur, Improved: true, Found: found, TopK: 5, MaxOpsPerEdge: 2, Evaluations: 9, Budget: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Set.Allowed[1], []int{3}) {
		t.Fatalf("narrow: %v (%s)", out.Set.Allowed, out.Set.Reason)
	}
}

func TestLearnRejectsEmpty(t *testing.T) {
	if _, err := New().Learn(context.Background(), reason.LearnRequest{Space: space.NB201()}); err == nil {
		t.Fatal("accepted empty evidence")
	}
}

// all returns every architecture of the set's space as found results.
func all(t *testing.T, sp *space.Space, set principles.Set) []reason.Scored {
	sub, err := set.Compile(sp)
	if err != nil {
		t.Fatal(err)
	}
	var out []reason.Scored
	sub.Enumerate(func(a space.Arch) bool {
		out = append(out, reason.Scored{Arch: a, Score: 1})
		return true
	})
	return out
}
