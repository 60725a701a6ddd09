package train

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
)

// EvaluateAt trains a for fidelity epochs, which makes the Evaluator a
// transfer.FidelityEvaluator (multi-fidelity LAPT with real training). When
// from > 0 the candidate continues from the checkpoint its earlier job
// left under Config.CheckpointDir (trained for from epochs) instead of
// starting again. Config.CheckpointDir must be set, and
// Config.ScheduleEpochs should be the top rung, so that a promoted
// candidate equals one trained to the top rung without pause. As with
// Evaluate, the error is non-nil only for a cancelled context; a candidate
// that cannot be trained (a missing checkpoint included) is a Failed result.
func (e *Evaluator) EvaluateAt(ctx context.Context, a space.Arch, fidelity, from int) (eval.Result, error) {
	if err := ctx.Err(); err != nil {
		return eval.Result{}, err
	}
	arch := e.Space.Format(a)
	c := e.Config
	if c.CheckpointDir == "" {
		return eval.Result{}, fmt.Errorf("train: multi-fidelity evaluation needs Config.CheckpointDir (promoted candidates continue from their checkpoints)")
	}
	if fidelity <= 0 || from < 0 || from >= fidelity {
		return eval.Result{}, fmt.Errorf("train: bad fidelity %d (from %d) for %s", fidelity, from, arch)
	}
	c.Epochs = fidelity
	c.ResumeFrom = ""
	if from > 0 {
		c.ResumeFrom = filepath.Join(c.CheckpointDir, CheckpointName(arch, c.Seed))
	}
	return evaluated(ctx, fidelity, func() (Result, error) { return TrainArch(ctx, e.Space, a, c, e.Data) })
}
