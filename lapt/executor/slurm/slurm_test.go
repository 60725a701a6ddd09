package slurm

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/executor"
)

// The tests run against a real one-node Slurm cluster that TestMain starts
// under a temporary folder (scripts/slurm/cluster-up.sh: private munge key,
// free ports, 4 CPUs and 2 fake GPUs) and stops by PID at the end. Without
// slurmctld they fail with the install command, unless SLURM_TESTS=skip.

var skipReason string

// fakeSpec is what the fake worker "trains".
type fakeSpec struct {
	Val     float64 `json:"val"`
	SleepMS int     `json:"sleep_ms"`
	// LingerMS: keep running after the result is written (for requeue tests).
	LingerMS int `json:"linger_ms"`
}

func TestMain(m *testing.M) {
	if os.Getenv("NASNB_FAKE_WORKER") == "1" {
		os.Exit(fakeWorker())
	}
	if os.Getenv("SLURM_TESTS") == "skip" {
		skipReason = "SLURM_TESTS=skip"
		os.Exit(m.Run())
	}
	if _, err := exec.LookPath("slurmctld"); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: the Slurm tests need a one-node cluster and slurmctld is not installed.\n"+
			"  Install it: bash scripts/slurm/install.sh   (Debian: apt-get install slurmctld slurmd slurm-client munge)\n"+
			"  or skip them explicitly: SLURM_TESTS=skip")
		os.Exit(1)
	}
	base, err := os.MkdirTemp("", "nasnb-slurm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scripts, _ := filepath.Abs("../../../scripts/slurm")
	up := exec.Command("bash", filepath.Join(scripts, "cluster-up.sh"))
	up.Env = append(os.Environ(), "BASE="+base, "CPUS=4", "GPUS=2", "CRED_EXPIRE=5",
		"CTLD_PORT="+freePort(), "SLURMD_PORT="+freePort())
	out, err := up.CombinedOutput()
	os.Setenv("SLURM_CONF", filepath.Join(base, "etc", "slurm.conf"))
	code := 1
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: starting the test cluster: %v\n%s\n", err, out)
	} else {
		code = m.Run()
	}
	down := exec.Command("bash", filepath.Join(scripts, "cluster-down.sh"))
	down.Env = append(os.Environ(), "BASE="+base, "WIPE=1")
	if out, err := down.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the test cluster: %v\n%s\n", err, out)
	}
	os.Exit(code)
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "0"
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func fakeWorker() int {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	dir := fs.String("dir", "", "")
	list := fs.String("list", "", "")
	fs.Parse(os.Args[1:])
	b, _ := os.ReadFile(*list)
	var i int
	fmt.Sscan(os.Getenv("SLURM_ARRAY_TASK_ID"), &i)
	ids := strings.Fields(string(b))
	if i >= len(ids) {
		return 3
	}
	var linger int
	_, err := executor.Serve(context.Background(), *dir, ids[i], "slurm "+os.Getenv("SLURM_ARRAY_JOB_ID")+"_"+os.Getenv("SLURM_ARRAY_TASK_ID"),
		func(ctx context.Context, raw json.RawMessage, progress func(executor.Progress)) (eval.Result, error) {
			var s fakeSpec
			if err := json.Unmarshal(raw, &s); err != nil {
				return eval.Result{}, err
			}
			linger = s.LingerMS
			progress(executor.Progress{Epoch: 1, Epochs: 1, Loss: 0.25})
			time.Sleep(time.Duration(s.SleepMS) * time.Millisecond)
			return eval.Result{Status: eval.OK, Err: os.Getenv("CUDA_VISIBLE_DEVICES"), Metrics: eval.Metrics{Val: s.Val, Test: s.Val}}, nil
		})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	time.Sleep(time.Duration(linger) * time.Millisecond)
	return 0
}

func newExec(t *testing.T, dir string, mod func(*Config)) (*Executor, *[]executor.Event) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	exe, _ := os.Executable()
	var mu sync.Mutex
	events := &[]executor.Event{}
	cfg := Config{Dir: dir, Command: []string{exe}, Env: []string{"NASNB_FAKE_WORKER=1"}, Poll: 200 * time.Millisecond,
		OnEvent: func(e executor.Event) { mu.Lock(); *events = append(*events, e); mu.Unlock() }}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, events
}

func task(id string, s fakeSpec) executor.Task {
	b, _ := json.Marshal(s)
	return executor.Task{ID: id, Hash: fmt.Sprintf("h%v", s.Val), Spec: b}
}

func count(events []executor.Event, st executor.State) int {
	n := 0
	for _, e := range events {
		if e.State == st {
			n++
		}
	}
	return n
}

func waves(t *testing.T, dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "waves", "*.job"))
	return len(m)
}

func TestRunReadBackAndAdopt(t *testing.T) {
	dir := t.TempDir()
	e, events := newExec(t, dir, func(c *Config) { c.Throttle = 3 })
	var tasks []executor.Task
	for i := 0; i < 6; i++ {
		tasks = append(tasks, task(fmt.Sprintf("t%d", i), fakeSpec{Val: float64(i)}))
	}
	res, err := e.Run(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != eval.OK || r.Metrics.Val != float64(i) {
			t.Fatalf("task %d: %+v", i, r)
		}
	}
	// A restarted controller reads results back and submits nothing.
	e2, ev2 := newExec(t, dir, nil)
	if _, err := e2.Run(context.Background(), tasks); err != nil {
		t.Fatal(err)
	}
	if count(*ev2, executor.Reused) != 6 || waves(t, dir) != 1 {
		t.Fatalf("resume: %d reused, %d waves", count(*ev2, executor.Reused), waves(t, dir))
	}
	// A controller that dies while its jobs are queued or running: the next
	// one adopts them instead of submitting again.
	slow := []executor.Task{task("s0", fakeSpec{Val: 10, SleepMS: 1500}), task("s1", fakeSpec{Val: 11, SleepMS: 1500})}
	ctx, abandon := context.WithCancel(context.Background())
	defer abandon()
	first, _ := newExec(t, dir, nil)
	go first.submit(ctx, []*waiter{{task: slow[0]}, {task: slow[1]}}) // submit, then "die"
	for waves(t, dir) < 2 {
		time.Sleep(20 * time.Millisecond)
	}
	e3, ev3 := newExec(t, dir, nil)
	res, err = e3.Run(context.Background(), slow)
	if err != nil || res[0].Metrics.Val != 10 || res[1].Metrics.Val != 11 {
		t.Fatalf("adopted: %v %+v", err, res)
	}
	if count(*ev3, executor.Adopted) != 2 || waves(t, dir) != 2 {
		t.Fatalf("adopt: %d adopted, %d waves", count(*ev3, executor.Adopted), waves(t, dir))
	}
	n, _ := executor.Trainings(dir)
	for id, c := range n {
		if c != 1 {
			t.Fatalf("%s trained %d times", id, c)
		}
	}
	if len(n) != 8 || count(*events, executor.Done) != 6 {
		t.Fatalf("trainings %v, events %d done", n, count(*events, executor.Done))
	}
}

// TestGPUs: on the node with 2 fake GPUs, --gpus=1 trials run two at a time,
// each with its own CUDA_VISIBLE_DEVICES; asking for 3 GPUs is refused at submit.
func TestGPUs(t *testing.T) {
	dir := t.TempDir()
	e, _ := newExec(t, dir, func(c *Config) { c.GPUsPerTrial = 1 })
	var tasks []executor.Task
	for i := 0; i < 4; i++ {
		tasks = append(tasks, task(fmt.Sprintf("g%d", i), fakeSpec{Val: float64(i), SleepMS: 1500}))
	}
	res, err := e.Run(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	type span struct{ a, b time.Time }
	var spans []span
	devs := map[string]bool{}
	for _, tk := range tasks {
		r, ok := executor.ReadResult(dir, tk)
		if !ok {
			t.Fatalf("%s: no result", tk.ID)
		}
		spans = append(spans, span{r.Started, r.Finished})
		devs[r.Result.Err] = true
	}
	if !devs["0"] || !devs["1"] || len(devs) != 2 {
		t.Fatalf("CUDA_VISIBLE_DEVICES seen: %v (results %+v)", devs, res)
	}
	maxOverlap := 0
	for _, s := range spans {
		n := 0
		for _, o := range spans {
			if o.a.Before(s.b) && s.a.Before(o.b) {
				n++
			}
		}
		maxOverlap = max(maxOverlap, n)
	}
	if maxOverlap != 2 {
		t.Fatalf("%d trials overlapped, want 2 (2 GPUs, 4 CPUs)", maxOverlap)
	}
	e3, _ := newExec(t, t.TempDir(), func(c *Config) { c.GPUsPerTrial = 3 })
	if _, err := e3.Run(context.Background(), tasks[:1]); err == nil || !strings.Contains(err.Error(), "sbatch") {
		t.Fatalf("3 GPUs on a 2-GPU node: %v", err)
	}
}

func TestCancel(t *testing.T) {
	dir := t.TempDir()
	e, _ := newExec(t, dir, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.Run(ctx, []executor.Task{task("c0", fakeSpec{SleepMS: 60000}), task("c1", fakeSpec{SleepMS: 60000}), task("c2", fakeSpec{SleepMS: 60000})})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	for time.Since(start) < 15*time.Second {
		if live, _ := e.live(context.Background(), []string{waveOf(t, dir, "c0")}); len(live) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("jobs still queued 15 s after cancellation")
}

func waveOf(t *testing.T, dir, id string) string {
	b, err := os.ReadFile(filepath.Join(dir, "jobs", id+".wave"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))[0]
}

// TestLaunchFailureAndRetry: a job that cannot launch (its output folder does
// not exist) is a failed trial naming Slurm's reason; the search goes on.
func TestLaunchFailureAndRetry(t *testing.T) {
	dir := t.TempDir()
	e, events := newExec(t, dir, func(c *Config) { c.Args = []string{"--output=/nonexistent/nasnb/%j.log"}; c.Retries = 1 })
	res, err := e.Run(context.Background(), []executor.Task{task("f0", fakeSpec{Val: 1})})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != eval.Failed || !strings.Contains(res[0].Err, "slurm job") || count(*events, executor.Retrying) != 1 {
		t.Fatalf("launch failure: %+v, %d retries", res[0], count(*events, executor.Retrying))
	}
	t.Logf("recorded: %s", res[0].Err)
}

// TestRequeue: a job requeued after its trial wrote the result (as after a
// node loss between the result and the job's end) runs again but does not
// train again: the worker finds the result.
func TestRequeue(t *testing.T) {
	dir := t.TempDir()
	e, _ := newExec(t, dir, nil)
	tk := task("r0", fakeSpec{Val: 5, SleepMS: 200, LingerMS: 4000})
	done := make(chan []eval.Result, 1)
	go func() { r, _ := e.Run(context.Background(), []executor.Task{tk}); done <- r }()
	var res []eval.Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("no result")
	}
	if res[0].Metrics.Val != 5 {
		t.Fatalf("%+v", res[0])
	}
	jobTask := readJob(t, dir, waveOf(t, dir, "r0")) + "_0"
	if out, err := exec.Command("scontrol", "requeue", jobTask).CombinedOutput(); err != nil {
		t.Fatalf("scontrol requeue %s: %v %s", jobTask, err, out)
	}
	// Wait for the requeued run to finish.
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, _ := exec.Command("scontrol", "-o", "show", "job", jobTask).CombinedOutput()
		if strings.Contains(string(out), "Restarts=1") && strings.Contains(string(out), "JobState=COMPLETED") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("requeued job did not complete: %s", out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	n, _ := executor.Trainings(dir)
	if n["r0"] != 1 {
		t.Fatalf("r0 trained %d times after requeue", n["r0"])
	}
	ids := make([]string, 0, len(n))
	for id := range n {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	t.Logf("trainings: %v", ids)
}

func readJob(t *testing.T, dir, wave string) string {
	b, err := os.ReadFile(filepath.Join(dir, "waves", wave+".job"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestConfigErrors(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	exe, _ := os.Executable()
	if _, err := New(Config{Dir: t.TempDir(), Command: []string{exe}, Partition: "nope"}); err == nil || !strings.Contains(err.Error(), `partition "nope" does not exist`) {
		t.Fatalf("bad partition: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := New(Config{Dir: t.TempDir(), Command: []string{exe}}); !errors.Is(err, ErrNoSlurm) {
		t.Fatalf("no sbatch: %v", err)
	}
}
