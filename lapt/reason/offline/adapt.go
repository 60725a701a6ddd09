package offline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/lapt/paper"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

func targetOp(te [][]reason.TargetOp, e, op int) reason.TargetOp {
	for _, t := range te[e] {
		if t.Op == op {
			return t
		}
	}
	return reason.TargetOp{Edge: e, Op: op, Best: math.Inf(-1)}
}

// Adapt implements reason.Reasoner.
func (r *Reasoner) Adapt(ctx context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	if err := reason.CheckAdapt(req); err != nil {
		return reason.Outcome{}, err
	}
	if err := ctx.Err(); err != nil {
		return reason.Outcome{}, err
	}
	sp := req.Space.Root()
	capN := opCap(req.MaxOpsPerEdge)
	set := req.Current.Clone()
	set.Provenance.Reasoner = r.Name()
	if set.Preference == nil {
		set.Preference = req.Original.Clone().Preference
	}
	k := req.TopK
	if k <= 0 {
		k = paper.AdaptTopK
	}
	found := req.Found
	te := reason.TargetEvidence(sp, found)
	var note string
	if ch := r.disagree(sp, &set, found, te, k, capN, !req.Improved); ch != "" {
		note = "the target disagrees with the sources: " + ch
	} else if req.Improved {
		if left, unseen := remaining(sp, req, set); unseen > int64(left) {
			note = r.narrow(sp, &set, found, k)
		} else {
			note = fmt.Sprintf("the best score improved and the space holds %d unexplored architectures for %d evaluations left, so it stays as is", unseen, left)
		}
	} else if _, unseen := remaining(sp, req, set); unseen > 0 {
		note = fmt.Sprintf("no improvement, but no target result disagrees with the sources either, and %d architectures of the space are unexplored: it stays as is", unseen)
	} else {
		note = r.widen(sp, &set, req, te, capN)
	}
	set.Reason = note
	set.Statements = append(slices.Clone(req.Current.Statements), "Adaptation after "+fmt.Sprint(req.Evaluations)+" evaluations: "+note)
	if err := set.Validate(sp, capN); err != nil {
		return reason.Outcome{}, fmt.Errorf("offline: internal error: %w", err)
	}
	return reason.Outcome{Set: set}, nil
}

// remaining returns the evaluations left (a large number when the budget
// is unknown) and the architectures of the set's space not yet evaluated.
func remaining(sp *space.Space, req reason.AdaptRequest, set principles.Set) (left int, unseen int64) {
	left = math.MaxInt32
	if req.Budget > 0 {
		left = max(req.Budget-req.Evaluations, 0)
	}
	sub, err := sp.Restrict(set.Allowed)
	if err != nil {
		return left, 0
	}
	n := sub.Count()
	if n > 1_000_000 {
		return left, n
	}
	seen := map[space.Arch]bool{}
	for _, a := range req.Found {
		if sub.Contains(a.Arch) {
			seen[a.Arch] = true
		}
	}
	return left, n - int64(len(seen))
}

// disagree widens every decision where a found architecture outside the
// space in force scored among the best k the target has shown inside it:
// the op it carries there is added (swapping out, at the cap, the allowed
// op with the weakest target results that the incumbent does not carry).
// With paired set (a check without improvement), an architecture outside
// the space that scored above one inside it differing on one decision
// alone adds its op on that decision (see the package doc).
func (r *Reasoner) disagree(sp *space.Space, set *principles.Set, found []reason.Scored, te [][]reason.TargetOp, k, capN int, paired bool) string {
	cur, err := sp.Restrict(set.Allowed)
	if err != nil || len(found) == 0 {
		return ""
	}
	var inside []float64
	for _, a := range found {
		if cur.Contains(a.Arch) {
			inside = append(inside, a.Score)
		}
	}
	bar := math.Inf(-1)
	if len(inside) > 0 {
		bar = inside[0]
	}
	inc := found[0].Arch
	var changes []string
	// beats reports the found architecture inside the space in force that
	// differs from a on decision e alone and scored below it (a one-decision
	// comparison on the target: the op a carries on e did better there).
	beats := func(a reason.Scored) (int, reason.Scored, bool) {
		for _, b := range found {
			if b.Score >= a.Score {
				continue
			}
			diff, edge := 0, -1
			for e := 0; e < sp.NumEdges() && diff < 2; e++ {
				if a.Arch.Op(e) != b.Arch.Op(e) {
					diff, edge = diff+1, e
				}
			}
			if diff == 1 && !slices.Contains(set.Allowed[edge], a.Arch.Op(edge)) {
				return edge, b, true
			}
		}
		return -1, reason.Scored{}, false
	}
	for _, a := range found {
		if cur.Contains(a.Arch) {
			continue
		}
		pairEdge := -1
		var pair reason.Scored
		if a.Score < bar {
			if !paired {
				continue
			}
			var ok bool
			if pairEdge, pair, ok = beats(a); !ok {
				continue
			}
		}
		for e := 0; e < sp.NumEdges(); e++ {
			op := a.Arch.Op(e)
			al := set.Allowed[e]
			if slices.Contains(al, op) || (pairEdge >= 0 && e != pairEdge) {
				continue
			}
			msg := fmt.Sprintf("edge %s gains %s (%s scored %.4g, among the best %d found inside the space)", sp.Edges()[e].Name, sp.OpName(op), a.Text, a.Score, k)
			if pairEdge >= 0 {
				msg = fmt.Sprintf("edge %s gains %s (%s scored %.4g, above %s, %.4g, which differs from it on this edge alone)", sp.Edges()[e].Name, sp.OpName(op), a.Text, a.Score, pair.Text, pair.Score)
			}
			if len(al) >= capN {
				out := weakest(te, e, al, inc)
				if out < 0 {
					continue
				}
				if t := targetOp(te, e, out); pairEdge >= 0 && (t.Tried == 0 || t.Best >= a.Score) {
					continue // a one-decision win does not outweigh an op the target has not refuted
				}
				next := []int{op}
				for _, o := range al {
					if o != out {
						next = append(next, o)
					}
				}
				al = next
				msg += fmt.Sprintf(" in place of %s (best target result %s)", sp.OpName(out), fmtBest(targetOp(te, e, out)))
			} else {
				al = append(slices.Clone(al), op)
			}
			sort.Ints(al)
			set.Allowed[e] = al
			changes = append(changes, msg)
		}
		cur, _ = sp.Restrict(set.Allowed)
	}
	return strings.Join(changes, "; ")
}

// weakest returns the allowed op of edge e with the weakest target results
// that the incumbent does not carry (-1 if none).
func weakest(te [][]reason.TargetOp, e int, allowed []int, inc space.Arch) int {
	out, score := -1, math.Inf(1)
	for _, op := range allowed {
		if op == inc.Op(e) {
			continue
		}
		if b := targetOp(te, e, op).Best; out < 0 || b < score {
			out, score = op, b
		}
	}
	return out
}

func fmtBest(t reason.TargetOp) string {
	if t.Tried == 0 {
		return "none: never tried"
	}
	return fmt.Sprintf("%.4g over %d", t.Best, t.Tried)
}

// widen adds (or swaps in) one op on one decision. Ops the target has
// already paid for and scored well come first, then the original
// (source) preference order; an op the incumbent carries is never removed.
func (r *Reasoner) widen(sp *space.Space, set *principles.Set, req reason.AdaptRequest, te [][]reason.TargetOp, capN int) string {
	type cand struct {
		edge, op, rank int
		target         float64
	}
	var inc space.Arch
	if len(req.Found) > 0 {
		inc = req.Found[0].Arch
	}
	var cands []cand
	for e, al := range set.Allowed {
		pref := sp.AllowedOn(e)
		if e < len(set.Preference) && len(set.Preference[e]) > 0 {
			pref = set.Preference[e]
		}
		for rank, op := range pref {
			if !slices.Contains(al, op) && sp.Allows(e, op) {
				if len(al) >= capN && (inc.Len() == 0 || weakest(te, e, al, inc) < 0) {
					break
				}
				cands = append(cands, cand{e, op, rank, targetOp(te, e, op).Best})
				break
			}
		}
	}
	if len(cands) == 0 {
		return "no improvement, but every op is already allowed: nothing to widen"
	}
	// Prefer edges under the cap, then target evidence, then the
	// alternative ranked highest, then the edge with the smallest allowed
	// set, then edge order.
	sort.SliceStable(cands, func(i, j int) bool {
		ui, uj := len(set.Allowed[cands[i].edge]) < capN, len(set.Allowed[cands[j].edge]) < capN
		if ui != uj {
			return ui
		}
		if cands[i].target != cands[j].target {
			return cands[i].target > cands[j].target
		}
		if cands[i].rank != cands[j].rank {
			return cands[i].rank < cands[j].rank
		}
		return len(set.Allowed[cands[i].edge]) < len(set.Allowed[cands[j].edge])
	})
	c := cands[0]
	al := set.Allowed[c.edge]
	why := "the best-supported op not yet allowed there"
	if !math.IsInf(c.target, -1) {
		why = fmt.Sprintf("tried on the target with best %.4g", c.target)
	}
	if len(al) < capN {
		set.Allowed[c.edge] = append(slices.Clone(al), c.op)
		sort.Ints(set.Allowed[c.edge])
		return fmt.Sprintf("no improvement since the last check: widening edge %s with %s, %s", sp.Edges()[c.edge].Name, sp.OpName(c.op), why)
	}
	worst := weakest(te, c.edge, al, inc)
	next := []int{c.op}
	for _, op := range al {
		if op != worst {
			next = append(next, op)
		}
	}
	sort.Ints(next)
	set.Allowed[c.edge] = next
	return fmt.Sprintf("no improvement since the last check: on edge %s, %s (best target result %s) makes way for %s, %s", sp.Edges()[c.edge].Name,
		sp.OpName(worst), fmtBest(targetOp(te, c.edge, worst)), sp.OpName(c.op), why)
}

// narrow cuts an edge's alternative when every one of the best k found
// architectures agrees on the other op and the alternative, tried at least
// twice, never reached the best found.
func (r *Reasoner) narrow(sp *space.Space, set *principles.Set, found []reason.Scored, k int) string {
	if len(found) <= k {
		return fmt.Sprintf("the best score improved; with %d architectures found the evidence is too thin to narrow the space, so it stays as is", len(found))
	}
	top := found[:k]
	worstTop := top[k-1].Score
	var changes []string
	for e, al := range set.Allowed {
		if len(al) < 2 {
			continue
		}
		op := top[0].Arch.Op(e)
		agree := true
		for _, a := range top {
			if a.Arch.Op(e) != op {
				agree = false
				break
			}
		}
		if !agree || !slices.Contains(al, op) {
			continue
		}
		for _, alt := range al {
			if alt == op {
				continue
			}
			tries, best := 0, math.Inf(-1)
			for _, a := range found[k:] {
				if a.Arch.Op(e) == alt {
					tries++
					best = math.Max(best, a.Score)
				}
			}
			if tries >= 2 && best < worstTop {
				set.Allowed[e] = []int{op}
				changes = append(changes, fmt.Sprintf("edge %s keeps only %s (all %d best found use it; %s was tried %d times, best %.2f < %.2f)",
					sp.Edges()[e].Name, sp.OpName(op), k, sp.OpName(alt), tries, best, worstTop))
				break
			}
		}
	}
	if len(changes) == 0 {
		return "the best score improved; no edge has decisive target evidence against an allowed op, so the space stays as is"
	}
	return "the best score improved; narrowing: " + strings.Join(changes, "; ")
}
