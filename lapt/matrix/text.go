package matrix

import (
	"fmt"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/study"
)

// String renders the report: one block per method with a row per pair,
// then the summary.
func (r *Report) String() string {
	var b strings.Builder
	s := r.Schedule
	fmt.Fprintf(&b, "transfer matrix on %s (%d tasks), reasoner %s, %d seeds; population %d, tournament %d, budget %d, adapt every %d\n",
		r.Space, len(r.Tasks), r.Reasoner, r.Seeds, s.Population, s.Tournament, s.Budget, s.AdaptEvery)
	if s.FullSpaceAfter > 0 {
		fmt.Fprintf(&b, "hedge: the transfer methods leave their principles for the full space after %d evaluations\n", s.FullSpaceAfter)
	}
	for _, m := range r.Methods {
		fmt.Fprintf(&b, "\n%s\n", m)
		fmt.Fprintf(&b, "  %-40s %7s %5s %6s %6s %11s %9s %9s %6s %5s\n", "pair", "space", "opt?", "found", "top", "evals", "val@10", fmt.Sprintf("val@%d", s.Budget), "adapt", "esc")
		for _, p := range r.Pairs {
			c, ok := p.Cell(m)
			if !ok {
				continue
			}
			kept := "no"
			switch {
			case c.OptimumKept:
				kept = "yes"
			case c.OptimumCut > 0:
				kept = fmt.Sprintf("no:%d", c.OptimumCut) // cut on that many decisions
			}
			fmt.Fprintf(&b, "  %-40s %7d %5s %5.0f%% %5.0f%% %5.1f±%-5.1f %9s %9s %6.1f %5.1f\n", trunc(p.Label(), 40), c.SpaceSize, kept,
				100*c.FoundOptimum, 100*c.FoundTop, c.Metric, c.MetricStd, num(c.ValAt10), num(c.ValAtBudget), c.Adaptations, c.Escapes)
		}
	}
	b.WriteString("\nsummary over the ordered pairs (pooled pairs excluded)\n")
	fmt.Fprintf(&b, "  %-14s %5s %10s %-40s %8s %8s %9s %9s %5s %5s %8s %9s\n", "method", "pairs", "mean found", "worst pair (found)", "mean top", "mean evals",
		"val@10", fmt.Sprintf("val@%d", s.Budget), "kept", "zero", "<REA", "val10<REA")
	for _, sm := range r.Summary {
		fmt.Fprintf(&b, "  %-14s %5d %9.1f%% %-40s %7.1f%% %10.1f %9s %9s %5d %5d %8s %9s\n", sm.Method, sm.Pairs, 100*sm.MeanFound,
			trunc(fmt.Sprintf("%s (%.0f%%)", sm.WorstPair, 100*sm.WorstFound), 40), 100*sm.MeanTop, sm.MeanMetric,
			num(sm.MeanValAt10), num(sm.MeanValAtBudget), sm.OptimumKept, sm.ZeroFound, cnt(sm.BelowREA), cnt(sm.Val10BelowREA))
	}
	var noise []string
	for _, sm := range r.Summary {
		if sm.Method != study.FullREA && sm.SigBelowREA >= 0 {
			noise = append(noise, fmt.Sprintf("%s %d (val@10: %s)", sm.Method, sm.SigBelowREA, cnt(sm.Val10SigBelowREA)))
		}
	}
	if len(noise) > 0 {
		fmt.Fprintf(&b, "  pairs below full-space REA by more than noise (%d standard errors of the difference): %s\n", NoiseSE, strings.Join(noise, ", "))
	}
	b.WriteString("  opt? no:N = the initial space cuts the target optimum on N decisions\n")
	return b.String()
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if math.Abs(v) < 10 {
		return fmt.Sprintf("%.4f", v) // scores such as losses near 0.5 need more digits
	}
	return fmt.Sprintf("%.2f", v)
}

func cnt(n int) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprint(n)
}

func trunc(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
