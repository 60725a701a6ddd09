package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/space"
)

func asyncRun(t *testing.T, ev eval.Evaluator, k int, j *journal.Journal) *Run {
	t.Helper()
	st, _ := New("rea", space.NB201(), 9, EvolutionConfig{Population: 10, Tournament: 3})
	r, err := NewRun(Config{Strategy: st, Evaluator: ev, Budget: 60, Seed: 9, Journal: j, Async: k})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RunAsync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAsyncOneInFlightIsSequential: one candidate in flight is the plain run.
func TestAsyncOneInFlightIsSequential(t *testing.T) {
	st, _ := New("rea", space.NB201(), 9, EvolutionConfig{Population: 10, Tournament: 3})
	seq, err := Execute(context.Background(), Config{Strategy: st, Evaluator: synth(0), Budget: 60, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "async 1", trialsJSON(asyncRun(t, synth(0), 1, nil)), trialsJSON(seq))
}

// TestAsyncBudgetAndResume: 4 in flight with random delays spends the
// budget exactly, evaluates each proposal once, and a run resumed from a
// cut journal replays the journal's trials exactly, evaluates only what is
// new and reaches the budget.
func TestAsyncBudgetAndResume(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.jsonl")
	j, _ := journal.Open(full)
	p := &pool{inner: synth(0), batch: 1, workers: 1}
	r := asyncRun(t, p, 4, j)
	j.Close()
	want := trialsJSON(r)
	if r.Evaluations() != 60 || len(p.calls) != 60 {
		t.Fatalf("%d counted, %d evaluated", r.Evaluations(), len(p.calls))
	}
	// The complete journal replays without evaluating anything.
	j, _ = journal.Open(full)
	p2 := &pool{inner: synth(0), batch: 1, workers: 1}
	same(t, "replay", trialsJSON(asyncRun(t, p2, 4, j)), want)
	j.Close()
	if len(p2.calls) != 0 {
		t.Fatalf("replay evaluated %d candidates", len(p2.calls))
	}
	data, _ := os.ReadFile(full)
	for cut := 0; cut < len(data); cut += 1733 {
		path := filepath.Join(dir, fmt.Sprintf("cut%d.jsonl", cut))
		os.WriteFile(path, data[:cut], 0o644)
		j, _ := journal.Open(path)
		kept := len(j.Kind("trial"))
		p3 := &pool{inner: synth(0), batch: 1, workers: 1}
		r3 := asyncRun(t, p3, 4, j)
		j.Close()
		got := trialsJSON(r3)
		same(t, fmt.Sprintf("cut %d prefix", cut), got[:kept], want[:kept])
		if r3.Evaluations() != 60 {
			t.Fatalf("cut %d: %d evaluations", cut, r3.Evaluations())
		}
		seen := map[int]bool{}
		for _, tr := range r3.Trials()[:kept] {
			seen[tr.Step] = true
		}
		for _, s := range p3.calls {
			if seen[s] {
				t.Fatalf("cut %d: journaled step %d evaluated again", cut, s)
			}
		}
	}
}
