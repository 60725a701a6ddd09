// Package slurm is an [executor.Executor] that runs trials as Slurm job
// arrays. It shells out to the Slurm client (sbatch --parsable, squeue,
// scontrol -o show job, scancel), which every login node has, and keeps
// trial specs and results as files in a folder shared with the compute nodes.
//
// The result file is the truth: Slurm is asked only whether a trial's job is
// still pending or running, and why it ended without a result. Every trial
// remembers the wave (job array) it was submitted in, so a controller that
// was killed and restarted adopts the jobs still queued or running instead of
// submitting them again; workers skip trials whose result is already there,
// so a requeued job does not train twice.
//
// Settings (partition, time limit, GPUs, extra sbatch options, environment)
// come from [Config]. The environment is passed through sbatch's own
// environment, not --export=ALL,K=V (which makes slurmd start a login shell
// per job and halves throughput).
package slurm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/executor"
)

// Config configures the Slurm executor.
type Config struct {
	// Dir is the run folder, on a file system the compute nodes share.
	Dir string
	// Command is the worker's argv prefix (e.g. {"/shared/bin/nasnb",
	// "worker"}); the job runs Command --dir DIR --list WAVE.list, and the
	// worker picks its line by SLURM_ARRAY_TASK_ID.
	Command []string
	// Partition, Time (e.g. "10", "1:00:00"), GPUsPerTrial (--gpus), Gres
	// (--gres, e.g. "gpu:a100:1") and CPUsPerTrial (--cpus-per-task) are
	// passed to sbatch when set.
	Partition    string
	Time         string
	GPUsPerTrial int
	Gres         string
	CPUsPerTrial int
	// Throttle caps the tasks of one wave running at once (--array=...%K).
	Throttle int
	// Args are extra sbatch options, e.g. {"--account=lab", "--qos=short"}.
	Args []string
	// Env is added to sbatch's environment (KEY=VALUE), which jobs inherit.
	Env []string
	// Retries is how many times a trial whose job ended without a result
	// (node lost, killed, out of memory, launch failure) is submitted again
	// before it is recorded as failed.
	Retries int
	// Poll is the interval between squeue calls (default 2s; use >= 10s on
	// a busy cluster).
	Poll time.Duration
	// OnEvent, when set, receives state changes and progress (serialised).
	OnEvent func(executor.Event)
}

// Executor runs trials on Slurm. Run may be called concurrently; one
// goroutine polls squeue for all of them.
type Executor struct {
	cfg Config

	mu      sync.Mutex
	waiting map[string]*waiter // by task id
	polling bool
	evMu    sync.Mutex
	seq     int
}

type waiter struct {
	task     executor.Task
	wave     string
	job      string // array job id
	index    int
	attempts int
	state    string
	epoch    int
	done     chan eval.Result
}

var _ executor.Executor = (*Executor)(nil)

// ErrNoSlurm is returned by [New] when the Slurm client is not installed.
var ErrNoSlurm = errors.New("slurm: sbatch not found on PATH: install the Slurm client (Debian: apt-get install slurm-client) or run on a login node")

// New checks that the Slurm client is there, the partition exists and the
// run folder can be created, and returns the executor.
func New(cfg Config) (*Executor, error) {
	for _, tool := range []string{"sbatch", "squeue", "scontrol", "scancel"} {
		if _, err := exec.LookPath(tool); err != nil {
			if tool == "sbatch" {
				return nil, ErrNoSlurm
			}
			return nil, fmt.Errorf("slurm: %s not found on PATH (install slurm-client)", tool)
		}
	}
	if len(cfg.Command) == 0 {
		return nil, errors.New("slurm: no worker command")
	}
	if cfg.Dir == "" {
		return nil, errors.New("slurm: the run folder (shared with the compute nodes) is required")
	}
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = abs
	for _, sub := range []string{"waves", "jobs"} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("slurm: %w", err)
		}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	e := &Executor{cfg: cfg, waiting: map[string]*waiter{}}
	if cfg.Partition != "" {
		out, err := e.cmd(context.Background(), "scontrol", "-o", "show", "partition", cfg.Partition)
		if err != nil || !strings.Contains(out, "PartitionName="+cfg.Partition) {
			parts, _ := e.cmd(context.Background(), "sinfo", "-h", "-o", "%R")
			return nil, fmt.Errorf("slurm: partition %q does not exist (partitions: %s)", cfg.Partition, strings.Join(strings.Fields(parts), ", "))
		}
	}
	return e, nil
}

// Name implements executor.Executor.
func (e *Executor) Name() string {
	if e.cfg.Partition != "" {
		return "slurm(" + e.cfg.Partition + ")"
	}
	return "slurm"
}

func (e *Executor) emit(ev executor.Event) {
	if e.cfg.OnEvent == nil {
		return
	}
	ev.Time = time.Now()
	e.evMu.Lock()
	defer e.evMu.Unlock()
	e.cfg.OnEvent(ev)
}

// cmd runs a Slurm client command with the configured environment.
func (e *Executor) cmd(ctx context.Context, name string, args ...string) (string, error) {
	c := exec.CommandContext(ctx, name, args...)
	c.Env = append(os.Environ(), e.cfg.Env...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return out.String(), fmt.Errorf("%s: %s", name, msg)
	}
	return out.String(), nil
}

// Run implements executor.Executor.
func (e *Executor) Run(ctx context.Context, tasks []executor.Task) ([]eval.Result, error) {
	if err := executor.Prepare(e.cfg.Dir, tasks); err != nil {
		return nil, err
	}
	out := make([]eval.Result, len(tasks))
	ws := make([]*waiter, len(tasks))
	var submit []*waiter
	for i, t := range tasks {
		if r, ok := executor.ReadResult(e.cfg.Dir, t); ok {
			out[i] = r.Result
			e.emit(executor.Event{ID: t.ID, State: executor.Reused, Worker: r.Worker})
			continue
		}
		w := &waiter{task: t, done: make(chan eval.Result, 1)}
		ws[i] = w
		if e.adopt(ctx, w) {
			e.emit(executor.Event{ID: t.ID, State: executor.Adopted, Worker: w.jobTask()})
		} else {
			submit = append(submit, w)
		}
	}
	if len(submit) > 0 {
		if err := e.submit(ctx, submit); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	for _, w := range ws {
		if w != nil {
			e.waiting[w.task.ID] = w
		}
	}
	if !e.polling {
		e.polling = true
		go e.poll()
	}
	e.mu.Unlock()
	for i, w := range ws {
		if w == nil {
			continue
		}
		select {
		case r := <-w.done:
			out[i] = r
		case <-ctx.Done():
			e.cancel(ws)
			return nil, ctx.Err()
		}
	}
	return out, nil
}

func (w *waiter) jobTask() string { return fmt.Sprintf("%s_%d", w.job, w.index) }

// cancel scancels the jobs of the given waiters still waiting.
func (e *Executor) cancel(ws []*waiter) {
	e.mu.Lock()
	var ids []string
	for _, w := range ws {
		if w != nil && e.waiting[w.task.ID] == w {
			delete(e.waiting, w.task.ID)
			if w.job != "" {
				ids = append(ids, w.jobTask())
			}
		}
	}
	e.mu.Unlock()
	if len(ids) > 0 {
		_, _ = e.cmd(context.Background(), "scancel", ids...)
	}
}

// adopt finds the job of an earlier submission of w's trial that is still
// pending or running (a controller that died and was restarted).
func (e *Executor) adopt(ctx context.Context, w *waiter) bool {
	b, err := os.ReadFile(filepath.Join(e.cfg.Dir, "jobs", w.task.ID+".wave"))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	if len(f) != 3 || f[2] != w.task.Hash {
		return false
	}
	wave := f[0]
	idx, err := strconv.Atoi(f[1])
	if err != nil {
		return false
	}
	job := ""
	if jb, err := os.ReadFile(filepath.Join(e.cfg.Dir, "waves", wave+".job")); err == nil {
		job = strings.TrimSpace(string(jb))
	} else if out, err := e.cmd(ctx, "squeue", "-h", "-o", "%F", "--name="+wave); err == nil {
		// Killed between sbatch and writing the job file: find it by name.
		if f := strings.Fields(out); len(f) > 0 {
			job = f[0]
		}
	}
	if job == "" {
		return false
	}
	live, err := e.live(ctx, []string{wave})
	if err != nil {
		return false
	}
	if _, ok := live[job+"_"+strconv.Itoa(idx)]; !ok {
		return false
	}
	w.wave, w.job, w.index = wave, job, idx
	return true
}

// submit sends the trials as one job array (a wave).
func (e *Executor) submit(ctx context.Context, ws []*waiter) error {
	e.mu.Lock()
	e.seq++
	seq := e.seq
	e.mu.Unlock()
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %d", os.Getpid(), time.Now().UnixNano(), seq)
	var list strings.Builder
	for _, w := range ws {
		fmt.Fprintln(h, w.task.ID)
		list.WriteString(w.task.ID + "\n")
	}
	wave := "nasnb-" + hex.EncodeToString(h.Sum(nil))[:12]
	dir := e.cfg.Dir
	listPath := filepath.Join(dir, "waves", wave+".list")
	if err := executor.WriteFileAtomic(listPath, []byte(list.String())); err != nil {
		return err
	}
	script := "#!/bin/sh\n# nasnb trial wave " + wave + "\nexec " + shellJoin(e.cfg.Command) + " --dir " + shellQuote(dir) + " --list " + shellQuote(listPath) + "\n"
	scriptPath := filepath.Join(dir, "waves", wave+".sh")
	if err := executor.WriteFileAtomic(scriptPath, []byte(script)); err != nil {
		return err
	}
	// Each trial remembers its wave before the job exists: a controller
	// killed during sbatch finds the job by name on resume.
	for i, w := range ws {
		w.wave, w.index = wave, i
		if err := executor.WriteFileAtomic(filepath.Join(dir, "jobs", w.task.ID+".wave"), fmt.Appendf(nil, "%s %d %s\n", wave, i, w.task.Hash)); err != nil {
			return err
		}
	}
	array := fmt.Sprintf("0-%d", len(ws)-1)
	if e.cfg.Throttle > 0 {
		array += fmt.Sprintf("%%%d", e.cfg.Throttle)
	}
	args := []string{"--parsable", "--job-name=" + wave, "--array=" + array, "--chdir=" + dir,
		"--output=" + filepath.Join(dir, executor.LogsDir, "%x_%a.log")}
	if e.cfg.Partition != "" {
		args = append(args, "--partition="+e.cfg.Partition)
	}
	if e.cfg.Time != "" {
		args = append(args, "--time="+e.cfg.Time)
	}
	if e.cfg.GPUsPerTrial > 0 {
		args = append(args, fmt.Sprintf("--gpus=%d", e.cfg.GPUsPerTrial))
	}
	if e.cfg.Gres != "" {
		args = append(args, "--gres="+e.cfg.Gres)
	}
	if e.cfg.CPUsPerTrial > 0 {
		args = append(args, fmt.Sprintf("--cpus-per-task=%d", e.cfg.CPUsPerTrial))
	}
	args = append(args, e.cfg.Args...)
	args = append(args, scriptPath)
	out, err := e.cmd(ctx, "sbatch", args...)
	if err != nil {
		return fmt.Errorf("slurm: submitting %d trial(s) failed: %w", len(ws), err)
	}
	job, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if _, err := strconv.Atoi(job); err != nil {
		return fmt.Errorf("slurm: sbatch --parsable answered %q, not a job id", strings.TrimSpace(out))
	}
	if err := executor.WriteFileAtomic(filepath.Join(dir, "waves", wave+".job"), []byte(job+"\n")); err != nil {
		return err
	}
	for _, w := range ws {
		w.job = job
		e.emit(executor.Event{ID: w.task.ID, State: executor.Queued, Worker: w.jobTask()})
	}
	return nil
}

// live returns the pending/running array tasks ("JOB_INDEX" -> state) of
// the given waves (job names).
func (e *Executor) live(ctx context.Context, waves []string) (map[string]string, error) {
	out, err := e.cmd(ctx, "squeue", "-h", "-r", "-o", "%i %T", "--name="+strings.Join(waves, ","))
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			m[f[0]] = f[1]
		}
	}
	return m, nil
}

var (
	reState = regexp.MustCompile(`JobState=(\S+)`)
	reWhy   = regexp.MustCompile(`Reason=(\S+)`)
	reExit  = regexp.MustCompile(`ExitCode=(\S+)`)
)

// why asks scontrol how a job task ended.
func (e *Executor) why(jobTask string) string {
	out, err := e.cmd(context.Background(), "scontrol", "-o", "show", "job", jobTask)
	if err != nil {
		return "slurm job " + jobTask + " ended without a result (no record left: " + err.Error() + ")"
	}
	get := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(out); m != nil {
			return m[1]
		}
		return "?"
	}
	return fmt.Sprintf("slurm job %s ended without a result: %s (%s), exit %s", jobTask, get(reState), get(reWhy), get(reExit))
}

// poll follows every waiting trial until none is left.
func (e *Executor) poll() {
	for {
		time.Sleep(e.cfg.Poll)
		e.mu.Lock()
		if len(e.waiting) == 0 {
			e.polling = false
			e.mu.Unlock()
			return
		}
		ws := make([]*waiter, 0, len(e.waiting))
		waves := map[string]bool{}
		for _, w := range e.waiting {
			ws = append(ws, w)
			waves[w.wave] = true
		}
		e.mu.Unlock()
		names := make([]string, 0, len(waves))
		for n := range waves {
			names = append(names, n)
		}
		live, err := e.live(context.Background(), names)
		if err != nil {
			continue // the controller may be restarting: ask again next time
		}
		for _, w := range ws {
			e.check(w, live)
		}
	}
}

// check settles w when its result is there or its job is gone.
func (e *Executor) check(w *waiter, live map[string]string) {
	dir := e.cfg.Dir
	if r, ok := executor.ReadResult(dir, w.task); ok {
		e.finish(w, r.Result)
		e.emit(executor.DoneEvent(dir, r))
		return
	}
	state, alive := live[w.jobTask()]
	if alive {
		ev := executor.Event{ID: w.task.ID, Worker: w.jobTask(), State: executor.Queued}
		if state == "RUNNING" {
			ev.State = executor.Running
		}
		p, hasP := executor.ReadProgress(dir, w.task.ID)
		if state != w.state || (hasP && p.Epoch != w.epoch) {
			w.state, w.epoch = state, p.Epoch
			ev.Epoch, ev.Epochs, ev.Loss, ev.Val = p.Epoch, p.Epochs, p.Loss, p.Val
			e.emit(ev)
		}
		return
	}
	// Gone from the queue: the result may have landed just after squeue.
	if r, ok := executor.ReadResult(dir, w.task); ok {
		e.finish(w, r.Result)
		e.emit(executor.DoneEvent(dir, r))
		return
	}
	why := e.why(w.jobTask())
	if w.attempts < e.cfg.Retries {
		w.attempts++
		e.emit(executor.Event{ID: w.task.ID, State: executor.Retrying, Worker: w.jobTask(), Err: why})
		if err := e.submit(context.Background(), []*waiter{w}); err == nil {
			return
		} else {
			why += "; resubmitting failed: " + err.Error()
		}
	}
	e.finish(w, executor.FailedResult(why))
	e.emit(executor.Event{ID: w.task.ID, State: executor.Failed, Worker: w.jobTask(), Err: why})
}

func (e *Executor) finish(w *waiter, r eval.Result) {
	e.mu.Lock()
	if e.waiting[w.task.ID] == w {
		delete(e.waiting, w.task.ID)
	}
	e.mu.Unlock()
	select {
	case w.done <- r:
	default:
	}
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}
