package train

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/nasnb/nasnb/lapt/eval"
	"math"
	"path/filepath"

	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// MFPoint is one finished job of a multi-fidelity run with real training.
type MFPoint struct {
	Job    search.Job
	Arch   string
	Result Result
	// Curve is the learning curve of this job's epochs (epochs before From
	// belong to the job that trained them).
	Curve []EpochInfo
	// Seconds is the training time spent by the whole run so far (all jobs).
	Seconds float64
	// Best is the best validation accuracy at the top rung so far (NaN if none).
	Best float64
	// Replayed is true for a job read back from the journal (not retrained).
	Replayed bool
	// Cached is true for a repeated architecture answered from an earlier
	// job at the same fidelity (not retrained: its checkpoint is kept).
	Cached bool
}

// MFRun configures [RunMultiFidelity].
type MFRun struct {
	Scheduler *search.Scheduler
	Space     *space.Space
	// Config is the training recipe; Epochs, ScheduleEpochs, CheckpointDir
	// and ResumeFrom are set per job.
	Config Config
	Data   Data
	// Dir receives one checkpoint folder per candidate.
	Dir string
	// MaxJobs is the number of jobs to finish (replayed ones included).
	MaxJobs int
	// Journal, when set, records every finished job (result, learning curve,
	// checkpoint folder); a rerun with the same journal replays them without
	// training and continues, so a candidate trained to a low rung before an
	// interruption is promoted from its checkpoint, not retrained.
	Journal *journal.Journal
	// OnPoint, when set, is called after every job, replayed ones included.
	OnPoint func(MFPoint)
}

type mfHeader struct {
	Scheduler string  `json:"scheduler"`
	Told      int     `json:"told_fidelity"`
	Channels  int     `json:"channels"`
	Cells     int     `json:"cells"`
	Batch     int     `json:"batch"`
	LR        float64 `json:"lr"`
	Seed      uint64  `json:"seed"`
	Images    int     `json:"images"`
}

type mfJobRecord struct {
	ID         int         `json:"id"`
	Rung       int         `json:"rung"`
	Fidelity   int         `json:"fidelity"`
	From       int         `json:"from"`
	Arch       string      `json:"arch"`
	Status     eval.Status `json:"status"`
	Err        string      `json:"err,omitempty"`
	Cached     bool        `json:"cached,omitempty"`
	ValAcc     float64     `json:"val_acc"`
	TrainLoss  float64     `json:"train_loss"`
	Seconds    float64     `json:"seconds"`
	Checkpoint string      `json:"checkpoint"`
	Curve      []EpochInfo `json:"curve"`
}

// RunMultiFidelity trains the jobs of a successive-halving / ASHA scheduler
// one after the other until MaxJobs jobs are done: a new candidate trains
// from scratch to its rung's epochs and saves a checkpoint under Dir; a
// promoted one continues from that checkpoint (ScheduleEpochs is the top
// rung, so the continued run equals one trained to the top rung without
// pause). A failed or diverged training is reported as not usable and never
// promoted. Validation accuracy is measured after every epoch (the learning
// curve); only the job's final epoch is reported to the scheduler.
func RunMultiFidelity(ctx context.Context, r MFRun) ([]MFPoint, error) {
	s := r.Scheduler
	if s == nil || r.Space == nil {
		return nil, fmt.Errorf("train: multi-fidelity run needs a scheduler and a space")
	}
	if r.Dir == "" {
		return nil, fmt.Errorf("train: multi-fidelity run needs a checkpoint folder")
	}
	if r.MaxJobs <= 0 {
		return nil, fmt.Errorf("train: multi-fidelity run needs MaxJobs > 0, got %d", r.MaxJobs)
	}
	rungs := s.Config().Rungs
	cfg := r.Config
	cfg.ScheduleEpochs = rungs[len(rungs)-1]
	cfg.CheckpointDir = r.Dir
	var replay []mfJobRecord
	if r.Journal != nil {
		h := mfHeader{Scheduler: s.Name(), Told: s.ToldFidelity(), Channels: cfg.Channels, Cells: cfg.Cells,
			Batch: cfg.BatchSize, LR: cfg.LR, Seed: cfg.Seed, Images: cfg.MaxTrainImages}
		if hs := r.Journal.Kind("mf-header"); len(hs) > 0 {
			var old mfHeader
			if err := json.Unmarshal(hs[0], &old); err != nil || old != h {
				return nil, fmt.Errorf("train: journal %s belongs to another multi-fidelity run (%s)", r.Journal.Path(), hs[0])
			}
		} else if err := r.Journal.Append("mf-header", h); err != nil {
			return nil, err
		}
		for _, raw := range r.Journal.Kind("mf-job") {
			var rec mfJobRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				return nil, fmt.Errorf("train: journal %s: %w", r.Journal.Path(), err)
			}
			replay = append(replay, rec)
		}
	}
	var points []MFPoint
	var spent float64
	best := math.NaN()
	done := map[string]map[int]mfJobRecord{} // arch -> fidelity -> record
	remember := func(rec mfJobRecord) {
		if done[rec.Arch] == nil {
			done[rec.Arch] = map[int]mfJobRecord{}
		}
		if _, ok := done[rec.Arch][rec.Fidelity]; !ok {
			done[rec.Arch][rec.Fidelity] = rec
		}
	}
	for len(points) < r.MaxJobs {
		if err := ctx.Err(); err != nil {
			return points, err
		}
		j, err := s.Next()
		if err != nil {
			return points, err
		}
		arch := r.Space.Format(j.Arch)
		var rec mfJobRecord
		var res Result
		replayed := len(points) < len(replay)
		if replayed {
			rec = replay[len(points)]
			if rec.ID != j.ID || rec.Rung != j.Rung || rec.Arch != arch {
				return points, fmt.Errorf("train: journal job %d (%s at rung %d) does not match the schedule (%s at rung %d)", rec.ID, rec.Arch, rec.Rung, arch, j.Rung)
			}
			res = Result{Arch: arch, Status: rec.Status, Err: rec.Err, ValAcc: rec.ValAcc, TrainLoss: rec.TrainLoss,
				Epochs: rec.Fidelity, Seconds: rec.Seconds, Checkpoint: rec.Checkpoint, TestAcc: math.NaN()}
		} else if prev, ok := done[arch][j.Fidelity]; ok {
			// A repeated architecture: answer from the earlier job, and do not
			// retrain (that would overwrite a further-trained checkpoint).
			rec = prev
			rec.ID, rec.Rung, rec.From, rec.Seconds, rec.Cached, rec.Curve = j.ID, j.Rung, j.From, 0, true, nil
			res = Result{Arch: arch, Status: rec.Status, Err: rec.Err, ValAcc: rec.ValAcc, TrainLoss: rec.TrainLoss,
				Epochs: rec.Fidelity, Checkpoint: rec.Checkpoint, TestAcc: math.NaN()}
			if r.Journal != nil {
				if err := r.Journal.Append("mf-job", jsonSafe(rec)); err != nil {
					return points, err
				}
			}
		} else {
			c := cfg
			c.Epochs = j.Fidelity
			c.ResumeFrom = ""
			if j.From > 0 {
				c.ResumeFrom = filepath.Join(r.Dir, CheckpointName(arch, cfg.Seed))
			}
			var curve []EpochInfo
			c.OnEpoch.Add("train.mf-curve", math.MinInt, func(e EpochInfo) error { // before the caller's subscribers
				curve = append(curve, e)
				return nil
			})
			res, err = TrainArch(ctx, r.Space, j.Arch, c, r.Data)
			if err != nil {
				return points, err
			}
			if ctx.Err() != nil {
				return points, ctx.Err() // interrupted: not journaled, redone on resume
			}
			rec = mfJobRecord{ID: j.ID, Rung: j.Rung, Fidelity: j.Fidelity, From: j.From, Arch: arch, Status: res.Status,
				Err: res.Err, ValAcc: res.ValAcc, TrainLoss: res.TrainLoss, Seconds: res.Seconds, Checkpoint: res.Checkpoint, Curve: curve}
			if r.Journal != nil {
				if err := r.Journal.Append("mf-job", jsonSafe(rec)); err != nil {
					return points, err
				}
			}
		}
		remember(rec)
		spent += rec.Seconds
		ok := res.Status == eval.OK && !math.IsNaN(res.ValAcc)
		if err := s.Report(j, res.ValAcc, ok); err != nil {
			return points, err
		}
		if ok && j.Rung == len(rungs)-1 && (math.IsNaN(best) || res.ValAcc > best) {
			best = res.ValAcc
		}
		p := MFPoint{Job: j, Arch: arch, Result: res, Curve: rec.Curve, Seconds: spent, Best: best, Replayed: replayed, Cached: rec.Cached}
		points = append(points, p)
		if r.OnPoint != nil {
			r.OnPoint(p)
		}
	}
	return points, nil
}

// jsonSafe replaces NaN and infinite numbers (not valid JSON) by -1 in a job record.
func jsonSafe(rec mfJobRecord) mfJobRecord {
	fix := func(x float64) float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return -1
		}
		return x
	}
	rec.ValAcc, rec.TrainLoss = fix(rec.ValAcc), fix(rec.TrainLoss)
	curve := make([]EpochInfo, len(rec.Curve))
	for i, e := range rec.Curve {
		e.ValAcc, e.TrainLoss = fix(e.ValAcc), fix(e.TrainLoss)
		curve[i] = e
	}
	rec.Curve = curve
	return rec
}
