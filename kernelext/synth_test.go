package kernelext

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// The notebook path on a user-defined macro space (plain decisions, no
// cell) with the shared synthetic tasks, in every checkout: a study's
// table, curves and summary hold every method; the principles panel shows
// each decision's own choices and the refined size the study reports; the
// incumbent is shown as a decision table.
func TestStudyPanelsOnMacroSpace(t *testing.T) {
	ts, err := synth.MacroTasks(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	src, tgt := ts[0], ts[1]
	rep, err := study.Run(context.Background(), study.Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: []uint64{0, 1, 2},
		Schedule: transfer.Schedule{TopK: 30, Budget: 15, Population: 4, Tournament: 2, MaxOpsPerEdge: 2}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, rows := StudyTable(rep)
	if len(rows) != len(study.AllMethods) || len(h) < 3 {
		t.Fatalf("study table %v %v", h, rows)
	}
	if c := StudyCurves(rep, "val"); len(c.Curves) != len(study.AllMethods)+1 || len(c.Curves[0].Runs) != 3 {
		t.Errorf("%d curves", len(c.Curves))
	}
	if s := StudySummary(rep); !strings.Contains(s, "synth-macro/synth1") {
		t.Errorf("summary does not name the target:\n%s", s)
	}
	var lapt study.Method
	for _, m := range rep.Methods {
		if m.Name == study.LAPT {
			lapt = m
		}
	}
	if lapt.Principles == nil || lapt.Report == nil {
		t.Fatalf("LAPT method without principles: %+v", lapt)
	}
	sp := tgt.Space
	ph := PrinciplesHTML(sp, *lapt.Principles)
	for _, want := range []string{"choices (green: allowed)", "stem", "stage4", "width", "w1.5",
		fmt.Sprintf("Allowed: %s of 1,536 architectures", commas(lapt.SpaceSize))} {
		if !strings.Contains(ph, want) {
			t.Errorf("principles panel lacks %q:\n%s", want, ph)
		}
	}
	if rh := RefinementHTML(*lapt.Report); !strings.Contains(rh, "mbconv") {
		t.Errorf("refinement panel lacks the macro ops:\n%s", rh)
	}
	ah := ArchHTML(sp, tgt.Best, "target optimum")
	if !strings.Contains(ah, ">decision</th>") || !strings.Contains(ah, ">width</td>") || !strings.Contains(ah, "target optimum") || strings.Contains(ah, "<svg") {
		t.Errorf("a decision architecture should be a table:\n%s", ah)
	}
	if c := ArchCell(sp, tgt.Best); len(c.Edges) != 0 {
		t.Errorf("ArchCell of a decision space: %+v", c)
	}
}

// TransferHooks on the macro space through the shared fake evaluator, which
// fails every fifth evaluation: one principle event is displayed per event
// of the run, and the progress line reaches the budget.
func TestTransferHooksOnMacroSpaceWithFaults(t *testing.T) {
	msgs, _, _ := fakeNotebook(t)
	ts, err := synth.MacroTasks(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	src, tgt := ts[0], ts[1]
	ev := &synth.Evaluator{Task: tgt, Seconds: 1, Fault: func(n int, _ space.Arch) eval.Status {
		if n%5 == 0 {
			return eval.Diverged
		}
		return eval.OK
	}}
	sp := tgt.Space
	res, err := transfer.Run(context.Background(), transfer.Config{Space: sp, Sources: []reason.Evidence{src.Evidence()}, Target: ev,
		Reasoner: offline.New(), Schedule: transfer.Schedule{TopK: 30, Budget: 20, Population: 4, Tournament: 2, Warmup: 2, AdaptEvery: 4, MaxOpsPerEdge: 2},
		Seed: 5, References: []principles.Reference{{Name: "target optimum", Arch: tgt.Best}}, Hooks: TransferHooks(sp, "LAPT on synth-macro")})
	if err != nil {
		t.Fatal(err)
	}
	events, progress := transferDisplays(*msgs)
	if len(events) != len(res.Events) || len(events) < 2 {
		t.Fatalf("%d events displayed, the run had %d", len(events), len(res.Events))
	}
	if !strings.Contains(events[0], "space 1536 -> ") || !strings.Contains(events[0], "stem") {
		t.Errorf("first event: %q", events[0])
	}
	if !strings.Contains(progress, "trial 20/20") || !strings.Contains(progress, "done") || ev.Calls() < 20 {
		t.Errorf("progress %q after %d calls", progress, ev.Calls())
	}
}
