package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/train"
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
	fs.Int("top-k", 0, "top source architectures shown (default 50)")
	fs.Int("max-ops", 0, "max ops per edge (default: 2 on nb201, 3 on transnas-micro)")
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
	sch, err := scheduleFromFlags(fs)
	if err != nil {
		return err
	}
	sch = sch.Complete(sp.Root())
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

// runTransfer is "nasnb transfer": LAPT principle transfer and its
// baselines over many seeds, through lapt/study.
//
// With --evaluator train the target is a dataset named by --target
// (fashion-mnist, mnist, cifar10, cifar100 or synthetic) whose candidates
// are trained for real (lapt/train, GoMLX); the source principles still come
// from the benchmark tables named by --source. The transfer flags keep their
// meaning (default seeds 0 and method lapt); the training recipe is read
// from NASNB_TRAIN_* (train.Config and train.DataSpec, docs/training.md)
// over the tiny CPU defaults; --executor local:N|slurm trains on worker
// processes or Slurm jobs (executor_flags.go, docs/executors.md). Both
// paths run lapt/study and write the same report (nasnb.transfer/v1; the
// training one adds the recipe and per-run details).
func runTransfer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("transfer", "transfer --space nb201 --source imagenet16-120 --target cifar10 [--reasoner offline] [--seeds 0-99] [--json FILE]", stderr)
	spaceName := fs.String("space", "nb201", "search space: nb201 or transnas-micro")
	source := fs.String("source", "imagenet16-120", "source task(s), comma-separated")
	target := fs.String("target", "cifar10", "target task (--evaluator train: a dataset, "+strings.Join(train.Datasets, ", ")+")")
	seedsFlag := fs.String("seeds", "0-99", "seeds, e.g. 0-99 (--evaluator train: default 0)")
	methods := fs.String("methods", strings.Join(study.AllMethods, ","), "methods to compare: "+strings.Join(study.Methods(), ", ")+" (--evaluator train: default lapt)")
	addScheduleFlags(fs)
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
		nonNegative: append([]string{"workers"}, reasonerNonNegative...),
	}).check(fs); err != nil {
		return err
	}
	training := false
	switch *evaluator {
	case "train":
		training = true
		if !flagSet(fs, "seeds") {
			*seedsFlag = "0"
		}
		if !flagSet(fs, "methods") {
			*methods = study.LAPT
		}
	case "table":
	default:
		return usagef("unknown --evaluator %q (want table or train)", *evaluator)
	}
	sch, err := scheduleFromFlags(fs)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*target) == "" {
		return usagef("--target is required (the task to transfer the principles to)")
	}
	seeds, err := experiment.ParseSeeds(*seedsFlag)
	if err != nil {
		return usagef("--seeds: %v", err)
	}
	if err := checkWork(sch.Budget, len(seeds)); err != nil {
		return err
	}
	dedup, err := search.ParseDedup(*dedupFlag)
	if err != nil {
		return usagef("--dedup: %v", err)
	}
	ms := splitList(*methods)
	for _, m := range ms {
		if _, err := study.Lookup(m); err != nil {
			return usagef("--methods: %v", err)
		}
	}
	var tgt *study.Target
	var srcs []*tabular.Task
	var ts *trainSetup
	if training {
		if ts, err = newTrainSetup(fs, "target"); err != nil {
			return err
		}
	}
	r, err := rf.build()
	if err != nil {
		return err
	}
	if training {
		if srcs, _, err = openTasks(*dataFlag, *spaceName, splitList(*source), "", *fidelity); err != nil {
			return err
		}
		if len(srcs) == 0 {
			return usagef("--source is required")
		}
		if tgt, err = ts.transferTarget(fs, srcs, sch, *seedsFlag, ms, stdout); err != nil {
			return err
		}
		if ts.ex != nil {
			*workers = len(seeds) // the executor's workers are the limit
		} else {
			*workers = 1 // one training at a time in this process
		}
	} else {
		var tt *tabular.Task
		if bf.used() {
			sp, err := bf.space()
			if err != nil {
				return err
			}
			if srcs, err = loadTables(sp, "source-table", *bf.sourceTable); err != nil {
				return err
			}
			tts, err := loadTables(sp, "table", *bf.table)
			if err != nil {
				return err
			}
			if len(tts) != 1 {
				return usagef("--table: transfer takes one target table, got %d", len(tts))
			}
			tt = tts[0]
			printSpaceFile(stdout, *bf.spaceFile, sp)
		} else if srcs, tt, err = openTasks(*dataFlag, *spaceName, splitList(*source), *target, *fidelity); err != nil {
			return err
		}
		if len(srcs) == 0 {
			return usagef("--source is required")
		}
		if tt == nil {
			return usagef("--target is required")
		}
		for _, s := range srcs {
			if s.Name == tt.Name {
				return usagef("the source %s is the target: principles must come from another task", s.Name)
			}
		}
		if bf.used() {
			printSchedule(stdout, tt.Space, sch)
		}
		tgt = study.Table(tt)
	}
	rep, err := study.Run(ctx, study.Config{Sources: srcs, On: tgt, Reasoner: r, Schedule: sch, Seeds: seeds, Methods: ms,
		Dedup: dedup, JournalDir: *journalDir, Workers: *workers})
	if err != nil {
		return interrupted(ctx, err, *journalDir)
	}
	fmt.Fprint(stdout, rep.String())
	printEquivalentFree(stdout, tgt.Space, rep.Methods)
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

// interrupted turns err into an error saying how to resume when ctx is
// done (an interruption), and returns err otherwise.
func interrupted(ctx context.Context, err error, journalDir string) error {
	if ctx.Err() == nil {
		return err
	}
	if journalDir == "" {
		return fmt.Errorf("interrupted (%v); with --journal DIR a rerun resumes where it stopped", ctx.Err())
	}
	return fmt.Errorf("interrupted (%v); rerun the same command (same --journal, same NASNB_TRAIN_* when training) to resume", ctx.Err())
}

// addScheduleFlags registers the flags of a transfer.Schedule on fs; read
// them with scheduleFromFlags.
func addScheduleFlags(fs *flag.FlagSet) {
	fs.Int("budget", 0, "target evaluations per seed (default: the paper's, 20 on nb201, 50 on transnas-micro)")
	fs.Int("population", 0, "REA population (default: the paper's)")
	fs.Int("tournament", 0, "REA tournament size (default: the paper's)")
	fs.Int("adapt-every", 0, "evaluations between adaptations (default: the paper's)")
	fs.Int("warmup", 0, "plain evaluations after the initial population before adapting (0: the paper's, -1: none)")
	fs.Int("top-k", 0, "top source architectures shown (default 50)")
	fs.Int("max-ops", 0, "max ops per edge (default: 2 on nb201, 3 on transnas-micro)")
	fs.Bool("no-adapt", false, "switch adaptation off in the LAPT method")
	fs.Int("full-space-after", 0, fullSpaceAfterUsage)
}

// fullSpaceAfterUsage documents --full-space-after (transfer.Schedule.FullSpaceAfter).
const fullSpaceAfterUsage = "hedge: after this many evaluations leave the principles and search the full space for the rest of the budget (0: never, the paper's method)"

// printEquivalentFree prints, for a space with declared equivalence, how
// many proposals per seed each method got answered for free because an
// equivalent architecture had been evaluated.
func printEquivalentFree(w io.Writer, sp *space.Space, ms []study.Method) {
	if !sp.Root().HasEquivalence() {
		return
	}
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%s %.1f", m.Name, m.EquivalentFree))
	}
	fmt.Fprintf(w, "equivalent architectures answered for free, per seed: %s\n", strings.Join(parts, ", "))
}
