// Package tabular opens benchmark tasks: a search space, a table evaluator
// over a tabular benchmark, and the task's reference points (its best
// architecture by validation and the top-0.1% threshold) in one value.
package tabular

import (
	"fmt"
	"math"
	"strings"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/datasets/nb201"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

// Task is one benchmark task ready to search.
type Task struct {
	// Name is "<space>/<task>@<fidelity>", e.g. "nb201/cifar10@200" (no
	// "@..." when the table has no fidelity).
	Name string
	// Space is the space to search. For benchmarks that cover only part of
	// their space (samples) it is limited to the covered architectures.
	Space *space.Space
	// Table answers evaluations.
	Table *eval.Table
	// Best is the best architecture by validation score, and its entry.
	Best      space.Arch
	BestEntry bench.Entry
	// Threshold is the validation score of the top-0.1% (at least the
	// 1/1000 best, rounded up).
	Threshold float64
}

// Open opens a task: spaceName "nb201" (datasets cifar10, cifar100,
// imagenet16-120; fidelity 200 or 12) or "transnas-micro" (tasks of the
// zero-cost sample; fidelity ignored), with benchmark files under dataDir.
func Open(dataDir, spaceName, task string, fidelity int) (*Task, error) {
	switch strings.ToLower(spaceName) {
	case "nb201", "nasbench201", "nas-bench-201":
		if fidelity == 0 {
			fidelity = 200
		}
		t, err := nb201.Load(dataDir, task, fidelity)
		if err != nil {
			return nil, err
		}
		return FromTable(space.NB201(), t)
	case "transnas-micro", "transnas", "tnb101-micro":
		return openTransNAS(dataDir, task)
	}
	return nil, fmt.Errorf("tabular: unknown space %q (want nb201 or transnas-micro)", spaceName)
}

// FromTable builds a task from a space and a benchmark table. When the table
// does not cover the whole space, the task's space is limited to the
// architectures it covers, so a search never proposes one it cannot score.
func FromTable(sp *space.Space, t *bench.Table) (*Task, error) {
	ev, err := eval.NewTable(sp, t)
	if err != nil {
		return nil, err
	}
	tsp := sp
	if int64(t.Len()) < sp.Count() {
		if tsp, err = sp.LimitTo(ev.Archs()); err != nil {
			return nil, err
		}
	}
	if t.Count(true) == 0 {
		return nil, fmt.Errorf("tabular: table %s has no validation scores", t.Source())
	}
	best := t.Best(true)
	ba, err := sp.Parse(best.Arch)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s/%s", sp.Name(), t.Task())
	if t.Fidelity() > 0 {
		name += fmt.Sprintf("@%d", t.Fidelity())
	}
	return &Task{
		Name:      name,
		Space:     tsp,
		Table:     ev,
		Best:      ba,
		BestEntry: best,
		Threshold: t.Threshold(0.001, true),
	}, nil
}

// Evidence returns the task's architectures with validation scores, best
// first, as a reasoner may see them. Use it only for source tasks: handing
// a target's evidence to a reasoner would leak what the search must pay for.
func (t *Task) Evidence() reason.Evidence {
	metric := "val" // a results file has no fidelity
	if f := t.Table.Bench().Fidelity(); f > 0 {
		metric = fmt.Sprintf("val@%d", f)
	}
	ev := reason.Evidence{Task: t.Table.Bench().Task(), Metric: metric}
	sp := t.Table.Space()
	for _, e := range t.Table.Bench().Entries() {
		if !e.HasVal || math.IsNaN(e.Val) {
			continue
		}
		a, err := sp.Parse(e.Arch)
		if err != nil {
			continue
		}
		ev.Archs = append(ev.Archs, reason.Scored{Arch: a, Text: e.Arch, Score: e.Val})
	}
	ev.Sort()
	return ev
}
