package executor

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// fakeSpec is what the fake worker "trains": it sleeps, then reports Val.
type fakeSpec struct {
	Val     float64 `json:"val"`
	SleepMS int     `json:"sleep_ms"`
	// DieOnce: the first attempt kills itself (a lost worker).
	DieOnce bool `json:"die_once"`
	// DieAlways: every attempt dies.
	DieAlways bool `json:"die_always"`
}

// TestMain doubles as the worker process: the executor starts this test
// binary with NASNB_FAKE_WORKER=1, a real process at the real boundary.
func TestMain(m *testing.M) {
	if os.Getenv("NASNB_FAKE_WORKER") == "1" {
		fs := flag.NewFlagSet("worker", flag.ExitOnError)
		dir := fs.String("dir", "", "")
		id := fs.String("id", "", "")
		fs.Parse(os.Args[1:])
		_, err := Serve(context.Background(), *dir, *id, fmt.Sprintf("test pid %d", os.Getpid()), fakeTrain(*dir, *id))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func fakeTrain(dir, id string) TrainFunc {
	return func(ctx context.Context, raw json.RawMessage, progress func(Progress)) (eval.Result, error) {
		var s fakeSpec
		if err := json.Unmarshal(raw, &s); err != nil {
			return eval.Result{}, err
		}
		marker := filepath.Join(dir, id+".died")
		if s.DieAlways || (s.DieOnce && os.WriteFile(marker, nil, 0o644) == nil && !exists(marker+"2")) {
			os.WriteFile(marker+"2", nil, 0o644)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		progress(Progress{Epoch: 1, Epochs: 1, Loss: 0.5})
		time.Sleep(time.Duration(s.SleepMS) * time.Millisecond)
		cpus := ""
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "Cpus_allowed_list:") {
					cpus = strings.TrimSpace(strings.TrimPrefix(line, "Cpus_allowed_list:"))
				}
			}
		}
		return eval.Result{Status: eval.OK, Err: os.Getenv("CUDA_VISIBLE_DEVICES") + "/" + os.Getenv("GOMAXPROCS") + "/" + cpus,
			Metrics: eval.Metrics{Val: s.Val, Test: s.Val + 1}}, nil
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func fakeLocal(t *testing.T, dir string, workers int) *Local {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Local{Dir: dir, Command: []string{exe}, Workers: workers, Env: []string{"NASNB_FAKE_WORKER=1"}, Poll: 20 * time.Millisecond}
}

func task(id string, s fakeSpec) Task {
	b, _ := json.Marshal(s)
	return Task{ID: id, Hash: fmt.Sprintf("h%v", s.Val), Spec: b}
}

func TestLocalRunsOnceAndReadsBack(t *testing.T) {
	dir := t.TempDir()
	l := fakeLocal(t, dir, 2)
	var tasks []Task
	for i := 0; i < 6; i++ {
		tasks = append(tasks, task(fmt.Sprintf("t%d", i), fakeSpec{Val: float64(i), SleepMS: 50}))
	}
	var events []Event
	l.OnEvent = func(e Event) { events = append(events, e) }
	res, err := l.Run(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != eval.OK || r.Metrics.Val != float64(i) {
			t.Fatalf("task %d: %+v", i, r)
		}
	}
	// A second run (a resumed controller) trains nothing.
	if _, err := l.Run(context.Background(), tasks); err != nil {
		t.Fatal(err)
	}
	n, _ := Trainings(dir)
	for _, tk := range tasks {
		if n[tk.ID] != 1 {
			t.Fatalf("%s trained %d times", tk.ID, n[tk.ID])
		}
	}
	states := map[State]int{}
	for _, e := range events {
		states[e.State]++
	}
	if states[Done] != 6 || states[Reused] != 6 || states[Running] < 6 {
		t.Fatalf("events: %v", states)
	}
	for _, e := range events {
		if e.State == Done && (e.Epoch != 1 || e.Epochs != 1 || e.Loss != 0.5 || !strings.HasPrefix(e.Worker, "test pid")) {
			t.Fatalf("done event without the last progress: %+v", e)
		}
	}
	// A changed recipe (hash) is not read back.
	changed := task("t0", fakeSpec{Val: 9})
	res, _ = l.Run(context.Background(), []Task{changed})
	if res[0].Metrics.Val != 9 {
		t.Fatalf("stale result reused: %+v", res[0])
	}
}

// TestLocalManyShortTrials: many trials started at once never find their
// own trial locked (the controller's lock probe must not leak into workers
// forked meanwhile), so none fails.
func TestLocalManyShortTrials(t *testing.T) {
	dir := t.TempDir()
	l := fakeLocal(t, dir, 4)
	var tasks []Task
	for i := 0; i < 40; i++ {
		tasks = append(tasks, task(fmt.Sprintf("t%02d", i), fakeSpec{Val: float64(i)}))
	}
	res, err := l.Run(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != eval.OK {
			t.Fatalf("task %d: %s %s", i, r.Status, r.Err)
		}
	}
}

func TestLocalDeadWorker(t *testing.T) {
	dir := t.TempDir()
	l := fakeLocal(t, dir, 1)
	res, err := l.Run(context.Background(), []Task{task("dies", fakeSpec{Val: 1, DieAlways: true}), task("ok", fakeSpec{Val: 2})})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != eval.Failed || !strings.Contains(res[0].Err, "killed") || res[1].Status != eval.OK {
		t.Fatalf("dead worker: %+v / %+v", res[0], res[1])
	}
	l.Retries = 1
	res, err = l.Run(context.Background(), []Task{task("dies-once", fakeSpec{Val: 3, DieOnce: true})})
	if err != nil || res[0].Status != eval.OK || res[0].Metrics.Val != 3 {
		t.Fatalf("retry: %v %+v", err, res)
	}
}

func TestLocalCancel(t *testing.T) {
	dir := t.TempDir()
	l := fakeLocal(t, dir, 2)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := l.Run(ctx, []Task{task("a", fakeSpec{SleepMS: 60000}), task("b", fakeSpec{SleepMS: 60000}), task("c", fakeSpec{SleepMS: 60000})})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("cancel: %v after %v", err, time.Since(start))
	}
	if exists(ResultPath(dir, "a")) {
		t.Fatal("a cancelled trial wrote a result")
	}
}

func TestLocalGPUsAndThreads(t *testing.T) {
	dir := t.TempDir()
	l := fakeLocal(t, dir, 0)
	l.GPUs, l.TrialsPerGPU, l.Threads = []string{"3", "5"}, 2, 1
	if l.Name() != "local:4" {
		t.Fatalf("name %s", l.Name())
	}
	var tasks []Task
	for i := 0; i < 8; i++ {
		tasks = append(tasks, task(fmt.Sprintf("g%d", i), fakeSpec{Val: float64(i), SleepMS: 30}))
	}
	res, err := l.Run(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range res {
		f := strings.Split(r.Err, "/")
		seen[f[0]+"/"+f[1]] = true
	}
	if len(seen) != 2 || !seen["3/1"] || !seen["5/1"] {
		t.Fatalf("CUDA_VISIBLE_DEVICES/GOMAXPROCS seen: %v", seen)
	}
	// Affinity: worker slot s runs on CPU s (Threads 1), on the 2 first CPUs.
	if runtime.NumCPU() < 2 {
		return
	}
	l2 := fakeLocal(t, t.TempDir(), 2)
	l2.Threads, l2.Affinity = 1, true
	res, err = l2.Run(context.Background(), tasks[:4])
	if err != nil {
		t.Fatal(err)
	}
	cpus := map[string]bool{}
	for _, r := range res {
		cpus[strings.Split(r.Err, "/")[2]] = true
	}
	if len(cpus) != 2 || !cpus["0"] || !cpus["1"] {
		t.Fatalf("CPUs allowed per worker: %v", cpus)
	}
}

// TestEvaluatorDeterministic: a search through the executor gives the same
// trials for 1, 2 and 4 workers, and the same as the sequential in-process run
// for batch 1.
func TestEvaluatorDeterministic(t *testing.T) {
	score := func(a space.Arch) float64 {
		v := 0.0
		for i := 0; i < a.Len(); i++ {
			v += float64((a.Op(i)*7+i)%5) * float64(i+1)
		}
		return v
	}
	spec := func(id string, index int, a space.Arch) (Task, error) {
		return task(id, fakeSpec{Val: score(a), SleepMS: 5}), nil
	}
	run := func(ev eval.Evaluator) []string {
		st, _ := search.NewEvolution(space.NB201(), 5, search.EvolutionConfig{Population: 4, Tournament: 2})
		r, err := search.Execute(context.Background(), search.Config{Strategy: st, Evaluator: ev, Budget: 16, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tr := range r.Trials() {
			out = append(out, fmt.Sprintf("%d %s %v %v", tr.Step, tr.Text, tr.Result.Metrics.Val, tr.Cached))
		}
		return out
	}
	seq := run(eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: score(a), Test: score(a) + 1}}, nil
	}))
	if got := run(&Evaluator{Exec: fakeLocal(t, t.TempDir(), 2), Batch: 1, Prefix: "s5", Spec: spec}); fmt.Sprint(got) != fmt.Sprint(seq) {
		t.Fatalf("batch 1 differs from the sequential run:\n%v\n%v", got, seq)
	}
	var want []string
	for _, w := range []int{1, 2, 4} {
		got := run(&Evaluator{Exec: fakeLocal(t, t.TempDir(), w), Batch: 4, Prefix: "s5", Spec: spec})
		if want == nil {
			want = got
		} else if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%d workers differ:\n%v\n%v", w, got, want)
		}
	}
}

// TestLocalAdoptsOrphan: a worker left running by a controller that was
// killed finishes its trial; the restarted controller waits for it instead
// of training the trial again.
func TestLocalAdoptsOrphan(t *testing.T) {
	dir := t.TempDir()
	l := fakeLocal(t, dir, 1)
	tk := task("orphan", fakeSpec{Val: 7, SleepMS: 1500})
	if err := Prepare(dir, []Task{tk}); err != nil {
		t.Fatal(err)
	}
	orphan := exec.Command(l.Command[0], "--dir", dir, "--id", tk.ID)
	orphan.Env = append(os.Environ(), l.Env...)
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	defer orphan.Wait()
	for !Busy(dir, tk.ID) {
		time.Sleep(10 * time.Millisecond)
	}
	var states []State
	l.OnEvent = func(e Event) { states = append(states, e.State) }
	res, err := l.Run(context.Background(), []Task{tk})
	if err != nil || res[0].Metrics.Val != 7 {
		t.Fatalf("%v %+v", err, res)
	}
	if n, _ := Trainings(dir); n[tk.ID] != 1 || states[1] != Adopted {
		t.Fatalf("trained %d times, events %v", n[tk.ID], states)
	}
}
