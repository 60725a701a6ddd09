// Package train turns NAS-Bench-201 style cells into GoMLX networks, trains them
// with the benchmark recipe (or any other configuration) on the pure-Go or the
// XLA backend, and reports validation/test accuracy with the cost paid.
//
// GoMLX is only imported by this package and its sub-packages (see
// [github.com/nasnb/nasnb/lapt/train/proxy]); datasets come from the plain-Go
// package [github.com/nasnb/nasnb/datasets/images].
//
// A cell is a plain genotype ([Cell]) parsed from the NB201 text form
// ([ParseNB201]) or from the TransNAS-Bench-101 micro form
// ([ParseTransNASMicro]); [Parse] accepts both.
package train

import (
	"fmt"
	"strings"
)

// Operation names of the NAS-Bench-201 / TransNAS-Bench-101 micro cell.
const (
	OpNone    = "none"
	OpSkip    = "skip_connect"
	OpConv1x1 = "nor_conv_1x1"
	OpConv3x3 = "nor_conv_3x3"
	OpAvgPool = "avg_pool_3x3"
)

// NB201Ops lists the NAS-Bench-201 operations in the benchmark's index order.
var NB201Ops = []string{OpNone, OpSkip, OpConv1x1, OpConv3x3, OpAvgPool}

// TransNASOps lists the TransNAS-Bench-101 micro operations by their digit (0..3).
var TransNASOps = []string{OpNone, OpSkip, OpConv1x1, OpConv3x3}

// CellEdge is one edge of a cell: Op applied to node From, summed into node To.
type CellEdge struct {
	From, To int
	Op       string
}

// Cell is a plain cell genotype: Nodes nodes (node 0 is the input, node Nodes-1
// the output) and the edges between them.
type Cell struct {
	Nodes int
	Edges []CellEdge
}

// nb201Wiring is the (from, to) pair of each of the six NB201 edges in string order.
var nb201Wiring = [6][2]int{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}

func knownOp(op string) bool {
	for _, o := range NB201Ops {
		if o == op {
			return true
		}
	}
	return false
}

// Validate checks that every edge goes forward between existing nodes and uses a known op.
func (c Cell) Validate() error {
	if c.Nodes < 2 {
		return fmt.Errorf("train: cell needs at least 2 nodes, got %d", c.Nodes)
	}
	for _, e := range c.Edges {
		if e.From < 0 || e.To >= c.Nodes || e.From >= e.To {
			return fmt.Errorf("train: bad edge %d->%d in a %d-node cell", e.From, e.To, c.Nodes)
		}
		if !knownOp(e.Op) {
			return fmt.Errorf("train: unknown operation %q (want one of %s)", e.Op, strings.Join(NB201Ops, ", "))
		}
	}
	return nil
}

// String returns the NB201 text form of a cell, grouping edges by target node
// (e.g. "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|").
func (c Cell) String() string {
	var b strings.Builder
	for to := 1; to < c.Nodes; to++ {
		if to > 1 {
			b.WriteByte('+')
		}
		b.WriteByte('|')
		for _, e := range c.Edges {
			if e.To == to {
				fmt.Fprintf(&b, "%s~%d|", e.Op, e.From)
			}
		}
	}
	return b.String()
}

// ParseNB201 parses an NB201 architecture string such as
// "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|".
// Each '+'-separated group lists the inputs of the next node.
func ParseNB201(arch string) (Cell, error) {
	s := strings.TrimSpace(arch)
	if s == "" {
		return Cell{}, fmt.Errorf("train: empty NB201 architecture string")
	}
	groups := strings.Split(s, "+")
	c := Cell{Nodes: len(groups) + 1}
	for i, g := range groups {
		to := i + 1
		g = strings.Trim(g, "|")
		if g == "" {
			return Cell{}, fmt.Errorf("train: NB201 string %q: node %d has no inputs", arch, to)
		}
		for _, item := range strings.Split(g, "|") {
			op, from, ok := strings.Cut(item, "~")
			if !ok {
				return Cell{}, fmt.Errorf("train: NB201 string %q: item %q is not op~node", arch, item)
			}
			var f int
			if _, err := fmt.Sscanf(from, "%d", &f); err != nil || fmt.Sprint(f) != from {
				return Cell{}, fmt.Errorf("train: NB201 string %q: bad input node %q", arch, from)
			}
			c.Edges = append(c.Edges, CellEdge{From: f, To: to, Op: op})
		}
	}
	if err := c.Validate(); err != nil {
		return Cell{}, fmt.Errorf("%w (in %q)", err, arch)
	}
	return c, nil
}

// ParseTransNASMicro parses the TransNAS-Bench-101 micro form "64-41414-a_bc_def"
// (digits 0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3), which uses the
// same 4-node, 6-edge wiring as NB201. Only the cell part is used; the macro
// prefix is checked for shape but otherwise ignored.
func ParseTransNASMicro(arch string) (Cell, error) {
	parts := strings.Split(strings.TrimSpace(arch), "-")
	if len(parts) != 3 {
		return Cell{}, fmt.Errorf("train: TransNAS micro string %q: want 3 '-'-separated parts like 64-41414-3_33_333", arch)
	}
	groups := strings.Split(parts[2], "_")
	if len(groups) != 3 || len(groups[0]) != 1 || len(groups[1]) != 2 || len(groups[2]) != 3 {
		return Cell{}, fmt.Errorf("train: TransNAS micro string %q: cell part must look like a_bc_def", arch)
	}
	digits := groups[0] + groups[1] + groups[2]
	c := Cell{Nodes: 4}
	for k, d := range digits {
		if d < '0' || int(d-'0') >= len(TransNASOps) {
			return Cell{}, fmt.Errorf("train: TransNAS micro string %q: op digit %q not in 0..3", arch, d)
		}
		c.Edges = append(c.Edges, CellEdge{From: nb201Wiring[k][0], To: nb201Wiring[k][1], Op: TransNASOps[d-'0']})
	}
	return c, nil
}

// Parse accepts either an NB201 string (starting with '|') or a TransNAS micro string.
func Parse(arch string) (Cell, error) {
	if strings.HasPrefix(strings.TrimSpace(arch), "|") {
		return ParseNB201(arch)
	}
	return ParseTransNASMicro(arch)
}
