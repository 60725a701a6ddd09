package kernelext_test

import (
	"time"

	"github.com/nasnb/nasnb/kernelext"
)

// Outside a notebook every helper prints plain text (to kernelext.Out).
func ExampleDisplayTable() {
	kernelext.DisplayTable([]string{"strategy", "evals", "best"},
		[][]string{{"REA", "20", "91.61"}, {"LAPT", "9", "91.61"}})
	// Output:
	// strategy  evals   best
	// --------  -----  -----
	// REA          20  91.61
	// LAPT          9  91.61
}

func ExampleDisplay() {
	chart := &kernelext.CurveChart{
		Title: "Best so far",
		Curves: []kernelext.Curve{{
			Name: "REA",
			Runs: [][]float64{kernelext.BestSoFar([]float64{88, 90, 89, 91}), kernelext.BestSoFar([]float64{87, 91, 90, 92})},
		}},
	}
	kernelext.Display(chart)
	// Output:
	// Best so far
	//   REA: 2 runs, 4 points, final mean 91.50 [±1 std 90.79 .. 92.21]
}

func ExampleProgress() {
	p := kernelext.NewProgress("REA")
	p.MinInterval = -1 // print every event (the default prints at most every 2 s)
	hook := p.OnTrial  // what a search's hook field would hold
	hook(kernelext.TrialEvent{Trial: 1, Budget: 4, Score: 88.2, BestSoFar: 88.2, Elapsed: 2 * time.Second})
	hook(kernelext.TrialEvent{Trial: 2, Budget: 4, Score: 90.1, BestSoFar: 90.1, Elapsed: 4 * time.Second})
	p.OnTrain(kernelext.TrainEvent{Epoch: 3, Epochs: 12, Loss: 0.8123, Elapsed: 5 * time.Second})
	// Output:
	// REA: trial 1/4 · best 88.2 · last 88.2 · 0:02 · ETA 0:06
	// REA: trial 2/4 · best 90.1 · last 90.1 · 0:04 · ETA 0:04
	// REA: trial 2/4 · best 90.1 · last 90.1 · 0:04 · ETA 0:04
	// REA: epoch 3/12 · loss 0.8123 · 0:05 · ETA 0:15
}

func ExampleDisplayCells() {
	c, _ := kernelext.ParseNB201Cell("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|")
	c.Title = "best"
	kernelext.DisplayCells(c)
	// Output:
	// best: 0→1 nor_conv_3x3, 0→2 skip_connect, 1→2 none, 0→3 avg_pool_3x3, 1→3 nor_conv_1x1, 2→3 skip_connect
}

func ExampleMarkdown() {
	kernelext.Markdownf("**%d** principles learned", 4)
	// Output:
	// **4** principles learned
}
