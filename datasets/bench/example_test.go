package bench_test

import (
	"fmt"

	"github.com/nasnb/nasnb/datasets/bench"
)

func Example() {
	t, err := bench.NewTable("nb201", "cifar10", 200, "", []bench.Entry{
		{Arch: "A", Index: 0, Val: 90.1, Test: 93.0, HasVal: true, HasTest: true},
		{Arch: "B", Index: 1, Val: 91.5, Test: 94.1, HasVal: true, HasTest: true},
		{Arch: "C", Index: 2, Val: 88.0, Test: 91.2, HasVal: true, HasTest: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	best := t.Best(true)
	fmt.Println(t.Len(), best.Arch, best.Test)
	for _, e := range t.TopK(2, false) {
		fmt.Println(e.Arch, e.Test)
	}
	fmt.Println("top-50% val threshold:", t.Threshold(0.5, true))
	// Output:
	// 3 B 94.1
	// B 94.1
	// A 93
	// top-50% val threshold: 90.1
}
