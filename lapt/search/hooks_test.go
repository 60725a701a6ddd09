package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/hook"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/space"
)

func newREA(t *testing.T, seed uint64) Strategy {
	t.Helper()
	st, err := New("rea", space.NB201(), seed, EvolutionConfig{Population: 10, Tournament: 3})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestHooksSeveralSubscribersInOrder(t *testing.T) {
	var log []string
	var h Hooks
	h.OnStart.Add("b", 0, func(*Run) error { log = append(log, "start b"); return nil })
	h.OnStart.Add("a", -1, func(*Run) error { log = append(log, "start a"); return nil })
	h.OnTrial.Add("count", 0, func(r *Run, tr Trial) error {
		if tr.N != r.Evaluations() {
			t.Errorf("trial N %d, run at %d", tr.N, r.Evaluations())
		}
		log = append(log, "trial")
		return nil
	})
	h.OnEnd.Add("end", 0, func(_ *Run, err error) error { log = append(log, "end"); return err })
	r, err := Execute(context.Background(), Config{Strategy: newREA(t, 1), Evaluator: synth(0), Budget: 5, Seed: 1, Hooks: h})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"start a", "start b", "trial", "trial", "trial", "trial", "trial", "end"}
	if len(r.Trials()) != 5 || !slices.Equal(log, want) {
		t.Fatalf("%d trials, calls %v; want %v", len(r.Trials()), log, want)
	}
}

var errEnough = errors.New("enough")

// A subscriber that fails stops the run; the error names it, the run's OnEnd
// subscribers see it, and the trial it was told about is journaled.
func TestHookErrorStopsRun(t *testing.T) {
	j, err := journal.Open(t.TempDir() + "/j.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var h Hooks
	var ended error
	h.OnTrial.Add("stopper", 0, func(r *Run, tr Trial) error {
		if tr.N == 3 {
			return errEnough
		}
		return nil
	})
	h.OnEnd.Add("watch", 0, func(_ *Run, err error) error { ended = err; return nil })
	r, err := NewRun(Config{Strategy: newREA(t, 2), Evaluator: synth(0), Budget: 10, Seed: 2, Journal: j, Hooks: h})
	if err != nil {
		t.Fatal(err)
	}
	err = r.RunToEnd(context.Background())
	var he *hook.Error
	if !errors.As(err, &he) || he.Name != "stopper" || he.Point != "search.OnTrial" || !errors.Is(err, errEnough) {
		t.Fatalf("run error %v", err)
	}
	if r.Evaluations() != 3 || !errors.Is(ended, errEnough) || !errors.Is(r.Err(), errEnough) {
		t.Fatalf("%d evaluations, OnEnd saw %v, Err %v", r.Evaluations(), ended, r.Err())
	}
	if n := len(j.Kind("trial")); n != 3 {
		t.Fatalf("%d trials journaled, want 3", n)
	}
}

func TestHookPanicAndOnEndError(t *testing.T) {
	var h Hooks
	h.OnStart.Add("boom", 0, func(*Run) error { var m map[string]int; m["x"]++; return nil })
	_, err := Execute(context.Background(), Config{Strategy: newREA(t, 3), Evaluator: synth(0), Budget: 5, Seed: 3, Hooks: h})
	var he *hook.Error
	if !errors.As(err, &he) || he.Name != "boom" || he.Panic == nil || !strings.Contains(err.Error(), `search.OnStart subscriber "boom" panicked`) {
		t.Fatalf("error %v", err)
	}

	var h2 Hooks
	h2.OnEnd.Add("flush", 0, func(*Run, error) error { return errEnough })
	r, err := NewRun(Config{Strategy: newREA(t, 3), Evaluator: synth(0), Budget: 4, Seed: 3, Hooks: h2})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RunToEnd(context.Background()); !errors.Is(err, errEnough) || r.Evaluations() != 4 {
		t.Fatalf("OnEnd error %v after %d evaluations", err, r.Evaluations())
	}
}

func TestHooksAsync(t *testing.T) {
	var h Hooks
	n := 0
	h.OnTrial.Add("count", 0, func(*Run, Trial) error { n++; return nil })
	h.OnTrial.Add("stop", 1, func(_ *Run, tr Trial) error {
		if n == 4 {
			return errEnough
		}
		return nil
	})
	r, err := NewRun(Config{Strategy: newREA(t, 4), Evaluator: synth(0), Budget: 20, Seed: 4, Hooks: h, Async: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RunAsync(context.Background()); !errors.Is(err, errEnough) || n != 4 {
		t.Fatalf("async run: %v after %d trials", err, n)
	}
}
