package offline

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// topKept counts how many of the task's k best architectures (by validation)
// the set allows.
func topKept(t *testing.T, tk *tabular.Task, set principles.Set, k int) int {
	t.Helper()
	sub, err := set.Compile(tk.Space)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range tk.Evidence().Archs[:k] {
		if sub.Contains(s.Arch) {
			n++
		}
	}
	return n
}

// TestLearnSynthetic is TestLearnImageNetPrinciples on seeded synthetic
// NB201 tables (every checkout): the learned constraint keeps one or two ops
// per edge, its statements carry the counts, it is deterministic, and it
// transfers — the refined space holds far more of the target's top-50 than
// its share of the space would (measured: 4 of the target's top-50 in a
// space of 4 architectures).
func TestLearnSynthetic(t *testing.T) {
	ts, err := synth.NB201Tasks(2, 7)
	if err != nil {
		t.Fatal(err)
	}
	src, tgt := ts[0], ts[1]
	sp := src.Space
	req := reason.LearnRequest{Space: sp, Sources: []reason.Evidence{src.Evidence()}, TopK: 50, MaxOpsPerEdge: 2}
	out, err := New().Learn(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	set := out.Set
	for e, ops := range set.Allowed {
		if len(ops) < 1 || len(ops) > 2 || len(set.Preference[e]) != len(sp.Ops()) || !slices.Contains(ops, set.Preference[e][0]) {
			t.Errorf("edge %d: allowed %v, preference %v", e, ops, set.Preference[e])
		}
	}
	if !strings.Contains(strings.Join(set.Statements, " "), "of the top 50") || set.Provenance.Reasoner == "" {
		t.Errorf("statements %q, provenance %+v", set.Statements, set.Provenance)
	}
	_, rep, err := principles.Refine(sp, set)
	if err != nil {
		t.Fatal(err)
	}
	kept := topKept(t, tgt, set, 50)
	t.Logf("space %d of %d; target top-50 kept %d; source top-50 kept %d\n%s", rep.SizeAfter, rep.SizeBefore, kept, topKept(t, src, set, 50), set.Format(sp))
	if share := float64(rep.SizeAfter) / float64(rep.SizeBefore); float64(kept)/50 < 10*share || kept < 2 {
		t.Errorf("target top-50 kept %d in %.2f%% of the space", kept, 100*share)
	}
	again, _ := New().Learn(context.Background(), req)
	if !reflect.DeepEqual(out.Set, again.Set) {
		t.Error("not deterministic")
	}
}

// TestFrequencySynthetic: the frequency baseline keeps the most frequent ops
// of the source's top-k, up to the cap on every edge, so its space is at
// least as large as the offline reasoner's and holds at least as many of the
// source's top-50.
func TestFrequencySynthetic(t *testing.T) {
	ts, err := synth.NB201Tasks(1, 7)
	if err != nil {
		t.Fatal(err)
	}
	src := ts[0]
	req := reason.LearnRequest{Space: src.Space, Sources: []reason.Evidence{src.Evidence()}, TopK: 50, MaxOpsPerEdge: 2}
	freq, err := Frequency{}.Learn(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	learned, _ := New().Learn(context.Background(), req)
	_, fr, _ := principles.Refine(src.Space, freq.Set)
	_, lr, _ := principles.Refine(src.Space, learned.Set)
	t.Logf("frequency %v (%d archs), offline %v (%d archs)", freq.Set.Allowed, fr.SizeAfter, learned.Set.Allowed, lr.SizeAfter)
	for e, ops := range freq.Set.Allowed {
		if len(ops) != 2 {
			t.Errorf("edge %d: frequency keeps %v, want the cap of 2", e, ops)
		}
	}
	if fr.SizeAfter < lr.SizeAfter || topKept(t, src, freq.Set, 50) < topKept(t, src, learned.Set, 50) {
		t.Errorf("frequency space %d (top-50 kept %d), offline %d (kept %d)", fr.SizeAfter, topKept(t, src, freq.Set, 50), lr.SizeAfter, topKept(t, src, learned.Set, 50))
	}
}

// TestLearnMacroSpace: the offline reasoner learns on a user-defined macro
// space of plain decisions: statements name the decisions, every decision
// keeps an op it offers, and adaptation widens a decision when the space is
// used up without improvement.
func TestLearnMacroSpace(t *testing.T) {
	ts, err := synth.MacroTasks(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	src := ts[0]
	sp := src.Space
	out, err := New().Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{src.Evidence()}, TopK: 30, MaxOpsPerEdge: 2})
	if err != nil {
		t.Fatal(err)
	}
	set := out.Set
	for e, ops := range set.Allowed {
		for _, op := range ops {
			if !sp.Allows(e, op) {
				t.Errorf("decision %s: op %d is not one of its choices", sp.Edges()[e].Name, op)
			}
		}
	}
	text := set.Format(sp) + strings.Join(set.Statements, " ")
	for _, want := range []string{"stem", "stage3", "width"} {
		if !strings.Contains(text, want) {
			t.Errorf("principles do not name decision %q:\n%s", want, text)
		}
	}
	cur := set
	cur.Version = 1
	ad, err := New().Adapt(context.Background(), reason.AdaptRequest{Space: sp, Original: cur, Current: cur, MaxOpsPerEdge: 2,
		Evaluations: 10, Exhausted: true, Found: all(t, sp, cur)})
	if err != nil {
		t.Fatal(err)
	}
	if d := principles.Compare(sp, cur, ad.Set); len(d.Edges) == 0 {
		t.Errorf("exhausted without improvement, yet no decision widened: %s", ad.Set.Reason)
	}
}
