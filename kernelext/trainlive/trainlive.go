// Package trainlive shows GoMLX training in a notebook: it adapts the
// training hooks of lapt/train (Config.OnStep, Config.OnEpoch) to kernelext's
// live progress line and live curves, trains a list of candidates with them,
// and names the notebook scales of the training recipe. It is the only
// kernelext package that imports lapt/train (and so GoMLX): kernelext itself
// stays fast to build.
package trainlive

import (
	"context"
	"fmt"
	"github.com/nasnb/nasnb/lapt/eval"
	"math"
	"os"
	"time"

	"github.com/nasnb/nasnb/kernelext"
	"github.com/nasnb/nasnb/lapt/train"
)

// Live shows the training of a few candidates: one Progress line (the
// current candidate's epoch, step, loss and last validation accuracy, and
// how many candidates are done with the best validation accuracy so far) and
// two live charts, the training loss per step and the validation accuracy
// per epoch, one curve per candidate. Attach it to each candidate's recipe,
// call Finish with each result, and Close at the end.
type Live struct {
	// Progress, Loss and Acc are the displays; nil ones are skipped.
	Progress  *kernelext.Progress
	Loss, Acc *kernelext.LiveCurve

	total int
	done  int
	best  float64
	start time.Time
}

// New returns a Live titled title for total candidates, its displays shown now.
func New(title string, total int) *Live {
	return &Live{
		Progress: kernelext.NewProgress(title),
		Loss:     kernelext.NewLiveCurve(kernelext.CurveChart{Title: "Training loss per step", XLabel: "step", YLabel: "cross-entropy", Band: kernelext.BandNone}),
		Acc:      kernelext.NewLiveCurve(kernelext.CurveChart{Title: "Validation accuracy per epoch", XLabel: "epoch", YLabel: "val accuracy (%)", Band: kernelext.BandNone}),
		total:    total, best: math.NaN(), start: time.Now(),
	}
}

// StepEvent converts a training step into the TrainEvent of a Progress:
// 1-based epoch and step within the epoch, epochs the recipe's Epochs,
// lastVal the validation accuracy of the last finished epoch (NaN: none yet).
func StepEvent(st train.StepInfo, epochs int, lastVal float64) kernelext.TrainEvent {
	per := 0
	if epochs > 0 {
		per = st.TotalSteps / epochs
	}
	step := st.Step
	if per > 0 {
		step = st.Step - st.Epoch*per
	}
	return kernelext.TrainEvent{Epoch: st.Epoch + 1, Epochs: epochs, Step: step, Steps: per,
		Loss: st.Loss, Metric: lastVal, MetricName: "val acc", Elapsed: st.Elapsed}
}

// Attach returns cfg with subscribers "trainlive" on OnStep and OnEpoch that
// feed l for the candidate called name: every step updates the progress line
// and the loss curve, every epoch the accuracy curve. Subscribers already in
// cfg stay and are called first (priority 100 puts these last).
func (l *Live) Attach(cfg train.Config, name string) train.Config {
	lastVal := math.NaN()
	epochs := cfg.Epochs
	cfg.OnStep.Add("trainlive", 100, func(st train.StepInfo) error {
		if l.Progress != nil {
			l.Progress.OnTrain(StepEvent(st, epochs, lastVal))
		}
		if l.Loss != nil {
			l.Loss.Append(name, 0, st.Loss)
		}
		return nil
	})
	cfg.OnEpoch.Add("trainlive", 100, func(e train.EpochInfo) error {
		lastVal = e.ValAcc
		if l.Acc != nil {
			l.Acc.Append(name, 0, e.ValAcc)
		}
		return nil
	})
	return cfg
}

// Finish records one candidate's result: the progress line counts it and
// keeps the best validation accuracy of the candidates that trained.
func (l *Live) Finish(res train.Result) {
	l.done++
	if res.Status == eval.OK && !(res.ValAcc <= l.best) {
		l.best = res.ValAcc
	}
	if l.Progress != nil {
		l.Progress.OnTrial(kernelext.TrialEvent{Trial: l.done, Budget: l.total, Score: res.ValAcc, BestSoFar: l.best,
			Arch: res.Arch, Elapsed: time.Since(l.start)})
	}
}

// Close gives every display its final state.
func (l *Live) Close() {
	if l.Progress != nil {
		l.Progress.Done()
	}
	if l.Loss != nil {
		l.Loss.Close()
	}
	if l.Acc != nil {
		l.Acc.Close()
	}
}

// CandidateName is the name of the i-th (0-based) candidate in tables and legends.
func CandidateName(i int) string { return fmt.Sprintf("candidate %d", i+1) }

// TrainAll trains each architecture of archs with cfg (candidate i with seed
// cfg.Seed+i) on data, shown live under title, and returns the results in
// order. A candidate that fails or diverges is in its Result's Status; the
// error is only for a cancelled context or a recipe train refuses.
func TrainAll(ctx context.Context, title string, archs []string, cfg train.Config, data train.Data) ([]train.Result, error) {
	l := New(title, len(archs))
	defer l.Close()
	var out []train.Result
	for i, arch := range archs {
		c := l.Attach(cfg, CandidateName(i))
		c.Seed = cfg.Seed + uint64(i)
		res, err := train.Train(ctx, arch, c, data)
		if err != nil {
			return out, fmt.Errorf("trainlive: %s (%s): %w", CandidateName(i), arch, err)
		}
		out = append(out, res)
		l.Finish(res)
	}
	return out, nil
}

// Pct formats a percentage with two decimals, "–" for NaN.
func Pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

// ResultsTable returns the results of TrainAll as table headers and rows:
// candidate, status, validation and test accuracy, last training loss,
// parameters, seconds, images and the time to the first step.
func ResultsTable(results []train.Result) ([]string, [][]string) {
	h := []string{"candidate", "status", "val acc (%)", "test acc (%)", "train loss", "params (M)", "seconds", "images", "first step (s)"}
	var rows [][]string
	for i, r := range results {
		rows = append(rows, []string{CandidateName(i), string(r.Status), Pct(r.ValAcc), Pct(r.TestAcc), fmt.Sprintf("%.3f", r.TrainLoss),
			fmt.Sprintf("%.4f", float64(r.Params)/1e6), fmt.Sprintf("%.1f", r.Seconds), fmt.Sprint(r.Images), fmt.Sprintf("%.2f", r.FirstStep.Seconds())})
	}
	return h, rows
}

// Pick returns the index of the candidate a search would pick (best
// validation accuracy among those that trained; -1 when none did), with
// the number that trained and the total seconds and images spent.
func Pick(results []train.Result) (best, ok int, seconds float64, images int64) {
	best = -1
	for i, r := range results {
		seconds += r.Seconds
		images += r.Images
		if r.Status != eval.OK {
			continue
		}
		ok++
		if best < 0 || r.ValAcc > results[best].ValAcc {
			best = i
		}
	}
	return best, ok, seconds, images
}

// Recipe is one notebook scale of the training recipe: the train.Config
// (hooks unset) and the data it trains on.
type Recipe struct {
	Scale  string
	Config train.Config
	Data   train.DataSpec
}

// Scales are the notebook scales Scale knows.
var Scales = []string{"tiny", "full"}

// Scale returns a named recipe on Fashion-MNIST. "tiny" (or ""): C=4, N=1,
// 2 epochs of batch 32 on 512 training / 256 validation / 500 test images,
// about a minute on two CPU cores. "full": C=16, N=5, 12 epochs of batch 256
// on the whole training set minus 5,000 validation images and the whole
// test set, a GPU job. Both use the NAS-Bench-201 optimiser
// (train.DefaultConfig).
func Scale(name string) (Recipe, error) {
	cfg := train.DefaultConfig()
	switch name {
	case "", "tiny":
		cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize = 4, 1, 2, 32
		return Recipe{Scale: "tiny", Config: cfg, Data: train.DataSpec{Dataset: "fashion-mnist", TrainImages: 512, Val: 256, Test: 500}}, nil
	case "full":
		cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize = 16, 5, 12, 256
		return Recipe{Scale: "full", Config: cfg, Data: train.DataSpec{Dataset: "fashion-mnist", Val: 5000}}, nil
	}
	return Recipe{}, fmt.Errorf("trainlive: scale %q is not one of %v", name, Scales)
}

// FromEnv returns the recipe the kernel's environment asks for: the scale
// named by NASNB_NOTEBOOK_SCALE (tiny by default), then every NASNB_TRAIN_*
// variable that is set (train.FromEnv: the same names and rules as the
// nasnb command, e.g. NASNB_TRAIN_BACKEND). lookup is os.LookupEnv when nil.
func FromEnv(lookup func(string) (string, bool)) (Recipe, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	name, _ := lookup("NASNB_NOTEBOOK_SCALE")
	r, err := Scale(name)
	if err != nil {
		return r, fmt.Errorf("NASNB_NOTEBOOK_SCALE: %w", err)
	}
	if err := train.FromEnv(&r.Config, lookup); err != nil {
		return r, err
	}
	if err := train.FromEnv(&r.Data, lookup); err != nil {
		return r, err
	}
	return r, r.Data.Validate()
}

// Prepare loads, splits and normalises the recipe's data (train.Prepare),
// with a hint to install Fashion-MNIST when it is missing.
func (r Recipe) Prepare() (train.Data, error) {
	d, err := train.Prepare(r.Data, r.Config.BatchSize)
	if err != nil && r.Data.Dataset == "fashion-mnist" {
		err = fmt.Errorf("%w (on Debian: apt-get install -y dataset-fashion-mnist)", err)
	}
	return d, err
}

// String describes the recipe in one line.
func (r Recipe) String() string {
	c := r.Config
	return fmt.Sprintf("scale %s: C=%d N=%d, %d epochs, batch %d, lr %g", r.Scale, c.Channels, c.Cells, c.Epochs, c.BatchSize, c.LR)
}
