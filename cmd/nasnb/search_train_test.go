package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/executor"
)

// TestSearchTrainExecutors: search --evaluator train in process, on 2 local
// worker processes, and batched on 1 and 3 workers; in process and local
// give the same trials, a batch gives the same trials whatever the number
// of workers. Reruns replay the journal (in process) or read every result
// back (local) and train nothing.
func TestSearchTrainExecutors(t *testing.T) {
	tinyTrainEnv(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	base := []string{"search", "--evaluator", "train", "--dataset", "synthetic", "--strategy", "rea", "--budget", "4",
		"--population", "2", "--tournament", "2", "--seeds", "0-1"}
	runIt := func(name string, extra ...string) (string, string) {
		t.Helper()
		out := filepath.Join(tmp, name+".json")
		args := append(append(append([]string(nil), base...), "--json", out, "--journal", filepath.Join(tmp, name)), extra...)
		if len(extra) > 0 {
			args = append(args, "--worker-bin", exe, "--job-env", "NASNB_TEST_AS_CLI=1")
		}
		code, o, e := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", name, code, o, e)
		}
		return trialsOf(t, out), o
	}
	inProc, _ := runIt("inproc")
	if strings.Count(inProc, " ok ") != 8 {
		t.Fatalf("want 8 ok trials:\n%s", inProc)
	}
	if again, o := runIt("inproc"); again != inProc || strings.Count(o, "(journal)") != 8 {
		t.Fatalf("in-process rerun did not replay the journal:\n%s\n%s", o, again)
	}
	if got, _ := runIt("local2", "--executor", "local:2"); got != inProc {
		t.Fatalf("local:2 differs from the in-process run:\n%s\nvs\n%s", got, inProc)
	}
	b1, _ := runIt("b3w1", "--executor", "local:1", "--batch", "3")
	if got, _ := runIt("b3w3", "--executor", "local:3", "--batch", "3"); got != b1 {
		t.Fatalf("batch 3: 3 workers differ from 1:\n%s\nvs\n%s", got, b1)
	}
	// Rerun with a fresh journal on the finished run folder: every result
	// is read back, nothing trained again.
	trials := filepath.Join(tmp, "local2", "trials")
	before, _ := executor.Trainings(trials)
	if got, _ := runIt("local2-again", "--executor", "local:2", "--run-dir", trials); got != inProc {
		t.Fatal("rerun differs")
	}
	after, _ := executor.Trainings(trials)
	if fmt.Sprint(before) != fmt.Sprint(after) || len(after) != 8 {
		t.Fatalf("rerun trained again: %v -> %v", before, after)
	}
	for id, n := range after {
		if n != 1 || !strings.HasPrefix(id, "rea-nb201-synthetic-s000") {
			t.Fatalf("%s trained %d times", id, n)
		}
	}
}

func TestSearchTrainUsage(t *testing.T) {
	tinyTrainEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--evaluator", "train"}, "needs --dataset"},
		{[]string{"--evaluator", "train", "--dataset", "imagenet16-120"}, "not a dataset"},
		{[]string{"--evaluator", "train", "--dataset", "synthetic", "--space", "darts"}, "--space"},
		{[]string{"--evaluator", "train", "--dataset", "synthetic", "--strategy", "bohb"}, "unknown strategy"},
		{[]string{"--evaluator", "train", "--dataset", "synthetic", "--batch", "2"}, "need --executor"},
		{[]string{"--evaluator", "train", "--dataset", "synthetic", "--executor", "local:0"}, "local:N"},
		{[]string{"--evaluator", "sim"}, "unknown --evaluator"},
		{[]string{"--executor", "local:2"}, "needs --evaluator train"},
	} {
		code, _, errs := runCLI(t, append([]string{"search", "--budget", "2"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errs, c.want)
		}
	}
}
