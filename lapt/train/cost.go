package train

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/space"
)

// NetConfig describes the macro skeleton around a cell: stem 3x3 conv with
// Channels channels + BN, three stages of Cells cells at Channels, 2*Channels
// and 4*Channels, ResNet basic blocks (stride 2) between stages, then BN-ReLU,
// global average pooling and a linear classifier.
type NetConfig struct {
	Channels   int // C, 16 in the benchmark
	Cells      int // N cells per stage, 5 in the benchmark
	Height     int // input height
	Width      int // input width
	InChannels int // input channels (3 for CIFAR, 1 for MNIST)
	Classes    int // number of classes
}

// BenchmarkNet returns the NAS-Bench-201 configuration (C=16, N=5) for
// 32x32x3 inputs and the given number of classes.
func BenchmarkNet(classes int) NetConfig {
	return NetConfig{Channels: 16, Cells: 5, Height: 32, Width: 32, InChannels: 3, Classes: classes}
}

// Validate checks the configuration.
func (n NetConfig) Validate() error {
	switch {
	case n.Channels <= 0 || n.Cells <= 0:
		return fmt.Errorf("train: channels (%d) and cells (%d) must be positive", n.Channels, n.Cells)
	case n.Height < 4 || n.Width < 4 || n.InChannels <= 0:
		return fmt.Errorf("train: input %dx%dx%d too small (need at least 4x4x1)", n.Height, n.Width, n.InChannels)
	case n.Height%4 != 0 || n.Width%4 != 0:
		return fmt.Errorf("train: input %dx%d must be divisible by 4 (two stride-2 reductions)", n.Height, n.Width)
	case n.Classes < 2:
		return fmt.Errorf("train: need at least 2 classes, got %d", n.Classes)
	}
	return nil
}

// Cost is the analytic size of a network: trainable parameters (conv and linear
// weights, BN scale and shift, classifier bias) and forward FLOPs per image
// counted as NATS-Bench does (multiply-accumulates of convolutions and the
// classifier, plus classifier bias; pooling, BN and ReLU are not counted).
type Cost struct {
	Params int64
	FLOPs  int64
}

// ParamsM returns the parameter count in millions (NATS-Bench "params", MB).
func (c Cost) ParamsM() float64 { return float64(c.Params) / 1e6 }

// FLOPsM returns the FLOPs in millions (NATS-Bench "flop").
func (c Cost) FLOPsM() float64 { return float64(c.FLOPs) / 1e6 }

// Count returns the analytic parameter count and FLOPs of cell in the skeleton n.
// Every edge counts, reachable or not, as in the benchmark's PyTorch modules.
func Count(n NetConfig, cell Cell) (Cost, error) {
	if err := n.Validate(); err != nil {
		return Cost{}, err
	}
	if err := cell.Validate(); err != nil {
		return Cost{}, err
	}
	var p, f int64
	conv := func(cin, cout, k, outHW int) {
		w := int64(cin) * int64(cout) * int64(k*k)
		p += w
		f += w * int64(outHW)
	}
	bn := func(c int) { p += 2 * int64(c) }
	h, w := n.Height, n.Width
	c := n.Channels
	conv(n.InChannels, c, 3, h*w) // stem
	bn(c)
	for stage := 0; stage < 3; stage++ {
		if stage > 0 { // ResNet basic block, stride 2
			cin := c
			c *= 2
			h, w = h/2, w/2
			conv(cin, c, 3, h*w)
			bn(c)
			conv(c, c, 3, h*w)
			bn(c)
			conv(cin, c, 1, h*w) // shortcut after 2x2 avg pool
		}
		for i := 0; i < n.Cells; i++ {
			for _, e := range cell.Edges {
				switch e.Op {
				case space.NameConv1x1:
					conv(c, c, 1, h*w)
					bn(c)
				case space.NameConv3x3:
					conv(c, c, 3, h*w)
					bn(c)
				}
			}
		}
	}
	bn(c) // last BN-ReLU
	p += int64(c)*int64(n.Classes) + int64(n.Classes)
	f += int64(c)*int64(n.Classes) + int64(n.Classes)
	return Cost{Params: p, FLOPs: f}, nil
}
