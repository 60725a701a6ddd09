package train

import (
	"context"
	"testing"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// TestEvaluatorInMultiFidelityTransfer runs the LAPT loop under successive
// halving (rungs 1 and 3 epochs) with real training on synthetic images:
// a promoted candidate continues from its 1-epoch checkpoint (it sees 3
// epochs of images in all, not 4) and the reasoner is told 1-epoch results.
func TestEvaluatorInMultiFidelityTransfer(t *testing.T) {
	data := tinyData(t, 128, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize, cfg.LR = 4, 1, 32, 0.05
	noAug := images.Augment{}
	cfg.Augment = &noAug
	cfg.ScheduleEpochs = 3
	cfg.CheckpointDir = t.TempDir()
	sp := space.NB201()
	ev, err := NewEvaluator(sp, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	var _ transfer.FidelityEvaluator = ev
	init := reason.Outcome{Set: principles.Set{Allowed: [][]int{{3, 2}, {3, 1}, {3, 2}, {1, 2}, {2, 3}, {3, 1}}}}
	res, err := transfer.Run(context.Background(), transfer.Config{Space: sp, Target: ev, Reasoner: offline.New(), Initial: &init, Seed: 2,
		Schedule: transfer.Schedule{Budget: 5, Population: 3, Tournament: 2, Warmup: -1, AdaptEvery: 3, AdaptTopK: 3, MaxOpsPerEdge: 2},
		Fidelity: &transfer.Fidelity{Rungs: []int{1, 3}, Eta: 3, Synchronous: true}})
	if err != nil {
		t.Fatal(err)
	}
	fr := res.Fidelity
	perEpoch := int64(data.Train.Len() / 32 * 32)
	promoted := 0
	for _, tr := range fr.Trials {
		t.Logf("job %d %s rung %d %d<-%d val %.1f images %d cached %v", tr.Job.ID, tr.Text, tr.Job.Rung, tr.Job.Fidelity, tr.Job.From, tr.Result.Metrics.Val, tr.Result.Cost.Images, tr.Cached)
		if tr.Cached || !tr.Result.Usable() {
			continue
		}
		if tr.Result.Metrics.Fidelity != tr.Job.Fidelity {
			t.Errorf("job %+v: result at %d epochs", tr.Job, tr.Result.Metrics.Fidelity)
		}
		if tr.Job.Rung == 1 {
			promoted++
			if tr.Job.From != 1 || tr.Result.Cost.Images != 3*perEpoch {
				t.Errorf("promotion %+v saw %d images (3 epochs: %d)", tr.Job, tr.Result.Cost.Images, 3*perEpoch)
			}
		}
	}
	if promoted == 0 || fr.ToldFidelity != 1 {
		t.Fatalf("%d promotions, told %d", promoted, fr.ToldFidelity)
	}
	for _, e := range res.Events[1:] {
		if e.Fidelity != 1 {
			t.Errorf("event %s names fidelity %d", e.Trigger, e.Fidelity)
		}
	}
}
