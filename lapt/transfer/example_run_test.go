package transfer_test

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// A LAPT run from one source task to a target, with two subscribers: one
// prints the first principle version as it comes into force (later ones are
// adaptations), the other counts the search's trials. The tasks are
// synthetic NB201 tables.
func ExampleRun() {
	tasks, err := synth.NB201Tasks(2, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	src, tgt := tasks[0], tasks[1]
	var hooks transfer.Hooks
	hooks.OnPrinciples.Add("print", 0, func(ev transfer.Event) error {
		if ev.Trigger == transfer.TriggerLearn {
			fmt.Printf("v%d (%s after %d evaluations): %d archs\n", ev.Set.Version, ev.Trigger, ev.Evaluations, ev.Report.SizeAfter)
		}
		return nil
	})
	trials := 0
	hooks.Search.OnTrial.Add("count", 0, func(*search.Run, search.Trial) error { trials++; return nil })
	res, err := transfer.Run(context.Background(), transfer.Config{
		Space:    tgt.Space,
		Sources:  []reason.Evidence{src.Evidence()},
		Target:   tgt.Table,
		Reasoner: offline.New(),
		Schedule: transfer.Schedule{Budget: 60},
		Seed:     3,
		Hooks:    hooks,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	inc, _ := res.Run.Incumbent()
	fmt.Printf("%d evaluations in %d trials or more: %v\n", res.Run.Evaluations(), res.Run.Evaluations(), trials >= res.Run.Evaluations())
	fmt.Printf("best within 2 of the target optimum: %v\n", tgt.BestEntry.Val-inc.Result.Metrics.Val < 2)
	// Output:
	// v1 (learn after 0 evaluations): 32 archs
	// 60 evaluations in 60 trials or more: true
	// best within 2 of the target optimum: true
}
