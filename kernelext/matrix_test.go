package kernelext

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/matrix"
	"github.com/nasnb/nasnb/lapt/study"
)

// fixtureMatrix is a hand-made 3-task matrix with LAPT and full-space REA.
func fixtureMatrix() *matrix.Report {
	tasks := []string{"cifar10", "cifar100", "imagenet16-120"}
	found := map[[2]int]float64{{0, 1}: 1, {0, 2}: 0.03, {1, 0}: 0.99, {1, 2}: 0.95, {2, 0}: 1, {2, 1}: 1}
	rep := &matrix.Report{Schema: matrix.Schema, Space: "nb201", Tasks: tasks, Reasoner: "offline", Seeds: 100,
		Methods: []string{study.LAPT, study.FullREA}}
	rep.Schedule.Budget = 20
	for s := range tasks {
		for t := range tasks {
			if s == t {
				continue
			}
			p := matrix.Pair{Sources: []string{tasks[s]}, Source: tasks[s], Target: tasks[t], Cells: []matrix.Cell{
				{Method: study.LAPT, SpaceSize: 16, OptimumKept: found[[2]int{s, t}] > 0.5, Seeds: 100, FoundOptimum: found[[2]int{s, t}], ValAt10: 70 + float64(t), ValAtBudget: 71},
				{Method: study.FullREA, SpaceSize: 15625, OptimumKept: true, Seeds: 100, FoundOptimum: 0.01, ValAt10: 68 + float64(t), ValAtBudget: 69},
			}}
			rep.Pairs = append(rep.Pairs, p)
		}
	}
	rep.Summary = matrix.Summarize(rep.Pairs, rep.Methods)
	return rep
}

// The summary table counts the pairs below full-space REA and, apart, those
// below it by more than noise.
func TestMatrixSummaryTable(t *testing.T) {
	rep := fixtureMatrix()
	// One pair far below REA (0% vs 16% over 100 seeds), one within noise
	// (0% vs 3%).
	rep.Pairs[0].Cells[0].FoundOptimum, rep.Pairs[0].Cells[1].FoundOptimum = 0, 0.16
	rep.Pairs[1].Cells[0].FoundOptimum, rep.Pairs[1].Cells[1].FoundOptimum = 0, 0.03
	rep.Summary = matrix.Summarize(rep.Pairs, rep.Methods)
	headers, rows := MatrixSummaryTable(rep)
	if len(rows) != 2 || len(rows[0]) != len(headers) || headers[len(headers)-1] != "< REA beyond noise" {
		t.Fatalf("headers %v, rows %v", headers, rows)
	}
	if got := rows[0][len(headers)-2:]; got[0] != "2" || got[1] != "1" {
		t.Errorf("lapt: pairs < REA %s, beyond noise %s; want 2 and 1", got[0], got[1])
	}
	// Without seed counts (a report written before them) the count is unknown.
	for i := range rep.Pairs {
		rep.Pairs[i].Cells[0].Seeds = 0
	}
	rep.Summary = matrix.Summarize(rep.Pairs, rep.Methods)
	if _, rows := MatrixSummaryTable(rep); rows[0][len(headers)-1] != "n/a" {
		t.Errorf("unknown seed counts: %v", rows[0])
	}
}

func TestMatrixHeatmap(t *testing.T) {
	rep := fixtureMatrix()
	hc, err := MatrixHeatmap(rep, study.LAPT, MatrixFound)
	if err != nil {
		t.Fatal(err)
	}
	if len(hc.Rows) != 3 || len(hc.Cols) != 3 {
		t.Fatalf("grid %dx%d", len(hc.Rows), len(hc.Cols))
	}
	for i := range 3 {
		if !math.IsNaN(hc.Values[i][i]) {
			t.Errorf("diagonal %d = %v, want blank", i, hc.Values[i][i])
		}
	}
	if hc.Values[0][2] != 3 || hc.Values[1][0] != 99 {
		t.Errorf("values %v", hc.Values)
	}
	d, err := MatrixHeatmap(rep, study.LAPT, MatrixFoundVsREA)
	if err != nil || math.Abs(d.Values[0][2]-2) > 1e-9 || !d.Diverging {
		t.Fatalf("vs REA: %v %v", err, d.Values)
	}
	v, _ := MatrixHeatmap(rep, study.LAPT, MatrixVal10VsREA)
	if v.Values[2][1] != 2 {
		t.Errorf("val10 vs REA: %v", v.Values)
	}
	if _, err := MatrixHeatmap(rep, "magic", MatrixFound); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := MatrixHeatmap(rep, study.LAPT, "bogus"); err == nil {
		t.Errorf("unknown quantity accepted")
	}
	if _, err := MatrixHeatmap(nil, study.LAPT, MatrixFound); err == nil {
		t.Errorf("nil report accepted")
	}
}

func TestGoldenHeatmap(t *testing.T) {
	fakeIDs(t)
	hc, err := MatrixHeatmap(fixtureMatrix(), study.LAPT, MatrixFound)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := hc.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(svg, "<rect") != 1+9 || !strings.Contains(svg, ">99<") || strings.Contains(svg, ">NaN<") {
		t.Errorf("heatmap SVG: want 9 cells with their values")
	}
	golden(t, "heatmap.svg", svg)
	opt, err := hc.Option()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(opt, `"type":"heatmap"`) || !strings.Contains(opt, `"visualMap"`) {
		t.Errorf("option: %s", opt)
	}
	golden(t, "heatmap.option.json", opt+"\n")
	html, err := figureHTML(hc, "nasnb-test", true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "<svg") {
		t.Errorf("the chart HTML lacks its static image")
	}
	golden(t, "heatmap.html", html+"\n")
	golden(t, "heatmap.txt", hc.Text())
}

func TestDisplayMatrixText(t *testing.T) {
	var buf bytes.Buffer
	old := Out
	Out = &buf
	defer func() { Out = old }()
	if err := DisplayMatrix(fixtureMatrix(), study.LAPT); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"found (worst pair)", "cifar10 -> imagenet16-120", "optimum found minus full-space REA", "·"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}
