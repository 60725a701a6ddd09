package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// Multi-fidelity transfer: with [Config.Fidelity] set, the search inside the
// refined space is driven by a [search.Scheduler] (successive halving or
// ASHA, epochs as the fidelity) instead of one evaluation per candidate.
//
// The evolution, the escape hatch and the adaptation see only results at the
// told fidelity ([search.Scheduler.ToldFidelity], the rung
// [Fidelity.TellRung], by default the lowest, which every candidate
// reaches): the reasoner's [reason.AdaptRequest.Found] (and so
// [reason.TargetEvidence]) is built from those results alone, so scores of
// different training lengths are never mixed. Every [Event] names the
// fidelity it saw, and [Result.Fidelity] holds every job with its rung and
// fidelity. The journal records each paid job (kind "mf-trial") with its
// architecture, rung, fidelity and the fidelity it continued from; a resumed
// run replays them through a fresh scheduler and continues exactly where it
// stopped, asking neither the evaluator nor the reasoner again.
//
// Counting: [Schedule.Budget] counts paid jobs at every rung (a promotion
// is one job); a job whose architecture (canonical form, unless Dedup says
// otherwise) was already evaluated at that fidelity is answered from the
// cache for free. Adaptation checks are due after Population + Warmup
// distinct results at the told fidelity, then every AdaptEvery of them;
// [Event.Evaluations] and [reason.AdaptRequest.Evaluations] are paid jobs,
// AdaptRequest.Budget is Schedule.Budget. The escape hatch opens when every
// architecture of the space in force has a told result.

// Fidelity configures multi-fidelity scheduling inside the transfer loop.
type Fidelity struct {
	// Rungs are the fidelities (epochs) in increasing order, e.g. [12, 200].
	Rungs []int `json:"rungs"`
	// Eta is the reduction factor (default 3).
	Eta int `json:"eta,omitempty"`
	// Synchronous selects successive halving; otherwise ASHA.
	Synchronous bool `json:"synchronous,omitempty"`
	// TellRung is the rung whose results the search and the reasoner see
	// (default 0, the lowest).
	TellRung int `json:"tell_rung,omitempty"`
}

// FidelityEvaluator evaluates candidates at a chosen fidelity; a transfer
// run with [Config.Fidelity] needs its Target to implement it.
type FidelityEvaluator interface {
	eval.Evaluator
	// EvaluateAt evaluates a trained to fidelity epochs. When from > 0 the
	// candidate was already trained for from epochs and continues from its
	// checkpoint. Errors follow [eval.Evaluator]: a candidate that fails is
	// a Result, an error stops the run.
	EvaluateAt(ctx context.Context, a space.Arch, fidelity, from int) (eval.Result, error)
}

// Fidelities is a [FidelityEvaluator] over one evaluator per fidelity, e.g.
// tabular benchmarks at 12 and 200 epochs (a lookup each: from is ignored).
type Fidelities map[int]eval.Evaluator

// EvaluateAt implements FidelityEvaluator.
func (f Fidelities) EvaluateAt(ctx context.Context, a space.Arch, fidelity, from int) (eval.Result, error) {
	e, ok := f[fidelity]
	if !ok || e == nil {
		return eval.Result{}, fmt.Errorf("transfer: no evaluator for fidelity %d", fidelity)
	}
	r, err := e.Evaluate(ctx, a)
	if err == nil {
		r.Metrics.Fidelity = fidelity
	}
	return r, err
}

// Evaluate implements eval.Evaluator at the highest fidelity.
func (f Fidelities) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	top := math.MinInt
	for k := range f {
		top = max(top, k)
	}
	return f.EvaluateAt(ctx, a, top, 0)
}

// FidelityTrial is one job of a multi-fidelity transfer run.
type FidelityTrial struct {
	// Job is the scheduler's job: candidate, rung, fidelity, continued from.
	Job search.Job `json:"job"`
	// Text is the architecture's text form.
	Text string `json:"text"`
	// Result is the evaluation at Job.Fidelity (or the cached one).
	Result eval.Result `json:"result"`
	// Cached is true when the result came from an earlier job.
	Cached bool `json:"cached,omitempty"`
	// Counted is true when the job consumed budget.
	Counted bool `json:"counted"`
	// N is the number of paid jobs so far, this one included.
	N int `json:"n"`
	// Replayed is true when the job was read back from the journal (not stored).
	Replayed bool `json:"-"`
}

// FidelityRun is the multi-fidelity part of a [Result].
type FidelityRun struct {
	// Scheduler names the scheduler, e.g. "sh(rungs=12,200,eta=3)+rea(p=5,s=2)".
	Scheduler string `json:"scheduler"`
	// Rungs are the fidelities; ToldFidelity the one the search and the
	// reasoner were told.
	Rungs        []int `json:"rungs"`
	ToldFidelity int   `json:"told_fidelity"`
	// Trials are every job, cached ones included, in order.
	Trials []FidelityTrial `json:"trials"`
	// Epochs is the number of training epochs paid (a promotion pays only
	// the epochs it adds).
	Epochs int `json:"epochs"`
}

// Best returns the best usable trial at the highest fidelity any usable
// trial reached (earliest on ties) and false when there is none.
func (f *FidelityRun) Best() (FidelityTrial, bool) {
	var best FidelityTrial
	ok := false
	for _, t := range f.Trials {
		if !t.Result.Usable() {
			continue
		}
		fid, val := t.Job.Fidelity, t.Result.Metrics.Val
		if !ok || fid > best.Job.Fidelity || (fid == best.Job.Fidelity && val > best.Result.Metrics.Val) {
			best, ok = t, true
		}
	}
	return best, ok
}

// validate checks a fidelity configuration against the target.
func (f *Fidelity) validate(target eval.Evaluator) error {
	if _, ok := target.(FidelityEvaluator); !ok {
		return errors.New("transfer: a multi-fidelity run needs a target that implements transfer.FidelityEvaluator (see transfer.Fidelities)")
	}
	_, err := search.NewScheduler(search.NewRandom(nil, 0), f.mf())
	return err
}

func (f *Fidelity) mf() search.MFConfig {
	return search.MFConfig{Rungs: slices.Clone(f.Rungs), Eta: f.Eta, Synchronous: f.Synchronous, TellRung: f.TellRung}
}

type fidKey struct {
	arch space.Arch
	fid  int
}

// runFidelity is the search and adaptation part of [Run] under a
// multi-fidelity scheduler; sub is the space of the first principles.
func (l *loop) runFidelity(ctx context.Context, sub *space.Space, original principles.Set) (*Result, error) {
	cfg := l.cfg
	sch := cfg.Schedule
	root := cfg.Space
	fe := cfg.Target.(FidelityEvaluator) // checked by defaults
	evo, err := search.NewEvolution(sub, cfg.Seed, search.EvolutionConfig{Population: sch.Population, Tournament: sch.Tournament})
	if err != nil {
		return nil, err
	}
	strat := newEscaper(evo, root, cfg.Seed, sch.Population, sch.Tournament)
	strat.off = sch.NoAdapt
	strat.pref = func() [][]int { return l.current().Preference }
	sched, err := search.NewScheduler(strat, cfg.Fidelity.mf())
	if err != nil {
		return nil, err
	}
	mfc := sched.Config()
	tellRung, told := mfc.TellRung, sched.ToldFidelity()
	fr := &FidelityRun{Scheduler: sched.Name(), Rungs: slices.Clone(mfc.Rungs), ToldFidelity: told}
	l.res.Fidelity = fr
	l.told = told
	defer func() { l.res.Escapes = strat.escapes }()

	key := func(a space.Arch) space.Arch {
		if cfg.Dedup == search.DedupCanonical {
			return root.Canonical(a)
		}
		return a
	}
	cache := map[fidKey]eval.Result{}
	paid := map[space.Arch]int{} // epochs trained per architecture
	// trained is the architecture actually evaluated for each key: a
	// functionally identical repeat is promoted by continuing that one's
	// checkpoint.
	trained := map[space.Arch]space.Arch{}
	var toldFound []reason.Scored
	nTold := 0
	strat.seen = func(a space.Arch) bool { _, ok := cache[fidKey{key(a), told}]; return ok }
	strat.evals = func() int { return nTold }

	var replay []FidelityTrial
	if j := cfg.Journal; j != nil {
		for i, raw := range j.Kind("mf-trial") {
			var t FidelityTrial
			if err := json.Unmarshal(raw, &t); err != nil {
				return l.res, fmt.Errorf("transfer: journal %s: mf-trial record %d: %w", j.Path(), i+1, err)
			}
			t.Replayed = true
			replay = append(replay, t)
		}
	}

	n, free := 0, 0
	lastBest, bestTold := math.Inf(-1), math.Inf(-1)
	checkAt := sch.Population + max(sch.Warmup, 0)
	baselineSet := false
	seen := map[string]bool{fmt.Sprint(original.Allowed): true}
	freeMark, fellBack := 0, false
	for n < sch.Budget {
		if err := ctx.Err(); err != nil && len(replay) == 0 {
			return l.res, err
		}
		job, err := sched.Next()
		if err != nil {
			if errors.Is(err, search.ErrWait) {
				return l.res, fmt.Errorf("transfer: multi-fidelity scheduler waits with no job pending (bug): %w", err)
			}
			return l.res, fmt.Errorf("transfer: multi-fidelity scheduler: %w", err)
		}
		text := root.Format(job.Arch)
		k := fidKey{key(job.Arch), job.Fidelity}
		tr := FidelityTrial{Job: job, Text: text}
		if r, ok := cache[k]; ok {
			tr.Result, tr.Cached, tr.Counted = r, true, cfg.Dedup == search.DedupCount
		} else {
			if len(replay) > 0 {
				rec := replay[0]
				replay = replay[1:]
				if rec.Text != text || rec.Job.Rung != job.Rung || rec.Job.Fidelity != job.Fidelity || rec.Job.From != job.From {
					return l.res, fmt.Errorf("transfer: journal %s diverges: job %d was %s at %d epochs (from %d), the run asks %s at %d epochs (from %d)",
						cfg.Journal.Path(), len(fr.Trials)+1, rec.Text, rec.Job.Fidelity, rec.Job.From, text, job.Fidelity, job.From)
				}
				tr.Result, tr.Replayed = rec.Result, true
			} else {
				a, ok := trained[k.arch]
				if !ok {
					a = job.Arch
				}
				r, err := fe.EvaluateAt(ctx, a, job.Fidelity, job.From)
				if err != nil {
					return l.res, fmt.Errorf("transfer: evaluating %s at %d epochs: %w", text, job.Fidelity, err)
				}
				if r.Metrics.Fidelity == 0 {
					r.Metrics.Fidelity = job.Fidelity
				}
				tr.Result = r
			}
			tr.Counted = true
			cache[k] = tr.Result
			if _, ok := trained[k.arch]; !ok {
				trained[k.arch] = job.Arch
			}
			if job.Fidelity > paid[k.arch] {
				fr.Epochs += job.Fidelity - paid[k.arch]
				paid[k.arch] = job.Fidelity
			}
		}
		if tr.Counted {
			n++
		}
		tr.N = n
		if !tr.Replayed && !tr.Cached && cfg.Journal != nil {
			if err := cfg.Journal.Append("mf-trial", tr); err != nil {
				return l.res, err
			}
		}
		fr.Trials = append(fr.Trials, tr)
		if err := cfg.Hooks.OnJob.Call("transfer.OnJob", func(f func(FidelityTrial) error) error { return f(tr) }); err != nil {
			return l.res, err
		}
		if err := sched.Report(job, tr.Result.Metrics.Val, tr.Result.Usable()); err != nil {
			return l.res, err
		}
		if tr.Cached {
			free++
		} else {
			free = 0
		}
		newTold := job.Rung == tellRung && !tr.Cached
		if newTold {
			nTold++
			if tr.Result.Usable() {
				toldFound = append(toldFound, reason.Scored{Arch: job.Arch, Text: text, Score: tr.Result.Metrics.Val})
				bestTold = max(bestTold, tr.Result.Metrics.Val)
			}
		}
		if !baselineSet && nTold >= sch.Population {
			lastBest, baselineSet = bestTold, true
		}
		if free == 0 {
			freeMark = 0
		}
		exhausted := free-freeMark >= sch.ExhaustAfter
		if exhausted && (fellBack || sch.NoAdapt) {
			break // the space in force yields nothing new
		}
		if sch.NoAdapt || fellBack || n >= sch.Budget {
			continue
		}
		due := newTold && nTold >= checkAt
		if !exhausted && !due {
			continue
		}
		improved := bestTold > lastBest && !exhausted
		trig := TriggerAdapt
		if exhausted {
			trig = TriggerExhausted
		}
		fb, err := l.adaptSpace(ctx, strat, trig, n, improved, exhausted, seen, func(cur principles.Set) reason.AdaptRequest {
			return reason.AdaptRequest{Space: root, Original: original, Current: cur, Improved: improved,
				Found: sortedFound(toldFound), TopK: sch.AdaptTopK, MaxOpsPerEdge: sch.MaxOpsPerEdge, Evaluations: n, Budget: sch.Budget,
				Exhausted: exhausted, Conversation: l.res.Conversation}
		})
		if err != nil {
			return l.res, fmt.Errorf("transfer: adaptation after %d results at %d epochs: %w", nTold, told, err)
		}
		if l.hookErr != nil {
			return l.res, l.hookErr
		}
		fellBack = fellBack || fb
		lastBest = bestTold
		freeMark = free
		for checkAt <= nTold {
			checkAt += sch.AdaptEvery
		}
	}
	return l.res, nil
}

// sortedFound returns the told results best first (stable: earlier first on ties).
func sortedFound(found []reason.Scored) []reason.Scored {
	out := slices.Clone(found)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}
