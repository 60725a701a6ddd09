package space

import (
	"fmt"
	"strings"
	"sync"
)

// Operation ids of NAS-Bench-201.
const (
	NB201None = iota
	NB201Skip
	NB201Conv1x1
	NB201Conv3x3
	NB201AvgPool
)

var nb201Ops = []Op{
	{Name: "none", Doc: "outputs zeros: the edge is removed from the cell", Zero: true},
	{Name: "skip_connect", Doc: "identity: passes the input node through unchanged (a residual path)"},
	{Name: "nor_conv_1x1", Doc: "ReLU -> 1x1 convolution -> batch norm: mixes channels, no spatial context"},
	{Name: "nor_conv_3x3", Doc: "ReLU -> 3x3 convolution -> batch norm: mixes channels and a 3x3 neighbourhood"},
	{Name: "avg_pool_3x3", Doc: "3x3 average pooling, stride 1: smooths features, no parameters"},
}

// cellEdges4 is the wiring shared by NB201 and TransNAS micro: 4 nodes, 6
// edges in arch-string order.
var cellEdges4 = [][2]int{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}

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
		nb201Space = cellSpace("nb201", nb201Ops, nb201Codec{})
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
		transSp = cellSpace("transnas-micro", nb201Ops[:4], transCodec{})
		transSp.about = "TransNAS-Bench-101 micro search space: a cell is a DAG of 4 nodes; node 0 is the input and node 3 the output; " +
			"each of the 6 edges i->j applies one operation to node i, and node j sums its incoming edges. " +
			"The cell is stacked in a fixed ResNet-like macro skeleton (64-41414) shared by several vision tasks."
	})
	return transSp
}

func cellSpace(name string, ops []Op, codec Codec) *Space {
	s := &Space{name: name, ops: append([]Op(nil), ops...), nodes: 4, codec: codec}
	for _, w := range cellEdges4 {
		e := Edge{Name: fmt.Sprintf("%d->%d", w[0], w[1]), From: w[0], To: w[1]}
		for id := range ops {
			e.Choices = append(e.Choices, id)
		}
		s.edges = append(s.edges, e)
	}
	s.initAllowed()
	return s
}

// nb201Codec reads and writes NB201 arch strings.
type nb201Codec struct{}

func (nb201Codec) Format(s *Space, a Arch) string {
	var b strings.Builder
	k := 0
	for node := 1; node < 4; node++ {
		if node > 1 {
			b.WriteByte('+')
		}
		b.WriteByte('|')
		for from := 0; from < node; from++ {
			b.WriteString(s.OpName(a.Op(k)))
			b.WriteByte('~')
			b.WriteByte(byte('0' + from))
			b.WriteByte('|')
			k++
		}
	}
	return b.String()
}

func (nb201Codec) Parse(s *Space, text string) (Arch, error) {
	fail := func(pos int, format string, args ...any) (Arch, error) {
		return Arch{}, fmt.Errorf("nb201 arch %q: byte %d: %s", truncate(text, 120), pos, fmt.Sprintf(format, args...))
	}
	groups := strings.Split(text, "+")
	if len(groups) != 3 {
		return fail(0, "want 3 node groups separated by '+', found %d", len(groups))
	}
	var ops [6]int
	k, pos := 0, 0
	for g, grp := range groups {
		node := g + 1
		if len(grp) < 2 || grp[0] != '|' || grp[len(grp)-1] != '|' {
			return fail(pos, "node %d group %q must start and end with '|'", node, truncate(grp, 40))
		}
		toks := strings.Split(grp[1:len(grp)-1], "|")
		if len(toks) != node {
			return fail(pos, "node %d needs %d inputs, found %d in %q", node, node, len(toks), truncate(grp, 60))
		}
		tpos := pos + 1
		for from, tok := range toks {
			name, src, ok := strings.Cut(tok, "~")
			if !ok {
				return fail(tpos, "token %q: want op~input", truncate(tok, 40))
			}
			if src != fmt.Sprint(from) {
				return fail(tpos, "token %q: input of node %d's edge %d must be %d", truncate(tok, 40), node, from, from)
			}
			id, ok := s.OpID(name)
			if !ok {
				return fail(tpos, "unknown op %q (ops: %s)", truncate(name, 40), opNames(s.ops))
			}
			ops[k] = id
			k++
			tpos += len(tok) + 1
		}
		pos += len(grp) + 1
	}
	return NewArch(ops[:]...)
}

// transCodec reads and writes TransNAS-Bench-101 micro strings 64-41414-a_bc_def.
type transCodec struct{}

const transPrefix = "64-41414-"

func (transCodec) Format(_ *Space, a Arch) string {
	d := func(i int) byte { return byte('0' + a.Op(i)) }
	return transPrefix + string([]byte{d(0), '_', d(1), d(2), '_', d(3), d(4), d(5)})
}

func (transCodec) Parse(s *Space, text string) (Arch, error) {
	if !strings.HasPrefix(text, transPrefix) {
		return Arch{}, fmt.Errorf("transnas-micro arch %q: byte 0: want prefix %q", truncate(text, 60), transPrefix)
	}
	body := text[len(transPrefix):]
	if len(body) != 8 || body[1] != '_' || body[4] != '_' {
		return Arch{}, fmt.Errorf("transnas-micro arch %q: byte %d: want cell digits a_bc_def", truncate(text, 60), len(transPrefix))
	}
	var ops []int
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '_' && (i == 1 || i == 4) {
			continue
		}
		if c < '0' || int(c-'0') >= len(s.ops) {
			return Arch{}, fmt.Errorf("transnas-micro arch %q: byte %d: bad op digit %q (0 none, 1 skip, 2 conv1x1, 3 conv3x3)", truncate(text, 60), len(transPrefix)+i, string(c))
		}
		ops = append(ops, int(c-'0'))
	}
	return NewArch(ops...)
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
