package train

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// TestMultiFidelityTransferLoopFashionMNIST is the whole LAPT loop under
// successive halving with real training on CPU (NASNB_MF_FMNIST=1; needs
// NASNB_DATA and Debian's dataset-fashion-mnist): principles learned from
// ImageNet16-120 by the offline reasoner, regularized evolution in the
// refined space, rungs 1 and 3 epochs, adaptation every 3 one-epoch results
// (the reasoner sees 1-epoch validation only). It logs every job with the
// training seconds so far and the best validation at 3 epochs.
func TestMultiFidelityTransferLoopFashionMNIST(t *testing.T) {
	src, data := fmnistFixture(t)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize = 4, 1, 32
	cfg.ScheduleEpochs = 3
	cfg.CheckpointDir = t.TempDir()
	sp := space.NB201()
	ev, err := NewEvaluator(sp, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%4s %5s %6s %8s %8s %9s  %s\n", "job", "rung", "epochs", "val%", "train-s", "best@top", "arch")
	spent, best := 0.0, math.NaN()
	var hooks transfer.Hooks
	hooks.OnJob.Add("table", 0, func(j transfer.FidelityTrial) error {
		if !j.Cached {
			spent += j.Result.Cost.Seconds // a cached job trained nothing
		}
		if j.Job.Rung == 1 && j.Result.Usable() && (math.IsNaN(best) || j.Result.Metrics.Val > best) {
			best = j.Result.Metrics.Val
		}
		fmt.Fprintf(&b, "%4d %5d %6d %8.1f %8.1f %9.1f  %s %s cached=%v\n", j.Job.ID, j.Job.Rung, j.Job.Fidelity, j.Result.Metrics.Val, spent, best, j.Text, j.Result.Status, j.Cached)
		return nil
	})
	res, err := transfer.Run(context.Background(), transfer.Config{Space: sp, Sources: []reason.Evidence{src.Evidence()}, Target: ev,
		Reasoner: offline.New(), Seed: 0,
		Schedule: transfer.Schedule{Budget: 10, Population: 3, Tournament: 2, Warmup: -1, AdaptEvery: 3, AdaptTopK: 3},
		Fidelity: &transfer.Fidelity{Rungs: []int{1, 3}, Eta: 3, Synchronous: true}, Hooks: hooks})
	if res != nil {
		for _, e := range res.Events {
			seen := "sources only"
			if e.Fidelity > 0 {
				seen = fmt.Sprintf("told %d-epoch results", e.Fidelity)
			}
			fmt.Fprintf(&b, "principles v%d (%s after %d jobs, %s): %d archs; %s\n", e.Set.Version, e.Trigger, e.Evaluations, seen, e.Report.SizeAfter, e.Set.Reason)
		}
		if res.Fidelity != nil {
			fmt.Fprintf(&b, "%s, told %d epochs, %d epochs trained in all\n", res.Fidelity.Scheduler, res.Fidelity.ToldFidelity, res.Fidelity.Epochs)
		}
	}
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
}
