package kernelext

import (
	"fmt"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/matrix"
	"github.com/nasnb/nasnb/lapt/study"
)

// Quantities a transfer-matrix heatmap can show.
const (
	// MatrixFound is the optimum-found rate in percent.
	MatrixFound = "found"
	// MatrixFoundVsREA is the optimum-found rate minus full-space REA's, in
	// percentage points.
	MatrixFoundVsREA = "found-vs-rea"
	// MatrixVal10VsREA is the incumbent's mean validation score after 10
	// evaluations minus full-space REA's.
	MatrixVal10VsREA = "val10-vs-rea"
	// MatrixSpace is the initial (refined) space size.
	MatrixSpace = "space"
)

// MatrixHeatmap returns a heatmap of one method over a transfer matrix:
// one row per source (the pooled source last), one column per target.
func MatrixHeatmap(rep *matrix.Report, method, quantity string) (*HeatmapChart, error) {
	if rep == nil {
		return nil, fmt.Errorf("kernelext: no matrix report")
	}
	rows := append([]string(nil), rep.Tasks...)
	pooled := false
	for _, p := range rep.Pairs {
		pooled = pooled || p.Source == matrix.PooledSource
	}
	if pooled {
		rows = append(rows, matrix.PooledSource)
	}
	idx := func(names []string, n string) int {
		for i, x := range names {
			if x == n {
				return i
			}
		}
		return -1
	}
	vals := make([][]float64, len(rows))
	for r := range vals {
		vals[r] = make([]float64, len(rep.Tasks))
		for c := range vals[r] {
			vals[r][c] = math.NaN()
		}
	}
	hc := &HeatmapChart{Rows: rows, Cols: rep.Tasks, RowName: "source", ColName: "target", Values: vals}
	var what string
	switch quantity {
	case MatrixFound:
		hc.Min, hc.Max, what = 0, 100, "optimum found (% of seeds)"
	case MatrixFoundVsREA:
		hc.Diverging, hc.Format, what = true, "%+.0f", "optimum found minus full-space REA (points)"
	case MatrixVal10VsREA:
		hc.Diverging, hc.Format, what = true, "%+.2f", "validation at 10 evaluations minus full-space REA"
	case MatrixSpace:
		what = "refined space size"
	default:
		return nil, fmt.Errorf("kernelext: unknown matrix quantity %q (want %s, %s, %s or %s)", quantity, MatrixFound, MatrixFoundVsREA, MatrixVal10VsREA, MatrixSpace)
	}
	found := false
	for _, p := range rep.Pairs {
		c, ok := p.Cell(method)
		if !ok {
			continue
		}
		found = true
		r, col := idx(rows, p.Source), idx(rep.Tasks, p.Target)
		if r < 0 || col < 0 {
			continue
		}
		rea, hasREA := p.Cell(study.FullREA)
		switch quantity {
		case MatrixFound:
			vals[r][col] = 100 * c.FoundOptimum
		case MatrixFoundVsREA:
			if hasREA {
				vals[r][col] = 100 * (c.FoundOptimum - rea.FoundOptimum)
			}
		case MatrixVal10VsREA:
			if hasREA {
				vals[r][col] = c.ValAt10 - rea.ValAt10
			}
		case MatrixSpace:
			vals[r][col] = float64(c.SpaceSize)
		}
	}
	if !found {
		return nil, fmt.Errorf("kernelext: the matrix has no method %q (methods: %s)", method, strings.Join(rep.Methods, ", "))
	}
	hc.Title = fmt.Sprintf("%s on %s: %s", method, rep.Space, what)
	return hc, nil
}

// MatrixSummaryTable returns the matrix summary as a table: per method, the
// mean and worst pair of the optimum-found rate, the mean paper metric,
// the pairs that keep the optimum, that never find it, that fall below
// full-space REA, and that fall below it by more than noise (2 standard
// errors of the difference; see matrix.BelowByMoreThanNoise).
func MatrixSummaryTable(rep *matrix.Report) ([]string, [][]string) {
	headers := []string{"method", "pairs", "found (mean)", "found (worst pair)", "evals (mean)", "val@10 (mean)", "optimum kept", "never found", "pairs < REA",
		"< REA beyond noise"}
	count := func(n int) string {
		if n < 0 {
			return "n/a"
		}
		return fmt.Sprint(n)
	}
	var rows [][]string
	for _, s := range rep.Summary {
		rows = append(rows, []string{s.Method, fmt.Sprint(s.Pairs), fmt.Sprintf("%.1f%%", 100*s.MeanFound),
			fmt.Sprintf("%.0f%% (%s)", 100*s.WorstFound, s.WorstPair), fmt.Sprintf("%.1f", s.MeanMetric), fmt.Sprintf("%.3f", s.MeanValAt10),
			fmt.Sprint(s.OptimumKept), fmt.Sprint(s.ZeroFound), count(s.BelowREA), count(s.SigBelowREA)})
	}
	return headers, rows
}

// DisplayMatrix shows a transfer matrix: the summary table, then the
// heatmap of the method's optimum-found rate and, when full-space REA was
// run, its difference to REA. Outside a notebook it prints text.
func DisplayMatrix(rep *matrix.Report, method string) error {
	h, rows := MatrixSummaryTable(rep)
	caption := fmt.Sprintf("transfer matrix on %s, reasoner %s, %d seeds, budget %d", rep.Space, rep.Reasoner, rep.Seeds, rep.Schedule.Budget)
	DisplayData(map[string]any{"text/html": `<div style="font-size:13px;color:#333;margin:4px 0">` + esc(caption) + "</div>\n" + TableHTML(h, rows),
		"text/plain": caption + "\n" + TableText(h, rows)})
	qs := []string{MatrixFound}
	for _, m := range rep.Methods {
		if m == study.FullREA && method != study.FullREA {
			qs = append(qs, MatrixFoundVsREA)
		}
	}
	for _, q := range qs {
		hc, err := MatrixHeatmap(rep, method, q)
		if err != nil {
			return err
		}
		Display(hc)
	}
	return nil
}
