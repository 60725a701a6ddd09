// Package proxy computes zero-cost proxies of NB201-style cells with GoMLX:
// synflow (data-independent) and NASWOT (needs one batch of images). They rank
// candidates in well under a second each instead of training them, and serve
// as a cheap evaluator ([Evaluator]).
package proxy

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/nasnb/nasnb/lapt/train"
	"gonum.org/v1/gonum/mat"
)

// Names lists the proxies.
var Names = []string{"synflow", "naswot"}

// Synflow returns log(synflow) of arch in the skeleton net: the network with
// batch norm removed and every weight replaced by its absolute value is fed a
// single all-ones image in float64, and the score is
// sum over conv/linear weights of |w * dR/dw| with R the sum of the logits
// (Tanaka et al. 2020, as in the zero-cost NAS benchmarks). The log keeps the
// number printable; ranks are unchanged.
func Synflow(ctx context.Context, backendName, arch string, net train.NetConfig, seed uint64) (score float64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cell, err := train.Parse(arch)
	if err != nil {
		return 0, err
	}
	nw, err := train.NewNetwork(net, cell, seed)
	if err != nil {
		return 0, err
	}
	nw.DType = dtypes.Float64
	nw.AbsWeights = true
	backend, err := train.NewBackend(backendName)
	if err != nil {
		return 0, err
	}
	err = protect(func() error {
		store := model.NewStore()
		fn := func(scope *model.Scope, x *graph.Node) *graph.Node {
			g := x.Graph()
			r := graph.ReduceAllSum(nw.Logits(scope, x, train.ModeLinear))
			var vars []*model.Variable
			var nodes []*graph.Node
			for v := range scope.IterVariables() {
				if v.Trainable && v.InUseByGraph(g) && strings.HasSuffix(v.Name(), "weights") {
					vars = append(vars, v)
					nodes = append(nodes, v.NodeValue(g))
				}
			}
			grads := graph.Gradient(r, nodes...)
			total := graph.ScalarZero(g, dtypes.Float64)
			for i, v := range nodes {
				total = graph.Add(total, graph.ReduceAllSum(graph.Abs(graph.Mul(v, grads[i]))))
			}
			return total
		}
		exec, err := model.NewExec(backend, store, fn)
		if err != nil {
			return err
		}
		defer exec.Finalize()
		ones := make([]float64, net.Height*net.Width*net.InChannels)
		for i := range ones {
			ones[i] = 1
		}
		out, err := exec.Call(tensors.FromFlatDataAndDimensions(ones, 1, net.Height, net.Width, net.InChannels))
		if err != nil {
			return err
		}
		s := out[0].Value().(float64)
		out[0].MustFinalizeAll()
		if s <= 0 {
			score = math.Inf(-1)
		} else {
			score = math.Log(s)
		}
		return nil
	})
	return score, err
}

// NASWOT returns the NASWOT score (Mellor et al. 2021) of arch on a batch of
// n images (NHWC float32, already normalised): with c_i the binary ReLU
// activation code of image i over the whole network, K = c c^T + (1-c)(1-c)^T
// and the score is log|det K|. Batch norm uses the batch statistics.
func NASWOT(ctx context.Context, backendName, arch string, net train.NetConfig, seed uint64, batch []float32, n int) (score float64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if n < 2 || len(batch) != n*net.Height*net.Width*net.InChannels {
		return 0, fmt.Errorf("proxy: NASWOT needs n>=2 images of %dx%dx%d, got %d values for n=%d", net.Height, net.Width, net.InChannels, len(batch), n)
	}
	cell, err := train.Parse(arch)
	if err != nil {
		return 0, err
	}
	nw, err := train.NewNetwork(net, cell, seed)
	if err != nil {
		return 0, err
	}
	backend, err := train.NewBackend(backendName)
	if err != nil {
		return 0, err
	}
	err = protect(func() error {
		store := model.NewStore()
		fn := func(scope *model.Scope, x *graph.Node) *graph.Node {
			_, c := nw.ReLUCodes(scope, x, train.ModeTrain)
			one := graph.OnesLike(c)
			nc := graph.Sub(one, c)
			return graph.Add(graph.MatMul(c, graph.Transpose(c, 0, 1)), graph.MatMul(nc, graph.Transpose(nc, 0, 1)))
		}
		exec, err := model.NewExec(backend, store, fn)
		if err != nil {
			return err
		}
		defer exec.Finalize()
		out, err := exec.Call(tensors.FromFlatDataAndDimensions(batch, n, net.Height, net.Width, net.InChannels))
		if err != nil {
			return err
		}
		k, err := tensors.CopyFlatData[float32](out[0])
		out[0].MustFinalizeAll()
		if err != nil {
			return err
		}
		kd := make([]float64, len(k))
		for i, v := range k {
			kd[i] = float64(v)
		}
		logDet, sign := mat.LogDet(mat.NewDense(n, n, kd))
		if sign == 0 {
			score = math.Inf(-1)
		} else {
			score = logDet
		}
		return nil
	})
	return score, err
}

func protect(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("proxy: %v", r)
		}
	}()
	return fn()
}
