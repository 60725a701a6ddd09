package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/matrix"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func init() {
	register("matrix", "run LAPT transfer and its baselines on every ordered pair of a benchmark's tasks", runMatrix)
}

// matrixTasks are the default tasks of each benchmark.
var matrixTasks = map[string][]string{
	"nb201":          {"cifar10", "cifar100", "imagenet16-120"},
	"transnas-micro": {"class_scene", "class_object", "autoencoder", "normal", "jigsaw", "room_layout", "segmentsemantic"},
}

func runMatrix(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("matrix", "matrix --space nb201|transnas-micro [--tasks a,b,c] [--pooled] [--seeds 0-99] [--json FILE]", stderr)
	spaceName := fs.String("space", "nb201", "search space: nb201 or transnas-micro")
	tasks := fs.String("tasks", "", "tasks (comma-separated; default: all of the benchmark)")
	pooled := fs.Bool("pooled", false, "also run all-other-tasks -> target for every target")
	seedsFlag := fs.String("seeds", "0-99", "seeds, e.g. 0-99")
	methods := fs.String("methods", strings.Join(study.AllMethods, ","), "methods to compare (any registered: "+strings.Join(study.Methods(), ", ")+")")
	budget := fs.Int("budget", 0, "target evaluations per seed (default: the paper's, 20 on nb201, 50 on transnas-micro)")
	fs.Int("full-space-after", 0, fullSpaceAfterUsage)
	dedupFlag := fs.String("dedup", "canonical", "repeated architectures: canonical, exact or count")
	fidelity := fs.Int("fidelity", 200, "benchmark fidelity (epochs)")
	dataFlag := fs.String("data", "", "benchmark data directory")
	jsonOut := fs.String("json", "", "write the report (schema "+matrix.Schema+") to this file")
	workers := fs.Int("workers", 0, "parallel seeds (0: all CPUs)")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	rf := addReasonerFlags(fs)
	bf := addBenchFileFlags(fs, "with --space-file: the results tables of every task, comma-separated (CSV or JSON; at least two)", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := bf.check(fs, "space", "tasks", "fidelity", "data"); err != nil {
		return err
	}
	if bf.used() && len(splitList(*bf.table)) < 2 {
		return usagef("--space-file needs --table with at least two results tables (a matrix transfers between them)")
	}
	seeds, err := experiment.ParseSeeds(*seedsFlag)
	if err != nil {
		return usagef("--seeds: %v", err)
	}
	dedup, err := search.ParseDedup(*dedupFlag)
	if err != nil {
		return usagef("--dedup: %v", err)
	}
	if err := (numberRules{positive: append([]string{"budget", "fidelity"}, reasonerPositive...),
		nonNegative: append([]string{"workers"}, reasonerNonNegative...)}).check(fs); err != nil {
		return err
	}
	sch, err := scheduleFromFlags(fs) // --budget and --full-space-after
	if err != nil {
		return err
	}
	ms := splitList(*methods)
	for _, m := range ms {
		if _, err := study.Lookup(m); err != nil {
			return usagef("--methods: %v", err)
		}
	}
	names := splitList(*tasks)
	if bf.used() {
		names = splitList(*bf.table)
	}
	if len(names) == 0 && strings.TrimSpace(*tasks) != "" {
		return usagef("--tasks %q names no task", *tasks)
	}
	if len(names) == 0 {
		sn := strings.ToLower(*spaceName)
		if sn == "transnas" || sn == "tnb101-micro" {
			sn = "transnas-micro"
		}
		names = matrixTasks[sn]
		if names == nil {
			return usagef("unknown --space %q (want nb201 or transnas-micro)", *spaceName)
		}
	}
	if len(names) < 2 {
		return usagef("--tasks needs at least two tasks")
	}
	// The work cap counts every run: seeds x methods x ordered pairs (and
	// pooled pairs), at the budget given or the paper's largest (50).
	pairs := len(names) * (len(names) - 1)
	if *pooled {
		pairs += len(names)
	}
	if err := checkWork(*budget, len(seeds)); err != nil {
		return err
	}
	if b := max(*budget, 50); len(seeds)*len(ms)*pairs*b > maxTotalEvaluations {
		return usagef("%d seeds x %d methods x %d pairs x budget %d = %d evaluations, above the limit of %d per command",
			len(seeds), len(ms), pairs, b, len(seeds)*len(ms)*pairs*b, maxTotalEvaluations)
	}
	r, err := rf.build()
	if err != nil {
		return err
	}
	var ts []*tabular.Task
	if bf.used() {
		sp, err := bf.space()
		if err != nil {
			return err
		}
		if ts, err = loadTables(sp, "table", *bf.table); err != nil {
			return err
		}
		printSpaceFile(stdout, *bf.spaceFile, sp)
		printSchedule(stdout, sp, sch)
	} else if ts, _, err = openTasks(*dataFlag, *spaceName, names, "", *fidelity); err != nil {
		return err
	}
	cfg := matrix.Config{Tasks: ts, Pooled: *pooled, Reasoner: r, Schedule: sch, Seeds: seeds,
		Methods: ms, Dedup: dedup, Workers: *workers}
	if !*quiet {
		cfg.OnPair = func(p matrix.Pair, done, total int) {
			fmt.Fprintf(stderr, "pair %d/%d: %s\n", done, total, p.Label())
		}
	}
	rep, err := matrix.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.String())
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *jsonOut)
	}
	return nil
}
