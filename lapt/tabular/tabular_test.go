package tabular

import (
	"math"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
)

func TestOpenNB201Facts(t *testing.T) {
	dir := datatest.Dir(t)
	for _, c := range []struct {
		ds             string
		val, test, thr float64
	}{{"cifar10", 91.6067, 94.3733, 91.418}, {"cifar100", 73.4933, 73.5133, 72.593}, {"imagenet16-120", 46.7333, 46.2, 46.267}} {
		tk, err := Open(dir, "nb201", c.ds, 200)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(tk.BestEntry.Val-c.val) > 1e-3 || math.Abs(tk.Threshold-c.thr) > 1e-3 || tk.Space.Count() != 15625 {
			t.Errorf("%s: best %.4f threshold %.4f", c.ds, tk.BestEntry.Val, tk.Threshold)
		}
		if c.ds == "cifar10" && math.Abs(tk.BestEntry.Test-c.test) > 1e-3 {
			t.Errorf("cifar10 best test %.4f", tk.BestEntry.Test)
		}
		ev := tk.Evidence()
		if len(ev.Archs) != 15625 || ev.Archs[0].Score < ev.Archs[1].Score {
			t.Fatalf("evidence not sorted")
		}
	}
	if _, err := Open(dir, "nb201", "mnist", 200); err == nil {
		t.Fatal("unknown dataset accepted")
	}
	if _, err := Open(dir, "darts", "cifar10", 200); err == nil {
		t.Fatal("unknown space accepted")
	}
}

func TestOpenTransNASLimitsSpace(t *testing.T) {
	dir := datatest.Dir(t)
	tk, err := Open(dir, "transnas-micro", "class_scene", 0)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Space.Count() >= 4096 || tk.Space.Count() < 600 || tk.Space.Members() == nil {
		t.Fatalf("space count %d", tk.Space.Count())
	}
	if !tk.Space.Contains(tk.Best) {
		t.Fatal("best not in limited space")
	}
	t.Logf("%s: %d archs, best %.3f %s", tk.Name, tk.Space.Count(), tk.BestEntry.Val, tk.BestEntry.Arch)
	if _, err := Open(dir, "transnas-micro", "nope", 0); err == nil {
		t.Fatal("unknown task accepted")
	}
}
