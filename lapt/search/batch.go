package search

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
)

// proposal is one proposed trial of the current batch, awaiting commit.
type proposal struct {
	t   Trial
	key space.Arch
	// later: a repeat of an earlier proposal of the same batch; its result
	// is that one's, read from the cache at commit.
	later bool
	// evaluate: a new architecture the evaluator must score.
	evaluate bool
}

// batchSize is the evaluator's batch size, 1 for a plain evaluator.
func (r *Run) batchSize() int {
	if be, ok := r.cfg.Evaluator.(eval.BatchEvaluator); ok && be.BatchSize() > 1 {
		return be.BatchSize()
	}
	return 1
}

func (r *Run) batchHeader() int {
	if b := r.batchSize(); b > 1 {
		return b
	}
	return 0
}

// fill proposes the next batch, answers what the journal, the cache or an
// earlier proposal of the batch knows, and evaluates the rest together. It
// stops proposing when the batch would spend the remaining budget or reach
// the free-repeat limit, exactly where a sequential run would stop.
func (r *Run) fill(ctx context.Context) error {
	if r.askErr != nil {
		return r.askErr
	}
	strat := r.cfg.Strategy
	k := r.batchSize()
	n, free := r.n, r.free
	first := map[space.Arch]bool{}
	var batch []proposal
	for i := 0; i < k; i++ {
		a, err := strat.Ask()
		if err != nil {
			err = fmt.Errorf("search: %s: %w", strat.Name(), err)
			if i == 0 {
				return err
			}
			r.askErr = err // after the proposals already made are committed
			break
		}
		p := proposal{t: Trial{Step: len(r.trials) + i + 1, Arch: a, Strategy: strat.Name(), Seed: r.cfg.Seed, Text: strat.Space().Format(a)}, key: r.key(a)}
		if len(r.replay) > 0 {
			old := r.replay[0]
			r.replay = r.replay[1:]
			if old.Arch != a || old.Step != p.t.Step {
				return fmt.Errorf("search: journal %s diverges at step %d: it recorded %s, the strategy proposes %s (was the code or the evaluator changed?)",
					r.cfg.Journal.Path(), p.t.Step, old.Text, strat.Space().Format(a))
			}
			p.t = old
			if !old.Cached {
				first[p.key] = true
			}
		} else if res, ok := r.cache[p.key]; ok {
			p.t.Result, p.t.Cached = res, true
		} else if first[p.key] {
			p.t.Cached, p.later = true, true
		} else {
			p.evaluate, first[p.key] = true, true
		}
		counted := p.evaluate || r.cfg.Dedup == DedupCount
		if p.t.Replayed {
			counted = p.t.Counted
		}
		if counted {
			n, free = n+1, 0
		} else {
			free++
		}
		batch = append(batch, p)
		if n >= r.cfg.Budget || free >= r.cfg.MaxFree {
			break
		}
	}
	var reqs []eval.Request
	var idx []int
	for i, p := range batch {
		if p.evaluate {
			reqs = append(reqs, eval.Request{Index: p.t.Step, Arch: p.t.Arch})
			idx = append(idx, i)
		}
	}
	if len(reqs) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := r.evaluate(ctx, reqs)
		if err != nil {
			return err
		}
		for j, i := range idx {
			batch[i].t.Result = res[j]
		}
	}
	r.queue = batch
	return nil
}

func (r *Run) evaluate(ctx context.Context, reqs []eval.Request) ([]eval.Result, error) {
	sp := r.cfg.Strategy.Space()
	if be, ok := r.cfg.Evaluator.(eval.BatchEvaluator); ok {
		res, err := be.EvaluateBatch(ctx, reqs)
		if err == nil && len(res) != len(reqs) {
			err = fmt.Errorf("%d results for %d candidates", len(res), len(reqs))
		}
		if err != nil {
			return nil, fmt.Errorf("search: evaluating a batch of %d from %s: %w", len(reqs), sp.Format(reqs[0].Arch), err)
		}
		return res, nil
	}
	out := make([]eval.Result, len(reqs))
	for i, q := range reqs {
		res, err := r.cfg.Evaluator.Evaluate(ctx, q.Arch)
		if err != nil {
			return nil, fmt.Errorf("search: evaluating %s: %w", sp.Format(q.Arch), err)
		}
		out[i] = res
	}
	return out, nil
}
