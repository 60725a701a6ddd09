package space

import (
	"fmt"
	"strings"
)

// Describe returns the space written as code, for a prompt: the operation
// table with a one-line comment per op and, for a cell space, the forward
// pass that wires the edges; for a sub-space, the ops each edge allows.
func (s *Space) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Search space %q", s.name)
	if s.nodes > 0 {
		fmt.Fprintf(&b, ": a cell with %d nodes and %d edges", s.nodes, len(s.edges))
	} else {
		fmt.Fprintf(&b, ": %d decisions", len(s.edges))
	}
	b.WriteString("\n")
	if s.about != "" {
		for _, line := range wrap(s.about, 96) {
			b.WriteString("# " + line + "\n")
		}
	}
	b.WriteString("OPS = {\n")
	w := 0
	for _, op := range s.ops {
		w = max(w, len(op.Name))
	}
	for i, op := range s.ops {
		doc := op.Doc
		if doc == "" {
			doc = "(no description)"
		}
		fmt.Fprintf(&b, "    %d: %-*s  # %s\n", i, w+3, fmt.Sprintf("%q,", op.Name), doc)
	}
	b.WriteString("}\n")
	if s.nodes > 0 {
		b.WriteString("\n# arch[k] is the op id on edge k; edges in this order:\n")
		for i, e := range s.edges {
			fmt.Fprintf(&b, "#   edge %d: node %d -> node %d\n", i, e.From, e.To)
		}
		b.WriteString("def cell(x0, arch):\n")
		for node := 1; node < s.nodes; node++ {
			var terms []string
			for i, e := range s.edges {
				if e.To == node {
					terms = append(terms, fmt.Sprintf("OPS[arch[%d]](x%d)", i, e.From))
				}
			}
			if len(terms) == 0 {
				terms = []string{"0"}
			}
			fmt.Fprintf(&b, "    x%d = %s\n", node, strings.Join(terms, " + "))
		}
		fmt.Fprintf(&b, "    return x%d\n", s.nodes-1)
	} else {
		b.WriteString("\n# arch[k] is the op id chosen for decision k:\n")
		for i, e := range s.edges {
			fmt.Fprintf(&b, "#   decision %d (%s): one of %s\n", i, e.Name, s.idList(e.Choices))
		}
	}
	if s.IsSubSpace() || s.members != nil {
		b.WriteString("\n# Allowed ops per edge in this (sub-)space:\n")
		for i := range s.edges {
			fmt.Fprintf(&b, "#   edge %d (%s): %s\n", i, s.edges[i].Name, s.idList(s.allowed[i]))
		}
		if s.members != nil {
			fmt.Fprintf(&b, "# Limited to %d known architectures.\n", len(s.members))
		}
	}
	return b.String()
}

func (s *Space) idList(ids []int) string {
	p := make([]string, len(ids))
	for i, id := range ids {
		p[i] = fmt.Sprintf("%d (%s)", id, s.OpName(id))
	}
	return "[" + strings.Join(p, ", ") + "]"
}

func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
