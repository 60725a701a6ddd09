package executor

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
)

// SpecFunc builds the task of one proposal: id is the trial's name, index
// its step in the run (from 1).
type SpecFunc func(id string, index int, a space.Arch) (Task, error)

// Evaluator is an [eval.BatchEvaluator] that runs trials on an [Executor].
// Trials are named Prefix-tNNNN by their step, so a resumed search asks for
// the same names and finished ones are read back instead of trained again.
type Evaluator struct {
	// Exec runs the tasks.
	Exec Executor
	// Batch is the number of candidates proposed together (default 1: the
	// sequential search; results depend on it, never on the workers).
	Batch int
	// Prefix names the run's trials (e.g. "lapt-s0003"); unique per run.
	Prefix string
	// Spec builds each task.
	Spec SpecFunc
}

var _ eval.BatchEvaluator = (*Evaluator)(nil)

// BatchSize implements eval.BatchEvaluator.
func (e *Evaluator) BatchSize() int { return max(e.Batch, 1) }

// TaskID is the name of trial index of the run prefix.
func TaskID(prefix string, index int) string { return fmt.Sprintf("%s-t%04d", prefix, index) }

// Evaluate runs one candidate as a batch of one (its index is unknown: the
// name is derived from its content through Spec's hash).
func (e *Evaluator) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	res, err := e.EvaluateBatch(ctx, []eval.Request{{Index: 0, Arch: a}})
	if err != nil {
		return eval.Result{}, err
	}
	return res[0], nil
}

// EvaluateBatch implements eval.BatchEvaluator.
func (e *Evaluator) EvaluateBatch(ctx context.Context, reqs []eval.Request) ([]eval.Result, error) {
	if e.Exec == nil || e.Spec == nil {
		return nil, fmt.Errorf("executor: Evaluator needs an executor and a spec function")
	}
	tasks := make([]Task, len(reqs))
	for i, q := range reqs {
		id := TaskID(e.Prefix, q.Index)
		t, err := e.Spec(id, q.Index, q.Arch)
		if err != nil {
			return nil, err
		}
		if q.Index == 0 {
			t.ID = fmt.Sprintf("%s-h%s", e.Prefix, t.Hash)
		}
		tasks[i] = t
	}
	return e.Exec.Run(ctx, tasks)
}
