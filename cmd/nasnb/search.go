package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func init() {
	register("search", "run a search on a tabular benchmark over many seeds", runSearch)
}

// SearchReport is the --json output of "nasnb search" (schema "nasnb.search/v1").
type SearchReport struct {
	Schema   string  `json:"schema"`
	Task     string  `json:"task"`
	Space    string  `json:"space"`
	Dataset  string  `json:"dataset"`
	Fidelity int     `json:"fidelity"`
	Strategy string  `json:"strategy"`
	Budget   int     `json:"budget"`
	Dedup    string  `json:"dedup"`
	Seeds    int     `json:"seeds"`
	BestArch string  `json:"best_arch"`
	BestVal  float64 `json:"best_val"`
	BestTest float64 `json:"best_test"`
	Seconds  float64 `json:"seconds"`
	// EquivalentFree is the number of proposals, over all seeds, answered
	// for free because an equivalent architecture was already evaluated
	// (each seed's count is in its run's extra "equivalent_free").
	EquivalentFree int                  `json:"equivalent_free"`
	Checkpoint     []experiment.Point   `json:"checkpoints"`
	Runs           []experiment.Outcome `json:"runs"`
}

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("search", "search --space nb201 --dataset cifar10 --strategy rea --budget 100 --seeds 0-99 [flags]", stderr)
	spaceName := fs.String("space", "nb201", "search space: nb201 or transnas-micro")
	dataset := fs.String("dataset", "cifar10", "dataset or task (nb201: cifar10, cifar100, imagenet16-120)")
	strategy := fs.String("strategy", "rea", "strategy: rea, random or local")
	budget := fs.Int("budget", 100, "evaluations per seed")
	seedsFlag := fs.String("seeds", "0-99", "seeds, e.g. 0-99 or 1,5,7")
	pop := fs.Int("population", 10, "REA population size")
	tour := fs.Int("tournament", 3, "REA tournament size")
	fidelity := fs.Int("fidelity", 200, "training epochs of the benchmark values (nb201: 200 or 12)")
	dedupFlag := fs.String("dedup", "canonical", "repeated architectures: canonical (free, functionally identical cells), exact (free, exact repeats), count (reference: repeats use budget)")
	journalDir := fs.String("journal", "", "directory for one resumable journal per seed")
	jsonOut := fs.String("json", "", "write the report and every seed's curve to this JSON file")
	dataFlag := fs.String("data", "", "benchmark data directory (default: $NASNB_DATA, ../shared/data, user cache)")
	workers := fs.Int("workers", 0, "parallel seeds (0 = number of CPUs)")
	evaluator := fs.String("evaluator", "table", "how candidates are evaluated: table (benchmark lookup) or train (real training on --dataset fashion-mnist, mnist, cifar10, cifar100 or synthetic; recipe from NASNB_TRAIN_*)")
	addExecutorFlags(fs) // --evaluator train only (cmd/nasnb/executor_flags.go)
	bf := addBenchFileFlags(fs, "with --space-file: the results table to search (CSV or JSON, docs/own-benchmark.md)", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := bf.check(fs, "space", "dataset", "fidelity", "data"); err != nil {
		return err
	}
	if bf.used() && *bf.table == "" {
		return usagef("--space-file needs --table (the results to search)")
	}
	if bf.used() && *evaluator != "table" {
		return usagef("--space-file searches a results table; --evaluator %s is for the built-in training datasets", *evaluator)
	}
	if *budget <= 0 {
		return usagef("--budget must be positive")
	}
	if err := (numberRules{positive: []string{"budget", "population", "tournament", "fidelity"}, nonNegative: []string{"workers"}}).check(fs); err != nil {
		return err
	}
	switch *evaluator {
	case "train":
		return searchTrain(ctx, fs, stdout)
	case "table":
		for _, f := range []string{"executor", "batch", "async"} {
			if flagSet(fs, f) {
				return usagef("--%s needs --evaluator train (table lookups need no workers)", f)
			}
		}
	default:
		return usagef("unknown --evaluator %q (want table or train)", *evaluator)
	}
	seeds, err := experiment.ParseSeeds(*seedsFlag)
	if err != nil {
		return usagef("--seeds: %v", err)
	}
	if err := checkWork(*budget, len(seeds)); err != nil {
		return err
	}
	dedup, err := search.ParseDedup(*dedupFlag)
	if err != nil {
		return usagef("--dedup: %v", err)
	}
	probe, err := search.New(*strategy, nil, 0, search.EvolutionConfig{Population: *pop, Tournament: *tour})
	if err != nil {
		return usagef("%v", err)
	}
	stratName := probe.Name()
	var task *tabular.Task
	if bf.used() {
		sp, err := bf.space()
		if err != nil {
			return err
		}
		ts, err := loadTables(sp, "table", *bf.table)
		if err != nil {
			return err
		}
		if len(ts) != 1 {
			return usagef("--table: search takes one table, got %d", len(ts))
		}
		task = ts[0]
		printSpaceFile(stdout, *bf.spaceFile, sp)
	} else {
		dir, err := datadir.Resolve(*dataFlag)
		if err != nil {
			return err
		}
		if task, err = tabular.Open(dir, *spaceName, *dataset, *fidelity); err != nil {
			return err
		}
	}
	start := time.Now()
	scfg := experiment.SearchConfig{Space: task.Space, Evaluator: task.Table, Strategy: *strategy,
		Evolution: search.EvolutionConfig{Population: *pop, Tournament: *tour}, Budget: *budget, Seeds: seeds,
		Workers: *workers, Dedup: dedup, Label: task.Name}
	if *journalDir != "" {
		scfg.Journal = func(seed uint64) string {
			return filepath.Join(*journalDir, fmt.Sprintf("%s-%s-%s-seed%04d.jsonl", task.Space.Name(), task.Table.Bench().Task(), *strategy, seed))
		}
	}
	outs, err := experiment.Search(ctx, scfg)
	if err != nil {
		return err
	}
	cps := experiment.Checkpoints(*budget)
	pts := experiment.Summarize(outs, cps, task.BestEntry.Val)
	rep := SearchReport{
		Schema: "nasnb.search/v1", Task: task.Name, Space: task.Space.Name(), Dataset: task.Table.Bench().Task(),
		Fidelity: task.Table.Bench().Fidelity(), Strategy: stratName, Budget: *budget, Dedup: dedup.String(), Seeds: len(seeds),
		BestArch: task.BestEntry.Arch, BestVal: task.BestEntry.Val, BestTest: task.BestEntry.Test,
		Seconds: time.Since(start).Seconds(), Checkpoint: pts, Runs: outs,
	}
	for _, o := range outs {
		rep.EquivalentFree += int(o.Extra["equivalent_free"])
	}
	printSearch(stdout, rep)
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *jsonOut)
	}
	return nil
}

func printSearch(w io.Writer, r SearchReport) {
	fmt.Fprintf(w, "%s: %s, budget %d, %d seeds, duplicates %s (%.2fs)\n", r.Task, r.Strategy, r.Budget, r.Seeds, r.Dedup, r.Seconds)
	fmt.Fprintf(w, "best by validation in the benchmark: val %.4f, test %.4f  %s\n", r.BestVal, r.BestTest, r.BestArch)
	fmt.Fprintf(w, "%6s  %-18s  %-18s  %s\n", "evals", "test (incumbent)", "val (incumbent)", "found best")
	for _, p := range r.Checkpoint {
		fmt.Fprintf(w, "%6d  %7.2f ± %-8.2f  %7.2f ± %-8.2f  %5.1f%%\n", p.Evals, p.TestMean, p.TestStd, p.ValMean, p.ValStd, 100*p.FoundFrac)
	}
	ex := 0
	for _, o := range r.Runs {
		if o.Exhausted {
			ex++
		}
	}
	if ex > 0 {
		fmt.Fprintf(w, "%d of %d seeds exhausted the space before the budget\n", ex, len(r.Runs))
	}
	if r.Dedup == "canonical" {
		fmt.Fprintf(w, "equivalent architectures answered for free: %d (%.1f per seed)\n", r.EquivalentFree, float64(r.EquivalentFree)/float64(max(1, len(r.Runs))))
	}
}
