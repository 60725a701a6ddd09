// Package principles holds design principles as first-class values: prose
// statements plus a machine-readable constraint on a search space (the ops
// each edge may carry), where they came from, and how they changed over
// adaptation rounds. A [Set] compiles into a sub-space with [Refine], which
// also reports what was cut and whether reference architectures survived.
package principles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// Provenance says where a principle set came from.
type Provenance struct {
	// Reasoner is the reasoner's name ("offline", "openai", "replay(openai)").
	Reasoner string `json:"reasoner"`
	// Model is the LLM model, if any.
	Model string `json:"model,omitempty"`
	// Temperature used, if any.
	Temperature float64 `json:"temperature,omitempty"`
	// Sources are the source tasks whose data the reasoner saw.
	Sources []string `json:"sources,omitempty"`
	// Evidence is the architectures (text form) shown to the reasoner, best first.
	Evidence []string `json:"evidence,omitempty"`
	// Exchanges are the ids of the recorded LLM exchanges behind the set.
	Exchanges []string `json:"exchanges,omitempty"`
}

// Set is one version of a principle set.
type Set struct {
	// Version numbers the set in its history, from 1.
	Version int `json:"version"`
	// Statements are the principles in prose, one per entry.
	Statements []string `json:"statements"`
	// Allowed is the constraint: the op ids each edge may carry.
	Allowed [][]int `json:"allowed"`
	// Preference optionally ranks, per edge, every op from most to least
	// supported by the evidence (allowed ops first). Adaptation uses it to
	// widen a space in a principled order; it may be nil.
	Preference [][]int `json:"preference,omitempty"`
	// Analysis is the reasoner's free-text analysis (may be empty).
	Analysis string `json:"analysis,omitempty"`
	// Reason says why this version exists ("learned from imagenet16-120",
	// "adapted: best improved to 91.6 after 10 evaluations").
	Reason string `json:"reason,omitempty"`
	// Provenance says where it came from.
	Provenance Provenance `json:"provenance"`
}

// Clone returns a deep copy.
func (s Set) Clone() Set {
	c := s
	c.Statements = slices.Clone(s.Statements)
	c.Allowed = make([][]int, len(s.Allowed))
	for i, a := range s.Allowed {
		c.Allowed[i] = slices.Clone(a)
	}
	if s.Preference != nil {
		c.Preference = make([][]int, len(s.Preference))
		for i, p := range s.Preference {
			c.Preference[i] = slices.Clone(p)
		}
	}
	c.Provenance.Sources = slices.Clone(s.Provenance.Sources)
	c.Provenance.Evidence = slices.Clone(s.Provenance.Evidence)
	c.Provenance.Exchanges = slices.Clone(s.Provenance.Exchanges)
	return c
}

// Validate checks the constraint against a space: one entry per edge, each
// non-empty, ids that are choices of the edge, no duplicates, at most
// maxPerEdge ops on an edge (0 = no cap), and, in a cell space with a zero
// op, a path from the cell's input to its output whose edges all allow a
// non-zero op (a set that allows only "none" on a cut leaves no cell that
// carries information).
func (s Set) Validate(sp *space.Space, maxPerEdge int) error {
	root := sp.Root()
	if len(s.Allowed) != root.NumEdges() {
		return fmt.Errorf("principles: %d edges given, the space %s has %d", len(s.Allowed), root.Name(), root.NumEdges())
	}
	for i, al := range s.Allowed {
		if len(al) == 0 {
			return fmt.Errorf("principles: edge %d (%s): no op allowed", i, root.EdgeLabel(i))
		}
		if maxPerEdge > 0 && len(al) > maxPerEdge {
			return fmt.Errorf("principles: edge %d (%s): %d ops, at most %d allowed", i, root.EdgeLabel(i), len(al), maxPerEdge)
		}
		seen := map[int]bool{}
		for _, op := range al {
			if !root.Allows(i, op) {
				return fmt.Errorf("principles: edge %d (%s): op id %d is not a choice (valid ids: %v)", i, root.EdgeLabel(i), op, root.AllowedOn(i))
			}
			if seen[op] {
				return fmt.Errorf("principles: edge %d (%s): op %s listed twice", i, root.EdgeLabel(i), root.OpName(op))
			}
			seen[op] = true
		}
	}
	return checkFlow(root, s.Allowed)
}

// checkFlow refuses allowed sets that cut every path from the cell's input
// node to its output node (each edge on it allows only the zero op).
func checkFlow(root *space.Space, allowed [][]int) error {
	nodes := root.Nodes()
	if nodes < 2 {
		return nil
	}
	zero := -1
	for i, op := range root.Ops() {
		if op.Zero {
			zero = i
			break
		}
	}
	if zero < 0 {
		return nil
	}
	reach := make([]bool, nodes)
	reach[0] = true
	edges := root.Edges()
	for changed := true; changed; {
		changed = false
		for i, e := range edges {
			if e.From < 0 || e.From >= nodes || e.To < 0 || e.To >= nodes || !reach[e.From] || reach[e.To] {
				continue
			}
			for _, op := range allowed[i] {
				if op != zero {
					reach[e.To], changed = true, true
					break
				}
			}
		}
	}
	if !reach[nodes-1] {
		return fmt.Errorf("principles: no path from the cell's input (node 0) to its output (node %d) allows an op other than %s: every cell of this sub-space would compute nothing",
			nodes-1, root.OpName(zero))
	}
	return nil
}

// Compile returns the sub-space of sp's root that the set allows.
func (s Set) Compile(sp *space.Space) (*space.Space, error) {
	if err := s.Validate(sp, 0); err != nil {
		return nil, err
	}
	return sp.Root().Restrict(s.Allowed)
}

// Format writes the set as text: statements, then the per-edge op table.
func (s Set) Format(sp *space.Space) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Principles v%d", s.Version)
	if s.Provenance.Reasoner != "" {
		fmt.Fprintf(&b, " (%s", s.Provenance.Reasoner)
		if s.Provenance.Model != "" {
			fmt.Fprintf(&b, ", %s", s.Provenance.Model)
		}
		if len(s.Provenance.Sources) > 0 {
			fmt.Fprintf(&b, ", from %s", strings.Join(s.Provenance.Sources, "+"))
		}
		b.WriteString(")")
	}
	b.WriteString("\n")
	if s.Reason != "" {
		fmt.Fprintf(&b, "  %s\n", s.Reason)
	}
	for i, st := range s.Statements {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, st)
	}
	root := sp.Root()
	b.WriteString("  Allowed ops per edge:\n")
	for i, al := range s.Allowed {
		names := make([]string, len(al))
		for k, op := range al {
			names[k] = root.OpName(op)
		}
		fmt.Fprintf(&b, "    %-6s %s\n", root.EdgeLabel(i), strings.Join(names, ", "))
	}
	return b.String()
}
