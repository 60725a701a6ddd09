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
// training recipe is read from NASNB_TRAIN_* environment variables (see
// trainEnv and docs/training.md) with tiny CPU defaults.

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

	"github.com/nasnb/nasnb/datasets/images"
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

// trainSettings is the training recipe of the target evaluator. It is
// recorded in every journal; resuming with other settings is refused.
type trainSettings struct {
	Target     string  `json:"target"`
	DataDir    string  `json:"data_dir,omitempty"`
	Channels   int     `json:"channels"`
	Cells      int     `json:"cells"`
	Epochs     int     `json:"epochs"`
	Batch      int     `json:"batch"`
	LR         float64 `json:"lr"`
	TrainCap   int     `json:"train_images"`
	Val        int     `json:"val_images"`
	TestCap    int     `json:"test_images"`
	SynthHW    int     `json:"synthetic_hw,omitempty"`
	SplitSeed  uint64  `json:"split_seed"`
	Augment    bool    `json:"augment"`
	Backend    string  `json:"-"` // not part of the recipe: a run may move from CPU to GPU
	Checkpoint string  `json:"-"`
}

// trainEnv lists the environment variables that set the training recipe,
// with their defaults (tiny: seconds per candidate on 2 CPU cores).
var trainEnv = []struct{ name, def, help string }{
	{"NASNB_TRAIN_CHANNELS", "4", "channels C of the first stage (benchmark: 16)"},
	{"NASNB_TRAIN_CELLS", "1", "cells N per stage (benchmark: 5)"},
	{"NASNB_TRAIN_EPOCHS", "1", "training epochs per candidate (the target fidelity)"},
	{"NASNB_TRAIN_BATCH", "32", "batch size"},
	{"NASNB_TRAIN_LR", "0.1", "initial learning rate (cosine to 0, SGD Nesterov 0.9, wd 5e-4)"},
	{"NASNB_TRAIN_IMAGES", "1024", "training images (0: the whole training set minus validation)"},
	{"NASNB_TRAIN_VAL", "512", "validation images held out from the training set (the search reads only these)"},
	{"NASNB_TRAIN_TEST", "1000", "test images (0: the whole test set; reported, never searched on)"},
	{"NASNB_TRAIN_AUGMENT", "0", "1: crop+flip augmentation on 32x32x3 data"},
	{"NASNB_TRAIN_SYNTHETIC_HW", "8", "image size of --target synthetic (3 channels, 4 classes)"},
	{"NASNB_TRAIN_DATA_DIR", "", "dataset folder or CIFAR tarball (default: standard location)"},
	{"NASNB_TRAIN_BACKEND", "", "go (default), go:CONFIG or xla:PLUGIN (binary built with -tags xla); empty reads GOMLX_BACKEND"},
	{"NASNB_TRAIN_CHECKPOINT_DIR", "", "write each trained candidate's variables under this folder"},
}

func readTrainSettings(target string) (trainSettings, error) {
	get := func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return strings.TrimSpace(v)
		}
		for _, e := range trainEnv {
			if e.name == name {
				return e.def
			}
		}
		return ""
	}
	var err error
	geti := func(name string, min int) int {
		v, e := strconv.Atoi(get(name))
		if e != nil || v < min {
			if err == nil {
				err = usagef("%s=%q: want an integer >= %d", name, get(name), min)
			}
		}
		return v
	}
	s := trainSettings{Target: target, DataDir: get("NASNB_TRAIN_DATA_DIR"), Backend: get("NASNB_TRAIN_BACKEND"),
		Checkpoint: get("NASNB_TRAIN_CHECKPOINT_DIR")}
	s.Channels = geti("NASNB_TRAIN_CHANNELS", 1)
	s.Cells = geti("NASNB_TRAIN_CELLS", 1)
	s.Epochs = geti("NASNB_TRAIN_EPOCHS", 1)
	s.Batch = geti("NASNB_TRAIN_BATCH", 1)
	s.TrainCap = geti("NASNB_TRAIN_IMAGES", 0)
	s.Val = geti("NASNB_TRAIN_VAL", 1)
	s.TestCap = geti("NASNB_TRAIN_TEST", 0)
	s.Augment = geti("NASNB_TRAIN_AUGMENT", 0) != 0
	if target == "synthetic" {
		s.SynthHW = geti("NASNB_TRAIN_SYNTHETIC_HW", 4)
	}
	lr, e := strconv.ParseFloat(get("NASNB_TRAIN_LR"), 64)
	if (e != nil || !(lr > 0)) && err == nil {
		err = usagef("NASNB_TRAIN_LR=%q: want a positive number", get("NASNB_TRAIN_LR"))
	}
	s.LR = lr
	return s, err
}

// loadTarget loads the target dataset and returns normalised train,
// validation (held out from the training set) and test splits.
func loadTarget(s trainSettings) (train.Data, error) {
	var all, test *images.Dataset
	var err error
	if s.Target == "synthetic" {
		n := max(s.TrainCap, s.Batch) + s.Val
		nt := s.TestCap
		if nt == 0 {
			nt = 512
		}
		d, err := images.Synthetic(n+nt, s.SynthHW, s.SynthHW, 3, 4, 1)
		if err != nil {
			return train.Data{}, err
		}
		all, test = d.Head(n), d.Subset(seqInts(n, n+nt))
		all.Name, test.Name = "synthetic/train", "synthetic/test"
	} else {
		all, test, err = images.Load(s.Target, s.DataDir)
		if err != nil {
			return train.Data{}, fmt.Errorf("--target %s: %w", s.Target, err)
		}
	}
	if s.TrainCap > 0 && s.TrainCap+s.Val < all.Len() {
		all = all.Head(s.TrainCap + s.Val)
	}
	if s.TestCap > 0 && s.TestCap < test.Len() {
		test = test.Head(s.TestCap)
	}
	tr, va, err := all.Split(s.Val, s.SplitSeed)
	if err != nil {
		return train.Data{}, usagef("NASNB_TRAIN_VAL: %v", err)
	}
	if tr.Len() < s.Batch {
		return train.Data{}, usagef("%d training images for batch %d: raise NASNB_TRAIN_IMAGES or lower NASNB_TRAIN_BATCH", tr.Len(), s.Batch)
	}
	mean, std := tr.MeanStd()
	for _, d := range []*images.Dataset{tr, va, test} {
		if err := d.Normalize(mean, std); err != nil {
			return train.Data{}, err
		}
	}
	return train.Data{Train: tr, Val: va, Test: test}, nil
}

func seqInts(a, b int) []int {
	out := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
}

func (s trainSettings) config(seed uint64) train.Config {
	cfg := train.DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize, cfg.LR = s.Channels, s.Cells, s.Epochs, s.Batch, s.LR
	cfg.Seed, cfg.Backend, cfg.CheckpointDir = seed, s.Backend, s.Checkpoint
	if !s.Augment {
		cfg.Augment = &images.Augment{}
	}
	return cfg
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
		set.Channels, set.Cells, set.Epochs, set.Batch, set.LR, backendName(set.Backend))
	fmt.Fprintf(stdout, "schedule: budget %d, population %d, tournament %d, adapt every %d after %d; seeds %s; methods %s\n",
		sch.Budget, sch.Population, sch.Tournament, sch.AdaptEvery, max(sch.Warmup, 0), seedsText, strings.Join(methods, ","))

	rep := TrainTransferReport{Schema: "nasnb.transfer-train/v1", Space: sp.Root().Name(), Sources: srcNames, Reasoner: r.Name(), Settings: set, Schedule: sch}
	journalDir := flagString(fs, "journal")
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
		for _, seed := range seeds {
			if err := ctx.Err(); err != nil {
				return err
			}
			run, err := transferTrainSeed(ctx, method, seed, sp, evidence, reasoner, learned, s, dedup, set, data, journalDir, stdout)
			if err != nil && ctx.Err() != nil {
				if journalDir == "" {
					return fmt.Errorf("interrupted (%v); with --journal DIR a rerun resumes where it stopped", ctx.Err())
				}
				return fmt.Errorf("interrupted (%v); rerun the same command (same --journal, same NASNB_TRAIN_*) to resume", ctx.Err())
			}
			if err != nil {
				return err
			}
			rep.Runs = append(rep.Runs, run)
		}
	}
	fmt.Fprintf(stdout, "\n%-13s %5s %5s %6s %8s %8s %9s %9s  %s\n", "method", "seed", "evals", "failed", "best val", "its test", "seconds", "images", "best architecture")
	for _, run := range rep.Runs {
		fmt.Fprintf(stdout, "%-13s %5d %5d %6d %8s %8s %9.1f %9d  %s\n", run.Method, run.Seed, run.Evaluations, run.Failed+run.Diverged,
			fmtPct(run.BestVal), fmtPct(run.BestTest), run.Seconds, run.Images, run.BestArch)
	}
	if p := flagString(fs, "json"); p != "" {
		if err := writeJSON(p, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", p)
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
	learned *reason.Outcome, s transfer.Schedule, dedup search.Dedup, set trainSettings, data train.Data, journalDir string, stdout io.Writer) (TrainTransferRun, error) {
	out := TrainTransferRun{Method: method, Seed: seed, BestVal: math.NaN(), BestTest: math.NaN()}
	var j *journal.Journal
	if journalDir != "" {
		path := filepath.Join(journalDir, fmt.Sprintf("train-%s-%s-seed%04d.jsonl", method, set.Target, seed))
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
	ev, err := train.NewEvaluator(sp.Root(), set.config(seed), data)
	if err != nil {
		return out, err
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
		run, err = search.Execute(ctx, search.Config{Strategy: st, Evaluator: ev, Budget: s.Budget, Seed: seed, Dedup: dedup, Journal: j, Label: method, Hooks: hooks})
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
func checkSettings(j *journal.Journal, set trainSettings) error {
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
	var b strings.Builder
	for _, e := range trainEnv {
		def := e.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(&b, "  %-28s %-6s %s\n", e.name, def, e.help)
	}
	return b.String()
}
