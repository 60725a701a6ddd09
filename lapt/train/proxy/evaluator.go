package proxy

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/train"
)

// Evaluator scores architectures with a zero-cost proxy: Metrics.Val is the
// proxy score (higher is better), Test is NaN. It implements eval.Evaluator.
type Evaluator struct {
	Space   *space.Space
	Proxy   string // "synflow" or "naswot"
	Net     train.NetConfig
	Seed    uint64
	Backend string
	// Batch and N are the images used by NASWOT (NHWC float32).
	Batch []float32
	N     int
}

var _ eval.Evaluator = (*Evaluator)(nil)

// Evaluate implements eval.Evaluator.
func (e *Evaluator) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	if err := ctx.Err(); err != nil {
		return eval.Result{}, err
	}
	start := time.Now()
	arch := e.Space.Format(a)
	var s float64
	var err error
	switch e.Proxy {
	case "synflow":
		s, err = Synflow(ctx, e.Backend, arch, e.Net, e.Seed)
	case "naswot":
		s, err = NASWOT(ctx, e.Backend, arch, e.Net, e.Seed, e.Batch, e.N)
	default:
		err = fmt.Errorf("proxy: unknown proxy %q (want synflow or naswot)", e.Proxy)
	}
	if ctx.Err() != nil {
		return eval.Result{}, ctx.Err()
	}
	r := eval.Result{Metrics: eval.Metrics{Val: s, Test: math.NaN(), Extra: map[string]float64{e.Proxy: s}},
		Cost: eval.Cost{Seconds: time.Since(start).Seconds(), Images: int64(e.N)}, Status: eval.OK}
	if err != nil {
		r.Status, r.Err = eval.Failed, err.Error()
	}
	return r, nil
}
