package curve

import (
	"fmt"
	"math"
	"testing"
)

func eq(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !same(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestRoundTrip(t *testing.T) {
	nan := math.NaN()
	cases := [][2][]float64{
		{nil, nil},
		{{nan, nan, 1, 1, 2, 2, 2, 3}, {nan, nan, 5, 5, 4, 4, 4, 9}},
		{{1, 1, 1}, {nan, nan, nan}},
		{{nan, nan}, {nan, nan}},
		{{1, 2, 2, 2}, {7, 7, 8, 8}}, // test changes while val does not
	}
	for i, c := range cases {
		s := FromDense(c[0], c[1])
		v, te := s.Dense()
		if !eq(v, c[0]) || !eq(te, c[1]) {
			t.Errorf("case %d: dense %v %v, want %v %v (steps %+v)", i, v, te, c[0], c[1], s)
		}
		for n := 0; n <= len(c[0])+1; n++ {
			gv, gt := s.At(n)
			wv, wt := nan, nan
			if n >= 1 && n <= len(c[0]) {
				wv, wt = c[0][n-1], c[1][n-1]
			}
			if !same(gv, wv) || !same(gt, wt) {
				t.Errorf("case %d: At(%d) = %v %v, want %v %v", i, n, gv, gt, wv, wt)
			}
		}
	}
	if s := FromDense([]float64{nan, 1, 1, 1, 3}, nil); len(s.Steps) != 2 || s.Reach(2) != 5 || s.Reach(1) != 2 || s.Reach(4) != 0 {
		t.Fatalf("steps %+v, reach 2 = %d", s, s.Reach(2))
	}
}

func TestAddIgnoresOutOfOrder(t *testing.T) {
	s := Steps{Len: 3}
	s.Add(2, 1, 1)
	s.Add(2, 5, 5) // same N: ignored
	s.Add(1, 5, 5) // earlier: ignored
	s.Add(4, 5, 5) // beyond Len: ignored
	s.Add(0, 5, 5)
	if len(s.Steps) != 1 {
		t.Fatalf("steps %+v", s.Steps)
	}
}

func ExampleSteps() {
	s := Steps{Len: 1_000_000_000} // a billion evaluations, three numbers stored per change
	s.Add(1, 70, 69)
	s.Add(5, 90, 88)
	v, te := s.At(4)
	fmt.Println(len(s.Steps), v, te, s.Reach(80))
	v, te = s.At(s.Len)
	fmt.Println(v, te)
	// Output:
	// 2 70 69 5
	// 90 88
}
