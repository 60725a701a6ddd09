package search

import (
	"math"

	"github.com/nasnb/nasnb/lapt/curve"
)

// Steps returns the run's best-so-far curves ([Run.Curve]) in compact form:
// over evaluations 1..budget, the incumbent's validation and test score,
// stored only where it changes. Its size depends on the trials made, not on
// the budget, so a huge budget on a space that is exhausted early costs no
// memory; Steps().Dense() equals Curve().
func (r *Run) Steps() curve.Steps {
	s := curve.Steps{Len: r.cfg.Budget}
	bv, bt := math.NaN(), math.NaN()
	n := 0
	for _, t := range r.trials {
		if t.Result.Usable() && (math.IsNaN(bv) || t.Result.Metrics.Val > bv) {
			bv, bt = t.Result.Metrics.Val, t.Result.Metrics.Test
		}
		if t.Counted && t.N <= r.cfg.Budget {
			n = t.N
			s.Add(n, bv, bt)
		}
	}
	// A run that stopped early carries its last incumbent to the end.
	s.Add(n+1, bv, bt)
	return s
}
