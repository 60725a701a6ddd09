package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/executor"
	"github.com/nasnb/nasnb/lapt/study"
)

// TestMain lets this test binary act as the nasnb binary for the worker
// processes that --executor starts (--worker-bin = the test binary).
func TestMain(m *testing.M) {
	if os.Getenv("NASNB_TEST_AS_CLI") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// runDetails returns the per-run details of a transfer report
// (study.Report) or a search --evaluator train report, in order.
func runDetails(t *testing.T, b []byte) []study.RunDetail {
	t.Helper()
	var rep struct {
		Methods []study.Method    `json:"methods"`
		Runs    []study.RunDetail `json:"runs"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	runs := rep.Runs
	if rep.Methods != nil {
		runs = nil
		for _, m := range rep.Methods {
			runs = append(runs, m.Details...)
		}
	}
	return runs
}

// trialsOf returns the run's trials without timings, for comparison.
func trialsOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, r := range runDetails(t, b) {
		fmt.Fprintf(&s, "%s seed %d versions %d best %s %v\n", r.Method, r.Seed, r.Versions, r.BestArch, r.BestVal)
		for _, tr := range r.Trials {
			m := tr.Result.Metrics
			fmt.Fprintf(&s, "  %d %d %s %s %v %v %v %v\n", tr.Step, tr.N, tr.Text, tr.Result.Status, m.Val, m.Test, m.Extra["train_loss"], tr.Cached)
		}
	}
	return s.String()
}

// TestTransferTrainExecutors: the same training transfer in process, on 2
// local worker processes, and batched on 1 and 3 workers; in process and
// local give the same trials, and a batch gives the same trials whatever the
// number of workers. A rerun reads every result back and trains nothing.
func TestTransferTrainExecutors(t *testing.T) {
	dir := needData(t)
	tinyTrainEnv(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	base := []string{"transfer", "--evaluator", "train", "--data", dir, "--target", "synthetic", "--budget", "5", "--population", "2",
		"--tournament", "2", "--warmup", "1", "--adapt-every", "2", "--seeds", "0-1", "--methods", "lapt,rea-full"}
	runIt := func(name string, extra ...string) string {
		t.Helper()
		out := filepath.Join(tmp, name+".json")
		args := append(append(append([]string(nil), base...), "--json", out, "--journal", filepath.Join(tmp, name)), extra...)
		if len(extra) > 0 {
			args = append(args, "--worker-bin", exe, "--job-env", "NASNB_TEST_AS_CLI=1")
		}
		if code, o, e := runCLI(t, args...); code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", name, code, o, e)
		}
		return trialsOf(t, out)
	}
	inProc := runIt("inproc")
	if got := runIt("local2", "--executor", "local:2"); got != inProc {
		t.Fatalf("local:2 differs from the in-process run:\n%s\nvs\n%s", got, inProc)
	}
	b1 := runIt("b3w1", "--executor", "local:1", "--batch", "3")
	if got := runIt("b3w3", "--executor", "local:3", "--batch", "3"); got != b1 {
		t.Fatalf("batch 3: 3 workers differ from 1:\n%s\nvs\n%s", got, b1)
	}
	// Rerun on the finished journal and run folder: nothing trained again.
	before, _ := executor.Trainings(filepath.Join(tmp, "local2", "trials"))
	if got := runIt("local2", "--executor", "local:2"); got != inProc {
		t.Fatal("rerun differs")
	}
	after, _ := executor.Trainings(filepath.Join(tmp, "local2", "trials"))
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("rerun trained again: %v -> %v", before, after)
	}
	for id, n := range after {
		if n != 1 {
			t.Fatalf("%s trained %d times", id, n)
		}
	}
}

func TestExecutorUsage(t *testing.T) {
	dir := needData(t)
	tinyTrainEnv(t)
	base := []string{"transfer", "--evaluator", "train", "--data", dir, "--target", "synthetic", "--budget", "2"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--batch", "2"}, "need --executor"},
		{[]string{"--executor", "local:0"}, "local:N"},
		{[]string{"--executor", "k8s"}, "unknown --executor"},
		{[]string{"--executor", "slurm"}, "--run-dir"},
		{[]string{"--executor", "local:1", "--job-env", "NOEQUALS"}, "KEY=VALUE"},
		{[]string{"--executor", "local:1", "--async", "2"}, "rea-full only"},
		{[]string{"--executor", "local:1", "--async", "2", "--batch", "2", "--methods", "rea-full"}, "exclude each other"},
	} {
		code, _, errs := runCLI(t, append(append([]string(nil), base...), c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errs, c.want)
		}
	}
}

// TestTransferTrainAsync: rea-full with 3 candidates in flight on 2 workers
// spends its budget; a rerun replays the journal and trains nothing.
func TestTransferTrainAsync(t *testing.T) {
	dir := needData(t)
	tinyTrainEnv(t)
	exe, _ := os.Executable()
	tmp := t.TempDir()
	args := []string{"transfer", "--evaluator", "train", "--data", dir, "--target", "synthetic", "--budget", "6", "--population", "3",
		"--tournament", "2", "--seeds", "0", "--methods", "rea-full", "--executor", "local:2", "--async", "3",
		"--journal", tmp, "--json", filepath.Join(tmp, "a.json"), "--worker-bin", exe, "--job-env", "NASNB_TEST_AS_CLI=1"}
	if code, o, e := runCLI(t, args...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, o, e)
	}
	first := trialsOf(t, filepath.Join(tmp, "a.json"))
	if code, o, e := runCLI(t, args...); code != 0 || !strings.Contains(o, "(journal)") {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, o, e)
	}
	if got := trialsOf(t, filepath.Join(tmp, "a.json")); got != first {
		t.Fatalf("rerun differs:\n%s\nvs\n%s", got, first)
	}
	n, _ := executor.Trainings(filepath.Join(tmp, "trials"))
	if len(n) != 6 {
		t.Fatalf("%d trials trained, want 6: %v", len(n), n)
	}
	for id, c := range n {
		if c != 1 {
			t.Fatalf("%s trained %d times", id, c)
		}
	}
}
