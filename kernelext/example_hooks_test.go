package kernelext_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nasnb/nasnb/kernelext"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// The core never imports kernelext: kernelext attaches named subscribers to
// the core's hook points, next to the caller's own. Here a REA run shows its
// progress and a live best-so-far chart, and prints every new best. (Not run
// as a test: it needs the benchmark files; TestSearchHooksAttachByName runs
// the same hooks on a small space.)
func ExampleSearchProgress() {
	tgt, err := tabular.Open(os.Getenv("NASNB_DATA"), "nb201", "cifar10", 200)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := search.New("rea", tgt.Space, 1, search.EvolutionConfig{Population: 10, Tournament: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := search.Config{Strategy: st, Evaluator: tgt.Table, Budget: 100, Seed: 1}
	kernelext.SearchProgress(&cfg.Hooks, "REA on cifar10")
	kernelext.LiveSearchCurve(&cfg.Hooks, kernelext.CurveChart{Title: "REA on cifar10"}, "REA")
	best := 0.0
	cfg.Hooks.OnTrial.Add("print-best", 0, func(r *search.Run, t search.Trial) error {
		if t.Result.Usable() && t.Result.Metrics.Val > best {
			best = t.Result.Metrics.Val
			fmt.Printf("trial %d: %.2f %s\n", t.N, best, t.Text)
		}
		return nil
	})
	if _, err := search.Execute(context.Background(), cfg); err != nil {
		fmt.Println(err)
	}
}

// One transfer run shown in full: principle versions as they come into force,
// the search's progress and its live curve. Add your own subscribers to the
// returned hooks. (Not run as a test: it needs the benchmark files.)
func ExampleTransferHooks() {
	src, err := tabular.Open(os.Getenv("NASNB_DATA"), "nb201", "imagenet16-120", 200)
	if err != nil {
		fmt.Println(err)
		return
	}
	tgt, err := tabular.Open(os.Getenv("NASNB_DATA"), "nb201", "cifar10", 200)
	if err != nil {
		fmt.Println(err)
		return
	}
	hooks := kernelext.TransferHooks(tgt.Space, "LAPT -> cifar10")
	hooks.OnPrinciples.Add("log", 1, func(ev transfer.Event) error {
		fmt.Printf("v%d (%s) after %d evaluations\n", ev.Set.Version, ev.Trigger, ev.Evaluations)
		return nil
	})
	res, err := transfer.Run(context.Background(), transfer.Config{
		Space: tgt.Space, Sources: []reason.Evidence{src.Evidence()}, Target: tgt.Table, Reasoner: offline.New(),
		Schedule: transfer.NB201Schedule(), Seed: 5, Hooks: hooks,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Run.Evaluations(), "evaluations")
}
