package reason

import (
	"math"

	"github.com/nasnb/nasnb/lapt/space"
)

// TargetOp is the target's own evidence on one op of one decision: how
// many architectures carrying it the search has paid for, and their best
// and mean scores.
type TargetOp struct {
	Edge  int     `json:"edge"`
	Op    int     `json:"op"`
	Tried int     `json:"tried"`
	Best  float64 `json:"best"`
	Mean  float64 `json:"mean"`
}

// TargetEvidence tabulates target results per decision and op: one row per
// decision, one entry per op the full space allows there (in the space's
// order). An untried op has Tried 0 and Best -Inf. Both the offline and the
// LLM reasoners adapt from it, so they see the same target evidence.
func TargetEvidence(sp *space.Space, found []Scored) [][]TargetOp {
	root := sp.Root()
	out := make([][]TargetOp, root.NumEdges())
	for e := range out {
		for _, op := range root.AllowedOn(e) {
			t := TargetOp{Edge: e, Op: op, Best: math.Inf(-1)}
			sum := 0.0
			for _, a := range found {
				if a.Arch.Op(e) == op {
					t.Tried++
					sum += a.Score
					t.Best = math.Max(t.Best, a.Score)
				}
			}
			if t.Tried > 0 {
				t.Mean = sum / float64(t.Tried)
			}
			out[e] = append(out[e], t)
		}
	}
	return out
}
