package kernelext

// Study reports as tables, summaries and curve charts.

import (
	"fmt"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/study"
)

// studyLabel returns the label of a method (its name when it has none).
func studyLabel(m study.Method) string {
	if m.Label != "" {
		return m.Label
	}
	return m.Name
}

// studyShort is a method's name in chart legends, short enough for the
// legend to fit on one line: "LAPT (offline)", "no adaptation",
// "frequency", "REA full space"; other methods keep their label.
func studyShort(rep *study.Report, m study.Method) string {
	switch m.Name {
	case study.LAPT:
		return "LAPT (" + rep.Reasoner + ")"
	case study.NoAdapt:
		return "no adaptation"
	case study.Frequency:
		return "frequency"
	case study.FullREA:
		return "REA full space"
	}
	return studyLabel(m)
}

// StudyCurves returns, for a study report, the incumbent's score ("val":
// validation, the score the searches optimise; "test": test, for reporting)
// against the number of evaluations: per method (named as in studyShort)
// the mean over seeds as a line and the interquartile range as a band. With
// "val" a flat line marks the target's optimum.
func StudyCurves(rep *study.Report, metric string) *CurveChart {
	test := metric == "test"
	what := "validation"
	if test {
		what = "test"
	}
	c := &CurveChart{
		Title:     fmt.Sprintf("%s → %s: best so far (mean and IQR over %d seeds)", taskShort(rep.Sources...), taskShort(rep.Target), rep.Seeds),
		XLabel:    "evaluations",
		YLabel:    what + " score",
		Band:      BandIQR,
		Precision: 2,
	}
	n := 0
	for _, m := range rep.Methods {
		cv := Curve{Name: studyShort(rep, m)}
		for _, o := range m.Runs {
			r, te := o.Curves()
			if test {
				r = te
			}
			cv.Runs = append(cv.Runs, r)
			n = max(n, len(r))
		}
		c.Curves = append(c.Curves, cv)
	}
	if !test && n > 0 && !math.IsNaN(rep.Optimum) && rep.Optimum != 0 {
		opt := make([]float64, n)
		for i := range opt {
			opt[i] = rep.Optimum
		}
		c.Curves = append(c.Curves, Curve{Name: fmt.Sprintf("optimum %.2f", rep.Optimum), Mean: opt})
	}
	return c
}

// StudyTable returns the results of a study as table headers and rows: per
// method its label, initial space size, whether the target optimum is in
// that space, the paper's metric (evaluations until the optimum, else the
// top-0.1%, else the budget; mean ± std), how often the optimum and the
// top-0.1% were found, and the incumbent's test score at each checkpoint.
func StudyTable(rep *study.Report) ([]string, [][]string) {
	headers := []string{"method", "space", "optimum kept", "evals (LAPT metric)", "found optimum", "found top-0.1%"}
	if len(rep.Methods) > 0 {
		for _, p := range rep.Methods[0].Points {
			headers = append(headers, fmt.Sprintf("test@%d", p.Evals))
		}
	}
	var rows [][]string
	for _, m := range rep.Methods {
		kept := "no"
		if m.OptimumKept {
			kept = "yes"
		}
		row := []string{studyLabel(m), fmt.Sprint(m.SpaceSize), kept, fmt.Sprintf("%.1f\u00a0±\u00a0%.1f", m.MetricMean, m.MetricStd),
			fmt.Sprintf("%.0f%%", 100*m.FoundOptimum), fmt.Sprintf("%.0f%%", 100*m.FoundTop)}
		for _, p := range m.Points {
			row = append(row, pm(p.TestMean, p.TestStd))
		}
		rows = append(rows, row)
	}
	return headers, rows
}

// studyCaption is the line above the study table.
func studyCaption(rep *study.Report) string {
	s := rep.Schedule
	return fmt.Sprintf("%s → %s, reasoner %s, %d seeds; REA population %d, tournament %d, budget %d; target optimum val %.4f (test %.4f), top-0.1%% threshold val %.4f",
		strings.Join(rep.Sources, " + "), rep.Target, rep.Reasoner, rep.Seeds, s.Population, s.Tournament, s.Budget, rep.Optimum, rep.OptTest, rep.Threshold)
}

// StudyHTML returns the study's caption and results table as HTML.
func StudyHTML(rep *study.Report) string {
	h, rows := StudyTable(rep)
	return `<div class="nasnb-study"><div style="font-size:13px;color:#333;margin:4px 0">` + esc(studyCaption(rep)) + "</div>\n" + TableHTML(h, rows) + "</div>"
}

// DisplayStudy shows a study report: the caption and results table (see
// StudyTable), then the validation curves of StudyCurves. Outside a
// notebook it prints both as text.
func DisplayStudy(rep *study.Report) {
	h, rows := StudyTable(rep)
	DisplayData(map[string]any{"text/html": StudyHTML(rep), "text/plain": studyCaption(rep) + "\n" + TableText(h, rows)})
	Display(StudyCurves(rep, "val"))
}

// StudySummary returns a short plain-text summary of a study, one line per
// method: how often it found the target's optimum (and the top-0.1%), the
// mean evaluations of the paper's metric, and the incumbent's mean test
// score at each checkpoint. Lines start with the method's name (lapt,
// lapt-noadapt, frequency, rea-full), so scripts can pick them.
func StudySummary(rep *study.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s, reasoner %s, %d seeds, budget %d\n", strings.Join(rep.Sources, "+"), rep.Target, rep.Reasoner, rep.Seeds, rep.Schedule.Budget)
	fmt.Fprintf(&b, "target optimum: val %.4f, test %.4f\n", rep.Optimum, rep.OptTest)
	w := 0
	for _, m := range rep.Methods {
		w = max(w, len(m.Name))
	}
	for _, m := range rep.Methods {
		fmt.Fprintf(&b, "%-*s  found optimum %3.0f%% (top-0.1%% %3.0f%%), evals %4.1f", w, m.Name, 100*m.FoundOptimum, 100*m.FoundTop, m.MetricMean)
		for _, p := range m.Points {
			if math.IsNaN(p.TestMean) {
				fmt.Fprintf(&b, ", test@%d n/a", p.Evals)
			} else {
				fmt.Fprintf(&b, ", test@%d %.2f", p.Evals, p.TestMean)
			}
		}
		fmt.Fprintf(&b, ", space %d\n", m.SpaceSize)
	}
	return b.String()
}
