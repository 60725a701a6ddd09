package experiment_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nasnb/nasnb/lapt/experiment"
)

// A failing seed is recorded in its outcome; the other seeds run on.
func ExampleRunSeedsKeepGoing() {
	run := func(_ context.Context, seed uint64) (experiment.Outcome, error) {
		if seed == 1 {
			return experiment.Outcome{}, errors.New("endpoint unreachable")
		}
		return experiment.Outcome{Evaluations: 10}, nil
	}
	outs, _ := experiment.RunSeedsKeepGoing(context.Background(), []uint64{0, 1, 2}, 1, run, nil)
	ok, failed := experiment.Split(outs)
	fmt.Println(len(ok), "ok;", len(failed), "failed: seed", failed[0].Seed, "-", failed[0].Error)
	// Output: 2 ok; 1 failed: seed 1 - endpoint unreachable
}
