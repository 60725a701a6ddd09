package study_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// A user adds a method by name: here random search with half the budget.
// The study runs it like the built-ins, on any target.
func ExampleRegister() {
	const name = "random-half"
	if _, err := study.Lookup(name); err != nil { // registered once per process
		err := study.Register(name, study.MethodDef{
			Label: func(s *study.Setup) string {
				return fmt.Sprintf("random search, half budget (%d)", s.Schedule.Budget/2)
			},
			Run: func(ctx context.Context, s *study.Setup, r *study.SeedRun) (*study.SeedResult, error) {
				run, err := search.Execute(ctx, search.Config{Strategy: search.NewRandom(s.Space, r.Seed), Evaluator: r.Evaluator,
					Budget: s.Schedule.Budget / 2, Seed: r.Seed, Dedup: s.Dedup, Journal: r.Journal, Hooks: r.Hooks})
				if err != nil {
					return nil, err
				}
				return &study.SeedResult{Run: run}, nil
			},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	tasks, err := synth.NB201Tasks(1, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := study.Run(context.Background(), study.Config{On: study.Table(tasks[0]), Methods: []string{name, study.FullREA}, Seeds: []uint64{0, 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range rep.Methods {
		fmt.Printf("%s: %d and %d evaluations\n", m.Label, m.Runs[0].Evaluations, m.Runs[1].Evaluations)
	}
	// Output:
	// random search, half budget (10): 10 and 10 evaluations
	// REA, full space (p=5, s=2): 20 and 20 evaluations
}

// counting counts the Learn calls of a reasoner.
type counting struct {
	reason.Reasoner
	mu    sync.Mutex
	learn int
}

func (c *counting) Learn(ctx context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	c.mu.Lock()
	c.learn++
	c.mu.Unlock()
	return c.Reasoner.Learn(ctx, req)
}

// lapt and lapt-noadapt start from the same principles, learned once per
// study (one LLM call, not two; at temperature > 0 the ablation would
// otherwise start elsewhere).
func TestLearnOncePerStudy(t *testing.T) {
	ts, err := synth.NB201Tasks(2, 5)
	if err != nil {
		t.Fatal(err)
	}
	r := &counting{Reasoner: offline.New()}
	rep, err := study.Run(context.Background(), study.Config{Sources: ts[:1], Target: ts[1], Reasoner: r,
		Methods: []string{study.LAPT, study.NoAdapt}, Seeds: []uint64{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if r.learn != 1 {
		t.Errorf("Learn called %d times, want 1", r.learn)
	}
	a, b := rep.Methods[0].Principles, rep.Methods[1].Principles
	if a == nil || b == nil || a.Format(ts[1].Space) != b.Format(ts[1].Space) {
		t.Error("lapt and lapt-noadapt start from different principles")
	}
}

// A target that is not a table: no references (the report has no
// metric), a recipe journaled with every run, per-run details, and the
// full-space methods random and local, which need no sources.
func TestTargetWithRecipe(t *testing.T) {
	ts, err := synth.NB201Tasks(2, 9)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	target := func(recipe string) *study.Target {
		tg := &study.Target{Name: "trained", Space: ts[1].Space, Details: true,
			Evaluator: func(_ context.Context, run study.RunInfo) (eval.Evaluator, error) {
				mu.Lock()
				seen = append(seen, string(run.Recipe))
				mu.Unlock()
				return ts[1].Table, nil
			}}
		if recipe != "" {
			tg.Recipe = json.RawMessage(recipe)
		}
		return tg
	}
	dir := t.TempDir()
	cfg := study.Config{On: target(`{"epochs":1,"data":{"images":128}}`), Methods: []string{study.Random, study.Local},
		Seeds: []uint64{0, 1, 2}, JournalDir: dir}
	rep, err := study.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.NoReference || rep.Optimum != 0 || string(rep.Recipe) != `{"epochs":1,"data":{"images":128}}` {
		t.Errorf("report: no_reference %v optimum %v recipe %s", rep.NoReference, rep.Optimum, rep.Recipe)
	}
	for _, m := range rep.Methods {
		if len(m.Details) != 3 || m.Details[2].Seed != 2 || m.Details[2].Evaluations != 20 || m.Details[2].BestArch == "" ||
			len(m.Details[2].Trials) < 20 || m.Details[0].Journal == "" || m.SpaceSize != 15625 {
			t.Errorf("%s: %d details %+v", m.Name, len(m.Details), m.Details[0].Seed)
		}
	}
	s := rep.String()
	for _, want := range []string{"no known optimum", "random search, full space", "local search, full space", "best architecture"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}

	// Without a recipe, a resumed run replays its journal's.
	seen = nil
	cfg.On = target("")
	again, err := study.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range seen {
		if r != `{"epochs":1,"data":{"images":128}}` {
			t.Fatalf("resumed run used recipe %s", r)
		}
	}
	if again.Methods[0].Details[1].BestArch != rep.Methods[0].Details[1].BestArch {
		t.Error("the resumed run differs")
	}

	// Another recipe is refused, naming the field.
	cfg.On = target(`{"epochs":2,"data":{"images":128}}`)
	_, err = study.Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "another recipe") || !strings.Contains(err.Error(), "epochs: journal 1, now 2") {
		t.Fatalf("changed recipe: %v", err)
	}
}

func TestCheckRecipe(t *testing.T) {
	j, err := journal.Open(filepath.Join(t.TempDir(), "run.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got, err := study.CheckRecipe(j, nil); err != nil || got != nil {
		t.Fatalf("no recipe anywhere: %s %v", got, err)
	}
	if _, err := study.CheckRecipe(j, json.RawMessage(`{"a":`)); err == nil {
		t.Fatal("invalid JSON accepted")
	}
	first := json.RawMessage(`{"a":1,"b":{"c":"x","d":[1,2]}}`)
	if got, err := study.CheckRecipe(j, first); err != nil || string(got) != string(first) {
		t.Fatalf("new journal: %s %v", got, err)
	}
	// Key order and spacing do not matter; the journal's recipe comes back.
	if got, err := study.CheckRecipe(j, json.RawMessage(`{ "b": {"d":[1,2], "c":"x"}, "a": 1 }`)); err != nil || string(got) != string(first) {
		t.Fatalf("same recipe: %s %v", got, err)
	}
	if got, err := study.CheckRecipe(j, nil); err != nil || string(got) != string(first) {
		t.Fatalf("adopt: %s %v", got, err)
	}
	_, err = study.CheckRecipe(j, json.RawMessage(`{"a":1,"b":{"c":"y","d":[1,2]},"e":true}`))
	if err == nil || !strings.Contains(err.Error(), `b.c: journal "x", now "y"; e: journal (absent), now true`) {
		t.Fatalf("changed recipe: %v", err)
	}
}

// Configurations a study cannot run are refused with an error that says why.
func TestBadTargets(t *testing.T) {
	ts, err := synth.NB201Tasks(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  study.Config
		want string
	}{
		{study.Config{On: &study.Target{Name: "x"}, Seeds: []uint64{0}}, "needs a Space and an Evaluator"},
		{study.Config{On: study.Table(ts[1]), Seeds: []uint64{0}, Methods: []string{study.LAPT}}, "needs source tasks"},
		{study.Config{Sources: []*tabular.Task{ts[0]}, On: study.Table(ts[1]), Seeds: []uint64{0}, Methods: []string{"magic"}}, `unknown method "magic"`},
	} {
		if _, err := study.Run(context.Background(), c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v (want %q)", c.cfg.Methods, err, c.want)
		}
	}
	for _, name := range []string{"", "a b", study.LAPT} {
		if err := study.Register(name, study.MethodDef{Label: func(*study.Setup) string { return "" },
			Run: func(context.Context, *study.Setup, *study.SeedRun) (*study.SeedResult, error) { return nil, nil }}); err == nil {
			t.Errorf("Register(%q) accepted", name)
		}
	}
	if err := study.Register("no-run", study.MethodDef{}); err == nil {
		t.Error("a method without Run accepted")
	}
}
