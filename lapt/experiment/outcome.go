package experiment

import "math"

// Len returns the number of evaluations the outcome's curves cover: len(Val)
// when Val is set, else Steps.Len.
func (o Outcome) Len() int {
	if o.Val != nil {
		return len(o.Val)
	}
	return o.Steps.Len
}

// At returns the incumbent's validation and test score after n evaluations
// (NaN outside 1..Len, before the first result, or where Test is shorter
// than Val).
func (o Outcome) At(n int) (val, test float64) {
	if o.Val == nil {
		return o.Steps.At(n)
	}
	val, test = math.NaN(), math.NaN()
	if n >= 1 && n <= len(o.Val) {
		val = o.Val[n-1]
	}
	if n >= 1 && n <= len(o.Test) {
		test = o.Test[n-1]
	}
	return val, test
}

// Curves returns the dense curves: Val and Test when Val is set, else
// Steps expanded (two slices of length Steps.Len).
func (o Outcome) Curves() (val, test []float64) {
	if o.Val != nil {
		return o.Val, o.Test
	}
	if o.Steps.Len == 0 {
		return nil, nil
	}
	return o.Steps.Dense()
}

// EvalsToReach is [EvalsToReach] of the outcome's validation curve, without
// expanding a compact one.
func (o Outcome) EvalsToReach(target float64) int {
	if o.Val == nil {
		return o.Steps.Reach(target)
	}
	return EvalsToReach(o.Val, target)
}

// LAPTMetric is [LAPTMetric] of the outcome's validation curve, without
// expanding a compact one.
func (o Outcome) LAPTMetric(optimum, threshold float64) (evals int, level string) {
	if n := o.EvalsToReach(optimum); n > 0 {
		return n, "optimum"
	}
	if n := o.EvalsToReach(threshold); n > 0 {
		return n, "top0.1%"
	}
	return o.Len(), "budget"
}
