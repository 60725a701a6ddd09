package principles

import (
	"fmt"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// Reference is an architecture whose fate under a refinement is reported,
// e.g. the target task's known optimum. It is used for analysis only and
// never reaches a reasoner or a search.
type Reference struct {
	Name string
	Arch space.Arch
}

// EdgeReport is one edge of a refinement report.
type EdgeReport struct {
	Edge  int      `json:"edge"`
	Label string   `json:"label"`
	Kept  []string `json:"kept"`
	Cut   []string `json:"cut"`
	// KeptIDs and CutIDs are the same ops as op ids of the space, in id order.
	KeptIDs []int `json:"kept_ids"`
	CutIDs  []int `json:"cut_ids"`
}

// RefSurvival says whether a reference architecture is in the refined space.
type RefSurvival struct {
	Name     string `json:"name"`
	Arch     string `json:"arch"`
	Survived bool   `json:"survived"`
	// Blocking lists the edges whose op was cut, "edge: op".
	Blocking []string `json:"blocking,omitempty"`
}

// Report describes a refinement: sizes, per-edge cuts and reference survival.
type Report struct {
	Space      string `json:"space"`
	Version    int    `json:"version"`
	SizeBefore int64  `json:"size_before"`
	SizeAfter  int64  `json:"size_after"`
	// Ops names the ops used on any edge of the space, in op-id order: the
	// columns of an op grid.
	Ops        []string      `json:"ops"`
	Edges      []EdgeReport  `json:"edges"`
	References []RefSurvival `json:"references,omitempty"`
}

// Fraction returns SizeAfter / SizeBefore.
func (r Report) Fraction() float64 { return float64(r.SizeAfter) / float64(r.SizeBefore) }

// Refine compiles s into a sub-space of sp's root and reports what it cut
// and which references survived.
func Refine(sp *space.Space, s Set, refs ...Reference) (*space.Space, Report, error) {
	sub, err := s.Compile(sp)
	if err != nil {
		return nil, Report{}, err
	}
	root := sp.Root()
	rep := Report{Space: root.Name(), Version: s.Version, SizeBefore: root.Count(), SizeAfter: sub.Count()}
	used := make([]bool, len(root.Ops()))
	for i := 0; i < root.NumEdges(); i++ {
		er := EdgeReport{Edge: i, Label: root.EdgeLabel(i)}
		for _, op := range root.AllowedOn(i) {
			used[op] = true
			if sub.Allows(i, op) {
				er.Kept, er.KeptIDs = append(er.Kept, root.OpName(op)), append(er.KeptIDs, op)
			} else {
				er.Cut, er.CutIDs = append(er.Cut, root.OpName(op)), append(er.CutIDs, op)
			}
		}
		rep.Edges = append(rep.Edges, er)
	}
	for id, u := range used {
		if u {
			rep.Ops = append(rep.Ops, root.OpName(id))
		}
	}
	for _, ref := range refs {
		rs := RefSurvival{Name: ref.Name, Arch: root.Format(ref.Arch), Survived: sub.Contains(ref.Arch)}
		for i := 0; i < ref.Arch.Len() && i < root.NumEdges(); i++ {
			if !sub.Allows(i, ref.Arch.Op(i)) {
				rs.Blocking = append(rs.Blocking, fmt.Sprintf("%s: %s", root.EdgeLabel(i), root.OpName(ref.Arch.Op(i))))
			}
		}
		rep.References = append(rep.References, rs)
	}
	return sub, rep, nil
}

// String renders the report as text.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Refined %s space: %d -> %d architectures (%.2f%%)\n", r.Space, r.SizeBefore, r.SizeAfter, 100*r.Fraction())
	for _, e := range r.Edges {
		fmt.Fprintf(&b, "  edge %-6s kept %-36s cut %s\n", e.Label, strings.Join(e.Kept, ","), strings.Join(e.Cut, ","))
	}
	for _, ref := range r.References {
		if ref.Survived {
			fmt.Fprintf(&b, "  reference %s: survived\n", ref.Name)
		} else {
			fmt.Fprintf(&b, "  reference %s: CUT (%s)\n", ref.Name, strings.Join(ref.Blocking, "; "))
		}
	}
	return b.String()
}
