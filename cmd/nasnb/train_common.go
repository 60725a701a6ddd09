package main

// Shared by "nasnb transfer --evaluator train" (transfer.go) and "nasnb
// search --evaluator train" (search_train.go): the training recipe, the
// data and executor of a command, the per-trial lines and the flag
// readers. Both run lapt/study over the target of train_target.go.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/train"
	"github.com/nasnb/nasnb/lapt/transfer"
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

func backendName(b string) string {
	if b == "" {
		b = os.Getenv("GOMLX_BACKEND")
	}
	if b == "" {
		return "go (CPU)"
	}
	return b
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

// trainSetup is the training side of a command with --evaluator train:
// the recipe, the prepared data and the executor (nil: in process).
type trainSetup struct {
	set  trainSettings
	data train.Data
	ex   *execSetup
	// fromJournal is the journal whose recipe is replayed ("" when the
	// recipe comes from NASNB_TRAIN_* and the defaults).
	fromJournal string
}

// recipeEnvSet says whether any NASNB_TRAIN_* variable of the recipe is
// set (the backend and checkpoint folder are not part of it).
func recipeEnvSet() bool {
	var c train.Config
	var d train.DataSpec
	for _, st := range append(train.Settings(&c), train.Settings(&d)...) {
		if st.Env == "NASNB_TRAIN_BACKEND" || st.Env == "NASNB_TRAIN_CHECKPOINT_DIR" {
			continue
		}
		if _, ok := os.LookupEnv(st.Env); ok {
			return true
		}
	}
	return false
}

// journalRecipe returns the training recipe recorded in the first journal
// of dir (in name order) that trained on dataset, and that journal's path;
// no recipe and no error when there is none.
func journalRecipe(dir, dataset string) (*trainSettings, string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "train-*.jsonl"))
	if err != nil {
		return nil, "", err
	}
	for _, p := range paths {
		j, err := journal.OpenReadOnly(p)
		if err != nil {
			return nil, "", err
		}
		recs := j.Kind(study.RecipeKind)
		j.Close()
		if len(recs) == 0 {
			continue
		}
		var rs trainSettings
		if err := json.Unmarshal(recs[0], &rs); err != nil {
			return nil, "", fmt.Errorf("journal %s: bad %s record: %w", p, study.RecipeKind, err)
		}
		if rs.Data.Dataset == dataset {
			return &rs, p, nil
		}
	}
	return nil, "", nil
}

// newTrainSetup checks the dataset named by a command's flag (--target or
// --dataset, which must be given) and reads the recipe from NASNB_TRAIN_*.
func newTrainSetup(fs *flag.FlagSet, flagName string) (*trainSetup, error) {
	want := strings.Join(train.Datasets, ", ")
	if !flagSet(fs, flagName) {
		return nil, usagef("--evaluator train needs --%s %s; the training recipe comes from:\n%s", flagName, want, trainEnvHelp())
	}
	dataset := flagString(fs, flagName)
	if !slices.Contains(train.Datasets, dataset) {
		return nil, usagef("--evaluator train: --%s %q is not a dataset (want %s)", flagName, dataset, want)
	}
	set, err := readTrainSettings(dataset)
	if err != nil {
		return nil, err
	}
	t := &trainSetup{set: set}
	// A resume with no recipe variable set replays the journals' recipe
	// (e.g. on another machine); one that sets any must match it.
	if dir := flagString(fs, "journal"); dir != "" && !recipeEnvSet() {
		rs, path, err := journalRecipe(dir, dataset)
		if err != nil {
			return nil, err
		}
		if rs != nil {
			rs.Config.Backend, rs.Config.CheckpointDir = set.Config.Backend, set.Config.CheckpointDir
			t.set, t.fromJournal = *rs, path
		}
	}
	return t, nil
}

// prepare loads the data and builds the executor from the flags, and
// prints what will be trained (head names the command's run).
func (t *trainSetup) prepare(fs *flag.FlagSet, head string, stdout io.Writer) error {
	var err error
	if t.data, err = loadTarget(t.set); err != nil {
		return err
	}
	if t.fromJournal != "" {
		fmt.Fprintf(stdout, "recipe: replayed from journal %s (no NASNB_TRAIN_* recipe variable set)\n", t.fromJournal)
	}
	d, c := t.data, t.set.Config
	fmt.Fprintf(stdout, "%s (real training): %d train / %d val / %d test images %dx%dx%d, C=%d N=%d, %d epoch(s), batch %d, lr %g, backend %s\n",
		head, d.Train.Len(), d.Val.Len(), d.Test.Len(), d.Train.Height, d.Train.Width, d.Train.Channels,
		c.Channels, c.Cells, c.Epochs, c.BatchSize, c.LR, backendName(c.Backend))
	if t.ex, err = buildExecutor(fs, flagString(fs, "journal"), stdout); err != nil {
		return err
	}
	return nil
}

// printExecutor prints the executor line, if any.
func (t *trainSetup) printExecutor(stdout io.Writer) {
	if t.ex != nil {
		fmt.Fprintf(stdout, "executor: %s, batch %d, run folder %s\n", t.ex.exec.Name(), t.ex.batch, t.ex.dir)
	}
}

// transferTarget prepares the training of "nasnb transfer --evaluator
// train" and returns its study target.
func (t *trainSetup) transferTarget(fs *flag.FlagSet, srcs []*tabular.Task, sch transfer.Schedule, seedsText string, methods []string, stdout io.Writer) (*study.Target, error) {
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	sp := srcs[0].Space
	if err := t.prepare(fs, fmt.Sprintf("transfer %s -> %s", strings.Join(names, ","), t.set.Data.Dataset), stdout); err != nil {
		return nil, err
	}
	c := sch.Complete(sp.Root())
	fmt.Fprintf(stdout, "schedule: budget %d, population %d, tournament %d, adapt every %d after %d; seeds %s; methods %s\n",
		c.Budget, c.Population, c.Tournament, c.AdaptEvery, max(c.Warmup, 0), seedsText, strings.Join(methods, ","))
	t.printExecutor(stdout)
	return trainTarget(sp, t.set, t.data, t.ex, stdout, func(r study.RunInfo) string {
		return fmt.Sprintf("train-%s-%s-seed%04d.jsonl", r.Method, t.set.Data.Dataset, r.Seed)
	}, func(r study.RunInfo) string {
		return fmt.Sprintf("%s-%s-s%04d", r.Method, t.set.Data.Dataset, r.Seed)
	})
}

// flagString returns the value of an already parsed flag ("" if fs has
// no such flag).
func flagString(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// flagInt returns the value of an already parsed integer flag.
func flagInt(fs *flag.FlagSet, name string) int {
	v, _ := strconv.Atoi(flagString(fs, name))
	return v
}

// flagSet says whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
