package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
)

// RunAsync drives the run asynchronously: up to cfg.Async candidates are
// evaluated at once, and a new one is proposed as soon as any finishes.
// Results are committed (told to the strategy, journaled, passed to the
// hooks) in the order they finish, so the run depends on timing: it is
// seeded and journaled, and a resumed run replays the journal's order
// exactly before going on, but two fresh runs may differ. Use batches
// ([eval.BatchEvaluator] with a fixed size, [Run.Step]) for results that do
// not depend on timing.
//
// Trial.Step numbers proposals, which are committed out of order. The
// evaluator receives each candidate as a batch of one with its step as index
// when it is an [eval.BatchEvaluator].
func (r *Run) RunAsync(ctx context.Context) error {
	k := r.cfg.Async
	if k < 1 {
		return fmt.Errorf("search: RunAsync needs Config.Async >= 1, got %d", k)
	}
	if r.started {
		return errors.New("search: RunAsync on a run already stepped")
	}
	r.started = true
	if err := r.cfg.Hooks.start(r); err != nil {
		return r.stop(err)
	}
	type done struct {
		step int
		res  eval.Result
		err  error
	}
	strat := r.cfg.Strategy
	results := make(chan done, k)
	evalCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := func(p *proposal) {
		go func() {
			res, err := r.evaluate(evalCtx, []eval.Request{{Index: p.t.Step, Arch: p.t.Arch}})
			d := done{step: p.t.Step, err: err}
			if err == nil {
				d.res = res[0]
			}
			results <- d
		}()
	}
	flying := map[int]*proposal{}         // by step: evaluating, or awaiting its journal record
	later := map[space.Arch][]*proposal{} // repeats of a flying architecture
	waiting := map[space.Arch]int{}       // flying step of a key
	var unstarted []*proposal             // asked during replay: evaluated once the journal runs out
	asked := 0
	popReplay := func(step int) (Trial, error) {
		old := r.replay[0]
		if old.Step != step {
			return Trial{}, fmt.Errorf("search: journal %s diverges: it recorded step %d next, the asynchronous run expects %d", r.cfg.Journal.Path(), old.Step, step)
		}
		r.replay = r.replay[1:]
		return old, nil
	}
	for !r.done {
		// Propose while a worker is free and budget is left.
		for !r.done && len(flying) < k && r.n+len(flying) < r.cfg.Budget {
			a, err := strat.Ask()
			if err != nil {
				return r.stop(fmt.Errorf("search: %s: %w", strat.Name(), err))
			}
			asked++
			p := &proposal{t: Trial{Step: asked, Arch: a, Strategy: strat.Name(), Seed: r.cfg.Seed, Text: strat.Space().Format(a)}, key: r.key(a)}
			if res, ok := r.cache[p.key]; ok {
				p.t.Result, p.t.Cached = res, true
				if len(r.replay) > 0 {
					old, err := popReplay(p.t.Step)
					if err != nil {
						return r.stop(err)
					}
					p.t = old
				}
				if _, err := r.commit(*p); err != nil {
					return err
				}
				continue
			}
			if _, ok := waiting[p.key]; ok {
				p.t.Cached, p.later = true, true
				later[p.key] = append(later[p.key], p)
				continue
			}
			flying[p.t.Step], waiting[p.key] = p, p.t.Step
			if len(r.replay) > 0 {
				unstarted = append(unstarted, p)
			} else {
				start(p)
			}
		}
		if len(flying) == 0 {
			break
		}
		var d done
		if len(r.replay) > 0 {
			old := r.replay[0]
			p, ok := flying[old.Step]
			if !ok || old.Cached {
				return r.stop(fmt.Errorf("search: journal %s diverges at step %d: it is not a candidate in flight (was the code or the evaluator changed?)", r.cfg.Journal.Path(), old.Step))
			}
			r.replay = r.replay[1:]
			if old.Arch != p.t.Arch {
				return r.stop(fmt.Errorf("search: journal %s diverges at step %d: it recorded %s, the strategy proposed %s", r.cfg.Journal.Path(), old.Step, old.Text, p.t.Text))
			}
			p.t = old
			d.step = old.Step
		} else {
			for _, p := range unstarted {
				if _, ok := flying[p.t.Step]; ok {
					start(p)
				}
			}
			unstarted = nil
			select {
			case d = <-results:
			case <-ctx.Done():
				return r.stop(ctx.Err())
			}
			if d.err != nil {
				return r.stop(d.err)
			}
			flying[d.step].t.Result = d.res
		}
		p := flying[d.step]
		delete(flying, d.step)
		delete(waiting, p.key)
		p.t.Time = time.Now().UTC()
		if _, err := r.commit(*p); err != nil {
			return err
		}
		for _, q := range later[p.key] {
			if r.done {
				break
			}
			if len(r.replay) > 0 {
				old, err := popReplay(q.t.Step)
				if err != nil {
					return r.stop(err)
				}
				q.t = old
			}
			if _, err := r.commit(*q); err != nil {
				return err
			}
		}
		delete(later, p.key)
	}
	if errors.Is(r.stopErr, ErrExhausted) {
		return nil
	}
	return r.stopErr
}
