package search_test

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/search"
)

func ExampleExhaustAfter() {
	for _, size := range []int64{0, 64, 4096, 15625, 50000, 1_000_000} {
		fmt.Println(size, search.ExhaustAfter(size))
	}
	// Output:
	// 0 50
	// 64 50
	// 4096 50
	// 15625 50
	// 50000 50
	// 1000000 1000
}
