// Package curve holds best-so-far curves in a compact form. A search's
// incumbent changes only when a trial improves it, so its validation and
// test score after each of n evaluations is a step function: storing the
// evaluations where it changes takes memory proportional to the number of
// changes, not to n (a budget of 1e8 on an exhausted space costs nothing).
package curve

import (
	"math"
	"sort"
)

// Step is one change of a curve: from evaluation N (1-based) on, until the
// next step, the values are Val and Test.
type Step struct {
	N    int
	Val  float64
	Test float64
}

// Steps is a pair of curves (validation and test score) over the
// evaluations 1..Len, stored as the evaluations where they change, in
// increasing N. Before the first step both values are NaN.
type Steps struct {
	// Len is the number of evaluations the curves cover.
	Len int
	// Steps are the changes, in increasing N, each N in 1..Len.
	Steps []Step
}

// same reports whether a and b are equal, NaN equal to NaN.
func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// Add records that from evaluation n on the values are val and test. It
// stores nothing when they equal the values already in force at n. Calls
// must come in increasing n; n outside 1..Len or not after the last step
// is ignored.
func (s *Steps) Add(n int, val, test float64) {
	if n < 1 || n > s.Len {
		return
	}
	if k := len(s.Steps); k > 0 {
		last := s.Steps[k-1]
		if n <= last.N || (same(last.Val, val) && same(last.Test, test)) {
			return
		}
	} else if math.IsNaN(val) && math.IsNaN(test) {
		return
	}
	s.Steps = append(s.Steps, Step{N: n, Val: val, Test: test})
}

// At returns the values after n evaluations; NaN before the first step or
// when n is outside 1..Len.
func (s Steps) At(n int) (val, test float64) {
	if n < 1 || n > s.Len {
		return math.NaN(), math.NaN()
	}
	i := sort.Search(len(s.Steps), func(i int) bool { return s.Steps[i].N > n }) - 1
	if i < 0 {
		return math.NaN(), math.NaN()
	}
	return s.Steps[i].Val, s.Steps[i].Test
}

// Dense returns the curves as two slices of length Len (index k holds the
// values after k+1 evaluations). It allocates in proportion to Len.
func (s Steps) Dense() (val, test []float64) {
	val, test = make([]float64, s.Len), make([]float64, s.Len)
	v, t := math.NaN(), math.NaN()
	j := 0
	for i := range val {
		for j < len(s.Steps) && s.Steps[j].N <= i+1 {
			v, t = s.Steps[j].Val, s.Steps[j].Test
			j++
		}
		val[i], test[i] = v, t
	}
	return val, test
}

// Reach returns the first number of evaluations after which the validation
// curve is at least target (within 1e-9), or 0 when it never is.
func (s Steps) Reach(target float64) int {
	for _, st := range s.Steps {
		if !math.IsNaN(st.Val) && st.Val >= target-1e-9 {
			return st.N
		}
	}
	return 0
}

// FromDense compresses two dense curves (index k = k+1 evaluations); test
// may be shorter than val (missing entries are NaN). Dense of the result
// gives val and test back, test padded with NaN to the length of val.
func FromDense(val, test []float64) Steps {
	s := Steps{Len: len(val)}
	for i, v := range val {
		t := math.NaN()
		if i < len(test) {
			t = test[i]
		}
		s.Add(i+1, v, t)
	}
	return s
}
