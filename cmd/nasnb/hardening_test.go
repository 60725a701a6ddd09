package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Issue 13 rows 1, 2, 3 and 6: bad numbers, repeated seeds, an empty target
// and oversized work are usage errors (exit 2) naming the problem, checked
// before any data is read.
func TestHardeningUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "--seeds", "5,5,5,5", "--budget", "300"}, "seed 5 is given twice"},
		{[]string{"search", "--seeds", "1,1,1"}, "seed 1 is given twice"},
		{[]string{"transfer", "--seeds", "0-3,2-5"}, "seed 2 is given twice"},
		{[]string{"transfer", "--target", "", "--seeds", "0"}, "--target is required"},
		{[]string{"search", "--seeds", "0-1000000,0-1000000,0-1000000"}, "experiment.MaxSeeds"},
		{[]string{"search", "--budget", "2147483648", "--seeds", "0"}, "limit of 100000 evaluations per seed"},
		{[]string{"search", "--budget", "1000", "--seeds", "0-99999"}, "above the limit of 10000000"},
		{[]string{"transfer", "--budget", "100000", "--seeds", "0-999"}, "above the limit"},
		{[]string{"search", "--budget", "-5"}, "--budget must be positive"},
		{[]string{"search", "--population", "0"}, "--population must be positive"},
		{[]string{"search", "--tournament", "-1"}, "--tournament must be positive"},
		{[]string{"search", "--workers", "-2"}, "--workers must be zero or positive"},
		{[]string{"search", "--fidelity", "-200"}, "--fidelity must be positive"},
		{[]string{"transfer", "--budget", "-5"}, "--budget must be positive"},
		{[]string{"transfer", "--budget", "0"}, "--budget must be positive"},
		{[]string{"transfer", "--population", "-1"}, "--population must be positive"},
		{[]string{"transfer", "--tournament", "-1"}, "--tournament must be positive"},
		{[]string{"transfer", "--adapt-every", "-3"}, "--adapt-every must be positive"},
		{[]string{"transfer", "--warmup", "-5"}, "--warmup must be -1 (none), 0 (the default) or positive"},
		{[]string{"transfer", "--top-k", "-1"}, "--top-k must be positive"},
		{[]string{"transfer", "--full-space-after", "-1"}, "--full-space-after must be"},
		{[]string{"matrix", "--full-space-after", "-1"}, "--full-space-after must be 0 (never) or a number of evaluations"},
		{[]string{"transfer", "--max-ops", "-1"}, "--max-ops must be positive"},
		{[]string{"transfer", "--workers", "-1"}, "--workers must be zero or positive"},
		{[]string{"transfer", "--timeout", "-1s"}, "--timeout must be positive"},
		{[]string{"transfer", "--max-tokens", "-1"}, "--max-tokens must be zero or positive"},
		{[]string{"transfer", "--temperature", "-0.5"}, "--temperature must be zero or positive"},
		{[]string{"principles", "--top-k", "-5"}, "--top-k must be positive"},
		{[]string{"principles", "--max-ops", "0"}, "--max-ops must be positive"},
		{[]string{"principles", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"proxies", "--sample", "-1"}, "--sample must be zero or positive"},
		{[]string{"proxies", "--batch", "0"}, "--batch must be positive"},
		// Numbers are checked by the command's rules (train flags too).
		{[]string{"train", "--arch", "x", "--epochs", "-1"}, "--epochs must be positive"},
		{[]string{"train", "--arch", "x", "--epochs", "0"}, "--epochs must be positive"},
		{[]string{"train", "--arch", "x", "--val", "-1"}, "--val must be zero or positive"},
		{[]string{"train", "--arch", "x", "--max-train-images", "-1"}, "--max-train-images must be zero or positive"},
		{[]string{"train", "--arch", "x", "--wd", "-1"}, "--wd must be zero or positive"},
		{[]string{"train", "--arch", "x", "--weight-decay", "-1"}, "--weight-decay must be zero or positive"},
		{[]string{"train", "--arch", "x", "--lr", "0"}, "--lr must be positive"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Contains(errs, "goroutine") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
}

// Issue 13 row 9: --json to /dev/null leaves the device a device; to a
// directory is refused; a failed write leaves no temporary file.
func TestWriteJSONTargets(t *testing.T) {
	if err := writeJSON("/dev/null", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null replaced: %v %v", fi.Mode(), err)
	}
	dir := t.TempDir()
	if err := writeJSON(dir, 1); err == nil {
		t.Fatal("writing over a directory accepted")
	}
	if err := writeJSON("/dev/full", 1); err == nil {
		t.Fatal("/dev/full accepted")
	}
	if err := writeJSON(filepath.Join(dir, "out.json"), func() {}); err == nil {
		t.Fatal("unencodable value accepted")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %v", ents)
	}
}

// Issue 13 row 1 with the real tables: two searches on one journal folder
// at once: the second is refused with a clear message, the first finishes,
// and the journal resumes afterwards.
func TestTwoSearchesOneJournal(t *testing.T) {
	dir := needData(t)
	jdir := filepath.Join(t.TempDir(), "j")
	args := []string{"search", "--data", dir, "--budget", "50", "--seeds", "0-19", "--journal", jdir, "--workers", "2"}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	errs := make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, errs[i] = runCLI(t, args...)
		}()
	}
	wg.Wait()
	ok := 0
	for i := range 2 {
		if codes[i] == 0 {
			ok++
		} else if !strings.Contains(errs[i], "in use by another writer") {
			t.Errorf("run %d: exit %d: %s", i, codes[i], errs[i])
		}
	}
	if ok == 0 {
		t.Log("both runs refused (each held some seed first); resuming now")
	}
	if code, _, e := runCLI(t, args...); code != 0 {
		t.Fatalf("resume after two writers: exit %d: %s", code, e)
	}
	if code, _, e := runCLI(t, args...); code != 0 {
		t.Fatalf("second resume: exit %d: %s", code, e)
	}
}
