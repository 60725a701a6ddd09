// Package synth builds seeded synthetic benchmark tasks and the fake
// evaluator shared by tests that must run without the benchmark files.
//
// A task's validation score is a sum of per-decision op weights — a part
// shared by all tasks of one seed plus a task-specific part — and noise, so
// a source carries real but imperfect signal about a target, as on the real
// benchmarks. [NB201Tasks] covers the whole NAS-Bench-201 cell space;
// [MacroTasks] a user-defined macro space of per-stage choices
// ([MacroSpace]), the shape of a user's own benchmark. [Evaluator] answers
// from a task's table like a training run would: a cost per call, a call
// count, and failures on request.
package synth

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// MaxArchs is the largest space Tasks tabulates.
const MaxArchs = 20000

// Tasks returns n synthetic tasks over every architecture of sp (at most
// MaxArchs), named synth0, synth1, ...; the same space and seed give the
// same tables. Validation scores are 80 plus the weights plus noise; test
// scores add a little more noise.
func Tasks(sp *space.Space, n int, seed uint64) ([]*tabular.Task, error) {
	return TasksRelated(sp, n, seed, 0.6)
}

// TasksRelated is Tasks with the scale of each task's own weights against
// the shared ones (scale 1) given: 0 makes tasks that differ by noise only,
// 0.6 is Tasks, and beyond about 2 a source says little about a target.
// A negative own is taken as 0.
func TasksRelated(sp *space.Space, n int, seed uint64, own float64) ([]*tabular.Task, error) {
	if sp == nil {
		return nil, fmt.Errorf("synth: nil space")
	}
	if n < 1 {
		return nil, fmt.Errorf("synth: %d tasks; need at least 1", n)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	nOps := len(sp.Ops())
	weights := func(scale float64) [][]float64 {
		w := make([][]float64, sp.NumEdges())
		for e := range w {
			w[e] = make([]float64, nOps)
			for op := range w[e] {
				w[e][op] = scale * r.NormFloat64()
			}
		}
		return w
	}
	shared := weights(1)
	archs, err := sp.All(MaxArchs)
	if err != nil {
		return nil, fmt.Errorf("synth: space %s: %w", sp.Name(), err)
	}
	var out []*tabular.Task
	for k := 0; k < n; k++ {
		mine := weights(max(own, 0))
		entries := make([]bench.Entry, 0, len(archs))
		for i, a := range archs {
			s := 0.0
			for e := 0; e < sp.NumEdges(); e++ {
				s += shared[e][a.Op(e)] + mine[e][a.Op(e)]
			}
			s += 0.3 * r.NormFloat64()
			entries = append(entries, bench.Entry{Arch: sp.Format(a), Index: i, Val: 80 + s, Test: 80 + s + 0.1*r.NormFloat64(), HasVal: true, HasTest: true})
		}
		tb, err := bench.NewTable(sp.Name(), fmt.Sprintf("synth%d", k), 200, "synthetic", entries)
		if err != nil {
			return nil, err
		}
		task, err := tabular.FromTable(sp, tb)
		if err != nil {
			return nil, err
		}
		out = append(out, task)
	}
	return out, nil
}

// NB201Tasks returns n synthetic tasks over the whole NB201 space (15,625
// architectures); see Tasks.
func NB201Tasks(n int, seed uint64) ([]*tabular.Task, error) {
	return Tasks(space.NB201(), n, seed)
}

// MacroSpace is a user-defined macro space of plain decisions (no cell):
// a stem, four stages of one block type each, and a width multiplier —
// 2 x 4^4 x 3 = 1,536 architectures, written like "conv3x3,mbconv3,...".
func MacroSpace() *space.Space {
	block := []string{"mbconv3", "mbconv5", "conv3x3", "skip"}
	sp, err := space.Define("synth-macro", []space.EdgeSpec{
		space.Choice("stem", "conv3x3", "conv5x5"),
		space.Choice("stage1", block...),
		space.Choice("stage2", block...),
		space.Choice("stage3", block...),
		space.Choice("stage4", block...),
		space.Choice("width", "w0.5", "w1.0", "w1.5"),
	}, space.About("A synthetic macro space: a stem, four stages of one block type each, a width multiplier."),
		space.OpDoc("mbconv3", "inverted residual block, 3x3 depthwise"),
		space.OpDoc("mbconv5", "inverted residual block, 5x5 depthwise"),
		space.OpDoc("skip", "the stage is an identity"))
	if err != nil {
		panic(err) // a constant definition: covered by the package's tests
	}
	return sp
}

// MacroTasks returns n synthetic tasks over MacroSpace; see Tasks.
func MacroTasks(n int, seed uint64) ([]*tabular.Task, error) {
	return Tasks(MacroSpace(), n, seed)
}

// Evaluator is the fake evaluator shared by tests: it answers from Task's
// table as a training run would answer (the table's validation and test
// scores, Seconds of cost per call), counts calls, and fails where Fault
// says. It is safe for concurrent use.
type Evaluator struct {
	// Task gives the scores.
	Task *tabular.Task
	// Seconds is the cost reported per evaluation.
	Seconds float64
	// Fault, when set, is asked before each evaluation with the call number
	// (1-based) and the architecture: a status other than eval.OK (or "")
	// ends that evaluation with it, as a crashed or diverged training would.
	Fault func(call int, a space.Arch) eval.Status

	mu    sync.Mutex
	calls int
}

// Evaluate scores a from the task's table. It returns an error only when ctx
// is done.
func (e *Evaluator) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	if err := ctx.Err(); err != nil {
		return eval.Result{}, err
	}
	e.mu.Lock()
	e.calls++
	n := e.calls
	e.mu.Unlock()
	if e.Fault != nil {
		if st := e.Fault(n, a); st != "" && st != eval.OK {
			return eval.Result{Status: st, Metrics: eval.Metrics{Val: math.NaN(), Test: math.NaN()}, Cost: eval.Cost{Seconds: e.Seconds}, Err: fmt.Sprintf("synth: call %d: injected %s", n, st)}, nil
		}
	}
	r, err := e.Task.Table.Evaluate(ctx, a)
	if err != nil {
		return r, err
	}
	r.Cost.Seconds = e.Seconds
	return r, nil
}

// Calls returns how many evaluations were asked for.
func (e *Evaluator) Calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls
}
