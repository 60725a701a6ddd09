package experiment

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestParseSeeds(t *testing.T) {
	got, err := ParseSeeds("0-3,7, 9-10")
	if err != nil || !reflect.DeepEqual(got, []uint64{0, 1, 2, 3, 7, 9, 10}) {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", "a", "5-2", "1-x", "-"} {
		if _, err := ParseSeeds(bad); err == nil {
			t.Errorf("ParseSeeds(%q) accepted", bad)
		}
	}
}

func TestCheckpoints(t *testing.T) {
	if got := Checkpoints(100); !reflect.DeepEqual(got, []int{10, 20, 50, 100}) {
		t.Fatal(got)
	}
	if got := Checkpoints(200); !reflect.DeepEqual(got, []int{10, 20, 50, 100, 200}) {
		t.Fatal(got)
	}
	if got := Checkpoints(20); !reflect.DeepEqual(got, []int{10, 20}) {
		t.Fatal(got)
	}
}

func TestRunSeedsAndSummarize(t *testing.T) {
	fn := func(ctx context.Context, seed uint64) (Outcome, error) {
		v := float64(seed)
		return Outcome{Val: []float64{v, v + 1}, Test: []float64{v * 2, v*2 + 2}, Evaluations: 2}, nil
	}
	outs, err := RunSeeds(context.Background(), []uint64{0, 1, 2, 3}, 3, fn, nil)
	if err != nil {
		t.Fatal(err)
	}
	pts := Summarize(outs, []int{1, 2}, 3)
	if pts[1].TestMean != 5 || pts[0].FoundFrac != 0.25 || pts[1].FoundFrac != 0.5 {
		t.Fatalf("%+v", pts)
	}
	if n, lvl := LAPTMetric([]float64{1, 2, 3}, 3, 2); n != 3 || lvl != "optimum" {
		t.Fatal(n, lvl)
	}
	if n, lvl := LAPTMetric([]float64{1, 2, 2}, 3, 2); n != 2 || lvl != "top0.1%" {
		t.Fatal(n, lvl)
	}
	if n, lvl := LAPTMetric([]float64{1, 1, 1}, 3, 2); n != 3 || lvl != "budget" {
		t.Fatal(n, lvl)
	}
	if _, err := RunSeeds(context.Background(), []uint64{1}, 1, func(context.Context, uint64) (Outcome, error) {
		return Outcome{}, errors.New("boom")
	}, nil); err == nil {
		t.Fatal("error lost")
	}
	if m, _ := MeanStd(nil); !math.IsNaN(m) {
		t.Fatal("mean of nothing")
	}
}
