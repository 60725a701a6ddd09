package principles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// History is the sequence of versions of a principle set.
type History struct {
	Versions []Set `json:"versions"`
}

// Add appends s as the next version (its Version is set) and returns it.
func (h *History) Add(s Set) Set {
	s = s.Clone()
	s.Version = len(h.Versions) + 1
	h.Versions = append(h.Versions, s)
	return s
}

// Latest returns the newest version and false when the history is empty.
func (h *History) Latest() (Set, bool) {
	if len(h.Versions) == 0 {
		return Set{}, false
	}
	return h.Versions[len(h.Versions)-1], true
}

// EdgeChange is what changed on one edge between two versions.
type EdgeChange struct {
	Edge    int      `json:"edge"`
	Label   string   `json:"label"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// Diff is the difference between two versions.
type Diff struct {
	From              int          `json:"from"`
	To                int          `json:"to"`
	Reason            string       `json:"reason,omitempty"`
	Edges             []EdgeChange `json:"edges,omitempty"`
	StatementsAdded   []string     `json:"statements_added,omitempty"`
	StatementsRemoved []string     `json:"statements_removed,omitempty"`
	SizeBefore        int64        `json:"size_before"`
	SizeAfter         int64        `json:"size_after"`
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.Edges) == 0 && len(d.StatementsAdded) == 0 && len(d.StatementsRemoved) == 0
}

// Compare returns the difference from a to b in space sp.
func Compare(sp *space.Space, a, b Set) Diff {
	root := sp.Root()
	d := Diff{From: a.Version, To: b.Version, Reason: b.Reason, SizeBefore: size(a.Allowed), SizeAfter: size(b.Allowed)}
	for i := 0; i < max(len(a.Allowed), len(b.Allowed)); i++ {
		var x, y []int
		if i < len(a.Allowed) {
			x = a.Allowed[i]
		}
		if i < len(b.Allowed) {
			y = b.Allowed[i]
		}
		ch := EdgeChange{Edge: i, Label: root.EdgeLabel(i)}
		for _, op := range y {
			if !slices.Contains(x, op) {
				ch.Added = append(ch.Added, root.OpName(op))
			}
		}
		for _, op := range x {
			if !slices.Contains(y, op) {
				ch.Removed = append(ch.Removed, root.OpName(op))
			}
		}
		if len(ch.Added)+len(ch.Removed) > 0 {
			d.Edges = append(d.Edges, ch)
		}
	}
	for _, s := range b.Statements {
		if !slices.Contains(a.Statements, s) {
			d.StatementsAdded = append(d.StatementsAdded, s)
		}
	}
	for _, s := range a.Statements {
		if !slices.Contains(b.Statements, s) {
			d.StatementsRemoved = append(d.StatementsRemoved, s)
		}
	}
	return d
}

func size(allowed [][]int) int64 {
	n := int64(1)
	for _, a := range allowed {
		n *= int64(len(a))
	}
	return n
}

// String renders the diff as text.
func (d Diff) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "v%d -> v%d", d.From, d.To)
	if d.Reason != "" {
		fmt.Fprintf(&b, " (%s)", d.Reason)
	}
	fmt.Fprintf(&b, ": space %d -> %d\n", d.SizeBefore, d.SizeAfter)
	if d.Empty() {
		b.WriteString("  no change\n")
	}
	for _, e := range d.Edges {
		fmt.Fprintf(&b, "  edge %s:", e.Label)
		for _, a := range e.Added {
			fmt.Fprintf(&b, " +%s", a)
		}
		for _, r := range e.Removed {
			fmt.Fprintf(&b, " -%s", r)
		}
		b.WriteString("\n")
	}
	for _, s := range d.StatementsAdded {
		fmt.Fprintf(&b, "  + %s\n", s)
	}
	for _, s := range d.StatementsRemoved {
		fmt.Fprintf(&b, "  - %s\n", s)
	}
	return b.String()
}
