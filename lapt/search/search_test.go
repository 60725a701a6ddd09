package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/space"
)

// synth scores an NB201 cell deterministically: conv3x3 is good, none is bad.
func synth(delay time.Duration) eval.Evaluator {
	w := []float64{0, 1, 2, 3, 0.5}
	return eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		if delay > 0 {
			time.Sleep(delay)
		}
		v := 0.0
		for i := 0; i < a.Len(); i++ {
			v += w[a.Op(i)] * float64(i+1)
		}
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: v, Test: v + 1}}, nil
	})
}

func runOnce(t *testing.T, strat string, seed uint64, budget int, dedup Dedup, j *journal.Journal) *Run {
	t.Helper()
	st, err := New(strat, space.NB201(), seed, EvolutionConfig{Population: 10, Tournament: 3})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Execute(context.Background(), Config{Strategy: st, Evaluator: synth(0), Budget: budget, Seed: seed, Dedup: dedup, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStrategiesFindOptimum(t *testing.T) {
	for _, s := range []string{"random", "rea", "local"} {
		best := 0.0
		for seed := uint64(0); seed < 20; seed++ {
			r := runOnce(t, s, seed, 300, DedupCanonical, nil)
			inc, _ := r.Incumbent()
			best += inc.Result.Metrics.Val
			if r.Evaluations() != 300 {
				t.Fatalf("%s: %d evaluations", s, r.Evaluations())
			}
		}
		t.Logf("%s mean best %.2f (optimum 63)", s, best/20)
		if s != "random" && best/20 < 55 {
			t.Errorf("%s: mean best %.2f too low", s, best/20)
		}
	}
}

func TestDeterministicAndDedup(t *testing.T) {
	a := runOnce(t, "rea", 7, 50, DedupExact, nil)
	b := runOnce(t, "rea", 7, 50, DedupExact, nil)
	if len(a.Trials()) != len(b.Trials()) {
		t.Fatal("not deterministic")
	}
	seen := map[space.Arch]bool{}
	for i := range a.Trials() {
		if a.Trials()[i].Arch != b.Trials()[i].Arch {
			t.Fatal("not deterministic")
		}
		ta := a.Trials()[i]
		if ta.Counted == seen[ta.Arch] {
			t.Fatalf("trial %d: counted=%v but seen=%v", ta.Step, ta.Counted, seen[ta.Arch])
		}
		seen[ta.Arch] = true
	}
	c := runOnce(t, "rea", 7, 50, DedupCount, nil)
	if len(c.Trials()) != 50 {
		t.Fatalf("count mode: %d trials for budget 50", len(c.Trials()))
	}
}

func TestTinySpaceExhaustsWithoutHanging(t *testing.T) {
	sub, _ := space.NB201().Restrict([][]int{{3}, {3}, {3}, {1}, {3}, {1, 3}})
	for _, name := range []string{"random", "rea", "local"} {
		st, _ := New(name, sub, 1, EvolutionConfig{Population: 5, Tournament: 2})
		r, err := Execute(context.Background(), Config{Strategy: st, Evaluator: synth(0), Budget: 20})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(r.Err(), ErrExhausted) || r.Evaluations() != 2 {
			t.Fatalf("%s: err=%v evals=%d", name, r.Err(), r.Evaluations())
		}
		v, _ := r.Curve()
		if len(v) != 20 || v[19] != v[1] {
			t.Fatalf("curve %v", v)
		}
	}
}

func trialsJSON(r *Run) []string {
	var out []string
	for _, t := range r.Trials() {
		t.Time = time.Time{}
		b, _ := json.Marshal(t)
		out = append(out, string(b))
	}
	return out
}

// TestResumeFromEveryTruncation cuts a finished journal at many byte offsets
// (a kill at any moment) and checks that resuming yields the same trials.
func TestResumeFromEveryTruncation(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.jsonl")
	j, _ := journal.Open(full)
	want := trialsJSON(runOnce(t, "rea", 3, 30, DedupCanonical, j))
	j.Close()
	data, _ := os.ReadFile(full)
	for cut := 0; cut < len(data); cut += 97 {
		p := filepath.Join(dir, fmt.Sprintf("cut%d.jsonl", cut))
		os.WriteFile(p, data[:cut], 0o644)
		j, err := journal.Open(p)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		got := trialsJSON(runOnce(t, "rea", 3, 30, DedupCanonical, j))
		j.Close()
		if len(got) != len(want) {
			t.Fatalf("cut %d: %d trials, want %d", cut, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("cut %d: trial %d differs:\n%s\n%s", cut, i+1, got[i], want[i])
			}
		}
		// The journal now holds exactly the full run.
		j2, _ := journal.Open(p)
		if n := len(j2.Kind("trial")); n != len(want) {
			t.Fatalf("cut %d: journal has %d trials", cut, n)
		}
		j2.Close()
	}
}

func TestJournalOfAnotherRunRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := journal.Open(p)
	runOnce(t, "rea", 3, 10, DedupCanonical, j)
	j.Close()
	j, _ = journal.Open(p)
	defer j.Close()
	st, _ := New("rea", space.NB201(), 4, EvolutionConfig{})
	if _, err := NewRun(Config{Strategy: st, Evaluator: synth(0), Budget: 10, Seed: 4, Journal: j}); err == nil {
		t.Fatal("journal of seed 3 accepted for seed 4")
	}
}

// TestKillMinus9 runs the search in a child process, kills it with SIGKILL
// mid-run, resumes here, and compares with an uninterrupted run.
func TestKillMinus9(t *testing.T) {
	if os.Getenv("NASNB_KILL_CHILD") != "" {
		return
	}
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	want := trialsJSON(runOnce(t, "rea", 11, 40, DedupCanonical, nil))
	dir := t.TempDir()
	for round, delay := range []time.Duration{150 * time.Millisecond, 300 * time.Millisecond, 450 * time.Millisecond} {
		p := filepath.Join(dir, strconv.Itoa(round)+".jsonl")
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$")
		cmd.Env = append(os.Environ(), "NASNB_KILL_CHILD="+p)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		j, err := journal.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		before := len(j.Kind("trial"))
		got := trialsJSON(runOnce(t, "rea", 11, 40, DedupCanonical, j))
		j.Close()
		t.Logf("killed after %v: %d trials journaled, resumed to %d", delay, before, len(got))
		if len(got) != len(want) {
			t.Fatalf("%d trials, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("trial %d differs", i+1)
			}
		}
	}
}

// TestKillChild is the child of TestKillMinus9: a slow run into a journal.
func TestKillChild(t *testing.T) {
	p := os.Getenv("NASNB_KILL_CHILD")
	if p == "" {
		t.Skip("helper process")
	}
	j, err := journal.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := New("rea", space.NB201(), 11, EvolutionConfig{Population: 10, Tournament: 3})
	Execute(context.Background(), Config{Strategy: st, Evaluator: synth(10 * time.Millisecond), Budget: 40, Seed: 11, Journal: j})
}

func TestCurveAndIncumbent(t *testing.T) {
	r := runOnce(t, "random", 5, 25, DedupCanonical, nil)
	v, te := r.Curve()
	for i := 1; i < len(v); i++ {
		if v[i] < v[i-1] || math.IsNaN(v[i]) {
			t.Fatalf("curve not monotone: %v", v)
		}
	}
	inc, _ := r.Incumbent()
	if v[len(v)-1] != inc.Result.Metrics.Val || te[len(te)-1] != inc.Result.Metrics.Test {
		t.Fatal("curve end != incumbent")
	}
}

func TestBadConfig(t *testing.T) {
	if _, err := NewRun(Config{}); err == nil {
		t.Fatal("empty config accepted")
	}
	if _, err := NewEvolution(space.NB201(), 1, EvolutionConfig{Population: 2, Tournament: 3}); err == nil {
		t.Fatal("tournament > population accepted")
	}
	if _, err := New("nope", space.NB201(), 1, EvolutionConfig{}); err == nil {
		t.Fatal("unknown strategy accepted")
	}
}

func TestEquivalentFreeCounted(t *testing.T) {
	sp, err := space.ParseFile("m.yaml", []byte("name: m\ndecisions:\n  - {name: a, choices: [id, c, d]}\n  - {name: b, choices: [id, c, d]}\n  - {name: w, choices: [x, y]}\nkey_format: digits\nequivalence:\n  - collapse: [a, b]\n    op: id\n"))
	if err != nil {
		t.Fatal(err)
	}
	calls := map[space.Arch]int{}
	ev := eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		calls[a]++
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: float64(a.Op(0) + a.Op(1)), Test: 0}}, nil
	})
	st, _ := New("random", sp, 3, EvolutionConfig{})
	r, err := Execute(context.Background(), Config{Strategy: st, Evaluator: ev, Budget: 14, MaxFree: 200})
	if err != nil {
		t.Fatal(err)
	}
	// 18 archs, 14 classes: the budget of 14 covers every class, and every
	// equivalent key proposed was answered for free.
	equiv, exact := 0, map[space.Arch]bool{}
	for _, tr := range r.Trials() {
		if tr.Cached && !exact[tr.Arch] {
			equiv++
		}
		exact[tr.Arch] = true
	}
	if r.EquivalentFree() != equiv || equiv == 0 || len(calls) != 14 {
		t.Fatalf("equivalent free %d (trials say %d), %d archs evaluated", r.EquivalentFree(), equiv, len(calls))
	}
	for a := range calls {
		if sp.Canonical(a) != a && calls[sp.Canonical(a)] > 0 {
			t.Fatalf("%s and its equivalent %s both evaluated", sp.Format(a), sp.Format(sp.Canonical(a)))
		}
	}
}

func TestJournalRefusesOtherEquivalence(t *testing.T) {
	src := "name: m\ndecisions:\n  - {name: a, choices: [id, c, d]}\n  - {name: b, choices: [id, c, d]}\nkey_format: digits\n"
	plain, err := space.ParseFile("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ruled, err := space.ParseFile("m.yaml", []byte(src+"equivalence:\n  - {collapse: [a, b], op: id}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ev := eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: float64(a.Op(0)), Test: 0}}, nil
	})
	p := filepath.Join(t.TempDir(), "j.jsonl")
	for i, sp := range []*space.Space{ruled, plain} {
		j, err := journal.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := New("random", sp, 1, EvolutionConfig{})
		_, err = NewRun(Config{Strategy: st, Evaluator: ev, Budget: 3, Journal: j})
		j.Close()
		if i == 0 && err != nil {
			t.Fatal(err)
		}
		if i == 1 && (err == nil || !strings.Contains(err.Error(), "belongs to another run")) {
			t.Fatalf("journal of the ruled space resumed without the rules: %v", err)
		}
	}
}
