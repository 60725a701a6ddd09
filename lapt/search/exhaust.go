package search

import (
	"math"

	"github.com/nasnb/nasnb/lapt/paper"
)

// ExhaustAfter returns the number of consecutive free (repeated) proposals
// after which a search over a space of size cells counts as exhausted: 50
// (paper.ExhaustAfter), or one per 1,000 cells (paper.ExhaustAfterPerCell)
// for a space of more than 50,000 cells, so that a huge space is not given
// up early. A streak that long means every neighbour the strategy proposes
// has been evaluated. It is the one threshold of the toolkit: the default
// of [Config.MaxFree], of transfer.Schedule.ExhaustAfter and of the
// multi-fidelity simulator. A size of 0 or less (unknown) gives 50.
func ExhaustAfter(size int64) int {
	n := int64(paper.ExhaustAfter)
	if per := size / paper.ExhaustAfterPerCell; per > n {
		n = per
	}
	return int(min(n, math.MaxInt32))
}
