package main

// nasnb worker: the worker side of --executor local:N|slurm. It trains one
// trial from its spec file in a run folder and writes the result file
// atomically (lapt/executor.Serve); a trial whose result is already there is
// not trained again, so a repeated or requeued worker is harmless.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/executor"
	"github.com/nasnb/nasnb/lapt/train"
)

func init() {
	register("worker", "train one trial of a run folder from its spec file (started by --executor local:N|slurm)", runWorker)
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("worker", "worker --dir RUN_DIR (--id TRIAL | --list FILE [--index N])", stderr)
	dir := fs.String("dir", "", "run folder (specs/, results/)")
	id := fs.String("id", "", "trial id")
	list := fs.String("list", "", "file with one trial id per line (Slurm job arrays)")
	index := fs.Int("index", -1, "line of --list, from 0 (default: $SLURM_ARRAY_TASK_ID)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("--dir is required")
	}
	if *list != "" {
		i := *index
		if i < 0 {
			v, err := strconv.Atoi(os.Getenv("SLURM_ARRAY_TASK_ID"))
			if err != nil {
				return usagef("--list needs --index or SLURM_ARRAY_TASK_ID")
			}
			i = v
		}
		got, err := lineOf(*list, i)
		if err != nil {
			return err
		}
		*id = got
	}
	if *id == "" {
		return usagef("--id or --list is required")
	}
	host, _ := os.Hostname()
	who := fmt.Sprintf("%s pid %d", host, os.Getpid())
	if j := os.Getenv("SLURM_JOB_ID"); j != "" {
		who = "slurm " + j
		if a := os.Getenv("SLURM_ARRAY_JOB_ID"); a != "" {
			who = fmt.Sprintf("slurm %s_%s", a, os.Getenv("SLURM_ARRAY_TASK_ID"))
		}
		if r := os.Getenv("SLURM_RESTART_COUNT"); r != "" && r != "0" {
			who += " restart " + r
		}
	}
	rec, err := executor.Serve(ctx, *dir, *id, who, trainTrial)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s val %.2f (%s)\n", rec.ID, rec.Result.Status, rec.Result.Metrics.Val, rec.Worker)
	return nil
}

// trainTrial is the worker's training: a train.TrialSpec, progress per epoch.
func trainTrial(ctx context.Context, raw json.RawMessage, progress func(executor.Progress)) (eval.Result, error) {
	var spec train.TrialSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return eval.Result{}, fmt.Errorf("trial spec: %w", err)
	}
	spec.Config.OnEpoch.Add("nasnb.worker-progress", 0, func(e train.EpochInfo) error {
		progress(executor.Progress{Epoch: e.Epoch, Epochs: spec.Config.Epochs, Loss: e.TrainLoss, Val: e.ValAcc})
		return nil
	})
	return train.RunTrial(ctx, spec, nil)
}

func lineOf(path string, i int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		if n == i {
			return strings.TrimSpace(sc.Text()), nil
		}
	}
	return "", fmt.Errorf("%s has no line %d", path, i)
}
