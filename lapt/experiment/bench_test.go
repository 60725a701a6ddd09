package experiment_test

import (
	"context"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// BenchmarkREA1000x100 is the foundation's speed target: 1,000 seeds x 100
// evaluations of regularized evolution on NB201 CIFAR-10 (table loaded once,
// outside the timer).
func BenchmarkREA1000x100(b *testing.B) {
	dir := datatest.Dir(b)
	task, err := tabular.Open(dir, "nb201", "cifar10", 200)
	if err != nil {
		b.Fatal(err)
	}
	seeds, _ := experiment.ParseSeeds("0-999")
	proc := func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
		st, _ := search.NewEvolution(task.Space, seed, search.EvolutionConfig{Population: 10, Tournament: 3})
		r, err := search.Execute(ctx, search.Config{Strategy: st, Evaluator: task.Table, Budget: 100, Seed: seed})
		if err != nil {
			return experiment.Outcome{}, err
		}
		v, t := r.Curve()
		return experiment.Outcome{Val: v, Test: t, Evaluations: r.Evaluations()}, nil
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := experiment.RunSeeds(context.Background(), seeds, 0, proc, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100_000)/b.Elapsed().Seconds(), "evals/s")
}

// BenchmarkTableLookup measures single evaluations through the table evaluator.
func BenchmarkTableLookup(b *testing.B) {
	dir := datatest.Dir(b)
	task, err := tabular.Open(dir, "nb201", "cifar10", 200)
	if err != nil {
		b.Fatal(err)
	}
	archs := task.Table.Archs()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		task.Table.Evaluate(ctx, archs[i%len(archs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}
