package train

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

// natsSample holds params (M) and FLOPs (M) of the NATS-Bench topology sample
// archive (/work/shared/data/nats-tss-sample, 200-epoch records, identical for
// every seed) for CIFAR-10, CIFAR-100 and ImageNet16-120.
var natsSample = []struct {
	index        int
	arch         string
	c10P, c10F   float64
	c100P, c100F float64
	in16P, in16F float64
}{
	{0, "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
		0.129306, 15.64737, 0.135156, 15.65322, 0.136456, 3.91948},
	{11, "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|",
		0.802426, 113.95137, 0.808276, 113.95722, 0.809576, 28.49548},
	{284, "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|nor_conv_1x1~1|none~2|",
		0.101306, 11.71521, 0.107156, 11.72106, 0.108456, 2.93644},
}

func TestCountMatchesNATS(t *testing.T) {
	for _, s := range natsSample {
		cell, err := Parse(s.arch)
		if err != nil {
			t.Fatal(err)
		}
		if cell.String() != s.arch {
			t.Errorf("round trip: %q != %q", cell.String(), s.arch)
		}
		for _, tc := range []struct {
			name         string
			net          NetConfig
			wantP, wantF float64
		}{
			{"cifar10", BenchmarkNet(10), s.c10P, s.c10F},
			{"cifar100", BenchmarkNet(100), s.c100P, s.c100F},
			{"ImageNet16-120", NetConfig{Channels: 16, Cells: 5, Height: 16, Width: 16, InChannels: 3, Classes: 120}, s.in16P, s.in16F},
		} {
			c, err := Count(tc.net, cell)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(c.ParamsM()-tc.wantP) > 1e-6 || math.Abs(c.FLOPsM()-tc.wantF) > 1e-5 {
				t.Errorf("index %d %s: got params %.6f flops %.5f, want %.6f %.5f", s.index, tc.name, c.ParamsM(), c.FLOPsM(), tc.wantP, tc.wantF)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"", "|foo~0|", "|nor_conv_3x3~1|", "|nor_conv_3x3~x|", "|nor_conv_3x3|", "64-41414-4_00_000", "64-41414-0_0_000", "abc"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): want error", bad)
		}
	}
}

func TestParseTransNAS(t *testing.T) {
	c, err := Parse("64-41414-3_12_030")
	if err != nil {
		t.Fatal(err)
	}
	want := "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|nor_conv_3x3~1|none~2|"
	if c.String() != want {
		t.Errorf("got %q want %q", c.String(), want)
	}
}

func ExampleCount() {
	cell, _ := Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	c, _ := Count(BenchmarkNet(10), cell)
	fmt.Printf("params %.6f M, FLOPs %.5f M\n", c.ParamsM(), c.FLOPsM())
	// Output:
	// params 1.045466 M, FLOPs 149.34081 M
}

func ExampleParse_transNAS() {
	c, _ := Parse("64-41414-3_33_333")
	fmt.Println(c)
	// Output:
	// |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|
}

// CellOf takes the wiring and op names from the space: the same cell as
// parsing the text form, for both built-in spaces and a defined cell space.
func TestCellOf(t *testing.T) {
	for _, text := range []string{natsSample[1].arch, "64-41414-3_12_030"} {
		sp, a, err := space.ParseCell(text)
		if err != nil {
			t.Fatal(err)
		}
		c, err := CellOf(sp, a)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(text)
		if err != nil || !reflect.DeepEqual(c, p) {
			t.Errorf("%s: CellOf %v, Parse %v (%v)", text, c, p, err)
		}
	}
	mine, err := space.Define("mine", []space.EdgeSpec{
		space.CellEdge(0, 1, space.NameConv3x3, space.NameSkip), space.CellEdge(0, 2, space.NameNone, space.NameConv1x1),
		space.CellEdge(1, 2, space.NameAvgPool)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := mine.Parse("skip_connect,nor_conv_1x1,avg_pool_3x3")
	if err != nil {
		t.Fatal(err)
	}
	c, err := CellOf(mine, a)
	want := Cell{Nodes: 3, Edges: []CellEdge{{0, 1, space.NameSkip}, {0, 2, space.NameConv1x1}, {1, 2, space.NameAvgPool}}}
	if err != nil || !reflect.DeepEqual(c, want) || c.String() != "0->1 skip_connect, 0->2 nor_conv_1x1, 1->2 avg_pool_3x3" {
		t.Errorf("defined cell: %v %q %v", c, c.String(), err)
	}
	odd, _ := space.Define("odd", []space.EdgeSpec{space.CellEdge(0, 1, "sep_conv_5x5")})
	if _, err := CellOf(odd, space.MustArch(0)); err == nil || !strings.Contains(err.Error(), "sep_conv_5x5") {
		t.Errorf("unknown op: %v", err)
	}
	plain, _ := space.Define("plain", []space.EdgeSpec{space.Choice("width", "16", "32")})
	if _, err := CellOf(plain, space.MustArch(0)); err == nil || !strings.Contains(err.Error(), "no cell") {
		t.Errorf("plain space: %v", err)
	}
	if _, err := CellOf(space.NB201(), space.MustArch(9, 0, 0, 0, 0, 0)); err == nil {
		t.Error("op id out of range accepted")
	}
}
