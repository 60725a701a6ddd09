package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/space"
)

// pool is a BatchEvaluator that scores a batch on `workers` goroutines,
// each candidate after a random delay, so results arrive in any order.
type pool struct {
	inner   eval.Evaluator
	batch   int
	workers int
	mu      sync.Mutex
	calls   []int // Request.Index of every evaluation
}

func (p *pool) BatchSize() int { return p.batch }
func (p *pool) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	r, err := p.EvaluateBatch(ctx, []eval.Request{{Index: 0, Arch: a}})
	if err != nil {
		return eval.Result{}, err
	}
	return r[0], nil
}
func (p *pool) EvaluateBatch(ctx context.Context, reqs []eval.Request) ([]eval.Result, error) {
	out := make([]eval.Result, len(reqs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < p.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
				out[i], _ = p.inner.Evaluate(ctx, reqs[i].Arch)
				p.mu.Lock()
				p.calls = append(p.calls, reqs[i].Index)
				p.mu.Unlock()
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, nil
}

func batchRun(t *testing.T, ev eval.Evaluator, j *journal.Journal) *Run {
	t.Helper()
	st, _ := New("rea", space.NB201(), 7, EvolutionConfig{Population: 10, Tournament: 3})
	r, err := Execute(context.Background(), Config{Strategy: st, Evaluator: ev, Budget: 60, Seed: 7, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d trials, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: trial %d differs:\n%s\n%s", what, i+1, got[i], want[i])
		}
	}
}

// TestBatchSizeOneIsSequential: a batch evaluator of size 1 reproduces the
// plain sequential run trial for trial.
func TestBatchSizeOneIsSequential(t *testing.T) {
	want := trialsJSON(batchRun(t, synth(0), nil))
	same(t, "batch 1", trialsJSON(batchRun(t, &pool{inner: synth(0), batch: 1, workers: 3}, nil)), want)
}

// TestBatchIndependentOfWorkers: for a fixed batch size the trials are the
// same for 1, 2 and 8 workers, results arriving in any order; each
// candidate is evaluated once and budget is spent exactly.
func TestBatchIndependentOfWorkers(t *testing.T) {
	var want []string
	for _, w := range []int{1, 2, 8} {
		p := &pool{inner: synth(0), batch: 4, workers: w}
		r := batchRun(t, p, nil)
		got := trialsJSON(r)
		if r.Evaluations() != 60 || len(p.calls) != 60 {
			t.Fatalf("%d workers: %d counted, %d evaluated", w, r.Evaluations(), len(p.calls))
		}
		if want == nil {
			want = got
			continue
		}
		same(t, fmt.Sprintf("%d workers", w), got, want)
	}
}

// TestBatchResume cuts the journal of a batched run anywhere (mid-batch
// included) and resumes: same trials, nothing evaluated twice.
func TestBatchResume(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.jsonl")
	j, _ := journal.Open(full)
	want := trialsJSON(batchRun(t, &pool{inner: synth(0), batch: 4, workers: 2}, j))
	j.Close()
	data, _ := os.ReadFile(full)
	for cut := 0; cut < len(data); cut += 1499 {
		p := filepath.Join(dir, fmt.Sprintf("cut%d.jsonl", cut))
		os.WriteFile(p, data[:cut], 0o644)
		j, err := journal.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		ev := &pool{inner: synth(0), batch: 4, workers: 2}
		got := trialsJSON(batchRun(t, ev, j))
		j.Close()
		same(t, fmt.Sprintf("cut %d", cut), got, want)
		seen := map[int]bool{}
		for _, i := range ev.calls {
			if seen[i] {
				t.Fatalf("cut %d: step %d evaluated twice", cut, i)
			}
			seen[i] = true
		}
	}
	// A journal of batch 4 is not resumed with batch 2.
	j, _ = journal.Open(full)
	defer j.Close()
	st, _ := New("rea", space.NB201(), 7, EvolutionConfig{Population: 10, Tournament: 3})
	if _, err := NewRun(Config{Strategy: st, Evaluator: &pool{inner: synth(0), batch: 2, workers: 1}, Budget: 60, Seed: 7, Journal: j}); err == nil {
		t.Fatal("batch size change accepted on resume")
	}
}
