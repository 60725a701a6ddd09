package space_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

const macroYAML = `name: macro
ops:
  - {name: id, doc: "identity"}
  - {name: conv, doc: "a convolution"}
  - {name: mb}
  - {name: narrow}
  - {name: wide}
decisions:
  - {name: l1, choices: [id, conv, mb]}
  - {name: l2, choices: [id, conv, mb]}
  - {name: l3, choices: [id, conv, mb]}
  - {name: width, choices: [narrow, wide]}
key_format: digits
equivalence:
  - collapse: [l1, l2, l3]
    op: id
`

func TestParseFileMacroDigits(t *testing.T) {
	sp, err := space.ParseFile("macro.yaml", []byte(macroYAML))
	if err != nil {
		t.Fatal(err)
	}
	if sp.Name() != "macro" || sp.Count() != 54 || sp.NumEdges() != 4 || sp.Nodes() != 0 {
		t.Fatalf("space %s: %d archs, %d decisions", sp.Name(), sp.Count(), sp.NumEdges())
	}
	if kf := sp.KeyFormat(); kf.Name != "digits" {
		t.Fatalf("key format %+v", kf)
	}
	a, err := sp.Parse("1021")
	if err != nil {
		t.Fatal(err)
	}
	if got := sp.Format(a); got != "1021" {
		t.Fatalf("format %q", got)
	}
	if sp.OpName(a.Op(0)) != "conv" || sp.OpName(a.Op(1)) != "id" || sp.OpName(a.Op(3)) != "wide" {
		t.Fatalf("parsed %v", a)
	}
	// id moves to the end of the stage: 1021 ~ 0121 ~ 1201 -> 1201... every
	// placement of one id among three layers is one class.
	b, _ := sp.Parse("0121")
	c, _ := sp.Parse("1201")
	if sp.Canonical(a) != sp.Canonical(b) || sp.Canonical(a) != sp.Canonical(c) || sp.Format(sp.Canonical(a)) != "1201" {
		t.Fatalf("canonical %s %s %s", sp.Format(sp.Canonical(a)), sp.Format(sp.Canonical(b)), sp.Format(sp.Canonical(c)))
	}
	d, _ := sp.Parse("2101") // another order of the real blocks: a different network
	if sp.Canonical(d) == sp.Canonical(a) {
		t.Fatal("order of real blocks collapsed")
	}
	classes := map[space.Arch]bool{}
	sp.Enumerate(func(x space.Arch) bool { classes[sp.Canonical(x)] = true; return true })
	// Per stage of 3 layers with 2 real blocks: 1+2+4+8 = 15 classes, x2 widths.
	if len(classes) != 30 {
		t.Fatalf("%d classes, want 30", len(classes))
	}
	if !strings.Contains(sp.Describe(), "identity") {
		t.Fatal("op docs lost")
	}
	if r := sp.Rules(); len(r) != 1 || r[0].String() != "the position of op id among l1, l2, l3 does not matter" {
		t.Fatalf("rules %v", r)
	}
	for _, bad := range []string{"102", "10211", "1031", "x021"} {
		if _, err := sp.Parse(bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

func TestParseFileJSONAndCell(t *testing.T) {
	js := `{"name": "cell", "edges": [
  {"from": 0, "to": 1, "ops": ["none", "skip_connect", "nor_conv_3x3"]},
  {"from": 0, "to": 2, "ops": ["none", "skip_connect", "nor_conv_3x3"]},
  {"from": 1, "to": 2, "ops": ["none", "skip_connect", "nor_conv_3x3"]},
  {"from": 0, "to": 3, "ops": ["none", "skip_connect", "nor_conv_3x3"]},
  {"from": 1, "to": 3, "ops": ["none", "skip_connect", "nor_conv_3x3"]},
  {"from": 2, "to": 3, "ops": ["none", "skip_connect", "nor_conv_3x3"]}],
 "key_format": "nb201"}`
	sp, err := space.ParseFile("cell.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if sp.Nodes() != 4 || sp.Count() != 729 {
		t.Fatalf("nodes %d count %d", sp.Nodes(), sp.Count())
	}
	a, err := sp.Parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|")
	if err != nil {
		t.Fatal(err)
	}
	// The dead-edge rule of cells still applies: 0->1 and 1->2 cannot reach
	// the output (1->3 and 2->3 are none), so they are dead.
	if got := sp.Format(sp.Canonical(a)); got != "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|" {
		t.Fatalf("canonical %s", got)
	}
	// The NB201 built-in keeps its canonicalisation.
	nb := space.NB201()
	x, _ := nb.Parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|")
	if nb.Format(nb.Canonical(x)) != "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|" {
		t.Fatal("nb201 canonical changed")
	}
}

func TestParseFileRules(t *testing.T) {
	src := `name: r
decisions:
  - {name: block, choices: [skip, conv]}
  - {name: kernel, choices: [k3, k5]}
  - {name: seed, choices: [s0, s1, s2]}
equivalence:
  - irrelevant: [kernel]
    when: block
    op: skip
  - ignore: [seed]
`
	sp, err := space.ParseFile("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	classes := map[space.Arch]bool{}
	sp.Enumerate(func(x space.Arch) bool { classes[sp.Canonical(x)] = true; return true })
	if len(classes) != 3 { // skip; conv k3; conv k5
		t.Fatalf("%d classes, want 3", len(classes))
	}
	a, _ := sp.Parse("skip,k5,s2")
	if got := sp.Format(sp.Canonical(a)); got != "skip,k3,s0" {
		t.Fatalf("canonical %s", got)
	}
	b, _ := sp.Parse("conv,k5,s1")
	if got := sp.Format(sp.Canonical(b)); got != "conv,k5,s0" {
		t.Fatalf("canonical %s", got)
	}
}

func TestEquivalenceFunc(t *testing.T) {
	sp, err := space.Define("mirror", []space.EdgeSpec{space.Choice("a", "x", "y"), space.Choice("b", "x", "y")},
		space.Equivalence(func(a space.Arch) space.Arch { // a network and its mirror image are one
			if a.Op(0) > a.Op(1) {
				return space.MustArch(a.Op(1), a.Op(0))
			}
			return a
		}))
	if err != nil {
		t.Fatal(err)
	}
	if !sp.HasEquivalence() || sp.Canonical(space.MustArch(1, 0)) != space.MustArch(0, 1) {
		t.Fatal("equivalence function not applied")
	}
	sub, _ := sp.Restrict([][]int{{1}, {0, 1}})
	if sub.Canonical(space.MustArch(1, 0)) != space.MustArch(0, 1) {
		t.Fatal("sub-space lost the equivalence function")
	}
	nb := space.NB201().WithEquivalence(func(a space.Arch) space.Arch { return a.With(5, 0) })
	if nb.Canonical(space.MustArch(3, 3, 3, 3, 3, 3)) != space.MustArch(3, 3, 3, 3, 3, 0) || space.NB201().HasEquivalence() {
		t.Fatal("WithEquivalence changed the built-in or did not apply")
	}
	if _, err := sp.WithRules(space.EquivalenceRule{Kind: space.RuleCollapse, Op: "x", Decisions: []string{"a", "zz"}}); err == nil || !strings.Contains(err.Error(), `unknown decision "zz"`) {
		t.Fatalf("bad rule: %v", err)
	}
}

// Each class of bad file gives a *FileError naming file:line:col and field.
func TestParseFileErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"s.yaml", "", "s.yaml: empty file"},
		{"s.yaml", "name: x\ndecisions: [\n", "s.yaml:2: yaml: line 2:"},
		{"s.json", "{\"name\": \"x\",\n \"decisions\": [}", "s.json:2:16: invalid character"},
		{"s.yaml", "decisions:\n  - {name: a, choices: [p, q]}\n", "s.yaml:1:1: name: missing"},
		{"s.yaml", "name: x\nlayers: []\n", "s.yaml:2:1: layers: unknown field"},
		{"s.yaml", "name: x\n", "s.yaml:1:1: decisions: missing"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nedges: []\n", "s.yaml:4:8: edges: a space has decisions or cell edges, not both"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a}\n", "s.yaml:3:5: decisions[0].choices: missing"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, p]}\n", "s.yaml:3:28: decisions[0].choices[1]: \"p\" listed twice"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\n  - {name: a, choices: [p, q]}\n", "s.yaml:4:5: name \"a\" already used by entry 0 (line 3)"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, chioces: [p, q]}\n", "s.yaml:3:15: decisions[0].chioces: unknown field"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: 'a,b', choices: [p]}\n", "decisions[0].name: name \"a,b\" must not contain"},
		{"s.yaml", "name: x\nops: [{name: p}]\ndecisions:\n  - {name: a, choices: [p, q]}\n", "s.yaml:4:28: decisions[0].choices[1]: op \"q\" is not declared under ops"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nkey_format: hex\n", "s.yaml:4:13: key_format: unknown key format \"hex\""},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nkey_format: nb201\n", "key_format: key format nb201 needs the NB201 cell"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nkey_prefix: '64-'\n", "s.yaml:4:13: key_prefix: only the digits key format"},
		{"s.yaml", "name: x\nedges:\n  - {from: 2, to: 1, ops: [p]}\n", "s.yaml:3:19: edges[0].to: edge 2->1: need from < to"},
		{"s.yaml", "name: x\nedges:\n  - {from: a, to: 1, ops: [p]}\n", "s.yaml:3:12: edges[0].from: want a node number"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nequivalence:\n  - collapse: [a, b]\n    op: p\n", "s.yaml:5:5: equivalence[0]: rule collapse: unknown decision \"b\""},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\n  - {name: b, choices: [p, r]}\nequivalence:\n  - collapse: [a, b]\n    op: p\n", "rule collapse: decisions a and b have different choices"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\n  - {name: b, choices: [p, q]}\nequivalence:\n  - irrelevant: [b]\n    op: p\n", "s.yaml:6:5: equivalence[0].when: missing"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\n  - {name: b, choices: [p, q]}\nequivalence:\n  - irrelevant: [b]\n    when: a\n    op: z\n", "rule irrelevant: op \"z\" is not a choice of a"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nequivalence:\n  - merge: [a]\n", "s.yaml:5:5: equivalence[0].merge: unknown field"},
		{"s.yaml", "name: x\ndecisions:\n  - {name: a, choices: [p, q]}\nequivalence:\n  - ignore: [a]\n    op: p\n", "s.yaml:6:9: equivalence[0].op: an ignore rule takes no op"},
	}
	for _, c := range cases {
		_, err := space.ParseFile(c.name, []byte(c.src))
		var fe *space.FileError
		if !errors.As(err, &fe) {
			t.Errorf("%q: error %v is not a *FileError", c.src, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.src, err, c.want)
		}
	}
	if _, err := space.LoadFile("/nonexistent/space.yaml"); err == nil || !strings.Contains(err.Error(), "/nonexistent/space.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add("s.yaml", []byte(macroYAML))
	f.Add("s.json", []byte(`{"name":"c","edges":[{"from":0,"to":1,"ops":["none","a"]},{"from":1,"to":2,"ops":["none","a"]}]}`))
	f.Add("s.yaml", []byte("name: r\ndecisions:\n  - {name: b, choices: [s, c]}\n  - {name: k, choices: [x, y]}\nequivalence:\n  - irrelevant: [k]\n    when: b\n    op: s\n  - ignore: [k]\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		sp, err := space.ParseFile(name, data)
		if err != nil {
			var fe *space.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		for range 20 {
			a := sp.Sample(r)
			b, err := sp.Parse(sp.Format(a))
			if err != nil || b != a {
				t.Fatalf("%s: %v does not round-trip through %q: %v", sp.Name(), a, sp.Format(a), err)
			}
			c := sp.Canonical(a)
			if sp.Canonical(c) != c {
				t.Fatalf("canonical of %v not idempotent", a)
			}
		}
	})
}

// A space file declares per-layer choices, a digit key format and which
// architectures are functionally identical.
func ExampleParseFile() {
	sp, err := space.ParseFile("macro.yaml", []byte(`name: macro
decisions:
  - {name: l1, choices: [id, conv]}
  - {name: l2, choices: [id, conv]}
key_format: digits
equivalence:
  - collapse: [l1, l2]
    op: id
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := sp.Parse("01")
	fmt.Println(sp.Count(), a, sp.Format(sp.Canonical(a)))
	// Output: 4 [0 1] 10
}
