package main

// nasnb search --evaluator train: a plain search (rea, random or local) whose
// candidates are trained for real (lapt/train, GoMLX) on a dataset named by
// --dataset (fashion-mnist, mnist, cifar10, cifar100 or synthetic) instead
// of looked up in a benchmark table. The recipe comes from NASNB_TRAIN_*
// as for transfer --evaluator train; candidates train in this process, or
// on local worker processes or Slurm with --executor (docs/executors.md).
// Every seed's run is journaled (--journal) and resumes where it stopped.
// The runs go through lapt/study (methods rea-full, random, local) over
// the training target of train_target.go, as transfer --evaluator train.

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// TrainSearchReport is the --json output of search --evaluator train
// (schema "nasnb.search-train/v1"). Runs[i].Method is the strategy.
type TrainSearchReport struct {
	Schema   string            `json:"schema"`
	Space    string            `json:"space"`
	Dataset  string            `json:"dataset"`
	Strategy string            `json:"strategy"`
	Budget   int               `json:"budget"`
	Dedup    string            `json:"dedup"`
	Batch    int               `json:"batch"`
	Async    int               `json:"async,omitempty"`
	Settings trainSettings     `json:"settings"`
	Runs     []study.RunDetail `json:"runs"`
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

// strategyMethods maps a strategy to the study method that runs it in the
// full space.
var strategyMethods = map[string]string{"rea": study.FullREA, "random": study.Random, "local": study.Local}

// searchTrain is runSearch for --evaluator train; fs is parsed.
func searchTrain(ctx context.Context, fs *flag.FlagSet, stdout io.Writer) error {
	ts, err := newTrainSetup(fs, "dataset")
	if err != nil {
		return err
	}
	dataset := ts.set.Data.Dataset
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
	if err := ts.prepare(fs, fmt.Sprintf("search %s on %s over %s", strat, dataset, sp.Name()), stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "budget %d per seed, seeds %s, duplicates %s\n", budget, seedsText, dedup)
	rep := TrainSearchReport{Schema: "nasnb.search-train/v1", Space: sp.Name(), Dataset: dataset, Strategy: strat, Budget: budget,
		Dedup: dedup.String(), Batch: 1, Settings: ts.set} // in process: the sequential search, batch 1
	workers := 1 // one training at a time in this process
	if ts.ex != nil {
		ts.printExecutor(stdout)
		rep.Batch, rep.Async = ts.ex.batch, ts.ex.async
		workers = len(seeds) // the executor's workers are the limit
	}
	tgt, err := trainTarget(sp, ts.set, ts.data, ts.ex, stdout, func(r study.RunInfo) string {
		return fmt.Sprintf("train-%s-%s-%s-seed%04d.jsonl", sp.Name(), dataset, strat, r.Seed)
	}, func(r study.RunInfo) string {
		return fmt.Sprintf("%s-%s-%s-s%04d", strat, sp.Name(), dataset, r.Seed)
	})
	if err != nil {
		return err
	}
	journalDir := flagString(fs, "journal")
	srep, err := study.Run(ctx, study.Config{On: tgt, Methods: []string{strategyMethods[strat]}, Seeds: seeds, Dedup: dedup,
		Schedule:   transfer.Schedule{Budget: budget, Population: evo.Population, Tournament: evo.Tournament},
		JournalDir: journalDir, Workers: workers})
	if err != nil {
		return interrupted(ctx, err, journalDir)
	}
	for _, d := range srep.Methods[0].Details {
		d.Method = strat
		rep.Runs = append(rep.Runs, d)
	}
	fmt.Fprintln(stdout)
	study.WriteDetails(stdout, rep.Runs)
	if p := flagString(fs, "json"); p != "" {
		if err := writeJSON(p, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	if n := srep.Failed(); n > 0 {
		return fmt.Errorf("%d seed run(s) failed (their errors are in the table above and the JSON report's runs); the others completed; with --journal a rerun replays them and retries only the failed ones", n)
	}
	return nil
}
