package train

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// TestMultiFidelityLAPTFashionMNIST is a real multi-fidelity LAPT run on CPU
// (NASNB_MF_FMNIST=1; needs NASNB_DATA and Debian's dataset-fashion-mnist):
// principles learned from ImageNet16-120 by the offline reasoner restrict
// the space, regularized evolution proposes, successive halving trains 1-epoch
// candidates and continues the best to 3 epochs from their checkpoints. It
// logs best validation accuracy against training seconds.
func TestMultiFidelityLAPTFashionMNIST(t *testing.T) {
	src, data := fmnistFixture(t)
	sch := transfer.NB201Schedule()
	out, err := transfer.Learn(context.Background(), offline.New(), src.Space, []reason.Evidence{src.Evidence()}, sch)
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := principles.Refine(src.Space, out.Set)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize = 4, 1, 32
	st, err := search.NewEvolution(sub, 0, search.EvolutionConfig{Population: sch.Population, Tournament: sch.Tournament})
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.NewScheduler(st, search.MFConfig{Rungs: []int{1, 3}, Eta: 3, Synchronous: true})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s on Fashion-MNIST (C=4 N=1, 1024 train / 256 val), strategy told %d-epoch results; space %d archs\n", s.Name(), s.ToldFidelity(), sub.Count())
	fmt.Fprintf(&b, "%4s %5s %6s %8s %8s %9s  %s\n", "job", "rung", "epochs", "val%", "train-s", "best@top", "arch")
	_, err = RunMultiFidelity(context.Background(), MFRun{Scheduler: s, Space: sub, Config: cfg, Data: data, Dir: t.TempDir(), MaxJobs: 8, OnPoint: func(p MFPoint) {
		fmt.Fprintf(&b, "%4d %5d %6d %8.1f %8.1f %9.1f  %s %s\n", p.Job.ID, p.Job.Rung, p.Job.Fidelity, p.Result.ValAcc, p.Seconds, p.Best, p.Arch, p.Result.Status)
	}})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
}

// fmnistFixture is the data of the opt-in Fashion-MNIST multi-fidelity runs
// (NASNB_MF_FMNIST=1, NASNB_DATA, Debian's dataset-fashion-mnist): the
// ImageNet16-120 source task and 1024 training / 256 validation images,
// normalised with the training statistics.
func fmnistFixture(t *testing.T) (*tabular.Task, Data) {
	t.Helper()
	if os.Getenv("NASNB_MF_FMNIST") == "" {
		t.Skip("set NASNB_MF_FMNIST=1 (and NASNB_DATA) to run")
	}
	src, err := tabular.Open(datatest.Dir(t), "nb201", "imagenet16-120", 200)
	if err != nil {
		t.Fatal(err)
	}
	trAll, _, err := images.LoadFashionMNIST("/usr/share/datasets/fashion-mnist")
	if err != nil {
		t.Fatal(err)
	}
	tr, val, err := trAll.Head(1024+256).Split(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	mean, std := tr.MeanStd()
	for _, d := range []*images.Dataset{tr, val} {
		if err := d.Normalize(mean, std); err != nil {
			t.Fatal(err)
		}
	}
	return src, Data{Train: tr, Val: val}
}
