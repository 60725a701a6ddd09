package train

import (
	"context"
	"math"
	"testing"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

func TestRunMultiFidelityPromotesFromCheckpoints(t *testing.T) {
	data := tinyData(t, 128, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize, cfg.LR = 4, 1, 32, 0.05
	noAug := images.Augment{}
	cfg.Augment = &noAug
	sp := space.NB201()
	s, err := search.NewScheduler(search.NewRandom(sp, 3), search.MFConfig{Rungs: []int{1, 3}, Eta: 3, Synchronous: true})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := RunMultiFidelity(context.Background(), s, sp, cfg, data, t.TempDir(), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 4 {
		t.Fatalf("%d points", len(pts))
	}
	last := pts[3]
	if last.Job.Rung != 1 || last.Job.From != 1 || last.Result.Epochs != 3 {
		t.Fatalf("4th job should be the promotion of the bracket's best to 3 epochs: %+v", last.Job)
	}
	// Continued from 1 epoch: it trained 2 more epochs, so 3 epochs of images in all.
	if last.Result.Images != 3*int64(data.Train.Len()/32*32) {
		t.Fatalf("promoted run saw %d images", last.Result.Images)
	}
	if math.IsNaN(last.Best) || last.Best != last.Result.ValAcc {
		t.Fatalf("best %v", last.Best)
	}
	for _, p := range pts[:3] {
		if p.Job.Rung != 0 || p.Result.Epochs != 1 {
			t.Fatalf("first jobs: %+v", p.Job)
		}
	}
}
