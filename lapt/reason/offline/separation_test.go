package offline

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
)

// TestHyperLowerTail checks the Fisher (hypergeometric) lower tail against
// exact sums of binomial coefficients.
func TestHyperLowerTail(t *testing.T) {
	for _, c := range []struct {
		x, total, succ, n int
		want              float64
	}{
		{0, 711, 100, 50, 0.0003798363899528896},
		{3, 15625, 3125, 50, 0.005600616945539562},
		{8, 15625, 3125, 50, 0.30697739219081316},
		{5, 20, 10, 10, 0.6718591006516703},
		{10, 20, 10, 10, 1},
	} {
		if got := hyperLowerTail(c.x, c.total, c.succ, c.n); math.Abs(got-c.want) > 1e-9*math.Max(1, c.want) {
			t.Errorf("hyperLowerTail(%d, %d, %d, %d) = %g, want %g", c.x, c.total, c.succ, c.n, got, c.want)
		}
	}
}

// TestSeparationDecidesTheCuts: without a budget the evidence alone decides.
// With the whole synthetic table every cut op is separated from the top-50
// at the corrected level; with only 60 source architectures (top 50 against
// 10 others) almost nothing can be separated, so every edge keeps the cap of
// two ops and no statement claims more than low confidence.
func TestSeparationDecidesTheCuts(t *testing.T) {
	ts, err := synth.NB201Tasks(1, 7)
	if err != nil {
		t.Fatal(err)
	}
	src := ts[0]
	sp := src.Space
	full := src.Evidence()
	learn := func(ev reason.Evidence) principles.Set {
		t.Helper()
		out, err := New().Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 2})
		if err != nil {
			t.Fatal(err)
		}
		return out.Set
	}
	an := Analyse(sp, full.Archs, 50)
	level := New().separationLevel(an)
	if want := 0.05 / float64(sp.NumEdges()*(len(sp.Ops())-1)); math.Abs(level-want) > 1e-15 {
		t.Fatalf("corrected level %g, want %g (Bonferroni over the ops tested)", level, want)
	}
	for _, st := range learn(full).Statements {
		if strings.Contains(st, "not separated from the rest") && strings.Contains(st, "[confidence high]") {
			t.Errorf("an op cut by the cap alone under high confidence: %s", st)
		}
	}
	thin := full
	thin.Archs = full.Archs[:60]
	set := learn(thin)
	for e, ops := range set.Allowed {
		if len(ops) != 2 {
			t.Errorf("thin evidence: edge %d keeps %v, want the cap of 2", e, ops)
		}
	}
	stmts := set.Statements
	if !strings.HasPrefix(stmts[0], "WARNING: thin evidence") {
		t.Errorf("first statement %q, want the thin-evidence warning", stmts[0])
	}
	for _, st := range stmts[1 : 1+sp.NumEdges()] {
		if !strings.Contains(st, "[confidence low]") && !strings.Contains(st, "nothing cut") {
			t.Errorf("thin evidence, yet: %s", st)
		}
	}
}
