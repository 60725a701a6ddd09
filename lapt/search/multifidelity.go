package search

import (
	"errors"
	"fmt"
	"sort"

	"github.com/nasnb/nasnb/lapt/space"
)

// Multi-fidelity scheduling: successive halving (synchronous) and ASHA
// (asynchronous successive halving, Li et al. 2020) over any [Strategy], with
// the training epochs as the fidelity.
//
// A [Scheduler] hands out [Job]s: either a new candidate (asked from the
// strategy) at the lowest rung, or the promotion of a candidate already
// evaluated at rung k to rung k+1. A promoted job continues the candidate's
// training from its checkpoint (the trainer's business; the job says from
// which fidelity). The strategy is told only results at one fidelity, the
// rung given by [MFConfig.TellRung] (default the lowest rung, which every
// candidate reaches), so what it learns is comparable between candidates;
// [Scheduler.ToldFidelity] says which fidelity that is, for reports.
// Failed or diverged results are recorded and never promoted.

// MFConfig configures a multi-fidelity scheduler.
type MFConfig struct {
	// Rungs are the fidelities (epochs) in increasing order, e.g. [12, 200].
	Rungs []int
	// Eta is the reduction factor: the top 1/Eta of a rung is promoted (default 3).
	Eta int
	// Synchronous selects successive halving: candidates come in brackets of
	// BracketSize; a rung is promoted only once all its jobs of the bracket
	// are reported. Otherwise ASHA: a candidate is promoted as soon as it is
	// in the top 1/Eta of the results reported at its rung so far.
	Synchronous bool
	// BracketSize is the number of new candidates per successive-halving
	// bracket (default Eta^(len(Rungs)-1)); ignored by ASHA.
	BracketSize int
	// TellRung is the rung whose results the strategy is told (default 0).
	TellRung int
}

// Job is one evaluation to run: Arch trained up to Fidelity epochs. When
// From > 0 the candidate was already trained for From epochs (rung Rung-1)
// and continues from its checkpoint.
type Job struct {
	Arch     space.Arch
	Rung     int
	Fidelity int
	From     int
	// ID numbers candidates in the order they were first asked (0-based).
	ID int
}

// ErrWait is returned by [Scheduler.Next] in successive-halving mode when no
// job can start until pending jobs are reported.
var ErrWait = errors.New("search: multi-fidelity scheduler waits for pending results")

type mfCand struct {
	arch     space.Arch
	id       int
	bracket  int
	vals     []float64 // per rung reached; NaN-free only for ok results
	ok       []bool
	promoted []bool // promoted out of rung k
	pending  bool
}

// Scheduler is a successive-halving or ASHA scheduler; it is not safe for
// concurrent use (executors call it from one goroutine).
type Scheduler struct {
	cfg     MFConfig
	strat   Strategy
	cands   []*mfCand
	byRung  [][]*mfCand // candidates with a reported result at rung k, best first
	brRung  [][]*mfCand // same, current bracket only (successive halving)
	brCands []*mfCand   // candidates of the current bracket
	bracket int         // current bracket (successive halving)
	inBr    int         // candidates asked in the current bracket
	cost    float64     // epochs trained in all (new epochs only)
}

// NewScheduler returns a scheduler driving strat over the rungs of cfg.
func NewScheduler(strat Strategy, cfg MFConfig) (*Scheduler, error) {
	if strat == nil {
		return nil, fmt.Errorf("search: multi-fidelity scheduler needs a strategy")
	}
	if len(cfg.Rungs) == 0 {
		return nil, fmt.Errorf("search: multi-fidelity scheduler needs at least one rung")
	}
	for i, r := range cfg.Rungs {
		if r <= 0 || (i > 0 && r <= cfg.Rungs[i-1]) {
			return nil, fmt.Errorf("search: rungs must be positive and increasing, got %v", cfg.Rungs)
		}
	}
	if cfg.Eta == 0 {
		cfg.Eta = 3
	}
	if cfg.Eta < 2 {
		return nil, fmt.Errorf("search: eta must be >= 2, got %d", cfg.Eta)
	}
	if cfg.TellRung < 0 || cfg.TellRung >= len(cfg.Rungs) {
		return nil, fmt.Errorf("search: tell rung %d out of range (0..%d)", cfg.TellRung, len(cfg.Rungs)-1)
	}
	if cfg.BracketSize == 0 {
		cfg.BracketSize = 1
		for range len(cfg.Rungs) - 1 {
			cfg.BracketSize *= cfg.Eta
		}
	}
	if cfg.BracketSize < 1 {
		return nil, fmt.Errorf("search: bracket size must be positive, got %d", cfg.BracketSize)
	}
	return &Scheduler{cfg: cfg, strat: strat, byRung: make([][]*mfCand, len(cfg.Rungs)), brRung: make([][]*mfCand, len(cfg.Rungs))}, nil
}

// Space returns the space its strategy proposes from now.
func (s *Scheduler) Space() *space.Space { return s.strat.Space() }

// Config returns the configuration with defaults filled in.
func (s *Scheduler) Config() MFConfig { return s.cfg }

// Name describes the scheduler, e.g. "asha(rungs=12,200,eta=3)+rea(p=10,s=3)".
func (s *Scheduler) Name() string {
	kind := "asha"
	if s.cfg.Synchronous {
		kind = "sh"
	}
	r := ""
	for i, x := range s.cfg.Rungs {
		if i > 0 {
			r += ","
		}
		r += fmt.Sprint(x)
	}
	return fmt.Sprintf("%s(rungs=%s,eta=%d)+%s", kind, r, s.cfg.Eta, s.strat.Name())
}

// ToldFidelity is the fidelity (epochs) of the results the strategy sees.
func (s *Scheduler) ToldFidelity() int { return s.cfg.Rungs[s.cfg.TellRung] }

// Epochs is the number of training epochs handed out so far (a promoted job
// counts only the epochs it adds).
func (s *Scheduler) Epochs() float64 { return s.cost }

// Next returns the next job. In successive-halving mode it returns ErrWait
// when the current rung of the bracket has pending jobs.
func (s *Scheduler) Next() (Job, error) {
	if c, k := s.promotable(); c != nil {
		c.promoted[k] = true
		c.pending = true
		from, to := s.cfg.Rungs[k], s.cfg.Rungs[k+1]
		s.cost += float64(to - from)
		return Job{Arch: c.arch, Rung: k + 1, Fidelity: to, From: from, ID: c.id}, nil
	}
	if s.cfg.Synchronous && s.inBr >= s.cfg.BracketSize {
		if s.bracketBusy() {
			return Job{}, ErrWait
		}
		s.bracket++
		s.inBr = 0
		s.brCands = s.brCands[:0]
		for k := range s.brRung {
			s.brRung[k] = s.brRung[k][:0]
		}
	}
	a, err := s.strat.Ask()
	if err != nil {
		return Job{}, err
	}
	c := &mfCand{arch: a, id: len(s.cands), bracket: s.bracket, pending: true}
	s.cands = append(s.cands, c)
	s.brCands = append(s.brCands, c)
	s.inBr++
	s.cost += float64(s.cfg.Rungs[0])
	return Job{Arch: a, Rung: 0, Fidelity: s.cfg.Rungs[0], ID: c.id}, nil
}

// bracketBusy reports whether the current bracket still has pending jobs.
func (s *Scheduler) bracketBusy() bool {
	for _, c := range s.brCands {
		if c.pending {
			return true
		}
	}
	return false
}

// promotable finds a candidate to promote, from the highest rung down.
func (s *Scheduler) promotable() (*mfCand, int) {
	for k := len(s.cfg.Rungs) - 2; k >= 0; k-- {
		pool := s.byRung[k] // sorted, best first
		if s.cfg.Synchronous {
			// Only the current bracket, once all its jobs at rung k are in.
			if s.rungBusy(k) {
				continue
			}
			pool = s.brRung[k]
		}
		top := len(pool) / s.cfg.Eta
		for _, c := range pool[:top] {
			if c.ok[k] && !c.promoted[k] && !c.pending {
				return c, k
			}
		}
	}
	return nil, 0
}

// rungBusy reports whether a candidate of the current bracket is pending at or
// below rung k, or the bracket has not asked all its candidates yet.
func (s *Scheduler) rungBusy(k int) bool {
	if s.inBr < s.cfg.BracketSize {
		return true
	}
	for _, c := range s.brCands {
		if c.pending && len(c.vals) <= k {
			return true
		}
	}
	return false
}

// insertRanked inserts c into the sorted (best first) list at rung k.
func insertRanked(list []*mfCand, c *mfCand, k int) []*mfCand {
	i := sort.Search(len(list), func(i int) bool { return better(c, list[i], k) })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = c
	return list
}

// better orders candidates at rung k: usable results first, then by score,
// then by age (older first) for determinism.
func better(a, b *mfCand, k int) bool {
	if a.ok[k] != b.ok[k] {
		return a.ok[k]
	}
	if a.vals[k] != b.vals[k] {
		return a.vals[k] > b.vals[k]
	}
	return a.id < b.id
}

// Report records the result of a job: val is the validation score at the
// job's fidelity, ok false for a failed or diverged training (never
// promoted). The strategy is told results at [MFConfig.TellRung] only.
func (s *Scheduler) Report(j Job, val float64, ok bool) error {
	if j.ID < 0 || j.ID >= len(s.cands) {
		return fmt.Errorf("search: report for unknown candidate %d", j.ID)
	}
	c := s.cands[j.ID]
	if !c.pending || len(c.vals) != j.Rung {
		return fmt.Errorf("search: unexpected report for candidate %d at rung %d", j.ID, j.Rung)
	}
	c.pending = false
	c.vals = append(c.vals, val)
	c.ok = append(c.ok, ok)
	c.promoted = append(c.promoted, false)
	s.byRung[j.Rung] = insertRanked(s.byRung[j.Rung], c, j.Rung)
	if c.bracket == s.bracket {
		s.brRung[j.Rung] = insertRanked(s.brRung[j.Rung], c, j.Rung)
	}
	if j.Rung == s.cfg.TellRung {
		s.strat.Tell(Observation{Arch: c.arch, Val: val, OK: ok})
	} else if j.Rung < s.cfg.TellRung && !ok {
		// A candidate that failed below the told rung never reaches it: the
		// strategy still learns that it failed.
		s.strat.Tell(Observation{Arch: c.arch, OK: false})
	}
	return nil
}

// Best returns the best usable result at the highest rung reached by any
// candidate: the architecture, its rung and score; ok false when none.
func (s *Scheduler) Best() (a space.Arch, rung int, val float64, ok bool) {
	for k := len(s.cfg.Rungs) - 1; k >= 0; k-- {
		for _, c := range s.byRung[k] {
			if c.ok[k] && (!ok || c.vals[k] > val) {
				a, rung, val, ok = c.arch, k, c.vals[k], true
			}
		}
		if ok {
			return
		}
	}
	return
}
