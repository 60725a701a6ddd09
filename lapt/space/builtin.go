package space

import (
	"fmt"
	"strings"
	"sync"
)

var (
	nb201Once, transOnce sync.Once
	nb201Space, transSp  *Space
)

// NB201 returns the NAS-Bench-201 space: a 4-node cell with 6 edges, each
// carrying one of none, skip_connect, nor_conv_1x1, nor_conv_3x3,
// avg_pool_3x3 (ids 0..4), 15,625 cells. The text form is the benchmark's
// arch string, e.g. |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|.
func NB201() *Space {
	nb201Once.Do(func() {
		nb201Space = cellSpace("nb201", cellOps, nb201Codec{})
		nb201Space.about = "NAS-Bench-201 cell search space: a cell is a DAG of 4 nodes; node 0 is the cell input, node 3 its output; " +
			"each of the 6 edges i->j (i<j) applies one operation to node i, and node j sums its incoming edges. " +
			"The network stacks the cell 5 times in each of 3 stages (16, 32, 64 channels) with residual reduction blocks between stages."
	})
	return nb201Space
}

// TransNASMicro returns the TransNAS-Bench-101 micro (cell) space: the NB201
// wiring with 4 ops (none, skip_connect, nor_conv_1x1, nor_conv_3x3; ids 0..3),
// 4,096 cells. The text form is the benchmark's, e.g. 64-41414-3_33_333.
func TransNASMicro() *Space {
	transOnce.Do(func() {
		transSp = cellSpace("transnas-micro", cellOps[:4], transCodec{})
		transSp.about = "TransNAS-Bench-101 micro search space: a cell is a DAG of 4 nodes; node 0 is the input and node 3 the output; " +
			"each of the 6 edges i->j applies one operation to node i, and node j sums its incoming edges. " +
			"The cell is stacked in a fixed ResNet-like macro skeleton (64-41414) shared by several vision tasks."
	})
	return transSp
}

func cellSpace(name string, ops []Op, codec Codec) *Space {
	s := &Space{name: name, ops: append([]Op(nil), ops...), nodes: 4, codec: codec}
	for _, w := range cellWiring {
		e := Edge{Name: fmt.Sprintf("%d->%d", w[0], w[1]), From: w[0], To: w[1]}
		for id := range ops {
			e.Choices = append(e.Choices, id)
		}
		s.edges = append(s.edges, e)
	}
	s.initAllowed()
	return s
}

func opNames(ops []Op) string {
	n := make([]string, len(ops))
	for i, o := range ops {
		n[i] = o.Name
	}
	return strings.Join(n, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
