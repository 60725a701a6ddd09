package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

func init() {
	register("principles", "learn design principles from a source task and show the refined space", runPrinciples)
	register("transfer", "run LAPT principle transfer and its baselines over many seeds", runTransfer)
}

func openTasks(dataFlag, spaceName string, sources []string, target string, fidelity int) ([]*tabular.Task, *tabular.Task, error) {
	dir, err := datadir.Resolve(dataFlag)
	if err != nil {
		return nil, nil, err
	}
	var src []*tabular.Task
	for _, s := range sources {
		t, err := tabular.Open(dir, spaceName, s, fidelity)
		if err != nil {
			return nil, nil, err
		}
		src = append(src, t)
	}
	var tgt *tabular.Task
	if target != "" {
		if tgt, err = tabular.Open(dir, spaceName, target, fidelity); err != nil {
			return nil, nil, err
		}
	}
	return src, tgt, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runPrinciples(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("principles", "principles --space nb201 --source imagenet16-120 [--reasoner offline|openai|replay] [--reference cifar10]", stderr)
	spaceName := fs.String("space", "nb201", "search space: nb201 or transnas-micro")
	source := fs.String("source", "imagenet16-120", "source task(s), comma-separated")
	ref := fs.String("reference", "", "task(s) whose optimum's survival to report (analysis only; never shown to the reasoner)")
	topK := fs.Int("top-k", 0, "top source architectures shown (default 50)")
	maxOps := fs.Int("max-ops", 0, "max ops per edge (default: 2 on nb201, 3 on transnas-micro)")
	fidelity := fs.Int("fidelity", 200, "benchmark fidelity (epochs)")
	dataFlag := fs.String("data", "", "benchmark data directory")
	jsonOut := fs.String("json", "", "write the principle set and report to this JSON file")
	rf := addReasonerFlags(fs)
	bf := addBenchFileFlags(fs, "with --space-file: results table(s) whose optimum's survival to report (like --reference)", "with --space-file: the source results table(s) to learn from, comma-separated (CSV or JSON)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := (numberRules{positive: append([]string{"top-k", "max-ops", "fidelity"}, reasonerPositive...), nonNegative: reasonerNonNegative}).check(fs); err != nil {
		return err
	}
	if err := bf.check(fs, "space", "source", "reference", "fidelity", "data"); err != nil {
		return err
	}
	if bf.used() && *bf.sourceTable == "" {
		return usagef("--space-file needs --source-table (the results to learn principles from)")
	}
	srcNames := splitList(*source)
	if len(srcNames) == 0 {
		return usagef("--source is required")
	}
	r, err := rf.build()
	if err != nil {
		return err
	}
	var srcs, refTasks []*tabular.Task
	if bf.used() {
		fsp, err := bf.space()
		if err != nil {
			return err
		}
		if srcs, err = loadTables(fsp, "source-table", *bf.sourceTable); err != nil {
			return err
		}
		if refTasks, err = loadTables(fsp, "table", *bf.table); err != nil {
			return err
		}
		printSpaceFile(stdout, *bf.spaceFile, fsp)
	} else if srcs, _, err = openTasks(*dataFlag, *spaceName, srcNames, "", *fidelity); err != nil {
		return err
	}
	sp := srcs[0].Space
	sch := transfer.ScheduleFor(sp.Root().Name())
	if *topK > 0 {
		sch.TopK = *topK
	}
	if *maxOps > 0 {
		sch.MaxOpsPerEdge = *maxOps
	}
	var evidence []reason.Evidence
	for _, s := range srcs {
		evidence = append(evidence, s.Evidence())
	}
	out, err := transfer.Learn(ctx, r, sp, evidence, sch)
	if err != nil {
		return err
	}
	var hist principles.History
	set := hist.Add(out.Set)
	var refs []principles.Reference
	for _, t := range refTasks {
		refs = append(refs, principles.Reference{Name: t.Name + " optimum", Arch: t.Best})
	}
	for _, name := range splitList(*ref) {
		_, t, err := openTasks(*dataFlag, *spaceName, nil, name, *fidelity)
		if err != nil {
			return err
		}
		refs = append(refs, principles.Reference{Name: name + " optimum", Arch: t.Best})
	}
	_, rep, err := principles.Refine(sp, set, refs...)
	if err != nil {
		return err
	}
	if bf.used() {
		printSchedule(stdout, sp, sch)
	}
	fmt.Fprint(stdout, set.Format(sp))
	if set.Analysis != "" {
		fmt.Fprintln(stdout)
		fmt.Fprint(stdout, set.Analysis)
	}
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, rep.String())
	if len(out.Exchanges) > 0 {
		pt, ct := 0, 0
		for _, e := range out.Exchanges {
			pt += e.PromptTokens
			ct += e.CompletionTokens
		}
		fmt.Fprintf(stdout, "\n%d LLM exchange(s), %d prompt + %d completion tokens\n", len(out.Exchanges), pt, ct)
	}
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, map[string]any{"schema": "nasnb.principles/v1", "principles": set, "report": rep, "exchanges": out.Exchanges}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *jsonOut)
	}
	return nil
}

func runTransfer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("transfer", "transfer --space nb201 --source imagenet16-120 --target cifar10 [--reasoner offline] [--seeds 0-99] [--json FILE]", stderr)
	spaceName := fs.String("space", "nb201", "search space: nb201 or transnas-micro")
	source := fs.String("source", "imagenet16-120", "source task(s), comma-separated")
	target := fs.String("target", "cifar10", "target task")
	seedsFlag := fs.String("seeds", "0-99", "seeds, e.g. 0-99")
	methods := fs.String("methods", strings.Join(study.AllMethods, ","), "methods to compare: "+strings.Join(study.AllMethods, ", "))
	budget := fs.Int("budget", 0, "target evaluations per seed (default: the paper's, 20 on nb201, 50 on transnas-micro)")
	pop := fs.Int("population", 0, "REA population (default: the paper's)")
	tour := fs.Int("tournament", 0, "REA tournament size (default: the paper's)")
	every := fs.Int("adapt-every", 0, "evaluations between adaptations (default: the paper's)")
	warmup := fs.Int("warmup", -1, "plain evaluations after the initial population before adapting (default: the paper's)")
	topK := fs.Int("top-k", 0, "top source architectures shown (default 50)")
	maxOps := fs.Int("max-ops", 0, "max ops per edge (default: 2 on nb201, 3 on transnas-micro)")
	noAdapt := fs.Bool("no-adapt", false, "switch adaptation off in the LAPT method")
	dedupFlag := fs.String("dedup", "canonical", "repeated architectures: canonical, exact or count")
	fidelity := fs.Int("fidelity", 200, "benchmark fidelity (epochs)")
	dataFlag := fs.String("data", "", "benchmark data directory")
	journalDir := fs.String("journal", "", "directory for resumable journals (one per method and seed)")
	jsonOut := fs.String("json", "", "write the full report (schema nasnb.transfer/v1) to this file")
	evaluator := fs.String("evaluator", "table", "how candidates are evaluated: table (benchmark lookup) or train (see nasnb train)")
	workers := fs.Int("workers", 0, "parallel seeds (0: all CPUs)")
	rf := addReasonerFlags(fs)
	addExecutorFlags(fs) // --evaluator train only (cmd/nasnb/executor_flags.go)
	bf := addBenchFileFlags(fs, "with --space-file: the target results table (CSV or JSON, docs/own-benchmark.md)", "with --space-file: the source results table(s), comma-separated")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := bf.check(fs, "space", "source", "target", "fidelity", "data"); err != nil {
		return err
	}
	if bf.used() && (*bf.table == "" || *bf.sourceTable == "") {
		return usagef("--space-file needs --table (the target) and --source-table (the source)")
	}
	if bf.used() && *evaluator != "table" {
		return usagef("--space-file transfers between results tables; --evaluator %s is for the built-in training datasets", *evaluator)
	}
	if err := (numberRules{
		positive:    append([]string{"budget", "population", "tournament", "adapt-every", "top-k", "max-ops", "fidelity"}, reasonerPositive...),
		nonNegative: append([]string{"warmup", "workers"}, reasonerNonNegative...),
	}).check(fs); err != nil {
		return err
	}
	if strings.TrimSpace(*target) == "" {
		return usagef("--target is required (the task to transfer the principles to)")
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
	ms := splitList(*methods)
	for _, m := range ms {
		ok := false
		for _, a := range study.AllMethods {
			ok = ok || a == m
		}
		if !ok {
			return usagef("unknown method %q in --methods (want %s)", m, strings.Join(study.AllMethods, ", "))
		}
	}
	if *evaluator == "train" {
		return runTransferTrain(ctx, fs, rf, stdout, stderr)
	} else if *evaluator != "table" {
		return usagef("unknown --evaluator %q (want table or train)", *evaluator)
	}
	r, err := rf.build()
	if err != nil {
		return err
	}
	var srcs []*tabular.Task
	var tgt *tabular.Task
	if bf.used() {
		sp, err := bf.space()
		if err != nil {
			return err
		}
		if srcs, err = loadTables(sp, "source-table", *bf.sourceTable); err != nil {
			return err
		}
		ts, err := loadTables(sp, "table", *bf.table)
		if err != nil {
			return err
		}
		if len(ts) != 1 {
			return usagef("--table: transfer takes one target table, got %d", len(ts))
		}
		tgt = ts[0]
		printSpaceFile(stdout, *bf.spaceFile, sp)
	} else if srcs, tgt, err = openTasks(*dataFlag, *spaceName, splitList(*source), *target, *fidelity); err != nil {
		return err
	}
	if len(srcs) == 0 {
		return usagef("--source is required")
	}
	if tgt == nil {
		return usagef("--target is required")
	}
	for _, s := range srcs {
		if s.Name == tgt.Name {
			return usagef("the source %s is the target: principles must come from another task", s.Name)
		}
	}
	sch := transfer.Schedule{Budget: *budget, Population: *pop, Tournament: *tour, AdaptEvery: *every, TopK: *topK, MaxOpsPerEdge: *maxOps, NoAdapt: *noAdapt}
	switch {
	case *warmup == 0:
		sch.Warmup = -1 // none
	case *warmup > 0:
		sch.Warmup = *warmup
	}
	if bf.used() {
		printSchedule(stdout, tgt.Space, sch)
	}
	rep, err := study.Run(ctx, study.Config{Sources: srcs, Target: tgt, Reasoner: r, Schedule: sch, Seeds: seeds, Methods: ms,
		Dedup: dedup, JournalDir: *journalDir, Workers: *workers})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.String())
	for _, m := range rep.Methods {
		if m.Name == study.LAPT && m.Principles != nil {
			fmt.Fprintf(stdout, "\nInitial principles of %s:\n%s", m.Label, m.Principles.Format(tgt.Space))
			if m.Adaptations > 0 {
				fmt.Fprintf(stdout, "  (%.1f adaptations per run on average)\n", m.Adaptations)
			}
		}
	}
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *jsonOut)
	}
	if n := rep.Failed(); n > 0 {
		return fmt.Errorf("%d seed run(s) failed (listed under their method above; their errors are in the JSON report's runs); rerun with the same --journal to retry only those", n)
	}
	return nil
}
