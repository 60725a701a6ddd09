package offline

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

// OpStat is the evidence for one op on one edge.
type OpStat struct {
	Op int
	// Top is how many of the top-k architectures carry the op on the edge.
	Top int
	// TopFrac is Top / k.
	TopFrac float64
	// Base is the op's frequency on the edge among the other architectures.
	Base float64
	// Enrichment is TopFrac / Base (with add-one smoothing).
	Enrichment float64
	// P is the one-sided binomial p-value of seeing at least Top carriers
	// among k draws at the base frequency (small: significantly enriched).
	P float64
	// Rest is how many of the other architectures carry the op on the edge.
	Rest int
	// Depletion is the one-sided Fisher exact (hypergeometric) p-value of
	// seeing at most Top carriers among the top-k when the k are drawn
	// from all architectures at random (small: significantly depleted
	// among the top; the separation test that cuts an op).
	Depletion float64
}

// EdgeStats is the evidence for one edge, ops ranked by Top (desc).
type EdgeStats struct {
	Edge int
	Ops  []OpStat
}

// PairStat is a co-occurrence of two edge choices among the top-k.
type PairStat struct {
	EdgeA, OpA, EdgeB, OpB int
	// Support is the fraction of the top-k carrying both.
	Support float64
	// Lift is Support / (P(A) P(B)) within the top-k.
	Lift float64
	// BaseSupport is the fraction among the other architectures.
	BaseSupport float64
}

// Analysis is the statistics the offline reasoner derives from evidence.
type Analysis struct {
	K, N  int
	Edges []EdgeStats
	Pairs []PairStat
}

// Analyse contrasts the top-k architectures with the rest, per edge and op,
// and finds the strongest pairwise co-occurrences among the top-k.
func Analyse(sp *space.Space, archs []reason.Scored, k int) Analysis {
	root := sp.Root()
	if k <= 0 || k > len(archs) {
		k = len(archs)
	}
	top, rest := archs[:k], archs[k:]
	an := Analysis{K: k, N: len(archs)}
	nOps := len(root.Ops())
	for e := 0; e < root.NumEdges(); e++ {
		topC := make([]int, nOps)
		restC := make([]int, nOps)
		for _, a := range top {
			if op := a.Arch.Op(e); op >= 0 && op < nOps {
				topC[op]++
			}
		}
		for _, a := range rest {
			if op := a.Arch.Op(e); op >= 0 && op < nOps {
				restC[op]++
			}
		}
		choices := root.AllowedOn(e)
		es := EdgeStats{Edge: e}
		for _, op := range choices {
			base := (float64(restC[op]) + 1) / (float64(len(rest)) + float64(len(choices)))
			st := OpStat{Op: op, Top: topC[op], TopFrac: float64(topC[op]) / float64(k), Base: base}
			st.Enrichment = ((float64(topC[op]) + 0.5) / (float64(k) + 0.5*float64(len(choices)))) / base
			st.P = upperTail(topC[op], k, base)
			st.Rest = restC[op]
			st.Depletion = hyperLowerTail(topC[op], len(archs), topC[op]+restC[op], k)
			es.Ops = append(es.Ops, st)
		}
		sort.SliceStable(es.Ops, func(i, j int) bool {
			if es.Ops[i].Top != es.Ops[j].Top {
				return es.Ops[i].Top > es.Ops[j].Top
			}
			return es.Ops[i].Enrichment > es.Ops[j].Enrichment
		})
		an.Edges = append(an.Edges, es)
	}
	an.Pairs = pairs(root, top, rest)
	return an
}

// upperTail returns P(X >= x) for X ~ Binomial(n, p).
func upperTail(x, n int, p float64) float64 {
	if x <= 0 {
		return 1
	}
	p = math.Min(math.Max(p, 1e-9), 1-1e-9)
	b := distuv.Binomial{N: float64(n), P: p}
	return math.Max(0, 1-b.CDF(float64(x-1)))
}

// hyperLowerTail returns P(X <= x) for X hypergeometric: n draws without
// replacement from a population of size total holding succ successes.
func hyperLowerTail(x, total, succ, n int) float64 {
	lchoose := func(a, b int) float64 {
		if b < 0 || b > a {
			return math.Inf(-1)
		}
		la, _ := math.Lgamma(float64(a + 1))
		lb, _ := math.Lgamma(float64(b + 1))
		lc, _ := math.Lgamma(float64(a - b + 1))
		return la - lb - lc
	}
	den := lchoose(total, n)
	sum := 0.0
	for i := max(0, n-(total-succ)); i <= x; i++ {
		sum += math.Exp(lchoose(succ, i) + lchoose(total-succ, n-i) - den)
	}
	return math.Min(1, sum)
}

// signTest returns the one-sided p-value that a count of a (versus b) is
// larger than chance under a fair split: P(X >= a), X ~ Binomial(a+b, 1/2).
func signTest(a, b int) float64 {
	if a+b == 0 {
		return 1
	}
	return upperTail(a, a+b, 0.5)
}

func pairs(sp *space.Space, top, rest []reason.Scored) []PairStat {
	n := sp.NumEdges()
	k := float64(len(top))
	if k == 0 {
		return nil
	}
	type key struct{ ea, oa, eb, ob int }
	count := map[key]int{}
	single := map[[2]int]int{}
	for _, a := range top {
		for e := 0; e < n; e++ {
			single[[2]int{e, a.Arch.Op(e)}]++
			for f := e + 1; f < n; f++ {
				count[key{e, a.Arch.Op(e), f, a.Arch.Op(f)}]++
			}
		}
	}
	restCount := map[key]int{}
	for _, a := range rest {
		for e := 0; e < n; e++ {
			for f := e + 1; f < n; f++ {
				kk := key{e, a.Arch.Op(e), f, a.Arch.Op(f)}
				if _, ok := count[kk]; ok {
					restCount[kk]++
				}
			}
		}
	}
	var out []PairStat
	for kk, c := range count {
		sup := float64(c) / k
		pa := float64(single[[2]int{kk.ea, kk.oa}]) / k
		pb := float64(single[[2]int{kk.eb, kk.ob}]) / k
		ps := PairStat{EdgeA: kk.ea, OpA: kk.oa, EdgeB: kk.eb, OpB: kk.ob, Support: sup, Lift: sup / (pa * pb)}
		if len(rest) > 0 {
			ps.BaseSupport = float64(restCount[kk]) / float64(len(rest))
		}
		out = append(out, ps)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Support != out[j].Support {
			return out[i].Support > out[j].Support
		}
		if out[i].Lift != out[j].Lift {
			return out[i].Lift > out[j].Lift
		}
		a, b := out[i], out[j]
		return slices.Compare([]int{a.EdgeA, a.OpA, a.EdgeB, a.OpB}, []int{b.EdgeA, b.OpA, b.EdgeB, b.OpB}) < 0
	})
	return out
}
