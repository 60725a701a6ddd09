package main

// nasnb search --evaluator train: a plain search (rea, random or local) whose
// candidates are trained for real (lapt/train, GoMLX) on a dataset named by
// --dataset (fashion-mnist, mnist, cifar10, cifar100 or synthetic) instead
// of looked up in a benchmark table. The recipe comes from NASNB_TRAIN_*
// as for transfer --evaluator train; candidates train in this process, or
// on local worker processes or Slurm with --executor (docs/executors.md).
// Every seed's run is journaled (--journal) and resumes where it stopped.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/train"
)

// TrainSearchReport is the --json output of search --evaluator train
// (schema "nasnb.search-train/v1"). Runs[i].Method is the strategy.
type TrainSearchReport struct {
	Schema   string             `json:"schema"`
	Space    string             `json:"space"`
	Dataset  string             `json:"dataset"`
	Strategy string             `json:"strategy"`
	Budget   int                `json:"budget"`
	Dedup    string             `json:"dedup"`
	Batch    int                `json:"batch"`
	Async    int                `json:"async,omitempty"`
	Settings trainSettings      `json:"settings"`
	Runs     []TrainTransferRun `json:"runs"`
}

// strategyKey is the short, canonical name of a strategy flag value, used
// in trial and journal names.
func strategyKey(name string) string {
	switch name {
	case "rs":
		return "random"
	case "evolution", "re":
		return "rea"
	case "ls":
		return "local"
	}
	return name
}

// builtinSpace returns the search space named by --space.
func builtinSpace(name string) (*space.Space, error) {
	switch name {
	case "nb201":
		return space.NB201(), nil
	case "transnas-micro":
		return space.TransNASMicro(), nil
	}
	return nil, usagef("--space %q: want nb201 or transnas-micro", name)
}

// searchTrain is runSearch for --evaluator train; fs is parsed.
func searchTrain(ctx context.Context, fs *flag.FlagSet, stdout io.Writer) error {
	dataset := flagString(fs, "dataset")
	if !flagSet(fs, "dataset") {
		return usagef("--evaluator train needs --dataset %s; the training recipe comes from:\n%s", strings.Join(train.Datasets, ", "), trainEnvHelp())
	}
	ok := false
	for _, d := range train.Datasets {
		ok = ok || d == dataset
	}
	if !ok {
		return usagef("--evaluator train: --dataset %q is not a dataset (want %s)", dataset, strings.Join(train.Datasets, ", "))
	}
	sp, err := builtinSpace(flagString(fs, "space"))
	if err != nil {
		return err
	}
	seedsText := "0"
	if flagSet(fs, "seeds") {
		seedsText = flagString(fs, "seeds")
	}
	seeds, err := experiment.ParseSeeds(seedsText)
	if err != nil {
		return usagef("--seeds: %v", err)
	}
	budget := flagInt(fs, "budget")
	if err := checkWork(budget, len(seeds)); err != nil {
		return err
	}
	dedup, err := search.ParseDedup(flagString(fs, "dedup"))
	if err != nil {
		return usagef("--dedup: %v", err)
	}
	strat := strategyKey(flagString(fs, "strategy"))
	evo := search.EvolutionConfig{Population: flagInt(fs, "population"), Tournament: flagInt(fs, "tournament")}
	if _, err := search.New(strat, sp, 0, evo); err != nil {
		return usagef("%v", err)
	}
	set, err := readTrainSettings(dataset)
	if err != nil {
		return err
	}
	journalDir := flagString(fs, "journal")
	ex, err := buildExecutor(fs, journalDir, stdout)
	if err != nil {
		return err
	}
	data, err := train.Prepare(set.Data, set.Config.BatchSize)
	if err != nil {
		return usagef("--dataset %s: %v", dataset, err)
	}
	fmt.Fprintf(stdout, "search %s on %s over %s (real training): %d train / %d val / %d test images %dx%dx%d, C=%d N=%d, %d epoch(s), batch %d, lr %g, backend %s\n",
		strat, dataset, sp.Name(), data.Train.Len(), data.Val.Len(), data.Test.Len(), data.Train.Height, data.Train.Width, data.Train.Channels,
		set.Config.Channels, set.Config.Cells, set.Config.Epochs, set.Config.BatchSize, set.Config.LR, backendName(set.Config.Backend))
	fmt.Fprintf(stdout, "budget %d per seed, seeds %s, duplicates %s\n", budget, seedsText, dedup)
	rep := TrainSearchReport{Schema: "nasnb.search-train/v1", Space: sp.Name(), Dataset: dataset, Strategy: strat, Budget: budget,
		Dedup: dedup.String(), Batch: 1, Settings: set} // in process: the sequential search, batch 1
	if ex != nil {
		fmt.Fprintf(stdout, "executor: %s, batch %d, run folder %s\n", ex.exec.Name(), ex.batch, ex.dir)
		rep.Batch, rep.Async = ex.batch, ex.async
	}
	runs, err := runTrainSeeds(ctx, strat, seeds, ex != nil, journalDir, stdout, func(i int, out io.Writer) (TrainTransferRun, error) {
		seed := seeds[i]
		var ev eval.Evaluator
		if ex != nil {
			ev = ex.evaluator(fmt.Sprintf("%s-%s-%s-s%04d", strat, sp.Name(), dataset, seed), sp, set, seed)
		}
		run, j, ev, err := startTrainRun(strat, seed, fmt.Sprintf("train-%s-%s-%s-seed%04d.jsonl", sp.Name(), dataset, strat, seed), sp, set, data, journalDir, ev)
		if err != nil {
			return run, err
		}
		if j != nil {
			defer j.Close()
		}
		st, err := search.New(strat, sp, seed, evo)
		if err != nil {
			return run, err
		}
		r, err := executeSearch(ctx, search.Config{Strategy: st, Evaluator: ev, Budget: budget, Seed: seed, Dedup: dedup, Journal: j,
			Label: strat, Hooks: trialHooks(strat, seed, out), Async: asyncOf(ev)})
		if err != nil {
			return run, err
		}
		if err := ctx.Err(); err != nil {
			return run, err
		}
		run.fill(r)
		return run, nil
	})
	if err != nil {
		return err
	}
	rep.Runs = runs
	printTrainRuns(stdout, "strategy", rep.Runs)
	if p := flagString(fs, "json"); p != "" {
		if err := writeJSON(p, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	return failedRuns(rep.Runs)
}
