package main

// nasnb transfer --evaluator train: LAPT principle transfer where the target
// is real training (lapt/train, GoMLX) instead of a benchmark lookup.
//
// The source principles come from the benchmark tables named by --source
// (NB201 ImageNet16-120 by default). The target is a dataset named by
// --target: fashion-mnist, mnist, cifar10, cifar100 or synthetic. The
// transfer flags (--seeds, --budget, --population, --tournament,
// --adapt-every, --warmup, --top-k, --max-ops, --no-adapt, --dedup,
// --journal, --json, --methods, reasoner flags) keep their meaning; the
// training recipe is read from NASNB_TRAIN_* environment variables (derived
// from train.Config and train.DataSpec, see docs/training.md) over the tiny
// CPU defaults. --executor local:N|slurm trains on worker processes or Slurm
// jobs (executor_flags.go, docs/executors.md).

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/train"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// runTransferTrain is called by runTransfer for --evaluator train.
var runTransferTrain = transferTrain

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

// flag helpers for the already parsed transfer flag set.
func flagString(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

func flagInt(fs *flag.FlagSet, name string) int {
	v, _ := strconv.Atoi(flagString(fs, name))
	return v
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// TrainTransferRun is one method and seed of a training transfer.
type TrainTransferRun struct {
	Method      string         `json:"method"`
	Seed        uint64         `json:"seed"`
	Evaluations int            `json:"evaluations"`
	Failed      int            `json:"failed"`
	Diverged    int            `json:"diverged"`
	BestArch    string         `json:"best_arch,omitempty"`
	BestVal     float64        `json:"best_val"`
	BestTest    float64        `json:"best_test"`
	Seconds     float64        `json:"seconds"`
	Images      int64          `json:"images"`
	Versions    int            `json:"principle_versions,omitempty"`
	Journal     string         `json:"journal,omitempty"`
	Trials      []search.Trial `json:"trials"`
	// Error is why this seed's run failed (the other seeds go on, as in the
	// table path's study.Method.Failed); its other fields are then partial.
	Error string `json:"error,omitempty"`
}

// TrainTransferReport is the --json output of transfer --evaluator train.
type TrainTransferReport struct {
	Schema   string             `json:"schema"`
	Space    string             `json:"space"`
	Sources  []string           `json:"sources"`
	Reasoner string             `json:"reasoner"`
	Settings trainSettings      `json:"settings"`
	Schedule transfer.Schedule  `json:"schedule"`
	Runs     []TrainTransferRun `json:"runs"`
}

func transferTrain(ctx context.Context, fs *flag.FlagSet, rf *reasonerFlags, stdout, stderr io.Writer) error {
	target := flagString(fs, "target")
	if !flagSet(fs, "target") {
		return usagef("--evaluator train needs --target fashion-mnist, mnist, cifar10, cifar100 or synthetic; the training recipe comes from:\n%s", trainEnvHelp())
	}
	switch target {
	case "fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic":
	default:
		return usagef("--evaluator train: --target %q is not a dataset (want fashion-mnist, mnist, cifar10, cifar100 or synthetic)", target)
	}
	seedsText := "0"
	if flagSet(fs, "seeds") {
		seedsText = flagString(fs, "seeds")
	}
	seeds, err := experiment.ParseSeeds(seedsText)
	if err != nil {
		return usagef("--seeds: %v", err)
	}
	methods := []string{study.LAPT}
	if flagSet(fs, "methods") {
		methods = splitList(flagString(fs, "methods"))
	}
	dedup, err := search.ParseDedup(flagString(fs, "dedup"))
	if err != nil {
		return usagef("--dedup: %v", err)
	}
	set, err := readTrainSettings(target)
	if err != nil {
		return err
	}
	r, err := rf.build()
	if err != nil {
		return err
	}
	srcs, _, err := openTasks(flagString(fs, "data"), flagString(fs, "space"), splitList(flagString(fs, "source")), "", flagInt(fs, "fidelity"))
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return usagef("--source is required")
	}
	sp := srcs[0].Space
	var evidence []reason.Evidence
	var srcNames []string
	for _, s := range srcs {
		evidence = append(evidence, s.Evidence())
		srcNames = append(srcNames, s.Name)
	}
	sch := transfer.ScheduleFor(sp.Root().Name())
	for _, o := range []struct {
		flag string
		dst  *int
	}{{"budget", &sch.Budget}, {"population", &sch.Population}, {"tournament", &sch.Tournament},
		{"adapt-every", &sch.AdaptEvery}, {"top-k", &sch.TopK}, {"max-ops", &sch.MaxOpsPerEdge}} {
		if v := flagInt(fs, o.flag); v > 0 {
			*o.dst = v
		}
	}
	switch v := flagInt(fs, "warmup"); {
	case v == 0:
		sch.Warmup = -1 // none
	case v > 0:
		sch.Warmup = v
	}
	sch.NoAdapt = flagString(fs, "no-adapt") == "true"

	data, err := loadTarget(set)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "transfer %s -> %s (real training): %d train / %d val / %d test images %dx%dx%d, C=%d N=%d, %d epoch(s), batch %d, lr %g, backend %s\n",
		strings.Join(srcNames, ","), target, data.Train.Len(), data.Val.Len(), data.Test.Len(), data.Train.Height, data.Train.Width, data.Train.Channels,
		set.Config.Channels, set.Config.Cells, set.Config.Epochs, set.Config.BatchSize, set.Config.LR, backendName(set.Config.Backend))
	fmt.Fprintf(stdout, "schedule: budget %d, population %d, tournament %d, adapt every %d after %d; seeds %s; methods %s\n",
		sch.Budget, sch.Population, sch.Tournament, sch.AdaptEvery, max(sch.Warmup, 0), seedsText, strings.Join(methods, ","))

	journalDir := flagString(fs, "journal")
	ex, err := buildExecutor(fs, journalDir, stdout)
	if err != nil {
		return err
	}
	if ex != nil {
		fmt.Fprintf(stdout, "executor: %s, batch %d, run folder %s\n", ex.exec.Name(), ex.batch, ex.dir)
	}
	rep := TrainTransferReport{Schema: "nasnb.transfer-train/v2", Space: sp.Root().Name(), Sources: srcNames, Reasoner: r.Name(), Settings: set, Schedule: sch}
	for _, method := range methods {
		reasoner, s := r, sch
		switch method {
		case study.LAPT:
		case study.NoAdapt:
			s.NoAdapt = true
		case study.Frequency:
			reasoner, s.NoAdapt = offline.Frequency{}, true
		case study.FullREA:
			reasoner = nil
		default:
			return usagef("unknown method %q in --methods (want %s)", method, strings.Join(study.AllMethods, ", "))
		}
		var learned *reason.Outcome
		if reasoner != nil {
			out, err := transfer.Learn(ctx, reasoner, sp, evidence, s)
			if err != nil {
				return fmt.Errorf("%s: learning principles: %w", method, err)
			}
			learned = &out
			_, rr, err := principles.Refine(sp, out.Set)
			if err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
			fmt.Fprintf(stdout, "\n%s: principles keep %d of %d architectures\n%s", method, rr.SizeAfter, sp.Count(), out.Set.Format(sp))
		}
		// In process, seeds run one after another; with an executor every
		// seed's search runs at once and the workers are the limit. Each
		// search is sequential (or batched) as always, so the results do
		// not depend on how many run together.
		runs := make([]TrainTransferRun, len(seeds))
		errs := make([]error, len(seeds))
		one := func(i int, out io.Writer) {
			var evr eval.Evaluator
			if ex != nil {
				evr = ex.evaluator(fmt.Sprintf("%s-%s-s%04d", method, set.Data.Dataset, seeds[i]), sp.Root(), set, seeds[i])
			}
			runs[i], errs[i] = transferTrainSeed(ctx, method, seeds[i], sp, evidence, reasoner, learned, s, dedup, set, data, journalDir, evr, out)
		}
		if ex == nil {
			for i := range seeds {
				if one(i, stdout); errs[i] != nil && ctx.Err() != nil {
					break
				}
			}
		} else {
			lw := &lockedWriter{w: stdout}
			var wg sync.WaitGroup
			for i := range seeds {
				wg.Add(1)
				go func() { defer wg.Done(); one(i, lw) }()
			}
			wg.Wait()
		}
		for i := range seeds {
			err := errs[i]
			if err != nil && ctx.Err() != nil {
				if journalDir == "" {
					return fmt.Errorf("interrupted (%v); with --journal DIR a rerun resumes where it stopped", ctx.Err())
				}
				return fmt.Errorf("interrupted (%v); rerun the same command (same --journal, same NASNB_TRAIN_*) to resume", ctx.Err())
			}
			if err != nil {
				// One seed's failure does not sink the others: it is
				// recorded, reported and makes the exit status non-zero.
				runs[i].Error = err.Error()
				fmt.Fprintf(stdout, "  %s seed %d FAILED: %s\n", method, seeds[i], firstLine(err.Error()))
			}
			rep.Runs = append(rep.Runs, runs[i])
		}
	}
	fmt.Fprintf(stdout, "\n%-13s %5s %5s %6s %8s %8s %9s %9s  %s\n", "method", "seed", "evals", "failed", "best val", "its test", "seconds", "images", "best architecture")
	var failed []TrainTransferRun
	for _, run := range rep.Runs {
		best := run.BestArch
		if run.Error != "" {
			best = "FAILED: " + firstLine(run.Error)
			failed = append(failed, run)
		}
		fmt.Fprintf(stdout, "%-13s %5d %5d %6d %8s %8s %9.1f %9d  %s\n", run.Method, run.Seed, run.Evaluations, run.Failed+run.Diverged,
			fmtPct(run.BestVal), fmtPct(run.BestTest), run.Seconds, run.Images, best)
	}
	if p := flagString(fs, "json"); p != "" {
		if err := writeJSON(p, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d seed run(s) failed (first: %s seed %d: %s); the others completed; with --journal a rerun replays them and retries only the failed ones",
			len(failed), failed[0].Method, failed[0].Seed, failed[0].Error)
	}
	return nil
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

func transferTrainSeed(ctx context.Context, method string, seed uint64, sp *space.Space, evidence []reason.Evidence, reasoner reason.Reasoner,
	learned *reason.Outcome, s transfer.Schedule, dedup search.Dedup, set trainSettings, data train.Data, journalDir string, ev eval.Evaluator, stdout io.Writer) (TrainTransferRun, error) {
	out := TrainTransferRun{Method: method, Seed: seed, BestVal: math.NaN(), BestTest: math.NaN()}
	var j *journal.Journal
	if journalDir != "" {
		path := filepath.Join(journalDir, fmt.Sprintf("train-%s-%s-seed%04d.jsonl", method, set.Data.Dataset, seed))
		var err error
		if j, err = journal.Open(path); err != nil {
			return out, err
		}
		defer j.Close()
		out.Journal = path
		if err := checkSettings(j, set); err != nil {
			return out, err
		}
	}
	if ev == nil {
		tev, err := train.NewEvaluator(sp.Root(), set.config(seed), data)
		if err != nil {
			return out, err
		}
		ev = tev
	}
	hooks := search.Hooks{OnTrial: func(r *search.Run, t search.Trial) {
		res := t.Result
		src := ""
		switch {
		case t.Replayed:
			src = " (journal)"
		case t.Cached:
			src = " (repeat, free)"
		}
		line := fmt.Sprintf("  %s seed %d trial %d/%d %-8s", method, seed, t.N, r.Budget(), res.Status)
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
	}}
	var run *search.Run
	if reasoner == nil {
		st, err := search.NewEvolution(sp, seed, search.EvolutionConfig{Population: s.Population, Tournament: s.Tournament})
		if err != nil {
			return out, err
		}
		cfg := search.Config{Strategy: st, Evaluator: ev, Budget: s.Budget, Seed: seed, Dedup: dedup, Journal: j, Label: method, Hooks: hooks, Async: asyncOf(ev)}
		if cfg.Async > 0 {
			if run, err = search.NewRun(cfg); err == nil {
				err = run.RunAsync(ctx)
			}
		} else {
			run, err = search.Execute(ctx, cfg)
		}
		if err != nil {
			return out, err
		}
	} else {
		res, err := transfer.Run(ctx, transfer.Config{Space: sp, Sources: evidence, Target: ev, Reasoner: reasoner, Initial: learned,
			Schedule: s, Seed: seed, Dedup: dedup, Journal: j, Hooks: transfer.Hooks{Search: hooks}})
		if err != nil {
			return out, err
		}
		run = res.Run
		out.Versions = len(res.History.Versions)
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
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
	return out, nil
}

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
