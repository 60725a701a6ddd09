package transfer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// synthPair is a seeded synthetic NB201 source and target (no benchmark
// files needed).
func synthPair(t testing.TB) (src, tgt *tabular.Task) {
	t.Helper()
	ts, err := synth.NB201Tasks(2, 7)
	if err != nil {
		t.Fatal(err)
	}
	return ts[0], ts[1]
}

// reached counts the seeds whose validation curve reaches v.
func reached(outs []experiment.Outcome, v float64) int {
	n := 0
	for _, o := range outs {
		if experiment.EvalsToReach(o.Val, v) > 0 {
			n++
		}
	}
	return n
}

// TestTransferSynthetic is TestTransferImageNetToCIFAR on synthetic tables:
// principles learned once from the source cut the 15,625-cell space, the
// paper's NB201 schedule runs 20 seeds on the target, and LAPT reaches the
// target's top-0.1% in more seeds than regularized evolution in the full
// space with the same budget (measured: 20 of 20 against 1 of 20; neither
// finds the noisy synthetic optimum itself).
func TestTransferSynthetic(t *testing.T) {
	src, tgt := synthPair(t)
	ctx := context.Background()
	r := offline.New()
	evidence := []reason.Evidence{src.Evidence()}
	learned, err := Learn(ctx, r, tgt.Space, evidence, NB201Schedule())
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := principles.Refine(tgt.Space, learned.Set, principles.Reference{Name: "target optimum", Arch: tgt.Best})
	if err != nil {
		t.Fatal(err)
	}
	if rep.SizeAfter <= 0 || rep.SizeAfter >= 15625/10 {
		t.Fatalf("refined space %d of %d", rep.SizeAfter, rep.SizeBefore)
	}
	seeds, _ := experiment.ParseSeeds("0-19")
	lapt, err := experiment.RunSeeds(ctx, seeds, 2, func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
		res, err := Run(ctx, Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: r,
			Initial: &learned, Schedule: NB201Schedule(), Seed: seed, References: []principles.Reference{{Name: "optimum", Arch: tgt.Best}}})
		if err != nil {
			return experiment.Outcome{}, err
		}
		if len(res.Events) == 0 || res.Events[0].Trigger != "initial" || len(res.History.Versions) > len(res.Events) {
			t.Errorf("seed %d: %d events, %d versions", seed, len(res.Events), len(res.History.Versions))
		}
		if res.Run.Evaluations() != NB201Schedule().Budget {
			t.Errorf("seed %d: %d evaluations", seed, res.Run.Evaluations())
		}
		v, te := res.Run.Curve()
		return experiment.Outcome{Val: v, Test: te, Evaluations: res.Run.Evaluations()}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rea, err := experiment.RunSeeds(ctx, seeds, 2, func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
		st, err := search.NewEvolution(tgt.Space, seed, search.EvolutionConfig{Population: 5, Tournament: 2})
		if err != nil {
			return experiment.Outcome{}, err
		}
		run, err := search.Execute(ctx, search.Config{Strategy: st, Evaluator: tgt.Table, Budget: NB201Schedule().Budget, Seed: seed})
		if err != nil {
			return experiment.Outcome{}, err
		}
		v, te := run.Curve()
		return experiment.Outcome{Val: v, Test: te, Evaluations: run.Evaluations()}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lt, rt := reached(lapt, tgt.Threshold), reached(rea, tgt.Threshold)
	t.Logf("top-0.1%% reached: LAPT %d/20, full-space REA %d/20; optimum: LAPT %d, REA %d; refined space %d",
		lt, rt, reached(lapt, tgt.BestEntry.Val), reached(rea, tgt.BestEntry.Val), rep.SizeAfter)
	if lt <= rt || lt < 10 {
		t.Errorf("LAPT reached the top-0.1%% in %d of 20 seeds, full-space REA in %d", lt, rt)
	}
}

// TestTransferResumeSynthetic is TestTransferResumeFromJournal on synthetic
// tables: a journal cut anywhere resumes to the same run.
func TestTransferResumeSynthetic(t *testing.T) {
	src, tgt := synthPair(t)
	evidence := []reason.Evidence{src.Evidence()}
	cfg := func(j *journal.Journal) Config {
		return Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: offline.New(),
			Schedule: NB201Schedule(), Seed: 3, Journal: j}
	}
	_, full := checkResumeFromCuts(t, cfg, 9, func(want *Result) {
		if len(want.History.Versions) < 2 {
			t.Fatalf("no adaptation in the run to resume (%d versions)", len(want.History.Versions))
		}
	})
	// The journal belongs to this run: another seed is refused.
	j, _ := journal.Open(full)
	defer j.Close()
	other := cfg(j)
	other.Seed = 4
	if _, err := Run(context.Background(), other); err == nil {
		t.Error("a journal of seed 3 resumed seed 4")
	}
}

// TestTransferMacroSpaceWithFaults runs the loop on a user-defined macro
// space (plain decisions, no cell) through the shared fake evaluator, which
// fails every seventh evaluation as a crashed training would: failures are
// recorded and the run finishes its budget; the learned principles cut the
// 1,536 architectures; adaptation happens on decisions, not cell edges.
func TestTransferMacroSpaceWithFaults(t *testing.T) {
	ts, err := synth.MacroTasks(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	src, tgt := ts[0], ts[1]
	ev := &synth.Evaluator{Task: tgt, Seconds: 30, Fault: func(n int, _ space.Arch) eval.Status {
		if n%7 == 0 {
			return eval.Failed
		}
		return eval.OK
	}}
	sch := Schedule{TopK: 30, MaxOpsPerEdge: 2, Population: 5, Tournament: 2, Budget: 30, Warmup: 5, AdaptEvery: 5, AdaptTopK: 5}
	res, err := Run(context.Background(), Config{Space: tgt.Space, Sources: []reason.Evidence{src.Evidence()}, Target: ev,
		Reasoner: offline.New(), Schedule: sch, Seed: 1, References: []principles.Reference{{Name: "optimum", Arch: tgt.Best}}})
	if err != nil {
		t.Fatal(err)
	}
	failed, spent := 0, 0.0
	for _, tr := range res.Run.Trials() {
		if tr.Result.Status == eval.Failed && !tr.Cached {
			failed++
			if !strings.Contains(tr.Result.Err, "injected failed") {
				t.Errorf("failure without its reason: %+v", tr.Result)
			}
		}
		if !tr.Cached {
			spent += tr.Result.Cost.Seconds
		}
	}
	if failed != ev.Calls()/7 || res.Run.Evaluations() != sch.Budget || ev.Calls() < sch.Budget {
		t.Errorf("%d failed trials, %d evaluations counted, %d calls", failed, res.Run.Evaluations(), ev.Calls())
	}
	if spent != 30*float64(ev.Calls()) {
		t.Errorf("cost %.0f s for %d calls", spent, ev.Calls())
	}
	first := res.Events[0]
	if first.Trigger != "learn" || first.Report.SizeAfter >= 1536 || first.Report.SizeAfter < 1 {
		t.Fatalf("first event %s: space %d of %d", first.Trigger, first.Report.SizeAfter, first.Report.SizeBefore)
	}
	if len(res.Events) < 2 {
		t.Errorf("no adaptation in %d evaluations", res.Run.Evaluations())
	}
	inc, ok := res.Run.Incumbent()
	if !ok || !inc.Result.Usable() || !strings.Contains(inc.Text, ",w") {
		t.Errorf("incumbent %+v", inc)
	}
	t.Logf("macro: %d failed of %d calls, %d versions, space %d of 1536, incumbent %s %.2f (optimum %.2f)",
		failed, ev.Calls(), len(res.History.Versions), first.Report.SizeAfter, inc.Text, inc.Result.Metrics.Val, tgt.BestEntry.Val)
}

// checkResumeFromCuts runs cfg once with a journal, then cuts that journal
// at pieces+1 points and checks that each cut resumes to the same run: the
// same principle history and the same trials. check (optional) vets the
// full run first. It returns the full run and its journal's path.
func checkResumeFromCuts(t *testing.T, cfg func(*journal.Journal) Config, pieces int, check func(*Result)) (*Result, string) {
	t.Helper()
	dir := t.TempDir()
	full := filepath.Join(dir, "full.jsonl")
	j, err := journal.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(context.Background(), cfg(j))
	j.Close()
	if err != nil {
		t.Fatal(err)
	}
	if check != nil {
		check(want)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	wantHist, _ := json.Marshal(want.History)
	for cut := 0; cut < len(data); cut += len(data)/pieces + 1 {
		p := filepath.Join(dir, "cut.jsonl")
		if err := os.WriteFile(p, data[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := journal.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Run(context.Background(), cfg(j))
		j.Close()
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if b, _ := json.Marshal(got.History); string(b) != string(wantHist) || len(got.Run.Trials()) != len(want.Run.Trials()) {
			t.Fatalf("cut %d: resumed run differs", cut)
		}
		for i, tr := range got.Run.Trials() {
			if tr.Arch != want.Run.Trials()[i].Arch || tr.Counted != want.Run.Trials()[i].Counted {
				t.Fatalf("cut %d: trial %d differs", cut, i+1)
			}
		}
	}
	return want, full
}
