package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nasnb/nasnb/lapt/study"
)

// tinyTrainEnv sets a recipe that trains a candidate in a fraction of a second.
func tinyTrainEnv(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{
		"NASNB_TRAIN_CHANNELS": "4", "NASNB_TRAIN_CELLS": "1", "NASNB_TRAIN_EPOCHS": "1", "NASNB_TRAIN_BATCH": "32",
		"NASNB_TRAIN_IMAGES": "128", "NASNB_TRAIN_VAL": "64", "NASNB_TRAIN_TEST": "64", "NASNB_TRAIN_SYNTHETIC_HW": "8",
		"NASNB_TRAIN_LR": "0.1", "NASNB_TRAIN_BACKEND": "go", "NASNB_TRAIN_CHECKPOINT_DIR": "", "NASNB_TRAIN_AUGMENT": "0",
	} {
		t.Setenv(k, v)
	}
}

// cancelAfter is an io.Writer that cancels a context once it has seen n
// lines containing marker.
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	n      int
	cancel context.CancelFunc
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Count(w.buf.String(), w.marker) >= w.n {
		w.cancel()
	}
	return len(p), nil
}

func TestTransferTrainSyntheticResume(t *testing.T) {
	dir := needData(t)
	tinyTrainEnv(t)
	jdir := filepath.Join(t.TempDir(), "journal")
	args := []string{"transfer", "--evaluator", "train", "--data", dir, "--target", "synthetic", "--budget", "5", "--population", "2",
		"--warmup", "1", "--adapt-every", "2", "--journal", jdir}

	// Interrupted after two trained candidates.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelAfter{marker: " first step ", n: 2, cancel: cancel}
	var errb bytes.Buffer
	if code := run(ctx, args, w, &errb); code == 0 || !strings.Contains(errb.String(), "resume") {
		t.Fatalf("interrupted run: code %d\n%s\n%s", code, w.buf.String(), errb.String())
	}
	files, _ := filepath.Glob(filepath.Join(jdir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("journals: %v", files)
	}
	before := journalTrials(t, files[0])
	if len(before) < 2 {
		t.Fatalf("%d trials journaled before the interruption", len(before))
	}
	for _, tr := range before {
		if tr.Result.Cost.Seconds <= 0 || tr.Result.Cost.Images != 128 {
			t.Errorf("trial cost not journaled: %+v", tr.Result.Cost)
		}
	}

	// Resumed with no recipe variable set (as on another machine): the run
	// replays the journal's recipe, and journaled candidates are not
	// trained again.
	for _, k := range []string{"NASNB_TRAIN_CHANNELS", "NASNB_TRAIN_CELLS", "NASNB_TRAIN_EPOCHS", "NASNB_TRAIN_BATCH", "NASNB_TRAIN_IMAGES",
		"NASNB_TRAIN_VAL", "NASNB_TRAIN_TEST", "NASNB_TRAIN_SYNTHETIC_HW", "NASNB_TRAIN_LR", "NASNB_TRAIN_AUGMENT"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	js := filepath.Join(t.TempDir(), "out.json")
	code, out, errs := runCLI(t, append(args, "--json", js)...)
	if code != 0 {
		t.Fatalf("resume: code %d: %s\n%s", code, errs, out)
	}
	if !strings.Contains(out, "recipe: replayed from journal "+files[0]) || !strings.Contains(out, "128 train / 64 val / 64 test images 8x8x3, C=4 N=1") {
		t.Errorf("resume did not replay the journal's recipe:\n%s", out)
	}
	if got := strings.Count(out, "(journal)"); got < len(before) {
		t.Errorf("resume replayed %d of %d journaled trials:\n%s", got, len(before), out)
	}
	var rep study.Report
	data, _ := os.ReadFile(js)
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	// The table path's schema, with the recipe and per-run details.
	if rep.Schema != "nasnb.transfer/v1" || !rep.NoReference || len(rep.Methods) != 1 || rep.Methods[0].Name != "lapt" || len(rep.Methods[0].Details) != 1 {
		t.Fatalf("%s\n%+v", out, rep)
	}
	var recipe trainSettings
	if err := json.Unmarshal(rep.Recipe, &recipe); err != nil || recipe.Config.Channels != 4 || recipe.Data.TrainImages != 128 ||
		recipe.Data.Dataset != "synthetic" || recipe.Config.Backend != "" {
		t.Errorf("recipe %s: %v", rep.Recipe, err)
	}
	m := rep.Methods[0]
	r := m.Details[0]
	if r.Evaluations != 5 || r.BestArch == "" || r.Images < 5*128 || r.Seconds <= 0 || r.Versions < 1 || len(m.Runs) != 1 || m.Runs[0].Evaluations != 5 {
		t.Fatalf("%s\n%+v", out, r)
	}
	if !(r.BestVal >= 0 && r.BestVal <= 100) || !(r.BestTest >= 0 && r.BestTest <= 100) {
		t.Errorf("best val %v test %v", r.BestVal, r.BestTest)
	}
	if m.Principles == nil || m.SpaceSize >= 15625 || !strings.Contains(out, "Initial principles of LAPT (offline)") {
		t.Errorf("principles missing: space %d\n%s", m.SpaceSize, out)
	}
	// The journal holds the recipe, as the report does.
	var inReport bytes.Buffer
	_ = json.Compact(&inReport, rep.Recipe)
	if recs := journalKind(t, files[0], study.RecipeKind); len(recs) != 1 || string(recs[0]) != inReport.String() {
		t.Errorf("journal recipe %s, report %s", recs, inReport.String())
	}

	// A resume that sets a recipe variable must match the journal: another
	// recipe is refused, naming the fields.
	t.Setenv("NASNB_TRAIN_CHANNELS", "8")
	if code, _, errs := runCLI(t, args...); code == 0 || !strings.Contains(errs, "another recipe") || !strings.Contains(errs, "config.channels: journal 4, now 8") {
		t.Errorf("settings change: code %d %s", code, errs)
	}
}

func TestTransferTrainDivergedGoesOn(t *testing.T) {
	dir := needData(t)
	tinyTrainEnv(t)
	t.Setenv("NASNB_TRAIN_LR", "1e12")
	jdir := filepath.Join(t.TempDir(), "journal")
	code, out, errs := runCLI(t, "transfer", "--evaluator", "train", "--data", dir, "--target", "synthetic", "--budget", "3",
		"--population", "2", "--methods", "rea-full", "--journal", jdir)
	if code != 0 {
		t.Fatalf("code %d: %s\n%s", code, errs, out)
	}
	if strings.Count(out, "diverged") < 3 || !strings.Contains(out, "loss is NaN") {
		t.Fatalf("%s", out)
	}
	files, _ := filepath.Glob(filepath.Join(jdir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("journals: %v", files)
	}
	trials := journalTrials(t, files[0])
	counted := 0
	for _, tr := range trials {
		if tr.Counted {
			counted++
			if tr.Result.Status != "diverged" || tr.Result.Err == "" {
				t.Errorf("trial %+v", tr.Result)
			}
		}
	}
	if counted != 3 {
		t.Errorf("%d counted trials journaled, want 3", counted)
	}
}

func TestTransferTrainUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"transfer", "--evaluator", "train"}, "NASNB_TRAIN_CHANNELS"},
		{[]string{"transfer", "--evaluator", "train", "--target", "imagenet16-120"}, "not a dataset"},
	} {
		if code, _, errs := runCLI(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: code %d %s", c.args, code, errs)
		}
	}
	t.Setenv("NASNB_TRAIN_CHANNELS", "zero")
	if code, _, errs := runCLI(t, "transfer", "--evaluator", "train", "--target", "synthetic"); code != 2 || !strings.Contains(errs, "NASNB_TRAIN_CHANNELS") {
		t.Errorf("bad env: code %d %s", code, errs)
	}
}

// journalKind returns the records of kind in the journal at path.
func journalKind(t *testing.T, path, kind string) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if rec.Kind == kind {
			out = append(out, rec.Data)
		}
	}
	return out
}

type journalTrial struct {
	Counted bool `json:"counted"`
	Result  struct {
		Status string `json:"status"`
		Err    string `json:"err"`
		Cost   struct {
			Seconds float64 `json:"seconds"`
			Images  int64   `json:"images"`
		} `json:"cost"`
	} `json:"result"`
}

func journalTrials(t *testing.T, path string) []journalTrial {
	t.Helper()
	var out []journalTrial
	for _, raw := range journalKind(t, path, "trial") {
		var tr journalTrial
		if err := json.Unmarshal(raw, &tr); err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	return out
}

// TestTransferTrainSeedFailureGoesOn: a seed whose run fails (here its
// journal path is a folder) is recorded with its error in the table and the
// JSON report, the other seeds run to the end, and the exit status says so.
func TestTransferTrainSeedFailureGoesOn(t *testing.T) {
	dir := needData(t)
	tinyTrainEnv(t)
	jdir := filepath.Join(t.TempDir(), "journal")
	if err := os.MkdirAll(filepath.Join(jdir, "train-rea-full-synthetic-seed0000.jsonl"), 0o755); err != nil {
		t.Fatal(err)
	}
	js := filepath.Join(t.TempDir(), "out.json")
	code, out, errs := runCLI(t, "transfer", "--evaluator", "train", "--data", dir, "--target", "synthetic", "--budget", "2",
		"--population", "2", "--methods", "rea-full", "--seeds", "0-2", "--journal", jdir, "--json", js)
	if code == 0 || !strings.Contains(errs, "1 seed run(s) failed") {
		t.Fatalf("code %d: %s\n%s", code, errs, out)
	}
	data, _ := os.ReadFile(js)
	runs := runDetails(t, data)
	if len(runs) != 3 || runs[0].Error == "" || !strings.Contains(out, "1 of 3 seeds FAILED") || !strings.Contains(out, "FAILED: ") {
		t.Fatalf("%s\n%+v", out, runs)
	}
	for _, r := range runs[1:] {
		if r.Error != "" || r.Evaluations != 2 || r.BestArch == "" {
			t.Errorf("seed %d did not complete: %+v", r.Seed, r)
		}
	}
}
