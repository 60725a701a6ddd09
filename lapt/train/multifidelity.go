package train

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// MFPoint is one finished job of a multi-fidelity run with real training.
type MFPoint struct {
	Job    search.Job
	Arch   string
	Result Result
	// Seconds is the training time spent by the whole run so far (all jobs).
	Seconds float64
	// Best is the best validation accuracy at the top rung so far (NaN if none).
	Best float64
}

// RunMultiFidelity trains the jobs of a successive-halving / ASHA scheduler
// one after the other until maxJobs jobs are done: a new candidate trains
// from scratch to its rung's epochs and saves a checkpoint under dir; a
// promoted one continues from that checkpoint (cfg.ScheduleEpochs is set to
// the top rung, so the continued run equals one trained to the top rung
// without pause). A failed or diverged training is reported as not usable and
// never promoted. onPoint, when set, is called after every job (live curves).
func RunMultiFidelity(ctx context.Context, s *search.Scheduler, sp *space.Space, cfg Config, data Data, dir string, maxJobs int, onPoint func(MFPoint)) ([]MFPoint, error) {
	if s == nil || sp == nil {
		return nil, fmt.Errorf("train: multi-fidelity run needs a scheduler and a space")
	}
	if dir == "" {
		return nil, fmt.Errorf("train: multi-fidelity run needs a checkpoint folder")
	}
	if maxJobs <= 0 {
		return nil, fmt.Errorf("train: multi-fidelity run needs maxJobs > 0, got %d", maxJobs)
	}
	rungs := s.Config().Rungs
	cfg.ScheduleEpochs = rungs[len(rungs)-1]
	cfg.CheckpointDir = dir
	var points []MFPoint
	var spent float64
	best := math.NaN()
	for len(points) < maxJobs {
		if err := ctx.Err(); err != nil {
			return points, err
		}
		j, err := s.Next()
		if err != nil {
			return points, err
		}
		arch := sp.Format(j.Arch)
		c := cfg
		c.Epochs = j.Fidelity
		c.ResumeFrom = ""
		if j.From > 0 {
			c.ResumeFrom = filepath.Join(dir, CheckpointName(arch, cfg.Seed))
		}
		start := time.Now()
		res, err := Train(ctx, arch, c, data)
		if err != nil {
			return points, err
		}
		spent += time.Since(start).Seconds()
		ok := res.Status == StatusOK && !math.IsNaN(res.ValAcc)
		if err := s.Report(j, res.ValAcc, ok); err != nil {
			return points, err
		}
		if ok && j.Rung == len(rungs)-1 && (math.IsNaN(best) || res.ValAcc > best) {
			best = res.ValAcc
		}
		p := MFPoint{Job: j, Arch: arch, Result: res, Seconds: spent, Best: best}
		points = append(points, p)
		if onPoint != nil {
			onPoint(p)
		}
	}
	return points, nil
}
