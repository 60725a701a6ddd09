package main

// Shared by "nasnb transfer --evaluator train" (transfer_train.go) and
// "nasnb search --evaluator train" (search_train.go): the training recipe
// and its journal record, the in-process or executor evaluator of one run,
// the per-trial lines, the seed loop (one after another in process, all at
// once with an executor) and the summary table.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/train"
)

// trainSettings is the training recipe of the target evaluator: the one
// serialisable train.Config plus the data spec. It is recorded in every
// journal (as is); resuming with another recipe is refused. The per-run seed
// is set for each run.
type trainSettings struct {
	Config train.Config   `json:"config"`
	Data   train.DataSpec `json:"data"`
}

// readTrainSettings reads NASNB_TRAIN_* over the tiny recipe's defaults.
func readTrainSettings(target string) (trainSettings, error) {
	s := trainSettings{Config: train.TinyConfig(), Data: train.TinyData(target)}
	s.Config.Backend = ""
	for _, p := range []any{&s.Config, &s.Data} {
		if err := train.FromEnv(p, os.LookupEnv); err != nil {
			return s, usagef("%v", err)
		}
	}
	if c := s.Config; c.Epochs < 1 || c.BatchSize < 1 || !(c.LR > 0) || c.Channels < 1 || c.Cells < 1 {
		return s, usagef("NASNB_TRAIN_EPOCHS, _BATCH, _LR, _CHANNELS and _CELLS must be positive (got %d, %d, %g, %d, %d)",
			c.Epochs, c.BatchSize, c.LR, c.Channels, c.Cells)
	}
	if err := s.Data.Validate(); err != nil {
		return s, usagef("%v", err)
	}
	return s, nil
}

// loadTarget loads the target dataset and returns normalised train,
// validation (held out from the training set) and test splits.
func loadTarget(s trainSettings) (train.Data, error) {
	d, err := train.Prepare(s.Data, s.Config.BatchSize)
	if err != nil {
		return d, usagef("--target %s: %v", s.Data.Dataset, err)
	}
	return d, nil
}

// config returns the recipe for one run (seed), as the workers apply it.
func (s trainSettings) config(seed uint64) train.Config {
	return s.trialSpec(seed, "", "").TrainConfig()
}

// trialSpec is the spec that re-creates the training of arch in run seed.
func (s trainSettings) trialSpec(seed uint64, id, arch string) train.TrialSpec {
	c := s.Config
	c.Seed = seed
	return train.TrialSpec{ID: id, Arch: arch, Config: c, Data: s.Data}
}

func fmtPct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

func backendName(b string) string {
	if b == "" {
		b = os.Getenv("GOMLX_BACKEND")
	}
	if b == "" {
		return "go (CPU)"
	}
	return b
}

// settingsKind is the journal record holding the training recipe.
const settingsKind = "train-settings"

// checkSettings records the training recipe in a new journal, or refuses a
// journal written with another recipe (its trials would not be comparable).
// The backend and checkpoint folder are not part of the recipe: a run may
// move from CPU to GPU.
func checkSettings(j *journal.Journal, set trainSettings) error {
	set.Config.Backend, set.Config.CheckpointDir = "", ""
	want, _ := json.Marshal(set)
	recs := j.Kind(settingsKind)
	if len(recs) == 0 {
		return j.Append(settingsKind, set)
	}
	var old trainSettings
	if err := json.Unmarshal(recs[0], &old); err != nil {
		return fmt.Errorf("journal %s: bad %s record: %w", j.Path(), settingsKind, err)
	}
	got, _ := json.Marshal(old)
	if string(got) != string(want) {
		return fmt.Errorf("journal %s was written with other training settings:\n  journal: %s\n  now:     %s\nuse another --journal folder or the same NASNB_TRAIN_* values", j.Path(), got, want)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// trainEnvHelp lists the NASNB_TRAIN_* variables with their defaults.
func trainEnvHelp() string {
	c, d := train.TinyConfig(), train.TinyData("synthetic")
	return train.EnvHelp(&c, &d)
}

// startTrainRun opens the journal of one training run (none without
// journalDir), records or checks the recipe in it, and returns the run's
// report skeleton and evaluator: ev when given (an executor's), else
// training in this process. The caller closes the journal.
func startTrainRun(label string, seed uint64, journalName string, sp *space.Space, set trainSettings, data train.Data, journalDir string,
	ev eval.Evaluator) (TrainTransferRun, *journal.Journal, eval.Evaluator, error) {
	out := TrainTransferRun{Method: label, Seed: seed, BestVal: math.NaN(), BestTest: math.NaN()}
	var j *journal.Journal
	if journalDir != "" {
		path := filepath.Join(journalDir, journalName)
		var err error
		if j, err = journal.Open(path); err != nil {
			return out, nil, nil, err
		}
		out.Journal = path
		if err := checkSettings(j, set); err != nil {
			j.Close()
			return out, nil, nil, err
		}
	}
	if ev == nil {
		tev, err := train.NewEvaluator(sp.Root(), set.config(seed), data)
		if err != nil {
			if j != nil {
				j.Close()
			}
			return out, nil, nil, err
		}
		ev = tev
	}
	return out, j, ev, nil
}

// trialHooks prints one line per committed trial of run label, seed (an
// OnTrial subscriber named "nasnb.trials").
func trialHooks(label string, seed uint64, stdout io.Writer) search.Hooks {
	var h search.Hooks
	h.OnTrial.Add("nasnb.trials", 0, func(r *search.Run, t search.Trial) error {
		res := t.Result
		src := ""
		switch {
		case t.Replayed:
			src = " (journal)"
		case t.Cached:
			src = " (repeat, free)"
		}
		line := fmt.Sprintf("  %s seed %d trial %d/%d %-8s", label, seed, t.N, r.Budget(), res.Status)
		if res.Usable() {
			line += fmt.Sprintf(" val %6.2f%% test %6.2f%%", res.Metrics.Val, res.Metrics.Test)
		}
		if !t.Cached {
			line += fmt.Sprintf(" %6.1fs %6d img", res.Cost.Seconds, res.Cost.Images)
			if fs, ok := res.Metrics.Extra["first_step_s"]; ok {
				line += fmt.Sprintf(" first step %.2fs", fs)
			}
		}
		line += " " + t.Text + src
		if res.Err != "" {
			line += " — " + firstLine(res.Err)
		}
		fmt.Fprintln(stdout, line)
		return nil // a lost progress line must not stop a paid run
	})
	return h
}

// executeSearch runs a search to its budget: asynchronously when cfg.Async
// is set (an executor's --async), else step by step (batched when the
// evaluator is an eval.BatchEvaluator).
func executeSearch(ctx context.Context, cfg search.Config) (*search.Run, error) {
	if cfg.Async > 0 {
		run, err := search.NewRun(cfg)
		if err == nil {
			err = run.RunAsync(ctx)
		}
		return run, err
	}
	return search.Execute(ctx, cfg)
}

// fill sets the report fields of a finished run: evaluations, trials,
// worker time and images of the trials trained, failures and incumbent.
func (out *TrainTransferRun) fill(run *search.Run) {
	out.Evaluations = run.Evaluations()
	out.Trials = run.Trials()
	for _, t := range out.Trials {
		if t.Cached {
			continue
		}
		out.Seconds += t.Result.Cost.Seconds
		out.Images += t.Result.Cost.Images
		switch t.Result.Status {
		case eval.Failed:
			out.Failed++
		case eval.Diverged:
			out.Diverged++
		}
	}
	if inc, ok := run.Incumbent(); ok {
		out.BestArch, out.BestVal, out.BestTest = inc.Text, inc.Result.Metrics.Val, inc.Result.Metrics.Test
	}
}

// runTrainSeeds runs one(i, out) for every seed and returns their runs in
// seed order. In process (parallel false) seeds run one after another; with
// an executor every seed's search runs at once and the workers are the
// limit. Each search is sequential (or batched) as always, so the results
// do not depend on how many run together. A seed that fails does not sink
// the others: its run carries the error (printed as "LABEL seed N FAILED")
// and the caller reports it after the table (see failedRuns). An
// interruption gives an error saying how to resume.
func runTrainSeeds(ctx context.Context, label string, seeds []uint64, parallel bool, journalDir string, stdout io.Writer,
	one func(i int, out io.Writer) (TrainTransferRun, error)) ([]TrainTransferRun, error) {
	n := len(seeds)
	runs := make([]TrainTransferRun, n)
	errs := make([]error, n)
	if !parallel {
		for i := range n {
			if runs[i], errs[i] = one(i, stdout); errs[i] != nil && ctx.Err() != nil {
				break
			}
		}
	} else {
		lw := &lockedWriter{w: stdout}
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() { defer wg.Done(); runs[i], errs[i] = one(i, lw) }()
		}
		wg.Wait()
	}
	for i, err := range errs {
		if err != nil && ctx.Err() != nil {
			if journalDir == "" {
				return nil, fmt.Errorf("interrupted (%v); with --journal DIR a rerun resumes where it stopped", ctx.Err())
			}
			return nil, fmt.Errorf("interrupted (%v); rerun the same command (same --journal, same NASNB_TRAIN_*) to resume", ctx.Err())
		}
		if err != nil {
			runs[i].Method, runs[i].Seed, runs[i].Error = label, seeds[i], err.Error()
			fmt.Fprintf(stdout, "  %s seed %d FAILED: %s\n", label, seeds[i], firstLine(err.Error()))
		}
	}
	return runs, nil
}

// failedRuns returns an error naming the failed seed runs, or nil: called
// after the table and the JSON are written, it makes the exit status
// non-zero without losing the other seeds' results.
func failedRuns(runs []TrainTransferRun) error {
	var failed []TrainTransferRun
	for _, r := range runs {
		if r.Error != "" {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d seed run(s) failed (first: %s seed %d: %s); the others completed; with --journal a rerun replays them and retries only the failed ones",
		len(failed), failed[0].Method, failed[0].Seed, failed[0].Error)
}

// printTrainRuns prints the summary table of training runs; label names
// the first column (method or strategy).
func printTrainRuns(w io.Writer, label string, runs []TrainTransferRun) {
	fmt.Fprintf(w, "\n%-13s %5s %5s %6s %8s %8s %9s %9s  %s\n", label, "seed", "evals", "failed", "best val", "its test", "seconds", "images", "best architecture")
	for _, run := range runs {
		best := run.BestArch
		if run.Error != "" {
			best = "FAILED: " + firstLine(run.Error)
		}
		fmt.Fprintf(w, "%-13s %5d %5d %6d %8s %8s %9.1f %9d  %s\n", run.Method, run.Seed, run.Evaluations, run.Failed+run.Diverged,
			fmtPct(run.BestVal), fmtPct(run.BestTest), run.Seconds, run.Images, best)
	}
}
