package study

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// asyncEval is the shared fake evaluator declaring two candidates in flight.
type asyncEval struct{ *synth.Evaluator }

func (asyncEval) InFlight() int { return 2 }

// evalTarget is a target without references on the synthetic macro space,
// scored through one fake evaluator per run that fails every sixth call, as
// a training target would be (recipe journaled, details asked for).
func evalTarget(t *testing.T, tk *tabular.Task, recipe string) (*Target, *sync.Map) {
	t.Helper()
	var evs sync.Map
	return &Target{Name: "macro-train", Space: tk.Space, Recipe: json.RawMessage(recipe), Details: true,
		Evaluator: func(_ context.Context, run RunInfo) (eval.Evaluator, error) {
			ev := &synth.Evaluator{Task: tk, Seconds: 10, Fault: func(n int, _ space.Arch) eval.Status {
				if n%6 == 0 {
					return eval.Diverged
				}
				return eval.OK
			}}
			evs.Store(run.Method+"/"+string(rune('0'+run.Seed)), ev)
			if run.Method == Random {
				return asyncEval{ev}, nil
			}
			return ev, nil
		},
		Hooks: func(run RunInfo) search.Hooks { return search.Hooks{} },
	}, &evs
}

// A study over a target that is not a table (the shape of --evaluator
// train) on a user-defined macro space, in every checkout: the report has
// no reference metric, per-run details count the failed evaluations and
// their cost, the recipe is journaled, a rerun replays the journals, and a
// rerun with another recipe is refused naming the field that changed.
func TestStudyEvaluatorTargetOnMacroSpace(t *testing.T) {
	ts, err := synth.MacroTasks(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	src, tgt := ts[0], ts[1]
	on, evs := evalTarget(t, tgt, `{"epochs": 1, "lr": 0.1}`)
	dir := t.TempDir()
	cfg := Config{Sources: []*tabular.Task{src}, On: on, Seeds: []uint64{0, 1}, JournalDir: dir, Workers: 1,
		Methods:  []string{LAPT, Random, Local},
		Schedule: transfer.Schedule{TopK: 30, Budget: 12, Population: 4, Tournament: 2, MaxOpsPerEdge: 2}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.NoReference || rep.Optimum != 0 || string(rep.Recipe) != `{"epochs": 1, "lr": 0.1}` || len(rep.Methods) != 3 {
		t.Fatalf("report: no reference %v, optimum %v, recipe %s, %d methods", rep.NoReference, rep.Optimum, rep.Recipe, len(rep.Methods))
	}
	for _, m := range rep.Methods {
		if len(m.Details) != 2 || m.Failed != 0 {
			t.Fatalf("%s: %d details, %d failed seeds", m.Name, len(m.Details), m.Failed)
		}
		for _, d := range m.Details {
			v, _ := evs.Load(m.Name + "/" + string(rune('0'+d.Seed)))
			ev := v.(*synth.Evaluator)
			if d.Diverged != ev.Calls()/6 || d.Seconds != 10*float64(ev.Calls()) || d.Evaluations != 12 || d.BestArch == "" || math.IsNaN(d.BestVal) {
				t.Errorf("%s seed %d: %d diverged, %.0f s for %d calls, %d evaluations, best %q %.2f",
					m.Name, d.Seed, d.Diverged, d.Seconds, ev.Calls(), d.Evaluations, d.BestArch, d.BestVal)
			}
			if !strings.HasSuffix(d.Journal, ".jsonl") || (m.Name == LAPT) != (d.Versions > 0) {
				t.Errorf("%s seed %d: journal %q, %d versions", m.Name, d.Seed, d.Journal, d.Versions)
			}
		}
	}
	var buf bytes.Buffer
	WriteDetails(&buf, append(rep.Methods[0].Details, RunDetail{Method: "broken", Seed: 9, BestVal: math.NaN(), BestTest: math.NaN(),
		Error: "training crashed\nstack trace"}))
	out := buf.String()
	if !strings.Contains(out, "best architecture") || !strings.Contains(out, "FAILED: training crashed") || strings.Contains(out, "stack trace") ||
		!strings.Contains(out, rep.Methods[0].Details[0].BestArch) {
		t.Errorf("details table:\n%s", out)
	}
	if s := rep.String(); !strings.Contains(s, "macro-train") {
		t.Errorf("report text:\n%s", s)
	}

	// A rerun replays every run from its journal: no evaluation is asked for.
	on2, evs2 := evalTarget(t, tgt, `{"epochs": 1, "lr": 0.1}`)
	cfg.On = on2
	again, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	evs2.Range(func(k, v any) bool {
		if n := v.(*synth.Evaluator).Calls(); n != 0 {
			t.Errorf("%s: %d evaluations on a rerun", k, n)
		}
		return true
	})
	for i, m := range again.Methods {
		if m.Details[0].BestArch != rep.Methods[i].Details[0].BestArch {
			t.Errorf("%s: rerun incumbent %s, first run %s", m.Name, m.Details[0].BestArch, rep.Methods[i].Details[0].BestArch)
		}
	}

	// Another recipe on the same journals is refused, naming the field.
	on3, _ := evalTarget(t, tgt, `{"epochs": 3, "lr": 0.1}`)
	cfg.On = on3
	_, err = Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "epochs: journal 1, now 3") {
		t.Errorf("changed recipe: %v", err)
	}
}

func TestRunDetailJSONKeepsNaN(t *testing.T) {
	d := RunDetail{Method: "rea-full", Seed: 3, Evaluations: 0, BestVal: math.NaN(), BestTest: math.NaN(), Error: "no usable trial"}
	b, err := json.Marshal(d)
	if err != nil || !strings.Contains(string(b), `"best_val":null`) {
		t.Fatalf("%s %v", b, err)
	}
	var back RunDetail
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(back.BestVal) || !math.IsNaN(back.BestTest) || back.Error != d.Error || back.Seed != 3 {
		t.Fatalf("%+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"best_val": "x"}`), &back); err == nil {
		t.Error("a string best_val was accepted")
	}
}

func TestCheckRecipe(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) *journal.Journal {
		j, err := journal.Open(dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		return j
	}
	// No recipe on either side.
	if r, err := CheckRecipe(open("none.jsonl"), nil); r != nil || err != nil {
		t.Errorf("no recipe: %s %v", r, err)
	}
	if _, err := CheckRecipe(open("bad.jsonl"), json.RawMessage(`{"epochs":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("invalid recipe: %v", err)
	}
	j := open("r.jsonl")
	rec := json.RawMessage(`{"epochs": 2, "data": {"name": "fmnist", "val": 256}}`)
	if r, err := CheckRecipe(j, rec); err != nil || string(r) != string(rec) {
		t.Fatalf("new journal: %s %v", r, err)
	}
	// A nil recipe adopts the journal's; the same one (other spacing) passes.
	if r, err := CheckRecipe(j, nil); err != nil || !json.Valid(r) || !strings.Contains(string(r), "fmnist") {
		t.Errorf("adopt: %s %v", r, err)
	}
	if _, err := CheckRecipe(j, json.RawMessage(`{"data":{"val":256,"name":"fmnist"},"epochs":2}`)); err != nil {
		t.Errorf("same recipe refused: %v", err)
	}
	_, err := CheckRecipe(j, json.RawMessage(`{"epochs": 2, "data": {"name": "cifar10"}, "lr": 0.5}`))
	for _, want := range []string{`data.name: journal "fmnist", now "cifar10"`, "data.val: journal 256, now (absent)", "lr: journal (absent), now 0.5"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("changed recipe: error lacks %q: %v", want, err)
		}
	}
	if _, err := CheckRecipe(j, json.RawMessage(`[1,2]`)); err == nil || !strings.Contains(err.Error(), "recipe: journal") {
		t.Errorf("recipe of another shape: %v", err)
	}
	if _, err := CheckRecipe(j, json.RawMessage(`{"x":`)); err == nil {
		t.Error("invalid recipe against a journal accepted")
	}
}

// A user-registered method runs next to the built-ins; bad registrations
// are refused.
func TestRegisterMethod(t *testing.T) {
	name := "synth-first-only"
	err := Register(name, MethodDef{
		Label: func(*Setup) string { return "the first sampled architecture, repeated" },
		Run: func(ctx context.Context, s *Setup, r *SeedRun) (*SeedResult, error) {
			st, err := search.New("random", s.Space, r.Seed, search.EvolutionConfig{})
			if err != nil {
				return nil, err
			}
			run, err := search.Execute(ctx, search.Config{Strategy: st, Evaluator: r.Evaluator, Budget: 3, Seed: r.Seed, Journal: r.Journal})
			return &SeedResult{Run: run}, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		def  MethodDef
	}{{name, MethodDef{Label: func(*Setup) string { return "" }, Run: func(context.Context, *Setup, *SeedRun) (*SeedResult, error) { return nil, nil }}},
		{"a b", MethodDef{}}, {"", MethodDef{}}, {"no-run", MethodDef{Label: func(*Setup) string { return "" }}}} {
		if err := Register(bad.name, bad.def); err == nil {
			t.Errorf("Register(%q) accepted", bad.name)
		}
	}
	ts, _ := synth.MacroTasks(1, 4)
	rep, err := Run(context.Background(), Config{Target: ts[0], Seeds: []uint64{1, 2}, Methods: []string{name}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Methods[0]; m.Label != "the first sampled architecture, repeated" || len(m.Runs) != 2 || m.SpaceSize != 1536 {
		t.Errorf("%+v", m)
	}
	if _, err := Run(context.Background(), Config{Target: ts[0], Seeds: []uint64{1}, Methods: []string{LAPT}}); err == nil ||
		!strings.Contains(err.Error(), "needs source tasks") {
		t.Errorf("lapt without sources: %v", err)
	}
	s := &Setup{Space: ts[0].Space, Schedule: transfer.Schedule{}.Complete(ts[0].Space)}
	if _, err := s.Learned(context.Background()); err == nil {
		t.Error("learned principles from no sources")
	}
}
