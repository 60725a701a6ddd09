package search_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// Two subscribers on one run: one prints every new best, the other stops the
// run once a score is good enough. The run's error names the subscriber that
// stopped it.
func ExampleHooks() {
	sp := space.NB201()
	score := eval.Func(func(_ context.Context, a space.Arch) (eval.Result, error) {
		v := 0.0
		for i := 0; i < a.Len(); i++ {
			v += float64(a.Op(i))
		}
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: v}}, nil
	})
	st, err := search.New("rea", sp, 1, search.EvolutionConfig{Population: 10, Tournament: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	errGoodEnough := errors.New("good enough")
	var h search.Hooks
	best := -1.0
	h.OnTrial.Add("print-best", 0, func(r *search.Run, t search.Trial) error {
		if t.Result.Metrics.Val > best {
			best = t.Result.Metrics.Val
			fmt.Printf("trial %d: new best %.0f\n", t.N, best)
		}
		return nil
	})
	h.OnTrial.Add("stop", 1, func(r *search.Run, t search.Trial) error {
		if t.Result.Metrics.Val >= 22 {
			return errGoodEnough
		}
		return nil
	})
	_, err = search.Execute(context.Background(), search.Config{Strategy: st, Evaluator: score, Budget: 100, Seed: 1, Hooks: h})
	fmt.Println("stopped:", err, errors.Is(err, errGoodEnough))
	// Output:
	// trial 1: new best 19
	// trial 26: new best 23
	// stopped: search.OnTrial subscriber "stop": good enough true
}
