package kernelext

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

type keptValue struct {
	Name   string
	Scores []float64
	Extra  map[string]float64
}

// exerciseState runs the same checks in memory and in a kernel folder.
func exerciseState(t *testing.T) {
	t.Helper()
	if _, ok, err := Recall[keptValue]("missing"); ok || err != nil {
		t.Fatalf("recall of a missing key: ok %v, err %v", ok, err)
	}
	want := keptValue{Name: "rea", Scores: []float64{1, math.NaN(), math.Inf(1)}, Extra: map[string]float64{"free": 3}}
	if err := Keep("runs", want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := Recall[keptValue]("runs")
	if err != nil || !ok || got.Name != "rea" || got.Scores[0] != 1 || !math.IsNaN(got.Scores[1]) || !math.IsInf(got.Scores[2], 1) || got.Extra["free"] != 3 {
		t.Fatalf("recall: %+v ok %v err %v", got, ok, err)
	}
	if _, _, err := Recall[[]string]("runs"); err == nil || !strings.Contains(err.Error(), `recall "runs"`) {
		t.Errorf("recall as a wrong type: %v", err)
	}
	calls := 0
	compute := func() (int, error) { calls++; return 42, nil }
	for i := 0; i < 3; i++ {
		if v, err := Remember("answer", compute); v != 42 || err != nil {
			t.Fatalf("remember: %v %v", v, err)
		}
	}
	if calls != 1 {
		t.Errorf("compute ran %d times, want 1", calls)
	}
	boom := errors.New("boom")
	if _, err := Remember("failing", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("remember error: %v", err)
	}
	if _, ok, _ := Recall[int]("failing"); ok {
		t.Error("a failed computation was kept")
	}
	if err := Forget("answer"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Recall[int]("answer"); ok {
		t.Error("forgotten key still recalled")
	}
	if err := Forget("never-kept"); err != nil {
		t.Errorf("forget of a missing key: %v", err)
	}
	if _, err := MustRecall[int]("answer", `the "study" cell`); err == nil || !strings.Contains(err.Error(), `run the "study" cell first`) {
		t.Errorf("MustRecall of a missing key: %v", err)
	}
	for _, bad := range []string{"", "..", "a/b", "x*", "tab\there"} {
		if err := Keep(bad, 1); err == nil {
			t.Errorf("Keep(%q) accepted", bad)
		}
		if _, _, err := Recall[int](bad); err == nil {
			t.Errorf("Recall(%q) accepted", bad)
		}
	}
	if err := Keep("func", func() {}); err == nil {
		t.Error("Keep of a function accepted")
	}
}

func TestStateInMemory(t *testing.T) {
	t.Setenv("GONB_TMP_DIR", "")
	exerciseState(t)
}

func TestStateInKernelFolder(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GONB_TMP_DIR", dir)
	exerciseState(t)
	if _, err := os.Stat(filepath.Join(dir, StateDirName, "runs.gob")); err != nil {
		t.Errorf("kept value not in the kernel's folder: %v", err)
	}
	// Keep writes through a temporary file renamed into place: nothing else
	// is left in the folder.
	if err := Keep("runs", keptValue{Name: "again"}); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(filepath.Join(dir, StateDirName)); len(files) != 1 {
		t.Errorf("state folder holds %d files, want the one value", len(files))
	}
	// A value that cannot be read (here a folder where the file should be,
	// unreadable even for root) is an error naming the key, not "nothing
	// kept".
	if err := os.Mkdir(filepath.Join(dir, StateDirName, "odd.gob"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := Recall[keptValue]("odd"); ok || err == nil || !strings.Contains(err.Error(), `"odd"`) {
		t.Errorf("unreadable value: ok %v, err %v", ok, err)
	}
	// Another kernel (another temporary folder) does not see the value.
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	if _, ok, err := Recall[keptValue]("runs"); ok || err != nil {
		t.Errorf("value leaked into another kernel: ok %v err %v", ok, err)
	}
}

// Running a program that imports kernelext (every notebook cell, every
// test binary) leaves nothing under $TMPDIR: no package creates a folder
// when it is loaded.
func TestNoTempFolderAtImport(t *testing.T) {
	if os.Getenv("NASNB_IMPORT_CHILD") == "1" {
		return // the child: loading the package is all it does
	}
	tmp := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run", "^TestNoTempFolderAtImport$")
	cmd.Env = append(os.Environ(), "NASNB_IMPORT_CHILD=1", "TMPDIR="+tmp, "GONB_TMP_DIR=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if files, _ := os.ReadDir(tmp); len(files) > 0 {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Errorf("loading kernelext left %v under $TMPDIR", names)
	}
}

// A study runs once per kernel: the second call recalls the kept report,
// which survives the gob round trip (NaN test means included); edited
// settings run it again.
func TestRunStudyOncePerKernel(t *testing.T) {
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	sp := lineSpace(t)
	src, tgt := lineTask(t, sp, "source"), lineTask(t, sp, "target")
	seedsRun := 0
	cfg := study.Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: []uint64{0, 1, 2}, Reasoner: offline.New(),
		Schedule: transfer.Schedule{TopK: 10, Budget: 12, Population: 4, Tournament: 2}, Workers: 1,
		OnSeed: func(string, int, int) { seedsRun++ }}
	first, err := RunStudy(context.Background(), "line", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ran := seedsRun
	if ran == 0 {
		t.Fatal("the study did not run")
	}
	again, err := RunStudy(context.Background(), "line", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if seedsRun != ran {
		t.Errorf("second call ran %d more seeds, want it recalled", seedsRun-ran)
	}
	if StudySummary(again) != StudySummary(first) || StudyHTML(again) != StudyHTML(first) {
		t.Errorf("recalled report differs:\n%s\nvs\n%s", StudySummary(again), StudySummary(first))
	}
	if a, b := StudyCurves(again, "test").Text(), StudyCurves(first, "test").Text(); a != b {
		t.Errorf("recalled curves differ:\n%s\nvs\n%s", a, b)
	}
	if FoundOptimum(again)[study.LAPT] != first.Methods[0].FoundOptimum {
		t.Errorf("FoundOptimum %v", FoundOptimum(again))
	}
	cfg.Seeds = []uint64{0, 1}
	if _, err := RunStudy(context.Background(), "line", cfg); err != nil || seedsRun == ran {
		t.Errorf("edited seeds were recalled instead of run (err %v)", err)
	}
}

func TestStudyKey(t *testing.T) {
	sp := lineSpace(t)
	src, tgt := lineTask(t, sp, "source"), lineTask(t, sp, "target")
	base := study.Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: []uint64{0, 1}, Reasoner: offline.New()}
	k := StudyKey("s", base)
	if !strings.HasPrefix(k, "s-") || checkKey(k) != nil {
		t.Errorf("key %q", k)
	}
	edits := []func(c *study.Config){
		func(c *study.Config) { c.Seeds = []uint64{0, 2} },
		func(c *study.Config) { c.Reasoner = &offline.Reasoner{Alpha: 0.05} },
		func(c *study.Config) { c.Methods = []string{study.LAPT} },
		func(c *study.Config) { c.Schedule.Budget = 30 },
		func(c *study.Config) { c.Target = src },
		func(c *study.Config) { c.On = study.Table(src) },
	}
	for i, edit := range edits {
		c := base
		edit(&c)
		if StudyKey("s", c) == k {
			t.Errorf("edit %d keeps the key", i)
		}
	}
	c := base
	c.Workers, c.OnSeed = 3, func(string, int, int) {}
	if StudyKey("s", c) != k {
		t.Error("workers or hooks change the key")
	}
	on := base
	on.On = study.Table(tgt)
	other := on
	other.On = study.Table(tgt)
	other.On.Recipe = []byte(`{"epochs":2}`)
	if StudyKey("s", on) == StudyKey("s", other) {
		t.Error("a target's recipe does not change the key")
	}
}

func TestWorkDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv("GONB_TMP_DIR", root)
	d, err := WorkDir("journal-05")
	if err != nil || d != filepath.Join(root, "journal-05") {
		t.Fatalf("WorkDir = %q, %v", d, err)
	}
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Errorf("not created: %v", err)
	}
	if _, err := WorkDir("../escape"); err == nil {
		t.Error("a name with '/' accepted")
	}
}

// A value computed in one cell and recalled in the next: the first Remember
// computes, the second (in a notebook: another cell, another program)
// recalls what was kept.
func ExampleRemember() {
	calls := 0
	slowStudy := func() ([]float64, error) { calls++; return []float64{91.2, 93.4}, nil }
	for cell := 1; cell <= 2; cell++ {
		v, err := Remember("example-curve", slowStudy)
		fmt.Println("cell", cell, v, err)
	}
	fmt.Println("computed", calls, "time(s)")
	_ = Forget("example-curve")
	// Output:
	// cell 1 [91.2 93.4] <nil>
	// cell 2 [91.2 93.4] <nil>
	// computed 1 time(s)
}
