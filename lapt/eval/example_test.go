package eval_test

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/space"
)

func ExampleFunc() {
	// Any function can be an evaluator: here, a made-up score counting 3x3 convolutions.
	ev := eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		n := 0
		for _, op := range a.Ops() {
			if op == space.OpConv3x3 {
				n++
			}
		}
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: float64(n)}}, nil
	})
	r, _ := ev.Evaluate(context.Background(), space.MustArch(3, 3, 1, 0, 3, 2))
	fmt.Println(r.Metrics.Val, r.Usable())
	// Output: 3 true
}
