package space

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Op is one operation of a space's operation table.
type Op struct {
	// Name is the operation's name in text forms and prompts, e.g. "nor_conv_3x3".
	Name string
	// Doc is a one-line description used when the space describes itself.
	Doc string
	// Zero marks the operation that outputs zeros ("none"): an edge carrying it
	// is absent from the network. It drives [Space.Canonical].
	Zero bool
}

// Edge is one edge of a cell (or one decision of a non-cell space).
type Edge struct {
	// Name identifies the edge in prompts and text forms, e.g. "1->2" or "o2".
	Name string
	// From and To are the nodes the edge connects; both are -1 for a
	// decision that is not a cell edge.
	From, To int
	// Choices are the operation ids the full space allows on this edge.
	Choices []int
}

// Codec reads and writes a space's text form of an architecture.
type Codec interface {
	// Parse reads an architecture; errors name the position and the bad token.
	Parse(s *Space, text string) (Arch, error)
	// Format writes an architecture.
	Format(s *Space, a Arch) string
}

// ErrNoMutation is returned by [Space.Mutate] when the space holds a single
// architecture, so no mutation can change it.
var ErrNoMutation = errors.New("space: no mutation possible: the space holds a single architecture")

// Space describes a search space, or a sub-space of one (see [Space.Restrict]).
// A *Space is immutable and safe for concurrent use.
type Space struct {
	name      string
	ops       []Op
	edges     []Edge
	nodes     int // number of cell nodes; 0 for a space of plain decisions
	codec     Codec
	root      *Space
	allowed   [][]int // sorted allowed op ids per edge
	mask      []uint64
	members   []Arch // when non-nil: the space is limited to these architectures
	memberSet map[Arch]struct{}
	about     string
	keyFormat KeyFormat       // set by a space file or WithKeyFormat
	rules     []compiledRule  // user-declared equivalence rules (equiv.go)
	equiv     EquivalenceFunc // user-declared canonical function (equiv.go)
}

// Name returns the space's name, e.g. "nb201".
func (s *Space) Name() string { return s.name }

// Ops returns the operation table (shared; do not modify).
func (s *Space) Ops() []Op { return s.ops }

// OpName returns the name of operation id, or "op<id>" when out of range.
func (s *Space) OpName(id int) string {
	if id < 0 || id >= len(s.ops) {
		return fmt.Sprintf("op%d", id)
	}
	return s.ops[id].Name
}

// OpID returns the id of the operation with the given name.
func (s *Space) OpID(name string) (int, bool) {
	for i, op := range s.ops {
		if op.Name == name {
			return i, true
		}
	}
	return -1, false
}

// NumEdges returns the number of edges (decisions).
func (s *Space) NumEdges() int { return len(s.edges) }

// Edges returns the edges with the full space's choices (shared; do not modify).
func (s *Space) Edges() []Edge { return s.edges }

// Nodes returns the number of cell nodes, 0 for a space of plain decisions.
func (s *Space) Nodes() int { return s.nodes }

// About returns a one-paragraph description of the space.
func (s *Space) About() string { return s.about }

// Root returns the full space this (sub-)space was derived from, or s itself.
func (s *Space) Root() *Space {
	if s.root == nil {
		return s
	}
	return s.root
}

// IsSubSpace reports whether s was derived from another space by Restrict.
func (s *Space) IsSubSpace() bool { return s.root != nil }

// Allowed returns a copy of the allowed op ids of every edge.
func (s *Space) Allowed() [][]int {
	out := make([][]int, len(s.allowed))
	for i, a := range s.allowed {
		out[i] = slices.Clone(a)
	}
	return out
}

// AllowedOn returns a copy of the allowed op ids of edge i.
func (s *Space) AllowedOn(i int) []int {
	if i < 0 || i >= len(s.allowed) {
		return nil
	}
	return slices.Clone(s.allowed[i])
}

// Allows reports whether edge i allows operation op.
func (s *Space) Allows(i, op int) bool {
	if i < 0 || i >= len(s.mask) || op < 0 || op >= MaxOps {
		return false
	}
	return s.mask[i]&(1<<uint(op)) != 0
}

// Contains reports whether a has the space's number of edges and every edge
// carries an allowed op (and, for a space limited to known architectures,
// whether a is one of them).
func (s *Space) Contains(a Arch) bool {
	if a.Len() != len(s.edges) {
		return false
	}
	for i := range s.edges {
		if !s.Allows(i, a.Op(i)) {
			return false
		}
	}
	if s.memberSet != nil {
		_, ok := s.memberSet[a]
		return ok
	}
	return true
}

// Validate returns an error naming the first edge of a that is not valid in
// the space, or nil.
func (s *Space) Validate(a Arch) error {
	if a.Len() != len(s.edges) {
		return fmt.Errorf("space %s: architecture has %d edges, want %d", s.name, a.Len(), len(s.edges))
	}
	for i, e := range s.edges {
		if !s.Allows(i, a.Op(i)) {
			return fmt.Errorf("space %s: edge %d (%s): op %s is not allowed (allowed: %s)", s.name, i, e.Name, s.OpName(a.Op(i)), s.opList(s.allowed[i]))
		}
	}
	if s.memberSet != nil {
		if _, ok := s.memberSet[a]; !ok {
			return fmt.Errorf("space %s: architecture %s is not among the %d known architectures", s.name, s.Format(a), len(s.memberSet))
		}
	}
	return nil
}

func (s *Space) opList(ids []int) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = s.OpName(id)
	}
	return strings.Join(names, ", ")
}

// Parse reads an architecture in the space's text form and checks that it is
// inside the space.
func (s *Space) Parse(text string) (Arch, error) {
	a, err := s.codec.Parse(s, text)
	if err != nil {
		return Arch{}, err
	}
	if err := s.Validate(a); err != nil {
		return Arch{}, err
	}
	return a, nil
}

// ParseAny reads an architecture of the root space (ignoring a sub-space's
// restriction).
func (s *Space) ParseAny(text string) (Arch, error) { return s.Root().Parse(text) }

// Format writes a in the space's text form.
func (s *Space) Format(a Arch) string { return s.codec.Format(s, a) }

// Size returns the number of architectures in the space.
func (s *Space) Size() *big.Int {
	if s.members != nil {
		return big.NewInt(int64(len(s.members)))
	}
	n := big.NewInt(1)
	for _, a := range s.allowed {
		n.Mul(n, big.NewInt(int64(len(a))))
	}
	return n
}

// Count returns the number of architectures, saturated at math.MaxInt64.
func (s *Space) Count() int64 {
	n := s.Size()
	if !n.IsInt64() {
		return math.MaxInt64
	}
	return n.Int64()
}

// Sample draws an architecture uniformly from the space.
func (s *Space) Sample(r *rand.Rand) Arch {
	if s.members != nil {
		return s.members[r.IntN(len(s.members))]
	}
	var a Arch
	a.n = uint8(len(s.edges))
	for i, al := range s.allowed {
		a.ops[i] = uint8(al[r.IntN(len(al))])
	}
	return a
}

// Project returns a with every edge whose op is not allowed replaced by an
// allowed op drawn at random; edges already allowed are kept. For a space
// limited to known architectures it returns the nearest member (fewest
// differing edges, ties broken at random). A wrong edge count returns a sample.
func (s *Space) Project(a Arch, r *rand.Rand) Arch {
	if a.Len() != len(s.edges) {
		return s.Sample(r)
	}
	if s.members != nil {
		if _, ok := s.memberSet[a]; ok {
			return a
		}
		best, bestD, ties := Arch{}, MaxEdges+1, 0
		for _, m := range s.members {
			d := Distance(a, m)
			if d < bestD {
				best, bestD, ties = m, d, 1
			} else if d == bestD {
				ties++
				if r.IntN(ties) == 0 {
					best = m
				}
			}
		}
		return best
	}
	for i, al := range s.allowed {
		if !s.Allows(i, a.Op(i)) {
			a.ops[i] = uint8(al[r.IntN(len(al))])
		}
	}
	return a
}

// Distance returns the number of edges on which a and b differ (the larger
// edge count when they differ in length).
func Distance(a, b Arch) int {
	if a.n != b.n {
		return max(int(a.n), int(b.n))
	}
	d := 0
	for i := 0; i < int(a.n); i++ {
		if a.ops[i] != b.ops[i] {
			d++
		}
	}
	return d
}

// Mutate changes one edge of a to another allowed op, choosing the edge
// uniformly among those that can change. Edges of a that the space does not
// allow (a parent kept from before the space changed) are first projected
// into the space, so the child is always inside it. When a is the space's only
// architecture it returns a and [ErrNoMutation]; it never loops.
func (s *Space) Mutate(a Arch, r *rand.Rand) (Arch, error) {
	if s.members != nil {
		nb := s.Neighbours(a)
		if len(nb) == 0 {
			p := s.Project(a, r)
			if p != a {
				return p, nil
			}
			if len(s.members) <= 1 {
				return a, ErrNoMutation
			}
			for {
				m := s.members[r.IntN(len(s.members))]
				if m != a {
					return m, nil
				}
			}
		}
		return nb[r.IntN(len(nb))], nil
	}
	a = s.Project(a, r)
	var mutable [MaxEdges]int
	k := 0
	for i, al := range s.allowed {
		if len(al) > 1 {
			mutable[k] = i
			k++
		}
	}
	if k == 0 {
		return a, ErrNoMutation
	}
	e := mutable[r.IntN(k)]
	al := s.allowed[e]
	cur := a.Op(e)
	// Choose uniformly among the other allowed ops.
	// The projected a carries an allowed op on e: pick one of the others.
	j := r.IntN(len(al) - 1)
	if j >= slices.Index(al, cur) {
		j++
	}
	a.ops[e] = uint8(al[j])
	return a, nil
}

// Neighbours returns every architecture of the space that differs from a on
// exactly one edge, in edge then op order.
func (s *Space) Neighbours(a Arch) []Arch {
	if a.Len() != len(s.edges) {
		return nil
	}
	var out []Arch
	for i, al := range s.allowed {
		for _, op := range al {
			if op == a.Op(i) {
				continue
			}
			b := a.With(i, op)
			if s.memberSet != nil {
				if _, ok := s.memberSet[b]; !ok {
					continue
				}
			}
			out = append(out, b)
		}
	}
	return out
}

// Enumerate calls fn for every architecture of the space in lexicographic
// order of allowed ops, until fn returns false.
func (s *Space) Enumerate(fn func(Arch) bool) {
	if s.members != nil {
		for _, m := range s.members {
			if !fn(m) {
				return
			}
		}
		return
	}
	n := len(s.edges)
	idx := make([]int, n)
	var a Arch
	a.n = uint8(n)
	for i := range n {
		a.ops[i] = uint8(s.allowed[i][0])
	}
	for {
		if !fn(a) {
			return
		}
		i := n - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(s.allowed[i]) {
				a.ops[i] = uint8(s.allowed[i][idx[i]])
				break
			}
			idx[i] = 0
			a.ops[i] = uint8(s.allowed[i][0])
		}
		if i < 0 {
			return
		}
	}
}

// All returns every architecture of the space; it fails when the space holds
// more than limit architectures.
func (s *Space) All(limit int) ([]Arch, error) {
	if c := s.Count(); c > int64(limit) {
		return nil, fmt.Errorf("space %s: %d architectures, more than the limit %d", s.name, c, limit)
	}
	out := make([]Arch, 0, s.Count())
	s.Enumerate(func(a Arch) bool { out = append(out, a); return true })
	return out, nil
}

// Restrict returns the sub-space of s's root that allows, on edge i, only the
// ops in allowed[i]. Every edge needs at least one op, and every op must be a
// choice of the root space on that edge. Duplicates are ignored. A space
// limited to known architectures stays limited to them.
func (s *Space) Restrict(allowed [][]int) (*Space, error) {
	root := s.Root()
	if len(allowed) != len(root.edges) {
		return nil, fmt.Errorf("space %s: restriction has %d edges, want %d", root.name, len(allowed), len(root.edges))
	}
	sub := *root
	sub.root = root
	sub.allowed = make([][]int, len(allowed))
	sub.mask = make([]uint64, len(allowed))
	for i, al := range allowed {
		if len(al) == 0 {
			return nil, fmt.Errorf("space %s: edge %d (%s): no allowed op", root.name, i, root.edges[i].Name)
		}
		for _, op := range al {
			if !root.Allows(i, op) {
				return nil, fmt.Errorf("space %s: edge %d (%s): op %s is not a choice of the space (choices: %s)", root.name, i, root.edges[i].Name, root.OpName(op), root.opList(root.allowed[i]))
			}
			sub.mask[i] |= 1 << uint(op)
		}
		c := slices.Clone(al)
		sort.Ints(c)
		sub.allowed[i] = slices.Compact(c)
	}
	if root.members != nil {
		sub.members = nil
		sub.memberSet = map[Arch]struct{}{}
		for _, m := range root.members {
			ok := true
			for i := range sub.allowed {
				if sub.mask[i]&(1<<uint(m.Op(i))) == 0 {
					ok = false
					break
				}
			}
			if ok {
				sub.members = append(sub.members, m)
				sub.memberSet[m] = struct{}{}
			}
		}
		if len(sub.members) == 0 {
			return nil, fmt.Errorf("space %s: the restriction keeps none of the %d known architectures", root.name, len(root.members))
		}
	}
	return &sub, nil
}

// LimitTo returns a new root space that holds only the given architectures of
// s (for example those a benchmark sample covers). Architectures outside s are
// an error; duplicates are ignored.
func (s *Space) LimitTo(archs []Arch) (*Space, error) {
	if len(archs) == 0 {
		return nil, fmt.Errorf("space %s: LimitTo needs at least one architecture", s.name)
	}
	lim := *s
	lim.root = nil
	lim.allowed = s.Allowed()
	lim.mask = slices.Clone(s.mask)
	// The limited space's edges keep the full choices (so restrictions can
	// name any op) but only ops used by some member are allowed.
	lim.memberSet = make(map[Arch]struct{}, len(archs))
	lim.members = nil
	for _, a := range archs {
		if err := s.Validate(a); err != nil {
			return nil, err
		}
		if _, dup := lim.memberSet[a]; dup {
			continue
		}
		lim.memberSet[a] = struct{}{}
		lim.members = append(lim.members, a)
	}
	slices.SortFunc(lim.members, compareArch)
	lim.name = s.name
	return &lim, nil
}

// Members returns the architectures a limited space holds, or nil for a
// space defined by its per-edge choices alone.
func (s *Space) Members() []Arch { return slices.Clone(s.members) }

func compareArch(a, b Arch) int {
	for i := 0; i < int(min(a.n, b.n)); i++ {
		if a.ops[i] != b.ops[i] {
			return int(a.ops[i]) - int(b.ops[i])
		}
	}
	return int(a.n) - int(b.n)
}

// deadEdges sets to the zero op the edges that cannot carry information
// from the cell's input to its output (because the zero op cuts them off).
// Spaces without cell wiring or without a zero op return a unchanged. It is
// the built-in part of [Space.Canonical].
func (s *Space) deadEdges(a Arch) Arch {
	if s.nodes == 0 || a.Len() != len(s.edges) {
		return a
	}
	zero := -1
	for i, op := range s.ops {
		if op.Zero {
			zero = i
			break
		}
	}
	if zero < 0 {
		return a
	}
	var fwd, bwd [MaxEdges + 1]bool
	fwd[0] = true
	// Edges go from lower to higher nodes; scan in node order.
	for node := 1; node < s.nodes; node++ {
		for i, e := range s.edges {
			if e.To == node && a.Op(i) != zero && fwd[e.From] {
				fwd[node] = true
			}
		}
	}
	bwd[s.nodes-1] = true
	for node := s.nodes - 2; node >= 0; node-- {
		for i, e := range s.edges {
			if e.From == node && a.Op(i) != zero && bwd[e.To] {
				bwd[node] = true
			}
		}
	}
	for i, e := range s.edges {
		if a.Op(i) == zero {
			continue
		}
		if !fwd[e.From] || !bwd[e.To] {
			a.ops[i] = uint8(zero)
		}
	}
	return a
}

// EdgeLabel returns a short label for edge i: its name and, for a cell
// edge, its wiring, e.g. "o2 (1->2)".
func (s *Space) EdgeLabel(i int) string {
	if i < 0 || i >= len(s.edges) {
		return fmt.Sprintf("edge%d", i)
	}
	e := s.edges[i]
	if e.From >= 0 && e.Name != fmt.Sprintf("%d->%d", e.From, e.To) {
		return fmt.Sprintf("%s (%d->%d)", e.Name, e.From, e.To)
	}
	return e.Name
}
