package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/hook"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/space"
)

// Dedup says how repeated architectures are treated.
type Dedup int

const (
	// DedupCanonical answers an architecture from the cache when a
	// functionally identical one (same [space.Space.Canonical] form) was
	// already evaluated; it does not count against the budget. The default.
	DedupCanonical Dedup = iota
	// DedupExact answers only exact repeats from the cache, for free.
	DedupExact
	// DedupCount is the reference code's behaviour: exact repeats are
	// answered from the cache but still count against the budget.
	DedupCount
)

// String returns "canonical", "exact" or "count".
func (d Dedup) String() string {
	switch d {
	case DedupExact:
		return "exact"
	case DedupCount:
		return "count"
	}
	return "canonical"
}

// ParseDedup reads "canonical", "exact" or "count".
func ParseDedup(s string) (Dedup, error) {
	switch s {
	case "canonical", "":
		return DedupCanonical, nil
	case "exact":
		return DedupExact, nil
	case "count", "reference":
		return DedupCount, nil
	}
	return 0, fmt.Errorf("search: unknown dedup mode %q (want canonical, exact or count)", s)
}

// Trial is one step of a run.
type Trial struct {
	// Step numbers every proposal, from 1.
	Step int `json:"step"`
	// N is the number of evaluations counted against the budget so far,
	// including this trial when it counted.
	N int `json:"n"`
	// Arch is the proposed architecture; Text its space's text form.
	Arch space.Arch `json:"arch"`
	Text string     `json:"text"`
	// Result is the evaluation (or the cached one).
	Result eval.Result `json:"result"`
	// Cached is true when the result came from the cache.
	Cached bool `json:"cached,omitempty"`
	// Counted is true when the trial consumed budget.
	Counted bool `json:"counted"`
	// Strategy and Seed identify the run.
	Strategy string `json:"strategy"`
	Seed     uint64 `json:"seed"`
	// Time is when the trial finished.
	Time time.Time `json:"time"`
	// Replayed is true when the trial was read back from the journal on
	// resume instead of being evaluated (not stored).
	Replayed bool `json:"-"`
}

// Hooks are the run's hook points, each a list of named subscribers called
// in order (see [hook.List]). Notebook helpers, the CLI and user code attach
// with Add: the search code knows nothing about them. A subscriber that
// returns an error or panics stops the run with a [*hook.Error] naming it
// (a trial it was told about is already journaled).
type Hooks struct {
	// OnStart is called once before the first new trial.
	OnStart hook.List[func(r *Run) error]
	// OnTrial is called after each trial (replayed trials included).
	OnTrial hook.List[func(r *Run, t Trial) error]
	// OnEnd is called once when the run stops (budget, exhaustion, error);
	// err is the reason (nil when the budget is spent). An error returned
	// here becomes the run's error.
	OnEnd hook.List[func(r *Run, err error) error]
}

// start calls the OnStart subscribers.
func (h *Hooks) start(r *Run) error {
	return h.OnStart.Call("search.OnStart", func(f func(*Run) error) error { return f(r) })
}

// Config configures a run.
type Config struct {
	// Strategy proposes architectures; its Space is the search space.
	Strategy Strategy
	// Evaluator scores them.
	Evaluator eval.Evaluator
	// Budget is the number of counted evaluations (> 0).
	Budget int
	// Seed is recorded in the journal and the trials.
	Seed uint64
	// Dedup decides how repeats are treated (default DedupCanonical).
	Dedup Dedup
	// MaxFree stops the run as exhausted after this many consecutive trials
	// answered from the cache for free (default: [ExhaustAfter] of the
	// strategy's space).
	MaxFree int
	// Journal, when set, receives a header and every trial, and is replayed
	// on resume.
	Journal *journal.Journal
	// Label is an optional run label recorded in the journal header.
	Label string
	// Hooks are called as the run progresses.
	Hooks Hooks
	// Async > 0 marks a run driven by [Run.RunAsync] with that many
	// candidates in flight (recorded in the journal header).
	Async int
}

// Header is the first journal record of a run; a resumed run must match it.
type Header struct {
	Space    string `json:"space"`
	Strategy string `json:"strategy"`
	Seed     uint64 `json:"seed"`
	Budget   int    `json:"budget"`
	Dedup    string `json:"dedup"`
	Label    string `json:"label,omitempty"`
	// Batch is the number of proposals per batch when above 1 (see
	// [eval.BatchEvaluator]); results depend on it.
	Batch int `json:"batch,omitempty"`
	// Async is the number of candidates in flight of an asynchronous run
	// ([Run.RunAsync]), 0 for a synchronous one.
	Async int `json:"async,omitempty"`
	// Equivalence lists the space's declared equivalence rules (and
	// "function" for a Go EquivalenceFunc) when the run deduplicates by
	// them: a journal written under other rules is refused. Empty for the
	// built-in spaces.
	Equivalence string `json:"equivalence,omitempty"`
}

// Stop reasons.
var (
	// ErrExhausted reports that the run stopped before its budget because
	// every proposal was a repeat: the space has been fully explored.
	ErrExhausted = errors.New("search: space exhausted: every proposal is a repeat")
)

// Run is a search in progress. Drive it with Step (one trial at a time, e.g.
// from a notebook) or RunToEnd. A Run is not safe for concurrent use.
type Run struct {
	cfg     Config
	trials  []Trial
	cache   map[space.Arch]eval.Result
	replay  []Trial
	n       int
	free    int
	done    bool
	stopErr error
	started bool
	bestIdx int
	start   time.Time
	// queue holds proposals of the current batch, evaluated, awaiting commit.
	queue  []proposal
	askErr error
	// exact holds every architecture proposed so far; equivFree counts the
	// free answers to architectures never proposed before (equivalent to
	// an evaluated one under the space's Canonical).
	exact     map[space.Arch]bool
	equivFree int
}

// NewRun prepares a run; with a journal it reads the trials already there so
// that Step replays them before evaluating anything new.
func NewRun(cfg Config) (*Run, error) {
	if cfg.Strategy == nil || cfg.Evaluator == nil {
		return nil, errors.New("search: a run needs a strategy and an evaluator")
	}
	if cfg.Budget <= 0 {
		return nil, fmt.Errorf("search: budget must be positive, got %d", cfg.Budget)
	}
	if cfg.MaxFree <= 0 {
		var size int64
		if sp := cfg.Strategy.Space(); sp != nil {
			size = sp.Count()
		}
		cfg.MaxFree = ExhaustAfter(size)
	}
	r := &Run{cfg: cfg, cache: map[space.Arch]eval.Result{}, bestIdx: -1, start: time.Now(), exact: map[space.Arch]bool{}}
	if j := cfg.Journal; j != nil {
		h := r.header()
		hs := j.Kind("header")
		if len(hs) == 0 {
			if err := j.Append("header", h); err != nil {
				return nil, err
			}
		} else {
			var old Header
			if err := json.Unmarshal(hs[0], &old); err != nil {
				return nil, fmt.Errorf("search: journal %s: bad header: %w", j.Path(), err)
			}
			if old != h {
				return nil, fmt.Errorf("search: journal %s belongs to another run (%+v), not this one (%+v)", j.Path(), old, h)
			}
		}
		for i, raw := range j.Kind("trial") {
			var t Trial
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, fmt.Errorf("search: journal %s: trial record %d: %w", j.Path(), i+1, err)
			}
			t.Replayed = true
			r.replay = append(r.replay, t)
		}
	}
	return r, nil
}

func (r *Run) header() Header {
	return Header{Space: r.cfg.Strategy.Space().Name(), Strategy: r.cfg.Strategy.Name(), Seed: r.cfg.Seed,
		Budget: r.cfg.Budget, Dedup: r.cfg.Dedup.String(), Label: r.cfg.Label, Batch: r.batchHeader(), Async: r.cfg.Async,
		Equivalence: r.equivalenceHeader()}
}

func (r *Run) equivalenceHeader() string {
	sp := r.cfg.Strategy.Space()
	if r.cfg.Dedup != DedupCanonical || !sp.HasEquivalence() {
		return ""
	}
	var parts []string
	for _, rule := range sp.Rules() {
		parts = append(parts, rule.String())
	}
	if sp.HasEquivalenceFunc() {
		parts = append(parts, "function")
	}
	return strings.Join(parts, "; ")
}

// Config returns the run's configuration.
func (r *Run) Config() Config { return r.cfg }

// Trials returns the trials so far (shared; do not modify).
func (r *Run) Trials() []Trial { return r.trials }

// Evaluations returns the number of evaluations counted against the budget.
func (r *Run) Evaluations() int { return r.n }

// Budget returns the run's budget.
func (r *Run) Budget() int { return r.cfg.Budget }

// Elapsed returns the time since the run was created.
func (r *Run) Elapsed() time.Duration { return time.Since(r.start) }

// Done reports whether the run has stopped.
func (r *Run) Done() bool { return r.done }

// Err returns why the run stopped early (ErrExhausted, a context error), or nil.
func (r *Run) Err() error { return r.stopErr }

// Seen reports whether a (or, with canonical dedup, a functionally
// identical architecture) has been evaluated, so proposing it is free.
func (r *Run) Seen(a space.Arch) bool {
	_, ok := r.cache[r.key(a)]
	return ok
}

// EquivalentFree returns how many proposals were answered for free because a
// functionally equivalent architecture (same [space.Space.Canonical] form,
// under the space's built-in and declared equivalence) had already been
// evaluated; exact repeats are not counted. These are the evaluations that
// equivalence saved.
func (r *Run) EquivalentFree() int { return r.equivFree }

// FreeStreak returns how many consecutive trials were answered from the
// cache for free; a long streak means the current space is exhausted.
func (r *Run) FreeStreak() int { return r.free }

// Pending returns how many journaled trials are still to be replayed.
func (r *Run) Pending() int { return len(r.replay) }

// Incumbent returns the trial with the best validation score so far
// (earliest on ties) and false when there is none.
func (r *Run) Incumbent() (Trial, bool) {
	if r.bestIdx < 0 {
		return Trial{}, false
	}
	return r.trials[r.bestIdx], true
}

func (r *Run) key(a space.Arch) space.Arch {
	if r.cfg.Dedup == DedupCanonical {
		return r.cfg.Strategy.Space().Canonical(a)
	}
	return a
}

// Step proposes, evaluates (or answers from the cache or the journal), tells
// the strategy and records one trial. With an [eval.BatchEvaluator] of batch
// size B, the first Step of a batch proposes B candidates at once, evaluates
// them together, and this and the next Steps commit them one by one in
// proposal order. It returns the trial; after the run
// stops it returns an error (ErrExhausted, or the first hard error).
func (r *Run) Step(ctx context.Context) (Trial, error) {
	if r.done {
		if r.stopErr != nil {
			return Trial{}, r.stopErr
		}
		return Trial{}, errors.New("search: run already finished")
	}
	if !r.started {
		r.started = true
		if err := r.cfg.Hooks.start(r); err != nil {
			return Trial{}, r.stop(err)
		}
	}
	if len(r.queue) == 0 {
		if err := r.fill(ctx); err != nil {
			return Trial{}, r.stop(err)
		}
	}
	p := r.queue[0]
	r.queue = r.queue[1:]
	return r.commit(p)
}

// commit records one proposal whose result is known (evaluated, cached, a
// repeat of an earlier proposal, or replayed): budget, journal, strategy,
// incumbent, hooks and the stop conditions.
func (r *Run) commit(p proposal) (Trial, error) {
	t := p.t
	if !t.Replayed {
		if p.later {
			t.Result = r.cache[p.key]
		}
		if !t.Cached {
			r.cache[p.key] = t.Result
		}
		t.Counted = !t.Cached || r.cfg.Dedup == DedupCount
		t.Time = time.Now().UTC()
	} else if !t.Cached {
		r.cache[p.key] = t.Result
	}
	strat := r.cfg.Strategy
	a := t.Arch
	if t.Counted {
		r.n++
		r.free = 0
	} else {
		r.free++
	}
	t.N = r.n
	if t.Cached && !t.Counted && !r.exact[a] {
		r.equivFree++
	}
	r.exact[a] = true
	if r.cfg.Journal != nil && !t.Replayed {
		if err := r.cfg.Journal.Append("trial", t); err != nil {
			return Trial{}, r.stop(err)
		}
	}
	strat.Tell(Observation{Arch: a, Val: t.Result.Metrics.Val, OK: t.Result.Usable(), Free: !t.Counted})
	r.trials = append(r.trials, t)
	if t.Result.Usable() && (r.bestIdx < 0 || t.Result.Metrics.Val > r.trials[r.bestIdx].Result.Metrics.Val) {
		r.bestIdx = len(r.trials) - 1
	}
	if err := r.cfg.Hooks.OnTrial.Call("search.OnTrial", func(f func(*Run, Trial) error) error { return f(r, t) }); err != nil {
		return t, r.stop(err)
	}
	switch {
	case r.n >= r.cfg.Budget:
		r.finish(nil)
	case r.free >= r.cfg.MaxFree:
		r.finish(ErrExhausted)
	}
	return t, nil
}

func (r *Run) stop(err error) error {
	r.finish(err)
	if r.stopErr != nil {
		return r.stopErr // an OnEnd subscriber's error replaces err
	}
	return err
}

func (r *Run) finish(err error) {
	if r.done {
		return
	}
	r.done, r.stopErr = true, err
	if herr := r.cfg.Hooks.OnEnd.Call("search.OnEnd", func(f func(*Run, error) error) error { return f(r, err) }); herr != nil {
		r.stopErr = herr
	}
}

// RunToEnd steps until the budget is spent. Exhaustion of the space is not an
// error (see Err); a hard error or a cancelled context is returned.
func (r *Run) RunToEnd(ctx context.Context) error {
	for !r.done {
		if _, err := r.Step(ctx); err != nil {
			break
		}
	}
	if errors.Is(r.stopErr, ErrExhausted) {
		return nil
	}
	return r.stopErr
}

// Execute is NewRun followed by RunToEnd.
func Execute(ctx context.Context, cfg Config) (*Run, error) {
	r, err := NewRun(cfg)
	if err != nil {
		return nil, err
	}
	return r, r.RunToEnd(ctx)
}

// Curve returns, for evaluations 1..budget, the validation and test score of
// the incumbent (best validation so far) after that many counted
// evaluations. Entries before the first usable result are NaN; when the run
// stopped early, the last value is carried to the end of the budget. It
// allocates two slices as long as the budget: [Run.Steps] holds the same
// curves in memory independent of the budget.
func (r *Run) Curve() (val, test []float64) {
	return r.Steps().Dense()
}
