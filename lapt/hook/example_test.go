package hook_test

import (
	"errors"
	"fmt"

	"github.com/nasnb/nasnb/lapt/hook"
)

// A hook point with three subscribers: the lower priority runs first, equal
// priorities in the order they were added, and a failing subscriber stops the
// calls and is named in the error.
func ExampleList() {
	var onScore hook.List[func(score float64) error]
	onScore.Add("print", 0, func(s float64) error { fmt.Printf("score %.2f\n", s); return nil })
	onScore.Add("check", 0, func(s float64) error {
		if s < 0 {
			return errors.New("negative score")
		}
		return nil
	})
	onScore.Add("first", -1, func(float64) error { fmt.Println("first"); return nil })

	for _, s := range []float64{0.93, -1} {
		if err := onScore.Call("OnScore", func(f func(float64) error) error { return f(s) }); err != nil {
			fmt.Println("error:", err)
		}
	}
	// Output:
	// first
	// score 0.93
	// first
	// score -1.00
	// error: OnScore subscriber "check": negative score
}
