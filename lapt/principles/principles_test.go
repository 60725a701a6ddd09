package principles

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

func TestValidate(t *testing.T) {
	sp := space.NB201()
	good := Set{Allowed: [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}}}
	if err := good.Validate(sp, 2); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Set{
		"5 edges given":     {Allowed: [][]int{{3}, {3}, {3}, {1}, {3}}},
		"no op allowed":     {Allowed: [][]int{{3}, {}, {3}, {1}, {3}, {3}}},
		"at most 2 allowed": {Allowed: [][]int{{1, 2, 3}, {3}, {3}, {1}, {3}, {3}}},
		"op id 7":           {Allowed: [][]int{{7}, {3}, {3}, {1}, {3}, {3}}},
		"listed twice":      {Allowed: [][]int{{3, 3}, {3}, {3}, {1}, {3}, {3}}},
	}
	for want, s := range cases {
		if err := s.Validate(sp, 2); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want error containing %q", err, want)
		}
	}
}

func TestRefineAndCompare(t *testing.T) {
	sp := space.NB201()
	a := Set{Version: 1, Statements: []string{"s1"}, Allowed: [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}}}
	opt := space.MustArch(3, 3, 3, 1, 3, 2)
	out := space.MustArch(0, 3, 3, 1, 3, 2)
	sub, rep, err := Refine(sp, a, Reference{Name: "opt", Arch: opt}, Reference{Name: "other", Arch: out})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Count() != 8 || rep.SizeBefore != 15625 || rep.SizeAfter != 8 {
		t.Fatalf("sizes %d %d %d", sub.Count(), rep.SizeBefore, rep.SizeAfter)
	}
	if !rep.References[0].Survived || rep.References[1].Survived || rep.References[1].Blocking[0] != "0->1: none" {
		t.Fatalf("references %+v", rep.References)
	}
	if !reflect.DeepEqual(rep.Edges[0].Kept, []string{"nor_conv_3x3"}) || len(rep.Edges[0].Cut) != 4 {
		t.Fatalf("edge 0 %+v", rep.Edges[0])
	}
	if !strings.Contains(rep.String(), "15625 -> 8") {
		t.Fatal(rep.String())
	}
	var h History
	h.Add(a)
	b := a.Clone()
	b.Allowed[0] = []int{2, 3}
	b.Statements = append(b.Statements, "s2")
	b.Reason = "widened"
	h.Add(b)
	d := Compare(sp, h.Versions[0], h.Versions[1])
	if d.From != 1 || d.To != 2 || len(d.Edges) != 1 || d.Edges[0].Added[0] != "nor_conv_1x1" || d.SizeAfter != 16 || d.StatementsAdded[0] != "s2" {
		t.Fatalf("diff %+v", d)
	}
	if !strings.Contains(d.String(), "+nor_conv_1x1") {
		t.Fatal(d.String())
	}
	if a.Allowed[0][0] != 3 || len(a.Allowed[0]) != 1 {
		t.Fatal("Clone shares memory")
	}
	js, _ := json.Marshal(h)
	var back History
	if err := json.Unmarshal(js, &back); err != nil || !reflect.DeepEqual(back, h) {
		t.Fatalf("history JSON round trip: %v", err)
	}
}

func TestRefineLimitedSpace(t *testing.T) {
	sp := space.TransNASMicro()
	var archs []space.Arch
	for _, s := range []string{"64-41414-3_33_333", "64-41414-1_33_333", "64-41414-2_02_022"} {
		a, _ := sp.Parse(s)
		archs = append(archs, a)
	}
	lim, _ := sp.LimitTo(archs)
	set := Set{Allowed: [][]int{{1, 3}, {3}, {3}, {3}, {3}, {3}}}
	sub, rep, err := Refine(lim, set)
	if err != nil || sub.Count() != 2 || rep.SizeBefore != 3 {
		t.Fatalf("%v %d %+v", err, sub.Count(), rep)
	}
	if _, _, err := Refine(lim, Set{Allowed: [][]int{{0}, {0}, {0}, {0}, {0}, {0}}}); err == nil {
		t.Fatal("empty refinement of a limited space accepted")
	}
}
