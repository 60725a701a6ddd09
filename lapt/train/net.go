package train

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/nasnb/nasnb/lapt/space"
)

// Mode selects how a network graph behaves.
type Mode int

const (
	// ModeTrain uses batch statistics in batch norm and updates the running averages.
	ModeTrain Mode = iota
	// ModeEval uses the running batch-norm statistics.
	ModeEval
	// ModeLinear removes batch norm (identity) and is used by data-independent
	// proxies such as synflow.
	ModeLinear
)

// Network builds the GoMLX graph of one cell in a macro skeleton.
//
// Convolutions and pooling are written as im2col (a Gather with constant
// indices, then a matrix multiplication) and batch norm from plain ops, so that
// every op has a gradient on the pure-Go backend and runs fast there; the same
// graph runs on XLA.
type Network struct {
	Net  NetConfig
	Cell Cell
	// Seed drives the (Go-side, deterministic) initialisation of every variable.
	Seed uint64
	// DType is the float type of variables and activations (Float32 by default).
	DType dtypes.DType
	// BNMomentum is the weight of the new batch statistics in the running averages (0.1 like PyTorch).
	BNMomentum float64
	// AbsWeights makes every weight enter the graph as its absolute value
	// (synflow's "linearised" network).
	AbsWeights bool
}

// NewNetwork validates the configuration and returns a Network.
func NewNetwork(net NetConfig, cell Cell, seed uint64) (*Network, error) {
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if err := cell.Validate(); err != nil {
		return nil, err
	}
	return &Network{Net: net, Cell: cell, Seed: seed, DType: dtypes.Float32, BNMomentum: 0.1}, nil
}

// builder holds per-graph state: mode, caches of constant gather indices and,
// optionally, the ReLU activation codes collected for NASWOT.
type builder struct {
	n       *Network
	mode    Mode
	dtype   dtypes.DType
	g       *graph.Graph
	consts  map[string]*graph.Node
	collect bool
	codes   []*graph.Node // each [B, D_i], 1 where a ReLU input is positive
}

// Logits builds the forward pass of x ([B, H, W, C] NHWC) and returns [B, Classes].
// Variables are created in scope on first use.
func (n *Network) Logits(scope *model.Scope, x *graph.Node, mode Mode) *graph.Node {
	b := n.newBuilder(x, mode)
	return b.forward(scope, x)
}

// ReLUCodes builds the forward pass and also returns, concatenated over every
// ReLU of the network, the binary codes (1 where the ReLU input is positive) as
// [B, D]; used by the NASWOT proxy.
func (n *Network) ReLUCodes(scope *model.Scope, x *graph.Node, mode Mode) (logits, codes *graph.Node) {
	b := n.newBuilder(x, mode)
	b.collect = true
	logits = b.forward(scope, x)
	batch := x.Shape().Dimensions[0]
	flat := make([]*graph.Node, len(b.codes))
	for i, c := range b.codes {
		flat[i] = graph.Reshape(c, batch, -1)
	}
	return logits, graph.Concatenate(flat, 1)
}

func (n *Network) newBuilder(x *graph.Node, mode Mode) *builder {
	dt := n.DType
	if dt == dtypes.InvalidDType {
		dt = dtypes.Float32
	}
	return &builder{n: n, mode: mode, dtype: dt, g: x.Graph(), consts: map[string]*graph.Node{}}
}

func (b *builder) forward(scope *model.Scope, x *graph.Node) *graph.Node {
	cfg := b.n.Net
	if x.DType() != b.dtype {
		x = graph.ConvertDType(x, b.dtype)
	}
	c := cfg.Channels
	h := b.conv(scope.At("stem"), x, cfg.InChannels, c, 3, 1)
	h = b.bn(scope.At("stem"), h, c)
	for stage := 0; stage < 3; stage++ {
		if stage > 0 {
			h = b.resBlock(scope.At("reduce%d", stage), h, c, 2*c)
			c *= 2
		}
		for i := 0; i < cfg.Cells; i++ {
			h = b.cell(scope.At("stage%d", stage).At("cell%d", i), h, c)
		}
	}
	h = b.bn(scope.At("last"), h, c)
	h = b.relu(h)
	h = graph.ReduceMean(h, 1, 2) // global average pooling: [B, C]
	return b.dense(scope.At("classifier"), h, c, cfg.Classes)
}

func (b *builder) cell(scope *model.Scope, x *graph.Node, c int) *graph.Node {
	cell := b.n.Cell
	nodes := make([]*graph.Node, cell.Nodes)
	nodes[0] = x
	for to := 1; to < cell.Nodes; to++ {
		var sum *graph.Node
		for k, e := range cell.Edges {
			if e.To != to {
				continue
			}
			in := nodes[e.From]
			var out *graph.Node
			es := scope.At("edge%d", k)
			switch e.Op {
			case space.NameNone:
				continue // adds zeros
			case space.NameSkip:
				out = in
			case space.NameConv1x1, space.NameConv3x3:
				k := 1
				if e.Op == space.NameConv3x3 {
					k = 3
				}
				out = b.conv(es, b.relu(in), c, c, k, 1)
				out = b.bn(es, out, c)
			case space.NameAvgPool:
				out = b.avgPool3(in)
			}
			if sum == nil {
				sum = out
			} else {
				sum = graph.Add(sum, out)
			}
		}
		if sum == nil {
			sum = graph.ZerosLike(x)
		}
		nodes[to] = sum
	}
	return nodes[cell.Nodes-1]
}

// resBlock is the NB201 ResNet basic block with stride 2:
// ReLU-Conv3x3(s2)-BN, ReLU-Conv3x3-BN, plus shortcut AvgPool2x2 + Conv1x1.
func (b *builder) resBlock(scope *model.Scope, x *graph.Node, cin, cout int) *graph.Node {
	a := b.conv(scope.At("a"), b.relu(x), cin, cout, 3, 2)
	a = b.bn(scope.At("a"), a, cout)
	a = b.conv(scope.At("b"), b.relu(a), cout, cout, 3, 1)
	a = b.bn(scope.At("b"), a, cout)
	dims := x.Shape().Dimensions
	bs, h, w := dims[0], dims[1], dims[2]
	s := graph.Reshape(x, bs, h/2, 2, w/2, 2, cin)
	s = graph.ReduceMean(s, 2, 4)
	s = b.conv(scope.At("shortcut"), s, cin, cout, 1, 1)
	return graph.Add(a, s)
}

func (b *builder) relu(x *graph.Node) *graph.Node {
	if b.collect {
		b.codes = append(b.codes, graph.ConvertDType(graph.GreaterThan(x, graph.ZerosLike(x)), b.dtype))
	}
	return graph.Max(x, graph.ZerosLike(x))
}

// variable returns the variable name in scope, creating it with a Go-side,
// seeded initial value if it does not exist yet (no initialisation program runs
// on the device).
func (b *builder) variable(scope *model.Scope, name string, dims []int, init func(r *rand.Rand, i int) float64) *graph.Node {
	if v := scope.GetVariable(name); v != nil {
		return b.maybeAbs(v.NodeValue(b.g))
	}
	size := 1
	for _, d := range dims {
		size *= d
	}
	h := fnv.New64a()
	h.Write([]byte(scope.Scope() + "/" + name))
	r := rand.New(rand.NewPCG(b.n.Seed, h.Sum64()))
	var t *tensors.Tensor
	if b.dtype == dtypes.Float64 {
		data := make([]float64, size)
		for i := range data {
			data[i] = init(r, i)
		}
		t = tensors.FromFlatDataAndDimensions(data, dims...)
	} else {
		data := make([]float32, size)
		for i := range data {
			data[i] = float32(init(r, i))
		}
		t = tensors.FromFlatDataAndDimensions(data, dims...)
	}
	return b.maybeAbs(scope.VariableWithValue(name, t).NodeValue(b.g))
}

func (b *builder) maybeAbs(x *graph.Node) *graph.Node {
	if b.n.AbsWeights {
		return graph.Abs(x)
	}
	return x
}

func constInit(v float64) func(*rand.Rand, int) float64 {
	return func(*rand.Rand, int) float64 { return v }
}

// conv is a k x k convolution (padding k/2, given stride, no bias) via im2col.
func (b *builder) conv(scope *model.Scope, x *graph.Node, cin, cout, k, stride int) *graph.Node {
	fanIn := float64(cin * k * k)
	std := math.Sqrt(2 / fanIn) // Kaiming normal (fan in)
	w := b.variable(scope, "weights", []int{k * k * cin, cout}, func(r *rand.Rand, _ int) float64 { return r.NormFloat64() * std })
	dims := x.Shape().Dimensions
	bs, h, wd := dims[0], dims[1], dims[2]
	if k == 1 && stride == 1 {
		y := graph.MatMul(graph.Reshape(x, bs*h*wd, cin), w)
		return graph.Reshape(y, bs, h, wd, cout)
	}
	cols, ho, wo := b.im2col(x, k, stride)
	y := graph.MatMul(graph.Reshape(cols, bs*ho*wo, k*k*cin), w)
	return graph.Reshape(y, bs, ho, wo, cout)
}

// im2col gathers the k x k neighbourhoods (zero padding k/2) of every output
// position: returns [B*Ho*Wo*k*k, C] and the output size.
//
// Padding positions point at one zero row appended to the flattened input, so
// no 0/1 mask multiplication is needed (it cost a Mul forward and another in
// the gradient: ~10% of a training step on the go backend).
func (b *builder) im2col(x *graph.Node, k, stride int) (*graph.Node, int, int) {
	dims := x.Shape().Dimensions
	bs, h, w, c := dims[0], dims[1], dims[2], dims[3]
	ho, wo := (h+stride-1)/stride, (w+stride-1)/stride
	key := fmt.Sprintf("im2col/%d/%d/%d/%d/%d", bs, h, w, k, stride)
	idx, ok := b.consts[key]
	if !ok {
		pad := k / 2
		n := bs * ho * wo * k * k
		zero := int32(bs * h * w) // the appended zero row
		ids := make([]int32, n)
		i := 0
		for bi := 0; bi < bs; bi++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := oy*stride-pad+ky, ox*stride-pad+kx
							if iy >= 0 && iy < h && ix >= 0 && ix < w {
								ids[i] = int32((bi*h+iy)*w + ix)
							} else {
								ids[i] = zero
							}
							i++
						}
					}
				}
			}
		}
		idx = graph.Const(b.g, tensors.FromFlatDataAndDimensions(ids, n, 1))
		b.consts[key] = idx
	}
	flat := graph.Reshape(x, bs*h*w, c)
	padded := graph.Concatenate([]*graph.Node{flat, graph.Zeros(b.g, shapes.Make(x.DType(), 1, c))}, 0)
	return graph.Gather(padded, idx), ho, wo
}

func (b *builder) constFloat(data []float64, dims ...int) *graph.Node {
	if b.dtype == dtypes.Float64 {
		return graph.Const(b.g, tensors.FromFlatDataAndDimensions(data, dims...))
	}
	f := make([]float32, len(data))
	for i, v := range data {
		f[i] = float32(v)
	}
	return graph.Const(b.g, tensors.FromFlatDataAndDimensions(f, dims...))
}

// avgPool3 is a 3x3 average pool, stride 1, padding 1, not counting the padding
// (PyTorch count_include_pad=False, as in NB201).
func (b *builder) avgPool3(x *graph.Node) *graph.Node {
	dims := x.Shape().Dimensions
	bs, h, w, c := dims[0], dims[1], dims[2], dims[3]
	cols, _, _ := b.im2col(x, 3, 1)
	sum := graph.ReduceSum(graph.Reshape(cols, bs*h*w, 9, c), 1)
	key := fmt.Sprintf("poolcount/%d/%d/%d", bs, h, w)
	inv, ok := b.consts[key]
	if !ok {
		data := make([]float64, bs*h*w)
		i := 0
		for bi := 0; bi < bs; bi++ {
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					ny := min(y+1, h-1) - max(y-1, 0) + 1
					nx := min(x+1, w-1) - max(x-1, 0) + 1
					data[i] = 1 / float64(ny*nx)
					i++
				}
			}
		}
		inv = b.constFloat(data, bs*h*w, 1)
		b.consts[key] = inv
	}
	return graph.Reshape(graph.Mul(sum, inv), bs, h, w, c)
}

// bn is batch normalisation over the batch and spatial axes written with plain
// ops (full gradients through the batch statistics on every backend).
func (b *builder) bn(scope *model.Scope, x *graph.Node, c int) *graph.Node {
	if b.mode == ModeLinear {
		return x
	}
	gamma := b.variable(scope, "bn_scale", []int{c}, constInit(1))
	beta := b.variable(scope, "bn_offset", []int{c}, constInit(0))
	meanVar := scope.GetVariable("bn_mean")
	if meanVar == nil {
		b.variable(scope, "bn_mean", []int{c}, constInit(0))
		meanVar = scope.GetVariable("bn_mean")
	}
	varVar := scope.GetVariable("bn_var")
	if varVar == nil {
		b.variable(scope, "bn_var", []int{c}, constInit(1))
		varVar = scope.GetVariable("bn_var")
	}
	meanVar.SetTrainable(false)
	varVar.SetTrainable(false)
	const eps = 1e-5
	var mean, variance *graph.Node
	if b.mode == ModeTrain {
		mean = graph.ReduceMean(x, 0, 1, 2)
		centered := graph.Sub(x, graph.Reshape(mean, 1, 1, 1, c))
		variance = graph.ReduceMean(graph.Square(centered), 0, 1, 2)
		dims := x.Shape().Dimensions
		count := float64(dims[0] * dims[1] * dims[2])
		m := b.n.BNMomentum
		unbiased := graph.MulScalar(graph.StopGradient(variance), count/math.Max(count-1, 1))
		meanVar.SetNodeValue(graph.Add(graph.MulScalar(meanVar.NodeValue(b.g), 1-m), graph.MulScalar(graph.StopGradient(mean), m)))
		varVar.SetNodeValue(graph.Add(graph.MulScalar(varVar.NodeValue(b.g), 1-m), graph.MulScalar(unbiased, m)))
	} else {
		mean = meanVar.NodeValue(b.g)
		variance = varVar.NodeValue(b.g)
	}
	inv := graph.Div(gamma, graph.Sqrt(graph.AddScalar(variance, eps)))
	return graph.Add(graph.Mul(graph.Sub(x, graph.Reshape(mean, 1, 1, 1, c)), graph.Reshape(inv, 1, 1, 1, c)), graph.Reshape(beta, 1, 1, 1, c))
}

// dense is the linear classifier (PyTorch default uniform init).
func (b *builder) dense(scope *model.Scope, x *graph.Node, in, out int) *graph.Node {
	bound := 1 / math.Sqrt(float64(in))
	w := b.variable(scope, "weights", []int{in, out}, func(r *rand.Rand, _ int) float64 { return (2*r.Float64() - 1) * bound })
	bias := b.variable(scope, "bias", []int{out}, func(r *rand.Rand, _ int) float64 { return (2*r.Float64() - 1) * bound })
	return graph.Add(graph.MatMul(x, w), graph.Reshape(bias, 1, out))
}
