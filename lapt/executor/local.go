package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
)

// Local runs each trial in a worker process on this machine, at most
// Workers at a time. The worker command is Command followed by
// "--dir DIR --id ID" (for the nasnb binary: "nasnb worker").
type Local struct {
	// Dir is the run folder.
	Dir string
	// Command is the worker's argv prefix, e.g. {"/path/nasnb", "worker"}.
	Command []string
	// Workers is the number of trials run at once (default: GPUs x
	// TrialsPerGPU when GPUs are given, else 1).
	Workers int
	// GPUs lists device ids for CUDA_VISIBLE_DEVICES; worker slot s gets
	// GPUs[s / TrialsPerGPU]. Empty: CUDA_VISIBLE_DEVICES is left alone.
	GPUs []string
	// TrialsPerGPU puts several small trials on one GPU (default 1).
	TrialsPerGPU int
	// Threads sets GOMAXPROCS of each worker (0: Go's default).
	Threads int
	// Affinity pins worker slot s to CPUs [s*Threads, (s+1)*Threads) with
	// taskset (needs Threads > 0).
	Affinity bool
	// Retries is how many times the trial of a worker that died (killed,
	// out of memory) runs again before it is recorded as failed.
	Retries int
	// Env is added to the workers' environment (KEY=VALUE).
	Env []string
	// Poll is how often progress files are read (default 500ms).
	Poll time.Duration
	// OnEvent, when set, is called on every state change and progress
	// update (from several goroutines, serialised by the executor).
	OnEvent func(Event)

	once  sync.Once
	slots chan int
	evMu  sync.Mutex
}

var _ Executor = (*Local)(nil)

// Name implements Executor.
func (l *Local) Name() string { return fmt.Sprintf("local:%d", l.workers()) }

func (l *Local) workers() int {
	switch {
	case l.Workers > 0:
		return l.Workers
	case len(l.GPUs) > 0:
		return len(l.GPUs) * max(l.TrialsPerGPU, 1)
	}
	return 1
}

func (l *Local) emit(e Event) {
	if l.OnEvent == nil {
		return
	}
	e.Time = time.Now()
	l.evMu.Lock()
	defer l.evMu.Unlock()
	l.OnEvent(e)
}

// Run implements Executor: finished trials are read back, the others run on
// free worker slots; results come back in task order.
func (l *Local) Run(ctx context.Context, tasks []Task) ([]eval.Result, error) {
	if len(l.Command) == 0 {
		return nil, errors.New("executor: local executor without a worker command")
	}
	if l.Affinity && l.Threads <= 0 {
		return nil, errors.New("executor: CPU affinity needs Threads > 0")
	}
	l.once.Do(func() {
		l.slots = make(chan int, l.workers())
		for s := 0; s < l.workers(); s++ {
			l.slots <- s
		}
	})
	if err := Prepare(l.Dir, tasks); err != nil {
		return nil, err
	}
	out := make([]eval.Result, len(tasks))
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		if r, ok := ReadResult(l.Dir, t); ok {
			out[i] = r.Result
			l.emit(Event{ID: t.ID, State: Reused, Worker: r.Worker})
			continue
		}
		l.emit(Event{ID: t.ID, State: Queued})
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = l.runOne(ctx, t)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func (l *Local) poll() time.Duration {
	if l.Poll > 0 {
		return l.Poll
	}
	return 500 * time.Millisecond
}

// runOne runs one trial on a free slot, retrying when the worker dies.
func (l *Local) runOne(ctx context.Context, t Task) (eval.Result, error) {
	// A worker of an earlier controller still training this trial: wait
	// for it instead of training the trial a second time.
	if Busy(l.Dir, t.ID) {
		l.emit(Event{ID: t.ID, State: Adopted, Worker: "earlier worker"})
		for Busy(l.Dir, t.ID) {
			select {
			case <-time.After(l.poll()):
			case <-ctx.Done():
				return eval.Result{}, ctx.Err()
			}
		}
		if r, ok := ReadResult(l.Dir, t); ok {
			l.emit(DoneEvent(l.Dir, r))
			return r.Result, nil
		}
	}
	for attempt := 0; ; attempt++ {
		var slot int
		select {
		case slot = <-l.slots:
		case <-ctx.Done():
			return eval.Result{}, ctx.Err()
		}
		why, err := l.spawn(ctx, slot, t)
		l.slots <- slot
		if err != nil {
			return eval.Result{}, err
		}
		if r, ok := ReadResult(l.Dir, t); ok {
			l.emit(DoneEvent(l.Dir, r))
			return r.Result, nil
		}
		if ctx.Err() != nil {
			return eval.Result{}, ctx.Err()
		}
		if attempt < l.Retries {
			l.emit(Event{ID: t.ID, State: Retrying, Err: why})
			continue
		}
		l.emit(Event{ID: t.ID, State: Failed, Err: why})
		return FailedResult(why), nil
	}
}

// spawn runs the worker process of t on slot and waits for it. It returns
// why the worker ended without a result (for the record) or an error when no
// worker could be started at all.
func (l *Local) spawn(ctx context.Context, slot int, t Task) (string, error) {
	args := append(append([]string(nil), l.Command...), "--dir", l.Dir, "--id", t.ID)
	if l.Affinity {
		first := slot * l.Threads
		args = append([]string{"taskset", "-c", fmt.Sprintf("%d-%d", first, first+l.Threads-1)}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), l.Env...)
	cmd.Env = append(cmd.Env, "NASNB_WORKER_SLOT="+strconv.Itoa(slot))
	if len(l.GPUs) > 0 {
		cmd.Env = append(cmd.Env, "CUDA_VISIBLE_DEVICES="+l.GPUs[(slot/max(l.TrialsPerGPU, 1))%len(l.GPUs)])
	}
	if l.Threads > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(l.Threads), "OMP_NUM_THREADS="+strconv.Itoa(l.Threads))
	}
	logf, err := os.OpenFile(filepath.Join(l.Dir, LogsDir, t.ID+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return "", fmt.Errorf("executor: %w", err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	// Own process group: cancellation kills the worker's children too. A
	// worker outlives a controller killed with SIGKILL and finishes its
	// trial; the restarted controller adopts it (see Busy) as Slurm jobs are.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("executor: starting worker %s: %w", strings.Join(args, " "), err)
	}
	worker := fmt.Sprintf("slot %d pid %d", slot, cmd.Process.Pid)
	l.emit(Event{ID: t.ID, State: Running, Worker: worker})
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(l.poll())
	defer tick.Stop()
	last := -1
	for {
		select {
		case err := <-done:
			if err == nil {
				return "worker exited without writing a result", nil
			}
			return "worker died: " + err.Error(), nil
		case <-ctx.Done():
			// Cancellation: the whole process group goes.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return "cancelled", nil
		case <-tick.C:
			if p, ok := ReadProgress(l.Dir, t.ID); ok && p.Epoch != last {
				last = p.Epoch
				l.emit(Event{ID: t.ID, State: Running, Worker: worker, Epoch: p.Epoch, Epochs: p.Epochs, Loss: p.Loss, Val: p.Val})
			}
		}
	}
}
