package transfer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// synthFidelity is an NB201 table at a fidelity whose score is offset plus
// the number of edges carrying op want[e] (weighted by edge).
func synthFidelity(t testing.TB, fid int, want []int, offset float64) *eval.Table {
	t.Helper()
	sp := space.NB201()
	var entries []bench.Entry
	i := 0
	sp.Enumerate(func(a space.Arch) bool {
		s := offset
		for e, op := range want {
			if a.Op(e) == op {
				s += 1 + 0.01*float64(e)
			}
		}
		entries = append(entries, bench.Entry{Arch: sp.Format(a), Index: i, Val: s, Test: s + 0.5, HasVal: true, HasTest: true})
		i++
		return true
	})
	tb, err := bench.NewTable("nb201", "synth", fid, "synthetic", entries)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.NewTable(sp, tb)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// recorder wraps a reasoner and keeps every adaptation request.
type recorder struct {
	reason.Reasoner
	adapts []reason.AdaptRequest
}

func (r *recorder) Adapt(ctx context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	r.adapts = append(r.adapts, req)
	return r.Reasoner.Adapt(ctx, req)
}

// counting counts the evaluations a FidelityEvaluator makes and fails
// (stopping the run) after failAfter of them when failAfter > 0.
type counting struct {
	Fidelities
	calls     int
	failAfter int
}

var errStop = errors.New("stopped")

func (c *counting) EvaluateAt(ctx context.Context, a space.Arch, fid, from int) (eval.Result, error) {
	if c.failAfter > 0 && c.calls >= c.failAfter {
		return eval.Result{}, errStop
	}
	c.calls++
	return c.Fidelities.EvaluateAt(ctx, a, fid, from)
}

// twoFidelities: at 12 epochs the best op on edge 2 is nor_conv_3x3 (3),
// at 200 epochs nor_conv_1x1 (2); 12-epoch scores lie in [0, 7),
// 200-epoch ones in [100, 107), so a leak is visible in every score.
func twoFidelities(t testing.TB) Fidelities {
	return Fidelities{
		12:  synthFidelity(t, 12, []int{3, 3, 3, 1, 3, 3}, 0),
		200: synthFidelity(t, 200, []int{3, 3, 2, 1, 3, 3}, 100),
	}
}

var synthInit = reason.Outcome{Set: principles.Set{Allowed: [][]int{{3, 2}, {3, 1}, {3, 2}, {1, 2}, {2, 3}, {3, 4}},
	Preference: [][]int{{3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}, {1, 2, 3, 0, 4}, {3, 2, 1, 0, 4}, {3, 2, 1, 0, 4}},
	Statements: []string{"test principles"}}}

func synthConfig(tgt FidelityEvaluator, r reason.Reasoner, seed uint64, sync bool) Config {
	return Config{Space: space.NB201(), Target: tgt, Reasoner: r, Initial: &synthInit, Seed: seed,
		Schedule: Schedule{Budget: 40, Population: 4, Tournament: 2, Warmup: 2, AdaptEvery: 4, AdaptTopK: 4, MaxOpsPerEdge: 2, ExhaustAfter: 30},
		Fidelity: &Fidelity{Rungs: []int{12, 200}, Eta: 3, Synchronous: sync}}
}

// TestFidelityAdaptationSeesOnlyToldFidelity: under successive halving and
// ASHA over synthetic 12/200-epoch tables, every adaptation request holds
// 12-epoch results only (each score equals the 12-epoch table's), every
// event after the first names 12 epochs, promoted jobs continue from 12
// epochs, and the budget counts paid jobs.
func TestFidelityAdaptationSeesOnlyToldFidelity(t *testing.T) {
	tables := twoFidelities(t)
	for _, sync := range []bool{true, false} {
		for seed := uint64(0); seed < 5; seed++ {
			rec := &recorder{Reasoner: offline.New()}
			cfg := synthConfig(tables, rec, seed, sync)
			jobs := 0
			cfg.Hooks.OnJob.Add("count", 0, func(FidelityTrial) error { jobs++; return nil })
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			fr := res.Fidelity
			if jobs != len(fr.Trials) {
				t.Errorf("OnJob called %d times for %d jobs", jobs, len(fr.Trials))
			}
			if fr == nil || fr.ToldFidelity != 12 || res.Run != nil {
				t.Fatalf("sync=%v seed %d: fidelity run %+v", sync, seed, fr)
			}
			if want := map[bool]string{true: "sh(", false: "asha("}[sync]; !strings.HasPrefix(fr.Scheduler, want) {
				t.Errorf("scheduler %q", fr.Scheduler)
			}
			if len(rec.adapts) == 0 {
				t.Fatalf("sync=%v seed %d: no adaptation", sync, seed)
			}
			for _, req := range rec.adapts {
				for _, f := range req.Found {
					r, _ := tables[12].Evaluate(context.Background(), f.Arch)
					if f.Score >= 100 || f.Score != r.Metrics.Val {
						t.Fatalf("sync=%v seed %d: the reasoner saw %s scored %g, its 12-epoch score is %g", sync, seed, f.Text, f.Score, r.Metrics.Val)
					}
				}
			}
			for i, ev := range res.Events {
				if i > 0 && ev.Fidelity != 12 {
					t.Errorf("event %d (%s) names fidelity %d", i, ev.Trigger, ev.Fidelity)
				}
			}
			paid, promoted, top := 0, 0, 0
			for _, tr := range fr.Trials {
				if tr.Counted {
					paid++
				}
				if tr.Result.Metrics.Fidelity != tr.Job.Fidelity {
					t.Fatalf("trial %+v: result at fidelity %d", tr.Job, tr.Result.Metrics.Fidelity)
				}
				if tr.Job.Rung == 1 {
					promoted++
					if tr.Job.From != 12 || tr.Job.Fidelity != 200 || tr.Result.Metrics.Val < 100 {
						t.Fatalf("promotion %+v -> %g", tr.Job, tr.Result.Metrics.Val)
					}
					if !tr.Cached {
						top++
					}
				}
			}
			if paid != 40 || promoted == 0 {
				t.Fatalf("sync=%v seed %d: %d paid jobs (budget 40), %d promotions", sync, seed, paid, promoted)
			}
			if fr.Epochs > 12*(paid-top)+188*top || fr.Epochs < 12 {
				t.Fatalf("epochs %d for %d paid jobs, %d at the top", fr.Epochs, paid, top)
			}
			if b, ok := fr.Best(); !ok || b.Job.Fidelity != 200 {
				t.Fatalf("best %+v", b)
			}
		}
	}
}

// TestFidelityResumeContinuesExactly: a run stopped after some paid jobs
// resumes from its journal (the jobs' fidelities recorded) and ends exactly
// like an uninterrupted run, evaluating each job once and asking the
// reasoner nothing twice; another fidelity configuration is refused.
func TestFidelityResumeContinuesExactly(t *testing.T) {
	tables := twoFidelities(t)
	for _, stopAt := range []int{3, 11, 25} {
		whole := &counting{Fidelities: tables}
		wrec := &recorder{Reasoner: offline.New()}
		want, err := Run(context.Background(), synthConfig(whole, wrec, 7, true))
		if err != nil {
			t.Fatal(err)
		}
		path := t.TempDir() + "/mf.jsonl"
		j, err := journal.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		first := &counting{Fidelities: tables, failAfter: stopAt}
		rec := &recorder{Reasoner: offline.New()}
		cfg := synthConfig(first, rec, 7, true)
		cfg.Journal = j
		if _, err := Run(context.Background(), cfg); !errors.Is(err, errStop) {
			t.Fatalf("stop at %d: %v", stopAt, err)
		}
		j.Close()
		j2, err := journal.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		second := &counting{Fidelities: tables}
		cfg = synthConfig(second, rec, 7, true)
		cfg.Journal = j2
		got, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if first.calls+second.calls != whole.calls {
			t.Errorf("stop at %d: %d + %d evaluations, the whole run made %d", stopAt, first.calls, second.calls, whole.calls)
		}
		if len(rec.adapts) != len(wrec.adapts) {
			t.Errorf("stop at %d: %d adaptation requests, the whole run made %d", stopAt, len(rec.adapts), len(wrec.adapts))
		}
		if a, b := trialsText(got.Fidelity), trialsText(want.Fidelity); a != b {
			t.Errorf("stop at %d: resumed jobs differ:\n%s\nwant\n%s", stopAt, a, b)
		}
		if fmt.Sprint(got.History.Versions) != fmt.Sprint(want.History.Versions) || got.Fidelity.Epochs != want.Fidelity.Epochs {
			t.Errorf("stop at %d: resumed principles or epochs differ", stopAt)
		}
		// The same journal under ASHA belongs to another run.
		cfg.Fidelity = &Fidelity{Rungs: []int{12, 200}, Eta: 3}
		if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "another run") {
			t.Errorf("a journal of another fidelity configuration was accepted: %v", err)
		}
		j2.Close()
	}
}

func trialsText(f *FidelityRun) string {
	var b strings.Builder
	for _, t := range f.Trials {
		fmt.Fprintf(&b, "%d %s r%d %d<-%d %g cached=%v n=%d\n", t.Job.ID, t.Text, t.Job.Rung, t.Job.Fidelity, t.Job.From, t.Result.Metrics.Val, t.Cached, t.N)
	}
	return b.String()
}

func TestFidelityConfigErrors(t *testing.T) {
	tables := twoFidelities(t)
	cfg := synthConfig(tables, offline.New(), 0, true)
	cfg.Target = tables[200]
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "FidelityEvaluator") {
		t.Errorf("a single-fidelity target was accepted: %v", err)
	}
	for _, f := range []Fidelity{{}, {Rungs: []int{200, 12}}, {Rungs: []int{12, 200}, Eta: 1}, {Rungs: []int{12, 200}, TellRung: 2}} {
		cfg := synthConfig(tables, offline.New(), 0, true)
		cfg.Fidelity = &f
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("fidelity %+v accepted", f)
		}
	}
	cfg = synthConfig(tables, offline.New(), 0, true)
	cfg.Schedule.FullSpaceAfter = 5
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "FullSpaceAfter") {
		t.Errorf("a hedged multi-fidelity run: %v", err)
	}
	cfg = synthConfig(Fidelities{12: tables[12]}, offline.New(), 0, true)
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "no evaluator for fidelity 200") {
		t.Errorf("a missing fidelity: %v", err)
	}
}

// TestFidelityNB201 runs LAPT with adaptation under successive halving on
// NB201 CIFAR-10's 12- and 200-epoch tables (principles learned offline
// from ImageNet16-120): the reasoner sees 12-epoch validation scores only.
func TestFidelityNB201(t *testing.T) {
	dir := datatest.Dir(t)
	open := func(task string, fid int) *tabular.Task {
		tk, err := tabular.Open(dir, "nb201", task, fid)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	src, t12, t200 := open("imagenet16-120", 200), open("cifar10", 12), open("cifar10", 200)
	evidence := []reason.Evidence{src.Evidence()}
	sch := NB201Schedule()
	sch.Budget = 30
	learned, err := Learn(context.Background(), offline.New(), t200.Space, evidence, sch)
	if err != nil {
		t.Fatal(err)
	}
	tables := Fidelities{12: t12.Table, 200: t200.Table}
	var tests []float64
	for seed := uint64(0); seed < 10; seed++ {
		rec := &recorder{Reasoner: offline.New()}
		res, err := Run(context.Background(), Config{Space: t200.Space, Sources: evidence, Target: tables, Reasoner: rec, Initial: &learned,
			Schedule: sch, Seed: seed, Fidelity: &Fidelity{Rungs: []int{12, 200}, Eta: 3, Synchronous: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range rec.adapts {
			for _, f := range req.Found {
				e, _ := t12.Table.Lookup(f.Arch)
				if f.Score != e.Val {
					t.Fatalf("seed %d: the reasoner saw %s at %g, its 12-epoch validation is %g", seed, f.Text, f.Score, e.Val)
				}
			}
		}
		b, ok := res.Fidelity.Best()
		if !ok || b.Job.Fidelity != 200 || math.IsNaN(b.Result.Metrics.Test) {
			t.Fatalf("seed %d: best %+v", seed, b)
		}
		tests = append(tests, b.Result.Metrics.Test)
	}
	t.Logf("LAPT + SH(12,200) with adaptation, 30 paid jobs, 10 seeds: best-by-200-epoch-val test accuracy %v", tests)
}
