package space

import (
	"fmt"
	"strings"
)

// The NAS-Bench-201 cell, defined once: its operations (ids, names, what
// they do), its wiring (6 edges between 4 nodes) and the two text forms of a
// cell, NAS-Bench-201's arch string and TransNAS-Bench-101 micro's digits.
// Datasets, training and the notebook helpers get cells from here.

// Operation ids of the NAS-Bench-201 cell. TransNAS-Bench-101 micro uses the
// first four (its digits 0..3).
const (
	OpNone = iota
	OpSkip
	OpConv1x1
	OpConv3x3
	OpAvgPool
)

// Operation names of the NAS-Bench-201 cell, as its arch strings spell them.
const (
	NameNone    = "none"
	NameSkip    = "skip_connect"
	NameConv1x1 = "nor_conv_1x1"
	NameConv3x3 = "nor_conv_3x3"
	NameAvgPool = "avg_pool_3x3"
)

// cellOps is the op table of the NAS-Bench-201 cell, indexed by op id: the
// only table of these names.
var cellOps = []Op{
	OpNone:    {Name: NameNone, Doc: "outputs zeros: the edge is removed from the cell", Zero: true},
	OpSkip:    {Name: NameSkip, Doc: "identity: passes the input node through unchanged (a residual path)"},
	OpConv1x1: {Name: NameConv1x1, Doc: "ReLU -> 1x1 convolution -> batch norm: mixes channels, no spatial context"},
	OpConv3x3: {Name: NameConv3x3, Doc: "ReLU -> 3x3 convolution -> batch norm: mixes channels and a 3x3 neighbourhood"},
	OpAvgPool: {Name: NameAvgPool, Doc: "3x3 average pooling, stride 1: smooths features, no parameters"},
}

// cellWiring is the wiring shared by NB201 and TransNAS micro: 4 nodes, 6
// edges (from, to) in arch-string order.
var cellWiring = [][2]int{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}

// CellOps returns the operations of the NAS-Bench-201 cell, indexed by op id
// (OpNone..OpAvgPool). The slice is a copy.
func CellOps() []Op { return append([]Op(nil), cellOps...) }

// CellOpID returns the id of a NAS-Bench-201 cell operation name.
func CellOpID(name string) (int, bool) {
	for id, o := range cellOps {
		if o.Name == name {
			return id, true
		}
	}
	return 0, false
}

// CellWiring returns the (from, to) nodes of the 6 edges of the
// NAS-Bench-201 / TransNAS micro cell, in arch-string order: 0->1, 0->2,
// 1->2, 0->3, 1->3, 2->3.
func CellWiring() [][2]int {
	out := make([][2]int, len(cellWiring))
	copy(out, cellWiring)
	return out
}

// ParseCell reads a cell in either text form: a NAS-Bench-201 arch string
// (starting with '|') or a TransNAS-Bench-101 micro string (64-41414-a_bc_def).
// It returns the space the text belongs to and the architecture; errors
// name the byte and the problem.
func ParseCell(text string) (*Space, Arch, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, Arch{}, fmt.Errorf("space: empty cell (want an NB201 arch string |op~0|+|op~0|op~1|+|op~0|op~1|op~2| or a TransNAS micro string 64-41414-a_bc_def)")
	}
	sp := TransNASMicro()
	if strings.HasPrefix(t, "|") {
		sp = NB201()
	}
	a, err := sp.Parse(t)
	if err != nil {
		return nil, Arch{}, err
	}
	return sp, a, nil
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
