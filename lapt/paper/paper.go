// Package paper holds the numbers of the LAPT paper (design-principle
// transfer for neural architecture search) that the toolkit uses as
// defaults: the search schedules of its two benchmarks, the top-k shown to
// the reasoner, the per-edge op caps and the toolkit's "space exhausted"
// threshold. It is a leaf package: every other package takes its defaults
// from here, so a number of the paper is written once.
package paper

// Schedule is one benchmark's schedule as the paper gives it. The transfer
// package turns it into a transfer.Schedule.
type Schedule struct {
	// TopK is how many top source architectures the learn step shows.
	TopK int
	// MaxOpsPerEdge caps the ops a principle set allows on one edge.
	MaxOpsPerEdge int
	// Population and Tournament of regularized evolution.
	Population, Tournament int
	// Budget is the number of counted target evaluations.
	Budget int
	// Warmup is the number of plain evaluations after the initial
	// population before the first adaptation check.
	Warmup int
	// AdaptEvery is the number of evaluations between adaptation checks.
	AdaptEvery int
	// AdaptTopK is how many of the best found architectures an adaptation
	// shows.
	AdaptTopK int
}

const (
	// LearnTopK is how many top architectures of each source the learn
	// step shows (50 in both of the paper's benchmarks).
	LearnTopK = 50
	// AdaptTopK is how many of the best found target architectures an
	// adaptation shows on NAS-Bench-201 (5); TransNAS shows 15.
	AdaptTopK = 5
	// MaxOpsPerEdge is the paper's per-edge op cap on NAS-Bench-201 (2);
	// TransNAS allows 3.
	MaxOpsPerEdge = 2
	// ExhaustAfter is the number of consecutive free (repeated) proposals
	// after which a space of up to ExhaustAfterPerCell x ExhaustAfter cells
	// counts as exhausted (lapt/search.ExhaustAfter). It is the toolkit's
	// number: the paper does not give one.
	ExhaustAfter = 50
	// ExhaustAfterPerCell: a space larger than ExhaustAfterPerCell x
	// ExhaustAfter cells counts as exhausted after one repeat per
	// ExhaustAfterPerCell cells in a row, so a huge space is not given up
	// early.
	ExhaustAfterPerCell = 1000
)

// NB201 returns the paper's NAS-Bench-201 schedule: top-50 sources, at
// most 2 ops per edge, population 5, tournament 2, budget 20, adaptation
// every 5 evaluations after 5 plain ones, top-5 shown when adapting.
func NB201() Schedule {
	return Schedule{TopK: LearnTopK, MaxOpsPerEdge: MaxOpsPerEdge, Population: 5, Tournament: 2, Budget: 20,
		Warmup: 5, AdaptEvery: 5, AdaptTopK: AdaptTopK}
}

// TransNAS returns the paper's TransNAS-Bench-101 micro schedule: top-50
// sources, at most 3 ops per edge, population 10, tournament 5, budget 50,
// adaptation every 10 evaluations after 10 plain ones, top-15 shown when
// adapting.
func TransNAS() Schedule {
	return Schedule{TopK: LearnTopK, MaxOpsPerEdge: 3, Population: 10, Tournament: 5, Budget: 50,
		Warmup: 10, AdaptEvery: 10, AdaptTopK: 15}
}

// For returns the paper's schedule for a space name ("nb201" or
// "transnas-micro") and whether the paper has one.
func For(spaceName string) (Schedule, bool) {
	switch spaceName {
	case "nb201":
		return NB201(), true
	case "transnas-micro":
		return TransNAS(), true
	}
	return Schedule{}, false
}
