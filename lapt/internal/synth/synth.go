// Package synth builds seeded synthetic benchmark tasks for tests that must
// run without the benchmark files: NB201-shaped tables whose scores are a sum
// of per-edge op weights (a part shared by all tasks plus a task-specific
// part) and noise, so sources carry real but imperfect signal about targets.
package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// NB201Tasks returns n synthetic tasks over the whole NB201 space (15,625
// architectures), named synth0, synth1, ...; the same seed gives the same
// tables.
func NB201Tasks(n int, seed uint64) ([]*tabular.Task, error) {
	sp := space.NB201()
	r := rand.New(rand.NewPCG(seed, 1))
	nOps := len(sp.Ops())
	shared := make([][]float64, sp.NumEdges())
	for e := range shared {
		shared[e] = make([]float64, nOps)
		for op := range shared[e] {
			shared[e][op] = r.NormFloat64()
		}
	}
	archs, err := sp.All(20000)
	if err != nil {
		return nil, err
	}
	var out []*tabular.Task
	for k := 0; k < n; k++ {
		own := make([][]float64, sp.NumEdges())
		for e := range own {
			own[e] = make([]float64, nOps)
			for op := range own[e] {
				own[e][op] = 0.6 * r.NormFloat64()
			}
		}
		entries := make([]bench.Entry, 0, len(archs))
		for i, a := range archs {
			s := 0.0
			for e := 0; e < sp.NumEdges(); e++ {
				s += shared[e][a.Op(e)] + own[e][a.Op(e)]
			}
			s += 0.3 * r.NormFloat64()
			entries = append(entries, bench.Entry{Arch: sp.Format(a), Index: i, Val: 80 + s, Test: 80 + s + 0.1*r.NormFloat64(), HasVal: true, HasTest: true})
		}
		tb, err := bench.NewTable("nb201", fmt.Sprintf("synth%d", k), 200, "synthetic", entries)
		if err != nil {
			return nil, err
		}
		task, err := tabular.FromTable(sp, tb)
		if err != nil {
			return nil, err
		}
		out = append(out, task)
	}
	return out, nil
}
