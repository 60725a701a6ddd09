package train

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
)

// Evaluator trains candidates for real: it implements [eval.Evaluator] for
// the architectures of one cell space (NB201, TransNAS micro, or a cell
// space with NAS-Bench-201 ops), handing each architecture to [TrainArch].
type Evaluator struct {
	Space  *space.Space
	Config Config
	Data   Data
}

var _ eval.Evaluator = (*Evaluator)(nil)

// NewEvaluator returns an evaluator that trains architectures of sp with cfg
// on data (cfg.Epochs is the fidelity).
func NewEvaluator(sp *space.Space, cfg Config, data Data) (*Evaluator, error) {
	if sp == nil {
		return nil, fmt.Errorf("train: NewEvaluator needs a space")
	}
	if data.Train == nil || data.Train.Len() == 0 {
		return nil, fmt.Errorf("train: NewEvaluator needs training data")
	}
	return &Evaluator{Space: sp, Config: cfg, Data: data}, nil
}

// Evaluate implements eval.Evaluator. The error is non-nil only for a
// cancelled context; a candidate that cannot be built or trained is a Failed
// (or Diverged) result.
func (e *Evaluator) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	return evaluated(ctx, 0, func() (Result, error) { return TrainArch(ctx, e.Space, a, e.Config, e.Data) })
}

// EvaluateString trains the architecture given in text form.
func (e *Evaluator) EvaluateString(ctx context.Context, arch string) (eval.Result, error) {
	return evaluated(ctx, 0, func() (Result, error) { return Train(ctx, arch, e.Config, e.Data) })
}

// evaluated runs one training unless ctx is done and turns its outcome into
// an eval.Result: a bad candidate is a Failed result (Metrics.Fidelity =
// fidelity), a cancelled context the only error.
func evaluated(ctx context.Context, fidelity int, train func() (Result, error)) (eval.Result, error) {
	if err := ctx.Err(); err != nil {
		return eval.Result{}, err
	}
	r, err := train()
	if err != nil {
		return eval.Result{Status: eval.Failed, Err: err.Error(), Metrics: eval.Metrics{Fidelity: fidelity}}, nil
	}
	if ctx.Err() != nil {
		return eval.Result{}, ctx.Err()
	}
	return ToEvalResult(r), nil
}

// ToEvalResult converts a training Result to the eval package's Result:
// Val/Test accuracy in percent, Fidelity = epochs, Extra = params, flops,
// train_loss, first_step_s.
func ToEvalResult(r Result) eval.Result {
	return eval.Result{
		Metrics: eval.Metrics{Val: r.ValAcc, Test: r.TestAcc, Fidelity: r.Epochs, Extra: map[string]float64{
			"params": float64(r.Params), "flops": float64(r.FLOPs), "train_loss": r.TrainLoss, "first_step_s": r.FirstStep.Seconds(),
		}},
		Cost:   eval.Cost{Seconds: r.Seconds, Images: r.Images},
		Status: r.Status,
		Err:    r.Err,
	}
}
