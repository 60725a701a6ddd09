package paper_test

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/paper"
)

func ExampleFor() {
	for _, name := range []string{"nb201", "transnas-micro", "mine"} {
		s, ok := paper.For(name)
		fmt.Printf("%s: %v %+v\n", name, ok, s)
	}
	// Output:
	// nb201: true {TopK:50 MaxOpsPerEdge:2 Population:5 Tournament:2 Budget:20 Warmup:5 AdaptEvery:5 AdaptTopK:5}
	// transnas-micro: true {TopK:50 MaxOpsPerEdge:3 Population:10 Tournament:5 Budget:50 Warmup:10 AdaptEvery:10 AdaptTopK:15}
	// mine: false {TopK:0 MaxOpsPerEdge:0 Population:0 Tournament:0 Budget:0 Warmup:0 AdaptEvery:0 AdaptTopK:0}
}
