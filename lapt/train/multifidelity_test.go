package train

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/journal"
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
	dir := t.TempDir()
	j, err := journal.Open(filepath.Join(dir, "mf.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// First run: 3 jobs (the bracket's candidates at 1 epoch), then "interrupted".
	if _, err := RunMultiFidelity(context.Background(), MFRun{Scheduler: s, Space: sp, Config: cfg, Data: data, Dir: dir, MaxJobs: 3, Journal: j}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// Rerun with a fresh scheduler and the journal: the 3 jobs are replayed
	// (not retrained) and the promotion resumes from the saved checkpoint.
	j, err = journal.Open(filepath.Join(dir, "mf.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	s, err = search.NewScheduler(search.NewRandom(sp, 3), search.MFConfig{Rungs: []int{1, 3}, Eta: 3, Synchronous: true})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := RunMultiFidelity(context.Background(), MFRun{Scheduler: s, Space: sp, Config: cfg, Data: data, Dir: dir, MaxJobs: 4, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	if !pts[0].Replayed || !pts[2].Replayed || pts[3].Replayed || len(pts[0].Curve) != 1 || len(pts[3].Curve) != 2 {
		t.Fatalf("replayed %v %v %v, curves %d %d", pts[0].Replayed, pts[2].Replayed, pts[3].Replayed, len(pts[0].Curve), len(pts[3].Curve))
	}
	// A journal of another recipe is refused.
	other := cfg
	other.LR = 0.5
	s2, _ := search.NewScheduler(search.NewRandom(sp, 3), search.MFConfig{Rungs: []int{1, 3}, Eta: 3, Synchronous: true})
	if _, err := RunMultiFidelity(context.Background(), MFRun{Scheduler: s2, Space: sp, Config: other, Data: data, Dir: dir, MaxJobs: 4, Journal: j}); err == nil {
		t.Fatal("journal of another recipe accepted")
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

func TestRunMultiFidelityRepeatsAreNotRetrained(t *testing.T) {
	data := tinyData(t, 64, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize, cfg.LR = 4, 1, 32, 0.05
	noAug := images.Augment{}
	cfg.Augment = &noAug
	full := space.NB201()
	a, err := full.Parse("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|skip_connect~2|")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := full.LimitTo([]space.Arch{a})
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.NewScheduler(search.NewRandom(sp, 1), search.MFConfig{Rungs: []int{1, 2}, Eta: 2})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := RunMultiFidelity(context.Background(), MFRun{Scheduler: s, Space: sp, Config: cfg, Data: data, Dir: t.TempDir(), MaxJobs: 4})
	if err != nil {
		t.Fatal(err)
	}
	trained := 0
	for _, p := range pts {
		if !p.Cached {
			trained++
		}
	}
	// One architecture, two fidelities: trained twice (1 epoch, then continued to 2), the rest cached.
	if trained != 2 {
		for _, p := range pts {
			t.Logf("%+v cached %v", p.Job, p.Cached)
		}
		t.Fatalf("%d trainings, want 2", trained)
	}
}
