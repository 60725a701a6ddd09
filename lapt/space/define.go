package space

import (
	"fmt"
	"slices"
	"strings"
)

// EdgeSpec declares one edge (or decision) of a user-defined space.
type EdgeSpec struct {
	// Name identifies the edge; empty means "from->to" for a cell edge.
	Name string
	// From and To are cell nodes, or -1 for a plain decision.
	From, To int
	// Ops are the names of the operations the edge may carry.
	Ops []string
}

// Choice declares a plain decision (not a cell edge) with its options.
func Choice(name string, ops ...string) EdgeSpec {
	return EdgeSpec{Name: name, From: -1, To: -1, Ops: ops}
}

// CellEdge declares a cell edge from node from to node to (from < to) with
// its candidate operations.
func CellEdge(from, to int, ops ...string) EdgeSpec {
	return EdgeSpec{From: from, To: to, Ops: ops}
}

// Option configures [Define].
type Option func(*Space)

// OpDoc attaches a one-line description to an operation, used when the space
// describes itself for a prompt.
func OpDoc(op, doc string) Option {
	return func(s *Space) {
		for i := range s.ops {
			if s.ops[i].Name == op {
				s.ops[i].Doc = doc
			}
		}
	}
}

// About sets the space's one-paragraph description.
func About(text string) Option { return func(s *Space) { s.about = text } }

// Define builds a search space from edge specs, e.g.
//
//	sp, err := space.Define("tiny", []space.EdgeSpec{
//		space.CellEdge(0, 1, "conv3x3", "skip", "none"),
//		space.CellEdge(0, 2, "conv3x3", "none"),
//		space.CellEdge(1, 2, "conv3x3", "skip"),
//	})
//
// (ExampleDefine is a runnable version.)
//
// The operation table is the union of the op names in order of first use;
// an op named "none" or "zero" is the zero op. Either every spec is a cell
// edge (nodes 0..n-1, the last node being the output) or none is. The text form
// is the op names joined by commas, in edge order ("conv3x3,none,skip"); Parse
// also accepts "name=op" pairs in any order.
func Define(name string, specs []EdgeSpec, opts ...Option) (*Space, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("space: Define: empty name")
	}
	if len(specs) == 0 || len(specs) > MaxEdges {
		return nil, fmt.Errorf("space %s: %d edges; between 1 and %d are supported", name, len(specs), MaxEdges)
	}
	s := &Space{name: name, codec: listCodec{}}
	cells := 0
	seen := map[string]bool{}
	for i, sp := range specs {
		if sp.From >= 0 || sp.To >= 0 {
			cells++
			if sp.From < 0 || sp.To <= sp.From {
				return nil, fmt.Errorf("space %s: edge %d: from %d to %d: need 0 <= from < to", name, i, sp.From, sp.To)
			}
			s.nodes = max(s.nodes, sp.To+1)
		}
		en := sp.Name
		if en == "" {
			if sp.From < 0 {
				return nil, fmt.Errorf("space %s: decision %d has no name", name, i)
			}
			en = fmt.Sprintf("%d->%d", sp.From, sp.To)
		}
		if strings.ContainsAny(en, ",=|") {
			return nil, fmt.Errorf("space %s: edge name %q must not contain ',', '=' or '|'", name, en)
		}
		if seen[en] {
			return nil, fmt.Errorf("space %s: edge name %q used twice", name, en)
		}
		seen[en] = true
		if len(sp.Ops) == 0 {
			return nil, fmt.Errorf("space %s: edge %s has no ops", name, en)
		}
		e := Edge{Name: en, From: sp.From, To: sp.To}
		if sp.From < 0 {
			e.From, e.To = -1, -1
		}
		for _, op := range sp.Ops {
			op = strings.TrimSpace(op)
			if op == "" || strings.ContainsAny(op, ",=|") {
				return nil, fmt.Errorf("space %s: edge %s: bad op name %q", name, en, op)
			}
			id, ok := s.OpID(op)
			if !ok {
				if len(s.ops) >= MaxOps {
					return nil, fmt.Errorf("space %s: more than %d distinct ops", name, MaxOps)
				}
				id = len(s.ops)
				s.ops = append(s.ops, Op{Name: op, Zero: op == "none" || op == "zero"})
			}
			if slices.Contains(e.Choices, id) {
				return nil, fmt.Errorf("space %s: edge %s: op %q listed twice", name, en, op)
			}
			e.Choices = append(e.Choices, id)
		}
		s.edges = append(s.edges, e)
	}
	if cells != 0 && cells != len(specs) {
		return nil, fmt.Errorf("space %s: mix of cell edges and plain decisions; use one kind", name)
	}
	if cells == 0 {
		s.nodes = 0
	}
	for _, o := range opts {
		o(s)
	}
	s.initAllowed()
	return s, nil
}

func (s *Space) initAllowed() {
	s.allowed = make([][]int, len(s.edges))
	s.mask = make([]uint64, len(s.edges))
	for i, e := range s.edges {
		c := slices.Clone(e.Choices)
		slices.Sort(c)
		s.allowed[i] = c
		for _, op := range c {
			s.mask[i] |= 1 << uint(op)
		}
	}
}

// listCodec is the text form of user-defined spaces: op names joined by
// commas in edge order, or "edge=op" pairs.
type listCodec struct{}

func (listCodec) Format(s *Space, a Arch) string {
	parts := make([]string, a.Len())
	for i := range parts {
		parts[i] = s.OpName(a.Op(i))
	}
	return strings.Join(parts, ",")
}

func (listCodec) Parse(s *Space, text string) (Arch, error) {
	parts := strings.Split(strings.TrimSpace(text), ",")
	if len(parts) != len(s.edges) {
		return Arch{}, fmt.Errorf("space %s: %q has %d fields, want %d (one op per edge: %s)", s.name, text, len(parts), len(s.edges), s.edgeNames())
	}
	ops := make([]int, len(s.edges))
	named := strings.Contains(text, "=")
	set := make([]bool, len(s.edges))
	pos := 0
	for k, p := range parts {
		field := strings.TrimSpace(p)
		i := k
		opName := field
		if named {
			en, on, ok := strings.Cut(field, "=")
			if !ok {
				return Arch{}, fmt.Errorf("space %s: field %d %q: want edge=op", s.name, k+1, field)
			}
			i = s.edgeIndex(strings.TrimSpace(en))
			if i < 0 {
				return Arch{}, fmt.Errorf("space %s: field %d: unknown edge %q (edges: %s)", s.name, k+1, en, s.edgeNames())
			}
			if set[i] {
				return Arch{}, fmt.Errorf("space %s: field %d: edge %q given twice", s.name, k+1, en)
			}
			opName = strings.TrimSpace(on)
		}
		set[i] = true
		id, ok := s.OpID(opName)
		if !ok || !slices.Contains(s.edges[i].Choices, id) {
			return Arch{}, fmt.Errorf("space %s: field %d (at byte %d): unknown op %q for edge %s (choices: %s)", s.name, k+1, pos, opName, s.edges[i].Name, s.opList(s.edges[i].Choices))
		}
		ops[i] = id
		pos += len(p) + 1
	}
	return NewArch(ops...)
}

func (s *Space) edgeIndex(name string) int {
	for i, e := range s.edges {
		if e.Name == name {
			return i
		}
	}
	return -1
}

func (s *Space) edgeNames() string {
	n := make([]string, len(s.edges))
	for i, e := range s.edges {
		n[i] = e.Name
	}
	return strings.Join(n, ", ")
}
