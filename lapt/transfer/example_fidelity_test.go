package transfer_test

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// table scores an NB201 architecture offset + the number of edges carrying
// nor_conv_3x3 (a stand-in for a benchmark table at one fidelity).
func table(fid int, offset float64) *eval.Table {
	sp := space.NB201()
	var entries []bench.Entry
	sp.Enumerate(func(a space.Arch) bool {
		s := offset
		for e := 0; e < a.Len(); e++ {
			if a.Op(e) == 3 {
				s++
			}
		}
		entries = append(entries, bench.Entry{Arch: sp.Format(a), Index: len(entries), Val: s, Test: s, HasVal: true, HasTest: true})
		return true
	})
	tb, _ := bench.NewTable("nb201", "example", fid, "example", entries)
	ev, _ := eval.NewTable(sp, tb)
	return ev
}

// A LAPT run under successive halving over 12 and 200 epochs: the search
// and the reasoner see 12-epoch results only, and the result says so.
func ExampleConfig_fidelity() {
	init := reason.Outcome{Set: principles.Set{Allowed: [][]int{{3, 2}, {3, 1}, {3, 2}, {1, 3}, {2, 3}, {3, 4}}}}
	res, err := transfer.Run(context.Background(), transfer.Config{
		Space:    space.NB201(),
		Target:   transfer.Fidelities{12: table(12, 0), 200: table(200, 80)},
		Reasoner: offline.New(),
		Initial:  &init,
		Schedule: transfer.Schedule{Budget: 30, Population: 4, Tournament: 2, Warmup: 2, AdaptEvery: 4, AdaptTopK: 4, MaxOpsPerEdge: 2},
		Seed:     1,
		Fidelity: &transfer.Fidelity{Rungs: []int{12, 200}, Eta: 3, Synchronous: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fr := res.Fidelity
	fmt.Println(fr.Scheduler, "told", fr.ToldFidelity, "epochs")
	fmt.Println("adaptation saw results at", res.Events[1].Fidelity, "epochs")
	best, _ := fr.Best()
	fmt.Printf("best at %d epochs: %s val %g\n", best.Job.Fidelity, best.Text, best.Result.Metrics.Val)
	// Output:
	// sh(rungs=12,200,eta=3)+rea(p=4,s=2) told 12 epochs
	// adaptation saw results at 12 epochs
	// best at 200 epochs: |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2| val 86
}
