package proxy

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/train"
)

// zcPath is the shared NAS-Bench-Suite-Zero NB201 file; the test is skipped
// when it is absent, or fails when $NASNB_REQUIRE_DATA=1.
func zcPath(t testing.TB) string {
	return datatest.File(t, "zero-cost/zc_nasbench201.json")
}

func ExampleTupleToNB201() {
	s, _ := TupleToNB201("(0, 2, 3, 2, 3, 1)")
	fmt.Println(s)
	// Output: |skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|
}

func TestSpearman(t *testing.T) {
	if r := Spearman([]float64{1, 2, 3, 4}, []float64{10, 20, 30, 1000}); math.Abs(r-1) > 1e-12 {
		t.Errorf("monotone: %v", r)
	}
	if r := Spearman([]float64{1, 2, 3}, []float64{3, 2, 1}); math.Abs(r+1) > 1e-12 {
		t.Errorf("reversed: %v", r)
	}
}

func TestSynflowOrdersSmallNet(t *testing.T) {
	net := train.NetConfig{Channels: 4, Cells: 1, Height: 8, Width: 8, InChannels: 3, Classes: 10}
	ctx := context.Background()
	none := "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
	convs := "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
	a, err := Synflow(ctx, "", none, net, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Synflow(ctx, "", convs, net, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(b > a) {
		t.Errorf("synflow(all conv)=%v should exceed synflow(all none)=%v", b, a)
	}
	d, _ := images.Synthetic(8, 8, 8, 3, 4, 1)
	s, err := NASWOT(ctx, "", convs, net, 1, d.Images, 8)
	if err != nil || math.IsNaN(s) {
		t.Fatalf("naswot %v %v", s, err)
	}
}

// TestSynflowSpearmanNB201 compares our synflow with NAS-Bench-Suite-Zero's on
// every CIFAR-10 architecture of zc_nasbench201.json (benchmark net, C=16, N=5).
func TestSynflowSpearmanNB201(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: ~725 benchmark-size networks")
	}
	entries, err := LoadZeroCost(zcPath(t), "cifar10")
	if err != nil {
		t.Fatal(err)
	}
	// By default a spread sample of 80 architectures keeps CI fast; set
	// NASNB_SYNFLOW_SAMPLE=0 for all of them (about 3 minutes on 2 cores).
	k := 80
	if n := os.Getenv("NASNB_SYNFLOW_SAMPLE"); n != "" {
		fmt.Sscan(n, &k)
	}
	if k > 0 && k < len(entries) {
		stride := len(entries) / k
		var sample = entries[:0:0]
		for i := 0; i < len(entries) && len(sample) < k; i += stride {
			sample = append(sample, entries[i])
		}
		entries = sample
	}
	net := train.BenchmarkNet(10)
	var ours, theirs, acc []float64
	start := time.Now()
	for _, e := range entries {
		s, err := Synflow(context.Background(), "", e.Arch, net, 0)
		if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, s)
		theirs = append(theirs, e.Scores["synflow"])
		acc = append(acc, e.ValAcc)
	}
	per := time.Since(start) / time.Duration(len(entries))
	rho := Spearman(ours, theirs)
	t.Logf("synflow: %d archs, Spearman vs NAS-Bench-Suite-Zero %.4f, vs val acc %.4f (theirs vs val acc %.4f), %v per arch",
		len(entries), rho, Spearman(ours, acc), Spearman(theirs, acc), per)
	if rho < 0.9 {
		t.Errorf("Spearman %.3f < 0.9", rho)
	}
}
