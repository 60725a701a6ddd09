package space

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNB201RoundTripAll(t *testing.T) {
	sp := NB201()
	if sp.Count() != 15625 {
		t.Fatalf("Count = %d, want 15625", sp.Count())
	}
	seen := map[string]bool{}
	sp.Enumerate(func(a Arch) bool {
		s := sp.Format(a)
		b, err := sp.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if b != a {
			t.Fatalf("round trip %v -> %q -> %v", a, s, b)
		}
		seen[s] = true
		return true
	})
	if len(seen) != 15625 {
		t.Fatalf("enumerated %d distinct, want 15625", len(seen))
	}
}

func TestNB201KnownString(t *testing.T) {
	sp := NB201()
	s := "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
	a, err := sp.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.String(); got != "[3 3 3 1 3 3]" {
		t.Fatalf("ids = %s", got)
	}
	if sp.Format(a) != s {
		t.Fatalf("Format = %s", sp.Format(a))
	}
}

func TestParseErrorsNamePosition(t *testing.T) {
	sp := NB201()
	cases := map[string]string{
		"":                         "3 node groups",
		"|none~0|+|none~0|none~1|": "3 node groups",
		"|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|": `unknown op "conv"`,
		"|none~0|+|none~0|none~2|+|none~0|none~1|none~2|": "byte 17",
		"|none~0|+|none~0|+|none~0|none~1|none~2|":        "node 2 needs 2 inputs",
		"none~0|+|none~0|none~1|+|none~0|none~1|none~2|":  "must start and end",
	}
	for in, want := range cases {
		_, err := sp.Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestTransNASRoundTrip(t *testing.T) {
	sp := TransNASMicro()
	if sp.Count() != 4096 {
		t.Fatalf("Count = %d", sp.Count())
	}
	a, err := sp.Parse("64-41414-3_02_113")
	if err != nil {
		t.Fatal(err)
	}
	if a.String() != "[3 0 2 1 1 3]" || sp.Format(a) != "64-41414-3_02_113" {
		t.Fatalf("got %v %s", a, sp.Format(a))
	}
	for _, bad := range []string{"64-41414-4_02_113", "64-41414-3_02113", "65-41414-3_02_113", "64-41414-3_02_11"} {
		if _, err := sp.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestSubSpaceInvariants(t *testing.T) {
	sp := NB201()
	sub, err := sp.Restrict([][]int{{3}, {3}, {3, 1}, {1}, {3}, {3, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Count() != 4 || !sub.IsSubSpace() || sub.Root() != sp {
		t.Fatalf("Count=%d sub=%v", sub.Count(), sub.IsSubSpace())
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		a := sub.Sample(r)
		if !sub.Contains(a) {
			t.Fatalf("sample %v outside", a)
		}
		m, err := sub.Mutate(a, r)
		if err != nil || !sub.Contains(m) || Distance(a, m) != 1 {
			t.Fatalf("mutate %v -> %v (%v)", a, m, err)
		}
	}
	// A parent from outside the sub-space mutates into it.
	out := MustArch(0, 0, 0, 0, 0, 0)
	for i := 0; i < 100; i++ {
		m, err := sub.Mutate(out, r)
		if err != nil || !sub.Contains(m) {
			t.Fatalf("projected mutate %v -> %v (%v)", out, m, err)
		}
	}
	if n := len(sub.Neighbours(MustArch(3, 3, 3, 1, 3, 3))); n != 2 {
		t.Fatalf("neighbours = %d, want 2", n)
	}
	all, err := sub.All(10)
	if err != nil || len(all) != 4 {
		t.Fatalf("All = %v %v", all, err)
	}
}

func TestMutateSingleArchDoesNotHang(t *testing.T) {
	sub, err := NB201().Restrict([][]int{{3}, {3}, {3}, {1}, {3}, {3}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	a := sub.Sample(r)
	if _, err := sub.Mutate(a, r); !errors.Is(err, ErrNoMutation) {
		t.Fatalf("err = %v, want ErrNoMutation", err)
	}
}

func TestRestrictErrors(t *testing.T) {
	sp := NB201()
	bad := [][][]int{
		{{1}, {1}, {1}, {1}, {1}},
		{{1}, {1}, {1}, {1}, {1}, {}},
		{{1}, {1}, {1}, {1}, {1}, {7}},
		{{1}, {1}, {1}, {1}, {1}, {-1}},
	}
	for _, b := range bad {
		if _, err := sp.Restrict(b); err == nil {
			t.Errorf("Restrict(%v) accepted", b)
		}
	}
}

func TestCanonical(t *testing.T) {
	sp := NB201()
	// Node 1 has no input (edge 0 is none): edges 2 and 4 leaving node 1 are dead.
	a, _ := sp.Parse("|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|")
	c := sp.Canonical(a)
	if c.String() != "[0 3 0 1 0 3]" {
		t.Fatalf("canonical = %v", c)
	}
	// Output unreachable: everything dead.
	z, _ := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|")
	if sp.Canonical(z).String() != "[0 0 0 0 0 0]" {
		t.Fatalf("canonical = %v", sp.Canonical(z))
	}
	classes := map[Arch]bool{}
	sp.Enumerate(func(a Arch) bool { classes[sp.Canonical(a)] = true; return true })
	// Dead-edge pruning alone (no graph isomorphism) leaves 9,445 classes.
	if len(classes) != 9445 {
		t.Fatalf("classes = %d, want 9445", len(classes))
	}
}

func TestDefine(t *testing.T) {
	sp, err := Define("tiny", []EdgeSpec{
		CellEdge(0, 1, "conv3x3", "skip", "none"),
		CellEdge(0, 2, "conv3x3", "none"),
		CellEdge(1, 2, "conv3x3", "skip"),
	}, OpDoc("conv3x3", "a 3x3 convolution"))
	if err != nil {
		t.Fatal(err)
	}
	if sp.Count() != 12 || sp.Nodes() != 3 {
		t.Fatalf("count %d nodes %d", sp.Count(), sp.Nodes())
	}
	a, err := sp.Parse("skip,none,conv3x3")
	if err != nil {
		t.Fatal(err)
	}
	b, err := sp.Parse("1->2=conv3x3, 0->1=skip, 0->2=none")
	if err != nil || a != b {
		t.Fatalf("named parse %v %v", b, err)
	}
	if _, err := sp.Parse("skip,skip,conv3x3"); err == nil || !strings.Contains(err.Error(), "field 2") {
		t.Fatalf("bad op error: %v", err)
	}
	if !strings.Contains(sp.Describe(), "x2 = OPS[arch[1]](x0) + OPS[arch[2]](x1)") {
		t.Fatal(sp.Describe())
	}
	if _, err := Define("mixed", []EdgeSpec{CellEdge(0, 1, "a"), Choice("d", "x")}); err == nil {
		t.Fatal("mixed accepted")
	}
	if _, err := Define("dup", []EdgeSpec{Choice("d", "x", "x")}); err == nil {
		t.Fatal("dup op accepted")
	}
}

func TestLimitTo(t *testing.T) {
	sp := TransNASMicro()
	var archs []Arch
	for _, s := range []string{"64-41414-3_33_333", "64-41414-3_33_331", "64-41414-1_00_000"} {
		a, err := sp.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		archs = append(archs, a)
	}
	lim, err := sp.LimitTo(archs)
	if err != nil {
		t.Fatal(err)
	}
	if lim.Count() != 3 {
		t.Fatalf("count %d", lim.Count())
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		a := lim.Sample(r)
		m, err := lim.Mutate(a, r)
		if err != nil || !lim.Contains(m) || m == a {
			t.Fatalf("mutate %v -> %v %v", a, m, err)
		}
	}
	sub, err := lim.Restrict([][]int{{3}, {3}, {3}, {3}, {3}, {1, 3}})
	if err != nil || sub.Count() != 2 {
		t.Fatalf("restricted limited: %v %v", sub, err)
	}
	if _, err := lim.Restrict([][]int{{2}, {3}, {3}, {3}, {3}, {3}}); err == nil {
		t.Fatal("empty restriction of limited space accepted")
	}
}

func TestArchText(t *testing.T) {
	a := MustArch(3, 1, 0)
	b, _ := a.MarshalText()
	var c Arch
	if err := c.UnmarshalText(b); err != nil || c != a {
		t.Fatalf("%s -> %v %v", b, c, err)
	}
	if err := c.UnmarshalText([]byte("1,x")); err == nil {
		t.Fatal("bad text accepted")
	}
}

func FuzzNB201Parse(f *testing.F) {
	f.Add("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	f.Add("|none~0|+|")
	f.Add("+++")
	sp := NB201()
	f.Fuzz(func(t *testing.T, s string) {
		a, err := sp.Parse(s)
		if err != nil {
			return
		}
		if got := sp.Format(a); got != s {
			t.Fatalf("accepted %q but formats as %q", s, got)
		}
	})
}

func FuzzTransNASParse(f *testing.F) {
	f.Add("64-41414-3_33_333")
	f.Add("64-41414-")
	sp := TransNASMicro()
	f.Fuzz(func(t *testing.T, s string) {
		a, err := sp.Parse(s)
		if err != nil {
			return
		}
		if got := sp.Format(a); got != s {
			t.Fatalf("accepted %q but formats as %q", s, got)
		}
	})
}

func FuzzDefinedParse(f *testing.F) {
	sp, err := Define("d", []EdgeSpec{Choice("a", "x", "y"), Choice("b", "x", "z")})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("x,z")
	f.Add("b=z,a=y")
	f.Add("=,=")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := sp.Parse(s)
		if err != nil {
			return
		}
		if !sp.Contains(a) {
			t.Fatalf("accepted %q outside the space", s)
		}
	})
}
