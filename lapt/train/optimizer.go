package train

import (
	"fmt"
	"math"
	"path"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// nesterovSGD is SGD with (Nesterov) momentum, L2 weight decay added to the
// gradient (PyTorch semantics) and a per-step cosine learning-rate decay from
// LR to 0 over totalSteps. It implements GoMLX's optimizer.Interface.
type nesterovSGD struct {
	lr, momentum, weightDecay float64
	nesterov                  bool
	totalSteps                int
}

var _ optimizer.Interface = (*nesterovSGD)(nil)

const velocityScope = "nesterov_sgd"

// UpdateGraph implements optimizer.Interface.
func (o *nesterovSGD) UpdateGraph(scope *model.Scope, g *graph.Graph, loss *graph.Node) {
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	dtype := loss.DType()
	step := optimizer.IncrementGlobalStep(g, dtype) // 1 at the first step
	lr := graph.Scalar(g, dtype, o.lr)
	if o.totalSteps > 0 {
		progress := graph.DivScalar(graph.MinScalar(graph.AddScalar(step, -1), float64(o.totalSteps)), float64(o.totalSteps))
		lr = graph.MulScalar(graph.AddScalar(graph.Cos(graph.MulScalar(progress, math.Pi)), 1), 0.5*o.lr)
	}
	var vars []*model.Variable
	for v := range scope.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) {
			vars = append(vars, v)
		}
	}
	for i, v := range vars {
		if i >= len(grads) {
			panic(fmt.Sprintf("train: optimizer saw more trainable variables than gradients (%d)", len(grads)))
		}
		grad := grads[i]
		w := v.NodeValue(g)
		if o.weightDecay != 0 {
			grad = graph.Add(grad, graph.MulScalar(w, o.weightDecay))
		}
		update := grad
		if o.momentum != 0 {
			vs := scope.Store().Scope(path.Join("/", velocityScope, v.Scope()))
			vel := vs.GetVariable(v.Name())
			if vel == nil {
				vel = vs.VariableWithValue(v.Name(), tensors.FromShape(v.Shape())).SetTrainable(false)
			}
			newVel := graph.Add(graph.MulScalar(vel.NodeValue(g), o.momentum), grad)
			vel.SetNodeValue(newVel)
			if o.nesterov {
				update = graph.Add(grad, graph.MulScalar(newVel, o.momentum))
			} else {
				update = newVel
			}
		}
		lrCast := lr
		if lrCast.DType() != update.DType() {
			lrCast = graph.ConvertDType(lr, update.DType())
		}
		v.SetNodeValue(graph.Sub(w, graph.Mul(update, lrCast)))
	}
}

// Clear implements optimizer.Interface: it deletes the velocity variables.
func (o *nesterovSGD) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope("/" + velocityScope)
}
