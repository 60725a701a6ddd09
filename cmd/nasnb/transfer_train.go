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
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
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
	sch, err := scheduleFromFlags(fs)
	if err != nil {
		return err
	}
	sch = sch.Complete(sp.Root())

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
		runs, err := runTrainSeeds(ctx, method, seeds, ex != nil, journalDir, stdout, func(i int, out io.Writer) (TrainTransferRun, error) {
			var evr eval.Evaluator
			if ex != nil {
				evr = ex.evaluator(fmt.Sprintf("%s-%s-s%04d", method, set.Data.Dataset, seeds[i]), sp.Root(), set, seeds[i])
			}
			return transferTrainSeed(ctx, method, seeds[i], sp, evidence, reasoner, learned, s, dedup, set, data, journalDir, evr, out)
		})
		if err != nil {
			return err
		}
		rep.Runs = append(rep.Runs, runs...)
	}
	printTrainRuns(stdout, "method", rep.Runs)
	if p := flagString(fs, "json"); p != "" {
		if err := writeJSON(p, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	return failedRuns(rep.Runs)
}

func transferTrainSeed(ctx context.Context, method string, seed uint64, sp *space.Space, evidence []reason.Evidence, reasoner reason.Reasoner,
	learned *reason.Outcome, s transfer.Schedule, dedup search.Dedup, set trainSettings, data train.Data, journalDir string, ev eval.Evaluator, stdout io.Writer) (TrainTransferRun, error) {
	out, j, ev, err := startTrainRun(method, seed, fmt.Sprintf("train-%s-%s-seed%04d.jsonl", method, set.Data.Dataset, seed), sp, set, data, journalDir, ev)
	if err != nil {
		return out, err
	}
	if j != nil {
		defer j.Close()
	}
	hooks := trialHooks(method, seed, stdout)
	var run *search.Run
	if reasoner == nil {
		st, err := search.NewEvolution(sp, seed, search.EvolutionConfig{Population: s.Population, Tournament: s.Tournament})
		if err != nil {
			return out, err
		}
		if run, err = executeSearch(ctx, search.Config{Strategy: st, Evaluator: ev, Budget: s.Budget, Seed: seed, Dedup: dedup, Journal: j, Label: method, Hooks: hooks, Async: asyncOf(ev)}); err != nil {
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
	out.fill(run)
	return out, nil
}
