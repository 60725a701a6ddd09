// Package train turns NAS-Bench-201 style cells into GoMLX networks, trains them
// with the benchmark recipe (or any other configuration) on the pure-Go or the
// XLA backend, and reports validation/test accuracy with the cost paid.
//
// GoMLX is only imported by this package and its sub-packages (see
// [github.com/nasnb/nasnb/lapt/train/proxy]); datasets come from the plain-Go
// package [github.com/nasnb/nasnb/datasets/images].
//
// A cell is a plain genotype ([Cell]) made from an architecture of a cell
// space ([CellOf]) or read from either text form ([Parse]); the ops, the
// wiring and the text forms are lapt/space's ([space.CellOps],
// [space.ParseCell]).
package train

import (
	"fmt"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// CellEdge is one edge of a cell: Op (a NAS-Bench-201 op name, e.g.
// space.NameConv3x3) applied to node From, summed into node To.
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

// Validate checks that every edge goes forward between existing nodes and uses a known op.
func (c Cell) Validate() error {
	if c.Nodes < 2 {
		return fmt.Errorf("train: cell needs at least 2 nodes, got %d", c.Nodes)
	}
	for _, e := range c.Edges {
		if e.From < 0 || e.To >= c.Nodes || e.From >= e.To {
			return fmt.Errorf("train: bad edge %d->%d in a %d-node cell", e.From, e.To, c.Nodes)
		}
		if _, ok := space.CellOpID(e.Op); !ok {
			var names []string
			for _, o := range space.CellOps() {
				names = append(names, o.Name)
			}
			return fmt.Errorf("train: unknown operation %q (want one of %s)", e.Op, strings.Join(names, ", "))
		}
	}
	return nil
}

// String returns the NB201 arch string of a cell with the NB201 wiring, and
// an edge list "0->1 op, ..." of any other cell.
func (c Cell) String() string {
	if a, ok := c.nb201(); ok {
		return space.NB201().Format(a)
	}
	parts := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		parts[i] = fmt.Sprintf("%d->%d %s", e.From, e.To, e.Op)
	}
	return strings.Join(parts, ", ")
}

// nb201 returns the NAS-Bench-201 architecture of a cell with its wiring.
func (c Cell) nb201() (space.Arch, bool) {
	w := space.CellWiring()
	if c.Nodes != 4 || len(c.Edges) != len(w) {
		return space.Arch{}, false
	}
	ops := make([]int, len(w))
	for i, e := range c.Edges {
		id, ok := space.CellOpID(e.Op)
		if !ok || e.From != w[i][0] || e.To != w[i][1] {
			return space.Arch{}, false
		}
		ops[i] = id
	}
	a, err := space.NewArch(ops...)
	return a, err == nil
}

// CellOf returns the cell of an architecture of a cell space (NAS-Bench-201,
// TransNAS-Bench-101 micro, or a space.Define'd cell whose ops are
// NAS-Bench-201 op names): the space's wiring and op names, no text in
// between.
func CellOf(sp *space.Space, a space.Arch) (Cell, error) {
	if sp == nil {
		return Cell{}, fmt.Errorf("train: CellOf needs a space")
	}
	root := sp.Root()
	if root.Nodes() == 0 {
		return Cell{}, fmt.Errorf("train: space %s has no cell (its decisions are not edges between nodes)", root.Name())
	}
	if err := root.Validate(a); err != nil {
		return Cell{}, fmt.Errorf("train: %w", err)
	}
	c := Cell{Nodes: root.Nodes()}
	for i, e := range root.Edges() {
		c.Edges = append(c.Edges, CellEdge{From: e.From, To: e.To, Op: root.OpName(a.Op(i))})
	}
	if err := c.Validate(); err != nil {
		return Cell{}, fmt.Errorf("%w (space %s)", err, root.Name())
	}
	return c, nil
}

// Parse reads a cell in either text form: an NB201 arch string (starting
// with '|') or a TransNAS-Bench-101 micro string (see [space.ParseCell]).
func Parse(arch string) (Cell, error) {
	sp, a, err := space.ParseCell(arch)
	if err != nil {
		return Cell{}, fmt.Errorf("train: %w", err)
	}
	return CellOf(sp, a)
}
