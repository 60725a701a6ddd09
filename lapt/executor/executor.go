// Package executor runs trials outside the searching process: on local
// worker processes ([Local]) or on a Slurm cluster (package
// [github.com/nasnb/nasnb/lapt/executor/slurm]). It sits between a search
// and its evaluation: [Evaluator] is an [eval.BatchEvaluator] that turns a
// batch of proposals into [Task]s, hands them to an [Executor], and returns
// the results in proposal order.
//
// Executors move trial specs and result files, never models. Everything
// lives in one run folder (shared between machines for Slurm):
//
//	specs/ID.json      the task: id, recipe hash, opaque spec (written by the controller)
//	results/ID.json    the outcome (written atomically by the worker): the truth
//	progress/ID.json   the latest epoch/loss of a running trial (optional)
//	logs/              worker output
//	trainings.log      one line per training started (id and worker), for audits
//
// A trial is named by its run and its step, so a resumed search asks for the
// same IDs: a result file whose recipe hash matches is read back and nothing
// is trained twice. Workers ([Serve]) check the result file before training,
// which makes them idempotent and safe to requeue.
package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
)

// Task is one trial to run.
type Task struct {
	// ID names the trial's files: letters, digits, '-', '_' and '.' only.
	ID string `json:"id"`
	// Hash identifies what decides the result (architecture, recipe, data):
	// a result file is reused only when its hash matches.
	Hash string `json:"hash"`
	// Spec is what the worker needs, opaque to the executor (JSON).
	Spec json.RawMessage `json:"spec"`
}

// Record is the content of a result file.
type Record struct {
	ID     string      `json:"id"`
	Hash   string      `json:"hash"`
	Result eval.Result `json:"result"`
	// Worker says where it ran: "host pid N" or "slurm JOB_TASK".
	Worker   string    `json:"worker"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// Progress is the content of a progress file: the state of a running trial.
type Progress struct {
	Epoch  int     `json:"epoch"`
	Epochs int     `json:"epochs"`
	Loss   float64 `json:"loss"`
	Val    float64 `json:"val"`
	Worker string  `json:"worker"`
}

// State of a trial in an [Event].
type State string

// Trial states.
const (
	Queued   State = "queued"   // waiting for a worker or a Slurm slot
	Running  State = "running"  // a worker is training it
	Done     State = "done"     // its result file is there
	Reused   State = "reused"   // a result file from an earlier (interrupted) run was read back
	Adopted  State = "adopted"  // a Slurm job of an earlier controller is followed instead of resubmitted
	Retrying State = "retrying" // its worker died; it runs again
	Failed   State = "failed"   // its worker died and no retry is left: recorded as a failed evaluation
)

// Event reports a change of a trial's state or progress.
type Event struct {
	ID     string
	State  State
	Worker string // worker slot and pid, or Slurm job id
	Epoch  int
	Epochs int
	Loss   float64
	Val    float64
	Err    string
	Time   time.Time
}

// Executor runs tasks and returns their results in task order. Run may be
// called concurrently (several searches sharing one pool). The error is
// non-nil only when the run cannot go on (cancelled, the scheduler refuses
// the jobs); a trial whose worker dies is a Failed result.
type Executor interface {
	Run(ctx context.Context, tasks []Task) ([]eval.Result, error)
	// Name describes the executor, e.g. "local:4" or "slurm(main)".
	Name() string
}

// Folder layout of a run folder.
const (
	SpecsDir    = "specs"
	ResultsDir  = "results"
	ProgressDir = "progress"
	LogsDir     = "logs"
	TrainingLog = "trainings.log"
)

// SpecPath is the spec file of task id in run folder dir.
func SpecPath(dir, id string) string { return filepath.Join(dir, SpecsDir, id+".json") }

// ResultPath is the result file of task id in run folder dir.
func ResultPath(dir, id string) string { return filepath.Join(dir, ResultsDir, id+".json") }

// ProgressPath is the progress file of task id in run folder dir.
func ProgressPath(dir, id string) string { return filepath.Join(dir, ProgressDir, id+".json") }

// CheckID refuses IDs that are not safe file names.
func CheckID(id string) error {
	if id == "" || len(id) > 200 || strings.Trim(id, ".") == "" {
		return fmt.Errorf("executor: bad task id %q", id)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("executor: task id %q: only letters, digits, '-', '_' and '.' are allowed", id)
		}
	}
	return nil
}

// Prepare creates the run folder and writes the spec files of tasks that
// have none (or a different one).
func Prepare(dir string, tasks []Task) error {
	for _, sub := range []string{SpecsDir, ResultsDir, ProgressDir, LogsDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("executor: %w", err)
		}
	}
	for _, t := range tasks {
		if err := CheckID(t.ID); err != nil {
			return err
		}
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("executor: task %s: %w", t.ID, err)
		}
		if old, err := os.ReadFile(SpecPath(dir, t.ID)); err == nil && string(old) == string(b) {
			continue
		}
		if err := WriteFileAtomic(SpecPath(dir, t.ID), b); err != nil {
			return err
		}
	}
	return nil
}

// WriteFileAtomic writes data to a temporary file next to path, syncs it and
// renames it over path: readers see the old file or the whole new one.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("executor: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("executor: writing %s: %w", path, err)
	}
	return nil
}

// ReadResult returns the result file of t when there is one for the same
// hash; a missing, torn or stale file is false.
func ReadResult(dir string, t Task) (Record, bool) {
	b, err := os.ReadFile(ResultPath(dir, t.ID))
	if err != nil {
		return Record{}, false
	}
	var r Record
	if json.Unmarshal(b, &r) != nil || r.ID != t.ID || r.Hash != t.Hash || r.Result.Status == "" {
		return Record{}, false
	}
	return r, true
}

// ReadProgress returns the progress file of id, if any.
func ReadProgress(dir, id string) (Progress, bool) {
	b, err := os.ReadFile(ProgressPath(dir, id))
	if err != nil {
		return Progress{}, false
	}
	var p Progress
	return p, json.Unmarshal(b, &p) == nil
}

// DoneEvent is the Done event of a finished trial: its worker and
// validation score from the result record, its last epoch and training loss
// from the progress file (a short trial may end between two progress polls).
func DoneEvent(dir string, r Record) Event {
	e := Event{ID: r.ID, State: Done, Worker: r.Worker, Val: r.Result.Metrics.Val, Err: r.Result.Err}
	if p, ok := ReadProgress(dir, r.ID); ok {
		e.Epoch, e.Epochs, e.Loss = p.Epoch, p.Epochs, p.Loss
	}
	return e
}

// FailedResult is the result recorded for a trial whose worker died.
func FailedResult(why string) eval.Result {
	return eval.Result{Status: eval.Failed, Err: why, Metrics: eval.Metrics{Val: math.NaN(), Test: math.NaN()}}
}

// TrainFunc trains one trial from its spec; progress may be called after
// each epoch. Its error is for a bad spec; training failures are Results.
type TrainFunc func(ctx context.Context, spec json.RawMessage, progress func(Progress)) (eval.Result, error)

// ErrBadSpec is returned by [Serve] for a missing or unreadable spec file.
var ErrBadSpec = errors.New("executor: bad trial spec")

// ErrBusy is returned by [Serve] when another worker is training the trial.
var ErrBusy = errors.New("executor: another worker is training this trial")

// lockTrial takes the trial's advisory lock (specs/ID.lock, flock): false
// when another process holds it. Where the file system has no locks (some
// network file systems) it proceeds unlocked.
func lockTrial(dir, id string) (unlock func(), ok bool) {
	f, err := os.OpenFile(filepath.Join(dir, SpecsDir, id+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return func() {}, true
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false
		}
		return func() {}, true
	}
	return func() { f.Close() }, true
}

// Busy reports whether a worker process is training the trial id now (for
// example one left running by a controller that was killed).
func Busy(dir, id string) bool {
	// The probe holds the lock for a moment. Hold off process starts
	// meanwhile: a worker forked by another goroutine of this controller
	// would inherit the locked descriptor until its exec, and the worker of
	// this very trial, started right after the probe, could then find its
	// own trial locked (ErrBusy) and be recorded as failed.
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	unlock, ok := lockTrial(dir, id)
	if ok {
		unlock()
	}
	return !ok
}

// Serve is the worker side of one trial: it reads dir/specs/ID.json, returns
// at once when a result with the same hash is already there (a requeued or
// repeated job), otherwise logs the start to trainings.log, trains with fn and
// writes the result file atomically. worker describes where it runs.
func Serve(ctx context.Context, dir, id, worker string, fn TrainFunc) (Record, error) {
	if err := CheckID(id); err != nil {
		return Record{}, err
	}
	b, err := os.ReadFile(SpecPath(dir, id))
	if err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrBadSpec, err)
	}
	var t Task
	if err := json.Unmarshal(b, &t); err != nil || t.ID != id {
		return Record{}, fmt.Errorf("%w: %s: not the spec of %s (%v)", ErrBadSpec, SpecPath(dir, id), id, err)
	}
	if r, ok := ReadResult(dir, t); ok {
		return r, nil
	}
	// One worker per trial: a second one (a controller restarted while an
	// orphan still trains) gets ErrBusy and the controller waits instead.
	// A lock held for a moment only (a controller's Busy probe) is waited
	// out: up to a second before giving up.
	unlock, ok := lockTrial(dir, id)
	for try := 0; !ok && try < 20; try++ {
		time.Sleep(50 * time.Millisecond)
		unlock, ok = lockTrial(dir, id)
	}
	if !ok {
		return Record{}, ErrBusy
	}
	defer unlock()
	if r, ok := ReadResult(dir, t); ok {
		return r, nil
	}
	if f, err := os.OpenFile(filepath.Join(dir, TrainingLog), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintf(f, "%s %s %s\n", id, t.Hash, strings.ReplaceAll(worker, " ", "_"))
		f.Close()
	}
	rec := Record{ID: id, Hash: t.Hash, Worker: worker, Started: time.Now().UTC()}
	progress := func(p Progress) {
		p.Worker = worker
		if b, err := json.Marshal(p); err == nil {
			_ = WriteFileAtomic(ProgressPath(dir, id), b)
		}
	}
	res, err := fn(ctx, t.Spec, progress)
	if err != nil {
		return Record{}, err
	}
	rec.Result, rec.Finished = res, time.Now().UTC()
	out, err := json.Marshal(rec)
	if err != nil {
		return Record{}, err
	}
	return rec, WriteFileAtomic(ResultPath(dir, id), out)
}

// Trainings counts the trainings started per task ID, read from
// trainings.log: more than one for an ID means it was trained twice.
func Trainings(dir string) (map[string]int, error) {
	b, err := os.ReadFile(filepath.Join(dir, TrainingLog))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return map[string]int{}, nil
		}
		return nil, err
	}
	out := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			out[f[0]]++
		}
	}
	return out, nil
}
