package matrix_test

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/matrix"
)

// A pair counts as worse than full-space REA only when the gap is larger
// than noise: over 100 seeds each, 0% against REA's 3% is noise, 0%
// against 16% is not.
func ExampleBelowByMoreThanNoise() {
	for _, rea := range []float64{0.03, 0.16} {
		below, _ := matrix.BelowByMoreThanNoise(0, 100, rea, 100)
		fmt.Printf("0%% vs REA %.0f%%: below by more than noise: %v\n", 100*rea, below)
	}
	// Output:
	// 0% vs REA 3%: below by more than noise: false
	// 0% vs REA 16%: below by more than noise: true
}
