package eval

import (
	"context"

	"github.com/nasnb/nasnb/lapt/space"
)

// Request is one candidate of a batch. Index is the trial's step in its run
// (from 1): executors name (and may seed) the trial by it, so a trial is the
// same whichever worker runs it.
type Request struct {
	Index int
	Arch  space.Arch
}

// BatchEvaluator evaluates several candidates at once (in parallel, on local
// worker processes or a cluster). A search that is given one proposes
// BatchSize candidates before it learns any of their results, and commits
// the results in proposal order: the outcome depends on the batch size,
// never on the number of workers or on which finishes first. A batch size of
// 1 is the plain sequential search.
type BatchEvaluator interface {
	Evaluator
	// BatchSize is the number of candidates proposed together (>= 1).
	BatchSize() int
	// EvaluateBatch returns one Result per request, in order. As for
	// Evaluate, the error is non-nil only when evaluation cannot go on.
	EvaluateBatch(ctx context.Context, reqs []Request) ([]Result, error)
}
