package kernelext

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// fixtureSet is a hand-written NB201 principle set, like the offline
// reasoner's (ids: 0 none, 1 skip, 2 conv1x1, 3 conv3x3, 4 pool).
func fixtureSet() principles.Set {
	return principles.Set{
		Version: 1,
		Statements: []string{
			"Edge 0->1 should carry nor_conv_3x3 <strongly>: 34 of the top 50 use it.",
			"Edge 0->3 should carry skip_connect & keep a residual path.",
			"Avoid none and avg_pool_3x3 across the cell.",
		},
		Allowed:    [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}},
		Reason:     "learned from the top 50 of 15625 architectures of imagenet16-120",
		Provenance: principles.Provenance{Reasoner: "offline", Sources: []string{"imagenet16-120"}, Evidence: []string{"a", "b"}},
	}
}

// fixtureSet2 is an adapted version of fixtureSet: one edge widened, one narrowed.
func fixtureSet2() principles.Set {
	s := fixtureSet().Clone()
	s.Version = 2
	s.Allowed[0] = []int{2, 3}
	s.Allowed[5] = []int{3}
	s.Statements = append(s.Statements[:2], "Edge 2->3: every one of the 5 best found carries nor_conv_3x3.")
	s.Reason = "adapted after 10 evaluations: best improved to 91.61"
	return s
}

const (
	fixtureOptimum = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
	fixtureOther   = "|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|"
)

func fixtureRefinement(t *testing.T) principles.Report {
	t.Helper()
	sp := space.NB201()
	opt, err := sp.Parse(fixtureOptimum)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sp.Parse(fixtureOther)
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := principles.Refine(sp, fixtureSet(), principles.Reference{Name: "target optimum", Arch: opt}, principles.Reference{Name: "runner-up", Arch: other})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// fixtureStudy is a study report with made-up but plausible runs.
func fixtureStudy() *study.Report {
	run := func(seed, rate, top float64) experiment.Outcome {
		var val, test []float64
		for i := 0; i < 20; i++ {
			v := top - 3*math.Exp(-rate*float64(i+1)) - 0.4*math.Abs(math.Sin(seed*float64(i+3)))
			val = append(val, v)
			test = append(test, v+2.7)
		}
		val, test = BestSoFar(val), BestSoFar(test)
		return experiment.Outcome{Seed: uint64(seed), Val: val, Test: test, Evaluations: 20}
	}
	method := func(name, label string, size int64, kept bool, rate float64, found float64) study.Method {
		m := study.Method{Name: name, Label: label, SpaceSize: size, OptimumKept: kept, MetricMean: 20 * (1 - found/1.2), MetricStd: 2.5,
			FoundOptimum: found, FoundTop: math.Min(1, found+0.3)}
		for s := 0; s < 6; s++ {
			m.Runs = append(m.Runs, run(float64(s+1), rate, 91.6))
		}
		m.Points = experiment.Summarize(m.Runs, []int{10, 20}, 91.6)
		return m
	}
	return &study.Report{
		Schema: "nasnb.transfer/v1", Space: "nb201", Sources: []string{"nb201/imagenet16-120@200"}, Target: "nb201/cifar10@200",
		Reasoner: "offline", Schedule: transfer.NB201Schedule(), Seeds: 6, Optimum: 91.6067, OptTest: 94.3733,
		OptArch: fixtureOptimum, Threshold: 91.418,
		Methods: []study.Method{
			method(study.LAPT, "LAPT (offline)", 8, true, 0.6, 1),
			method(study.Frequency, "frequency baseline (top-2 ops per edge)", 64, true, 0.25, 0.57),
			method(study.FullREA, "REA, full space (p=5, s=2)", 15625, true, 0.08, 0.01),
		},
	}
}

func TestGoldenPrinciples(t *testing.T) {
	sp := space.NB201()
	golden(t, "lapt_principles.html", PrinciplesHTML(sp, fixtureSet())+"\n")
	d := principles.Compare(sp, fixtureSet(), fixtureSet2())
	golden(t, "lapt_diff.html", DiffHTML(sp, d)+"\n")
	golden(t, "lapt_refinement.html", RefinementHTML(fixtureRefinement(t))+"\n")
}

func TestPrinciplesHTMLContent(t *testing.T) {
	h := PrinciplesHTML(space.NB201(), fixtureSet())
	for _, want := range []string{"Principles v1", "reasoner offline", "sources imagenet16-120", "<ol", "&lt;strongly&gt;", "&amp; keep",
		"nor_conv_3x3</span></th>", "✓ allowed", "Allowed: 8 of 15,625 architectures (0.05% of the space)"} {
		if !strings.Contains(h, want) {
			t.Errorf("PrinciplesHTML lacks %q", want)
		}
	}
	if n := strings.Count(h, "✓ allowed"); n != 9 {
		t.Errorf("%d allowed cells, want 9", n)
	}
	if strings.Contains(h, "<strongly>") {
		t.Errorf("statement not escaped")
	}
}

func TestRefinementHTMLContent(t *testing.T) {
	h := RefinementHTML(fixtureRefinement(t))
	for _, want := range []string{"15,625 → <b>8</b> architectures (0.05% kept)", "target optimum: survived", "runner-up: CUT</b> on edge 0-&gt;1: nor_conv_1x1; 0-&gt;3: avg_pool_3x3"} {
		if !strings.Contains(h, want) {
			t.Errorf("RefinementHTML lacks %q:\n%s", want, h)
		}
	}
	if n := strings.Count(h, "✓ kept"); n != 9 {
		t.Errorf("%d kept cells, want 9", n)
	}
	if n := strings.Count(h, ">cut</td>"); n != 21 {
		t.Errorf("%d cut cells, want 21", n)
	}
}

// The refinement grid's columns are the report's own op table (op-id
// order); kernelext derives nothing.
func TestRefinementColumnsFromReport(t *testing.T) {
	rep := fixtureRefinement(t)
	want := []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}
	if !slices.Equal(rep.Ops, want) {
		t.Fatalf("report ops %v, want %v", rep.Ops, want)
	}
	h := RefinementHTML(rep)
	last := -1
	for _, op := range want {
		i := strings.Index(h, ">"+op+"<")
		if i < last {
			t.Errorf("column %s out of the report's order in\n%s", op, h)
		}
		last = i
	}
}

func TestDiffHTMLContent(t *testing.T) {
	sp := space.NB201()
	h := DiffHTML(sp, principles.Compare(sp, fixtureSet(), fixtureSet2()))
	for _, want := range []string{"Principles v1 → v2", "space 8 → 8 architectures", "+nor_conv_1x1", "−nor_conv_1x1", "best improved to 91.61",
		"+ Edge 2-&gt;3: every one", "− Avoid none"} {
		if !strings.Contains(h, want) {
			t.Errorf("DiffHTML lacks %q:\n%s", want, h)
		}
	}
	// The offline reasoner's "Adaptation after n evaluations: <reason>" statement repeats the reason: shown once.
	d := principles.Diff{From: 1, To: 2, Reason: "widening edge 0->1", StatementsAdded: []string{"Adaptation after 8 evaluations: widening edge 0->1"},
		Edges: []principles.EdgeChange{{Label: "0->1", Added: []string{"nor_conv_1x1"}}}, SizeBefore: 8, SizeAfter: 16}
	if h := DiffHTML(sp, d); strings.Count(h, "widening edge 0-&gt;1") != 1 || strings.Contains(h, "<ul") {
		t.Errorf("repeated reason shown twice:\n%s", h)
	}
	if h := DiffHTML(sp, principles.Compare(sp, fixtureSet(), fixtureSet())); !strings.Contains(h, "No change.") {
		t.Errorf("empty diff: %s", h)
	}
}

// tinyDecisions is a space of plain decisions (no cell).
func tinyDecisions(t testing.TB) *space.Space {
	t.Helper()
	sp, err := space.Define("tiny", []space.EdgeSpec{
		space.Choice("block", "mbconv", "resblock", "plain"),
		space.Choice("depth", "d2", "d4", "d6"),
		space.Choice("act", "relu", "gelu", "sigmoid"),
		space.Choice("norm", "batchnorm", "no_norm"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestGoldenArch(t *testing.T) {
	sp := space.NB201()
	a, err := sp.Parse(fixtureOptimum)
	if err != nil {
		t.Fatal(err)
	}
	c := ArchCell(sp, a)
	want, _ := ParseNB201Cell(fixtureOptimum)
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("ArchCell %v, want %v", c, want)
	}
	c.Title = "target optimum"
	golden(t, "lapt_arch.svg", CellSVG(c)+"\n")

	ds := tinyDecisions(t)
	b, err := ds.Parse("resblock,d4,gelu,batchnorm")
	if err != nil {
		t.Fatal(err)
	}
	if c := ArchCell(ds, b); c.Nodes != 0 || len(c.Edges) != 0 {
		t.Errorf("decision space: ArchCell %v, want the zero Cell", c)
	}
	golden(t, "lapt_arch_decisions.html", ArchHTML(ds, b, "best found")+"\n")
}

func TestDisplayArch(t *testing.T) {
	msgs, _, _ := fakeNotebook(t)
	sp := space.NB201()
	a, _ := sp.Parse(fixtureOptimum)
	DisplayArch(sp, a, "optimum")
	ds := tinyDecisions(t)
	b, _ := ds.Parse("plain,d2,relu,no_norm")
	DisplayArch(ds, b, "")
	if len(*msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(*msgs))
	}
	m0, m1 := (*msgs)[0].data, (*msgs)[1].data
	if _, ok := m0["image/svg+xml"]; !ok || m0["text/plain"] != "optimum: "+fixtureOptimum {
		t.Errorf("cell arch: %v", m0["text/plain"])
	}
	if _, ok := m1["image/svg+xml"]; ok || m1["text/plain"] != "plain,d2,relu,no_norm" || !strings.Contains(m1["text/html"].(string), "<td") {
		t.Errorf("decision arch: %v", m1)
	}
}

func TestGoldenStudy(t *testing.T) {
	fakeIDs(t)
	rep := fixtureStudy()
	h, rows := StudyTable(rep)
	golden(t, "lapt_study_table.txt", TableText(h, rows))
	golden(t, "lapt_study.html", StudyHTML(rep)+"\n")
	golden(t, "lapt_study_summary.txt", StudySummary(rep))
	c := StudyCurves(rep, "val")
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "lapt_study_curves.svg", svg)
	opt, err := c.Option()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "lapt_study_curves.option.json", opt+"\n")
	golden(t, "lapt_study_curves.txt", c.Text())
}

func TestStudyCurves(t *testing.T) {
	rep := fixtureStudy()
	val := StudyCurves(rep, "val")
	if len(val.Curves) != 4 || val.Curves[3].Name != "optimum 91.61" || val.Curves[0].Name != "LAPT (offline)" || len(val.Curves[0].Runs) != 6 {
		t.Fatalf("val curves: %d curves", len(val.Curves))
	}
	if !strings.Contains(val.Title, "imagenet16-120 → cifar10") || val.Band != BandIQR {
		t.Errorf("title %q band %v", val.Title, val.Band)
	}
	test := StudyCurves(rep, "test")
	if len(test.Curves) != 3 || test.Curves[0].Runs[0][0] != rep.Methods[0].Runs[0].Test[0] || !strings.Contains(test.YLabel, "test") {
		t.Errorf("test curves wrong: %d curves, %q", len(test.Curves), test.YLabel)
	}
}

func TestStudySummary(t *testing.T) {
	s := StudySummary(fixtureStudy())
	for _, want := range []string{"lapt       found optimum 100%", "frequency  found optimum  57%", "test@10 ", "rea-full   found optimum   1%"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

// lineSpace is a small cell space (3 nodes, 3 edges, 4 ops: 64 cells) with a
// made-up smooth score: convs good, none bad, pool in between.
func lineSpace(t testing.TB) *space.Space {
	t.Helper()
	sp, err := space.Define("line", []space.EdgeSpec{
		space.CellEdge(0, 1, "conv", "skip", "pool", "none"),
		space.CellEdge(0, 2, "conv", "skip", "pool", "none"),
		space.CellEdge(1, 2, "conv", "skip", "pool", "none"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func lineScore(a space.Arch, task string) float64 {
	w := map[int]float64{0: 3, 1: 2, 2: 1, 3: 0}
	s := 80.0
	for i, op := range a.Ops() {
		s += w[op] * float64(i+1)
		if task == "target" && i == 1 && op == 1 {
			s += 4 // the target likes a skip on 0->2
		}
	}
	return s
}

func lineTask(t testing.TB, sp *space.Space, task string) *tabular.Task {
	t.Helper()
	var entries []bench.Entry
	sp.Enumerate(func(a space.Arch) bool {
		v := lineScore(a, task)
		entries = append(entries, bench.Entry{Arch: sp.Format(a), Index: len(entries), Val: v, Test: v + 1, HasVal: true, HasTest: true})
		return true
	})
	tb, err := bench.NewTable(sp.Name(), task, 0, "test", entries)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := tabular.FromTable(sp, tb)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestSearchHooks(t *testing.T) {
	msgs, clock, syncs := fakeNotebook(t)
	sp := lineSpace(t)
	ev := eval.Func(func(ctx context.Context, a space.Arch) (eval.Result, error) {
		*clock = clock.Add(1e9)
		return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: lineScore(a, "source"), Test: math.NaN()}}, nil
	})
	st, err := search.NewEvolution(sp, 1, search.EvolutionConfig{Population: 4, Tournament: 2})
	if err != nil {
		t.Fatal(err)
	}
	var hooks search.Hooks
	SearchProgress(&hooks, "REA")
	LiveSearchCurve(&hooks, CurveChart{Title: "live"}, "REA")
	r, err := search.Execute(context.Background(), search.Config{Strategy: st, Evaluator: ev, Budget: 12, Seed: 1, Hooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	var lastProgress, lastChart map[string]any
	for _, m := range *msgs {
		ids[m.displayID]++
		h, _ := m.data["text/html"].(string)
		switch {
		case strings.Contains(h, "nasnb-progress"):
			lastProgress = m.data
		case strings.Contains(h, "nasnb-chart"):
			lastChart = m.data
		}
	}
	if len(ids) != 3 { // progress, live chart, ECharts bundle (no id)
		t.Errorf("display ids %v, want progress, chart and the bundle", ids)
	}
	if lastProgress == nil || !strings.Contains(lastProgress["text/plain"].(string), "trial 12/12") || !strings.Contains(lastProgress["text/plain"].(string), "done") {
		t.Fatalf("final progress: %v", lastProgress)
	}
	inc, _ := r.Incumbent()
	if want := fmt.Sprintf("best %.4g", inc.Result.Metrics.Val); !strings.Contains(lastProgress["text/plain"].(string), want) {
		t.Errorf("progress %q lacks %q", lastProgress["text/plain"], want)
	}
	if lastChart == nil || lastChart["image/svg+xml"] == nil || !strings.Contains(lastChart["text/plain"].(string), "REA: 1 runs, 12 points") {
		t.Errorf("final chart: %v", lastChart["text/plain"])
	}
	if *syncs < 2 {
		t.Errorf("%d syncs: progress and chart must sync at the end", *syncs)
	}
}

func TestSearchHooksText(t *testing.T) {
	var buf strings.Builder
	old := Out
	Out = &buf
	defer func() { Out = old }()
	sp := lineSpace(t)
	tk := lineTask(t, sp, "source")
	st, _ := search.NewEvolution(sp, 3, search.EvolutionConfig{Population: 4, Tournament: 2})
	var hooks search.Hooks
	SearchProgress(&hooks, "REA")
	LiveSearchCurve(&hooks, CurveChart{Title: "live"}, "REA")
	if _, err := search.Execute(context.Background(), search.Config{Strategy: st, Evaluator: tk.Table, Budget: 10, Seed: 3, Hooks: hooks}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "REA: trial 10/10") || !strings.Contains(out, "done") || !strings.Contains(out, "REA: 1 runs, 10 points") {
		t.Errorf("text output:\n%s", out)
	}
}

// kernelext attaches named subscribers: attaching again replaces them (a
// re-run notebook cell), the user's own subscribers run alongside, and each
// can be removed by name.
func TestSearchHooksAttachByName(t *testing.T) {
	var buf strings.Builder
	old := Out
	Out = &buf
	defer func() { Out = old }()
	var h search.Hooks
	SearchProgress(&h, "first")
	SearchProgress(&h, "REA")
	LiveSearchCurve(&h, CurveChart{Title: "live"}, "REA")
	l := NewLiveCurve(CurveChart{Title: "shared"})
	l.AttachSearch(&h, "seed 3", 0)
	mine := 0
	h.OnTrial.Add("mine", -1, func(*search.Run, search.Trial) error { mine++; return nil })
	want := []string{"mine", "kernelext.progress", "kernelext.live-curve", "kernelext.curve:seed 3"}
	if got := h.OnTrial.Names(); !slices.Equal(got, want) {
		t.Fatalf("OnTrial subscribers %v, want %v", got, want)
	}
	if h.OnStart.Len() != 2 || h.OnEnd.Len() != 2 {
		t.Fatalf("OnStart %v OnEnd %v", h.OnStart.Names(), h.OnEnd.Names())
	}
	sp := lineSpace(t)
	tk := lineTask(t, sp, "source")
	st, _ := search.NewEvolution(sp, 3, search.EvolutionConfig{Population: 4, Tournament: 2})
	r, err := search.Execute(context.Background(), search.Config{Strategy: st, Evaluator: tk.Table, Budget: 8, Seed: 3, Hooks: h})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	out := buf.String()
	if mine != len(r.Trials()) || strings.Contains(out, "first") || !strings.Contains(out, "REA: trial 8/8") || !strings.Contains(out, "seed 3: 1 runs, 8 points") {
		t.Errorf("%d own calls; text output:\n%s", mine, out)
	}
	h.OnTrial.Remove("kernelext.live-curve")
	if got := h.OnTrial.Names(); slices.Contains(got, "kernelext.live-curve") {
		t.Errorf("after Remove: %v", got)
	}
}

func TestTransferHooks(t *testing.T) {
	msgs, _, _ := fakeNotebook(t)
	sp := lineSpace(t)
	src, tgt := lineTask(t, sp, "source"), lineTask(t, sp, "target")
	res, err := transfer.Run(context.Background(), transfer.Config{Space: sp, Sources: []reason.Evidence{src.Evidence()}, Target: tgt.Table,
		Reasoner: offline.New(), Schedule: transfer.Schedule{TopK: 10, Budget: 16, Population: 4, Tournament: 2, Warmup: 2, AdaptEvery: 3},
		Seed: 2, References: []principles.Reference{{Name: "target optimum", Arch: tgt.Best}}, Hooks: TransferHooks(sp, "LAPT on target")})
	if err != nil {
		t.Fatal(err)
	}
	events, progress := transferDisplays(*msgs)
	if len(events) != len(res.Events) || len(events) == 0 {
		t.Fatalf("%d events displayed, the run had %d", len(events), len(res.Events))
	}
	if !strings.HasPrefix(events[0], "Principles v1 in force after 0 evaluations (learn)") || !strings.Contains(events[0], "space 64 -> ") {
		t.Errorf("first event: %q", events[0])
	}
	for i, e := range res.Events[1:] {
		if e.Err == "" && !strings.Contains(events[i+1], fmt.Sprintf("after %d evaluations (%s", e.Evaluations, e.Trigger)) {
			t.Errorf("event %d: %q", i+1, events[i+1])
		}
	}
	if !strings.Contains(progress, "trial 16/16") || !strings.Contains(progress, "done") {
		t.Errorf("progress %q", progress)
	}
}

func TestPrincipleEventText(t *testing.T) {
	sp := space.NB201()
	v1, v2 := fixtureSet(), fixtureSet2()
	rep := fixtureRefinement(t)
	first := transfer.Event{Trigger: transfer.TriggerLearn, Set: v1, Report: rep, Diff: principles.Diff{To: 1, SizeAfter: 8}}
	if got := PrincipleEventText(sp, first); !strings.Contains(got, "space 15625 -> 8 architectures; 0->1: nor_conv_3x3 | 0->2: nor_conv_1x1, nor_conv_3x3") {
		t.Errorf("first: %q", got)
	}
	adapt := transfer.Event{Trigger: transfer.TriggerAdapt, Evaluations: 10, Improved: true, Set: v2, Diff: principles.Compare(sp, v1, v2)}
	if got := PrincipleEventText(sp, adapt); !strings.HasPrefix(got, "Principles v2 in force after 10 evaluations (adapt, best improved)\nv1 -> v2") {
		t.Errorf("adapt: %q", got)
	}
	fb := transfer.Event{Trigger: transfer.TriggerFallback, Evaluations: 15, Set: v2, Err: "searching the full space"}
	if got := PrincipleEventHTML(sp, fb); !strings.Contains(got, "Fallback to the full space after 15 evaluations") || !strings.Contains(got, "searching the full space") {
		t.Errorf("fallback: %q", got)
	}
	distrust := transfer.Event{Trigger: transfer.TriggerDistrust, Evaluations: 12, Set: v2, Err: "the target distrusts the principles: 3 of 3 escapes beat the population median"}
	if got := PrincipleEventHTML(sp, distrust); !strings.Contains(got, "The target distrusts the principles: the full space from here after 12 evaluations") || !strings.Contains(got, "3 of 3 escapes") {
		t.Errorf("distrust: %q", got)
	}
	hedge := transfer.Event{Trigger: transfer.TriggerHedge, Evaluations: 25, Set: v2, Err: "hedge: 25 evaluations spent inside the principles"}
	if got := PrincipleEventText(sp, hedge); !strings.HasPrefix(got, "Hedge: the full space from here after 25 evaluations (hedge)\n  hedge: 25 evaluations") {
		t.Errorf("hedge: %q", got)
	}
}

func TestDisplayStudyText(t *testing.T) {
	var buf strings.Builder
	old := Out
	Out = &buf
	defer func() { Out = old }()
	DisplayStudy(fixtureStudy())
	out := buf.String()
	for _, want := range []string{"nb201/imagenet16-120@200 → nb201/cifar10@200", "LAPT (offline)", "test@20", "optimum 91.61: 0 runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

func TestDisplayStudyNotebook(t *testing.T) {
	msgs, _, _ := fakeNotebook(t)
	DisplayStudy(fixtureStudy())
	var table, chart bool
	for _, m := range *msgs {
		h, _ := m.data["text/html"].(string)
		table = table || strings.Contains(h, "nasnb-study")
		chart = chart || (strings.Contains(h, "nasnb-echarts") && m.data["image/svg+xml"] != nil)
	}
	if !table || !chart {
		t.Errorf("table %v, chart %v", table, chart)
	}
}

// A real (small) study through the adapters: the table and curves hold every
// method, and the summary reads the report's numbers.
func TestStudyEndToEnd(t *testing.T) {
	sp := lineSpace(t)
	src, tgt := lineTask(t, sp, "source"), lineTask(t, sp, "target")
	rep, err := study.Run(context.Background(), study.Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: []uint64{0, 1, 2, 3},
		Schedule: transfer.Schedule{TopK: 10, Budget: 12, Population: 4, Tournament: 2}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, rows := StudyTable(rep)
	if len(rows) != len(study.AllMethods) || len(h) != 8 || h[6] != "test@10" || h[7] != "test@12" {
		t.Errorf("table %v %v", h, rows)
	}
	c := StudyCurves(rep, "val")
	if len(c.Curves) != len(study.AllMethods)+1 || len(c.Curves[0].Runs) != 4 {
		t.Errorf("%d curves", len(c.Curves))
	}
	if _, err := c.SVG(); err != nil {
		t.Error(err)
	}
	s := StudySummary(rep)
	for _, m := range rep.Methods {
		if !strings.Contains(s, fmt.Sprintf("found optimum %3.0f%%", 100*m.FoundOptimum)) {
			t.Errorf("summary lacks %s:\n%s", m.Name, s)
		}
	}
}

func TestFormatHelpers(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 15625: "15,625", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
	for f, want := range map[float64]string{0: "0%", 1: "100%", 0.5: "50%", 0.00512: "0.51%", 8.0 / 15625: "0.05%", 0.064: "6.4%"} {
		if got := percent(f); got != want {
			t.Errorf("percent(%g) = %q, want %q", f, got, want)
		}
	}
	if got := taskShort("nb201/imagenet16-120@200", "nb201/cifar100@200"); got != "imagenet16-120+cifar100" {
		t.Errorf("taskShort: %q", got)
	}
}

// Outside a notebook the principle adapters print the core's own text forms.
func ExampleDisplayPrinciples() {
	sp := space.NB201()
	set := principles.Set{
		Version:    1,
		Statements: []string{"Edge 0->1 should carry nor_conv_3x3.", "Keep a residual path on edge 0->3."},
		Allowed:    [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}},
		Provenance: principles.Provenance{Reasoner: "offline", Sources: []string{"imagenet16-120"}},
	}
	DisplayPrinciples(sp, set)
	opt, _ := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
	_, rep, _ := principles.Refine(sp, set, principles.Reference{Name: "target optimum", Arch: opt})
	DisplayRefinement(rep)
	// Output:
	// Principles v1 (offline, from imagenet16-120)
	//   1. Edge 0->1 should carry nor_conv_3x3.
	//   2. Keep a residual path on edge 0->3.
	//   Allowed ops per edge:
	//     0->1   nor_conv_3x3
	//     0->2   nor_conv_1x1, nor_conv_3x3
	//     1->2   nor_conv_3x3
	//     0->3   skip_connect
	//     1->3   nor_conv_1x1, nor_conv_3x3
	//     2->3   nor_conv_1x1, nor_conv_3x3
	// Refined nb201 space: 15625 -> 8 architectures (0.05%)
	//   edge 0->1   kept nor_conv_3x3                         cut none,skip_connect,nor_conv_1x1,avg_pool_3x3
	//   edge 0->2   kept nor_conv_1x1,nor_conv_3x3            cut none,skip_connect,avg_pool_3x3
	//   edge 1->2   kept nor_conv_3x3                         cut none,skip_connect,nor_conv_1x1,avg_pool_3x3
	//   edge 0->3   kept skip_connect                         cut none,nor_conv_1x1,nor_conv_3x3,avg_pool_3x3
	//   edge 1->3   kept nor_conv_1x1,nor_conv_3x3            cut none,skip_connect,avg_pool_3x3
	//   edge 2->3   kept nor_conv_1x1,nor_conv_3x3            cut none,skip_connect,avg_pool_3x3
	//   reference target optimum: survived
}

// In a space of plain decisions the grids list each decision's own choices
// instead of one column per op of the whole space.
func TestDecisionGrids(t *testing.T) {
	sp := tinyDecisions(t)
	set := principles.Set{Version: 1, Allowed: [][]int{{0}, {4, 5}, {6, 7}, {9}}}
	h := PrinciplesHTML(sp, set)
	if !strings.Contains(h, "choices (green: allowed)") || !strings.Contains(h, "✓ mbconv") || strings.Contains(h, ">d2</span></th>") {
		t.Errorf("decision grid:\n%s", h)
	}
	if n := strings.Count(h, "<td title="); n != 11 {
		t.Errorf("%d choice cells, want 11 (3+3+3+2)", n)
	}
	b, _ := sp.Parse("resblock,d4,gelu,batchnorm")
	_, rep, err := principles.Refine(sp, set, principles.Reference{Name: "target optimum", Arch: b})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "lapt_refinement_decisions.html", RefinementHTML(rep)+"\n")
}

// On a space limited to known architectures, the principles panel counts
// what the constraint allows among those architectures, as Refine does (it
// used to multiply the per-edge op counts: "16 of 3" style sizes).
func TestPrinciplesSizeOnLimitedSpace(t *testing.T) {
	lim := limitedSpace(t, space.NB201(),
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
		"|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|",
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
		"|avg_pool_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
	)
	set := fixtureSet() // allows 8 cells of the full space; 3 of the 5 known ones
	_, rep, err := principles.Refine(lim, set)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SizeAfter != 3 || rep.SizeBefore != 5 {
		t.Fatalf("Refine: %d of %d, want 3 of 5", rep.SizeAfter, rep.SizeBefore)
	}
	h := PrinciplesHTML(lim, set)
	if !strings.Contains(h, "Allowed: 3 of 5 architectures") {
		t.Errorf("principles panel on a limited space does not say 3 of 5:\n%s", h)
	}
	if e := rep.Edges[0]; !slices.Equal(e.KeptIDs, []int{3}) || len(e.CutIDs) != 4 {
		t.Errorf("edge 0 ids: kept %v cut %v", e.KeptIDs, e.CutIDs)
	}
}

// TransNAS micro limited to the architectures a table knows: the principles
// panel and the first principle event say what Refine says (the panel used
// to count the product of the allowed ops: "Allowed: 16 of 711" where Refine
// said 3).
func TestPrinciplesSizeOnLimitedTransNAS(t *testing.T) {
	lim := limitedSpace(t, space.TransNASMicro(), "64-41414-3_33_333", "64-41414-3_33_332", "64-41414-2_23_333",
		"64-41414-0_00_000", "64-41414-1_11_111", "64-41414-3_23_233", "64-41414-2_22_222")
	// conv1x1 or conv3x3 on the first four edges, conv3x3 on the last two:
	// 16 cells of the product, 3 of the 7 known ones.
	set := principles.Set{Version: 1, Allowed: [][]int{{2, 3}, {2, 3}, {2, 3}, {2, 3}, {3}, {3}}}
	sub, rep, err := principles.Refine(lim, set)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SizeAfter != 3 || rep.SizeBefore != 7 || sub.Count() != 3 {
		t.Fatalf("Refine: %d of %d, want 3 of 7", rep.SizeAfter, rep.SizeBefore)
	}
	if h := PrinciplesHTML(lim, set); !strings.Contains(h, "Allowed: 3 of 7 architectures") || strings.Contains(h, "16") {
		t.Errorf("principles panel does not say 3 of 7:\n%s", h)
	}
	ev := transfer.Event{Trigger: "learn", Set: set, Report: rep}
	if txt := PrincipleEventText(lim, ev); !strings.Contains(txt, "space 7 -> 3 architectures") {
		t.Errorf("event text: %s", txt)
	}
	if h := PrincipleEventHTML(lim, ev); !strings.Contains(h, "space 7 → <b>3</b> architectures") {
		t.Errorf("event html: %s", h)
	}
}

// The same on the real TransNAS-Bench-101 micro table (skips without data):
// the panel says the refined size Refine reports for learned principles.
func TestPrinciplesSizeOnTransNASTable(t *testing.T) {
	dir, ok := datadir.SharedForTests()
	if !ok {
		t.Skip("no benchmark data")
	}
	src, err := tabular.Open(dir, "transnas-micro", "class_scene", 0)
	if err != nil {
		t.Skip(err)
	}
	out, err := transfer.Learn(context.Background(), offline.New(), src.Space, []reason.Evidence{src.Evidence()}, transfer.TransNASSchedule())
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := principles.Refine(src.Space, out.Set)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Allowed: %s of %s architectures", commas(rep.SizeAfter), commas(rep.SizeBefore))
	if h := PrinciplesHTML(src.Space, out.Set); !strings.Contains(h, want) {
		t.Errorf("panel lacks %q:\n%s", want, h)
	}
}

// transferDisplays returns the plain text of the principle events a run's
// TransferHooks displayed, in order, and of its last progress line.
func transferDisplays(msgs []message) (events []string, progress string) {
	for _, m := range msgs {
		h, _ := m.data["text/html"].(string)
		if strings.Contains(h, "nasnb-principle-event") {
			events = append(events, m.data["text/plain"].(string))
		}
		if strings.Contains(h, "nasnb-progress") {
			progress = m.data["text/plain"].(string)
		}
	}
	return events, progress
}

// limitedSpace parses keys in full and limits full to them.
func limitedSpace(t *testing.T, full *space.Space, keys ...string) *space.Space {
	t.Helper()
	var archs []space.Arch
	for _, k := range keys {
		a, err := full.Parse(k)
		if err != nil {
			t.Fatal(err)
		}
		archs = append(archs, a)
	}
	lim, err := full.LimitTo(archs)
	if err != nil {
		t.Fatal(err)
	}
	return lim
}
