package main

// Flags that choose where candidates are trained: in this process (default),
// on N local worker processes (--executor local:N) or on Slurm
// (--executor slurm). Trials then go through lapt/executor as spec and
// result files in a run folder; see docs/training.md.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/executor"
	"github.com/nasnb/nasnb/lapt/executor/slurm"
	"github.com/nasnb/nasnb/lapt/space"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// addExecutorFlags registers the executor flags on fs.
func addExecutorFlags(fs *flag.FlagSet) {
	fs.String("executor", "", "where candidates train (--evaluator train): empty = this process, local:N = N worker processes, slurm = Slurm job arrays")
	fs.Int("batch", 1, "candidates proposed together per search (results depend on it, never on the number of workers; 1 = the sequential search)")
	fs.Int("async", 0, "rea-full only: keep K candidates in flight and propose a new one as soon as any finishes (faster, seeded and resumable, but timing-dependent)")
	fs.String("run-dir", "", "folder of trial specs and result files (default: JOURNAL/trials; with slurm on a file system the compute nodes share)")
	fs.String("worker-bin", "", "nasnb binary the workers run (default: this one)")
	fs.Int("retries", 0, "times a trial whose worker died (killed, out of memory, node lost) runs again before it is recorded as failed")
	fs.String("gpus", "", "local: GPU ids to spread workers over through CUDA_VISIBLE_DEVICES, e.g. 0,1")
	fs.Int("trials-per-gpu", 1, "local: trials sharing one GPU")
	fs.Int("threads", 0, "local: GOMAXPROCS per worker (0: Go's default)")
	fs.Bool("affinity", false, "local: pin each worker to its own --threads CPUs (taskset)")
	fs.String("partition", "", "slurm: partition")
	fs.String("time", "", "slurm: time limit per trial (sbatch --time, e.g. 30 or 1:00:00)")
	fs.Int("gpus-per-trial", 0, "slurm: GPUs per trial (sbatch --gpus)")
	fs.String("gres", "", "slurm: generic resources per trial (sbatch --gres, e.g. gpu:a100:1)")
	fs.Int("cpus-per-trial", 0, "slurm: CPUs per trial (sbatch --cpus-per-task)")
	fs.Int("throttle", 0, "slurm: trials of one wave running at once (job array %K)")
	fs.Var(&listFlag{}, "sbatch-arg", "slurm: extra sbatch option (repeatable), e.g. --sbatch-arg=--account=lab")
	fs.Var(&listFlag{}, "job-env", "slurm/local: KEY=VALUE added to the workers' environment (repeatable)")
	fs.Duration("poll", 2*time.Second, "slurm: interval between squeue calls")
}

// execSetup is the executor chosen by the flags (nil: train in process).
type execSetup struct {
	exec  executor.Executor
	batch int
	async int
	dir   string
	out   io.Writer
}

func flagList(fs *flag.FlagSet, name string) []string {
	if f := fs.Lookup(name); f != nil {
		if l, ok := f.Value.(*listFlag); ok {
			return *l
		}
	}
	return nil
}

// buildExecutor reads the executor flags; journalDir is the --journal folder.
func buildExecutor(fs *flag.FlagSet, journalDir string, out io.Writer) (*execSetup, error) {
	kind := flagString(fs, "executor")
	batch := flagInt(fs, "batch")
	if batch < 1 {
		return nil, usagef("--batch must be >= 1, got %d", batch)
	}
	async := flagInt(fs, "async")
	if async < 0 || (async > 0 && batch > 1) {
		return nil, usagef("--async K (K >= 1) and --batch B > 1 exclude each other")
	}
	if async > 0 {
		for _, m := range splitList(flagString(fs, "methods")) {
			if m != "rea-full" || !flagSet(fs, "methods") {
				return nil, usagef("--async applies to --methods rea-full only (LAPT adapts at fixed trial counts: use --batch)")
			}
		}
	}
	if kind == "" {
		if batch > 1 || async > 0 {
			return nil, usagef("--batch and --async need --executor local:N or slurm")
		}
		return nil, nil
	}
	dir := flagString(fs, "run-dir")
	if dir == "" && journalDir != "" {
		dir = filepath.Join(journalDir, "trials")
	}
	bin := flagString(fs, "worker-bin")
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("--executor: cannot find this binary for the workers (%v): give --worker-bin", err)
		}
		bin = exe
	}
	env := flagList(fs, "job-env")
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, usagef("--job-env %q: want KEY=VALUE", kv)
		}
	}
	s := &execSetup{batch: batch, async: async, out: out}
	// Events worth a line: trials read back, adopted, retried or lost.
	var mu sync.Mutex
	onEvent := func(e executor.Event) {
		switch e.State {
		case executor.Adopted, executor.Retrying, executor.Failed:
			mu.Lock()
			defer mu.Unlock()
			line := fmt.Sprintf("  [%s] %s %s", kind, e.ID, e.State)
			if e.Worker != "" {
				line += " (" + e.Worker + ")"
			}
			if e.Err != "" {
				line += ": " + firstLine(e.Err)
			}
			fmt.Fprintln(out, line)
		}
	}
	switch {
	case kind == "slurm":
		if dir == "" {
			return nil, usagef("--executor slurm needs a folder the compute nodes share: --run-dir DIR (or --journal DIR)")
		}
		ex, err := slurm.New(slurm.Config{Dir: dir, Command: []string{bin, "worker"}, Partition: flagString(fs, "partition"),
			Time: flagString(fs, "time"), GPUsPerTrial: flagInt(fs, "gpus-per-trial"), Gres: flagString(fs, "gres"),
			CPUsPerTrial: flagInt(fs, "cpus-per-trial"), Throttle: flagInt(fs, "throttle"), Args: flagList(fs, "sbatch-arg"),
			Env: env, Retries: flagInt(fs, "retries"), Poll: flagDuration(fs, "poll"), OnEvent: onEvent})
		if err != nil {
			return nil, err
		}
		s.exec, s.dir = ex, dir
	case kind == "local" || strings.HasPrefix(kind, "local:"):
		n := 0
		if _, v, ok := strings.Cut(kind, ":"); ok {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				return nil, usagef("--executor %q: want local:N with N >= 1", kind)
			}
		}
		if dir == "" {
			d, err := os.MkdirTemp("", "nasnb-trials-")
			if err != nil {
				return nil, err
			}
			dir = d
		}
		var gpus []string
		if g := flagString(fs, "gpus"); g != "" {
			gpus = splitList(g)
		}
		if n == 0 && len(gpus) == 0 {
			n = 1
		}
		s.exec = &executor.Local{Dir: dir, Command: []string{bin, "worker"}, Workers: n, GPUs: gpus, TrialsPerGPU: flagInt(fs, "trials-per-gpu"),
			Threads: flagInt(fs, "threads"), Affinity: flagString(fs, "affinity") == "true", Retries: flagInt(fs, "retries"), Env: env, OnEvent: onEvent}
		s.dir = dir
	default:
		return nil, usagef("unknown --executor %q (want local:N or slurm)", kind)
	}
	return s, nil
}

func flagDuration(fs *flag.FlagSet, name string) time.Duration {
	d, _ := time.ParseDuration(flagString(fs, name))
	return d
}

// asyncEvaluator marks the evaluator of an asynchronous run.
type asyncEvaluator struct {
	*executor.Evaluator
	async int
}

// InFlight is the number of candidates kept in flight: it makes the
// plain searches of a study asynchronous (study.AsyncEvaluator).
func (a asyncEvaluator) InFlight() int { return a.async }

// evaluator returns the batch evaluator of one run (method and seed).
func (s *execSetup) evaluator(prefix string, sp *space.Space, set trainSettings, seed uint64) eval.Evaluator {
	ev := s.batchEvaluator(prefix, sp, set, seed)
	if s.async > 0 {
		return asyncEvaluator{ev, s.async}
	}
	return ev
}

func (s *execSetup) batchEvaluator(prefix string, sp *space.Space, set trainSettings, seed uint64) *executor.Evaluator {
	return &executor.Evaluator{Exec: s.exec, Batch: s.batch, Prefix: prefix, Spec: func(id string, index int, a space.Arch) (executor.Task, error) {
		ts := set.trialSpec(seed, id, sp.Format(a))
		raw, err := json.Marshal(ts)
		if err != nil {
			return executor.Task{}, err
		}
		return executor.Task{ID: id, Hash: ts.Hash(), Spec: raw}, nil
	}}
}

// lockedWriter serialises lines written by concurrent runs.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
