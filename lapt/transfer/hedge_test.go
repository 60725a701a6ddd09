package transfer

import (
	"context"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
)

// TestFullSpaceAfterHedge: with Schedule.FullSpaceAfter the run leaves the
// principles once that many evaluations are counted, reports it with one
// hedge event (not an adaptation), asks the reasoner nothing more, spends
// the rest of the budget in the full space, and resumes from any cut of its
// journal to the same run.
func TestFullSpaceAfterHedge(t *testing.T) {
	src, tgt := synthPair(t)
	evidence := []reason.Evidence{src.Evidence()}
	sch := NB201Schedule()
	sch.FullSpaceAfter = 8
	cfg := func(j *journal.Journal) Config {
		return Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: offline.New(),
			Schedule: sch, Seed: 5, Journal: j}
	}
	checkResumeFromCuts(t, cfg, 6, func(res *Result) {
		var hedges []Event
		for _, ev := range res.Events {
			if ev.Trigger == TriggerHedge {
				hedges = append(hedges, ev)
			} else if len(hedges) > 0 {
				t.Errorf("event %s after the hedge", ev.Trigger)
			}
		}
		if len(hedges) != 1 || hedges[0].Evaluations != sch.FullSpaceAfter || hedges[0].Report.SizeAfter != tgt.Space.Count() ||
			!strings.Contains(hedges[0].Err, "FullSpaceAfter") {
			t.Fatalf("hedge events %+v", hedges)
		}
		if res.Run.Evaluations() != sch.Budget {
			t.Errorf("%d evaluations, want the budget %d", res.Run.Evaluations(), sch.Budget)
		}
		// Before the hedge every counted proposal but the guided escapes is
		// inside the learned space; after it the search roams the full space.
		learned, _ := tgt.Space.Restrict(res.History.Versions[0].Allowed)
		outside, n := 0, 0
		for _, tr := range res.Run.Trials() {
			if !tr.Counted {
				continue
			}
			n++
			if n > sch.FullSpaceAfter && !learned.Contains(tr.Arch) {
				outside++
			}
		}
		if outside == 0 {
			t.Errorf("no proposal outside the learned space after the hedge")
		}
		// The hedge is scheduled, not an adaptation.
		adapt := 0
		for _, ev := range res.Events {
			if (ev.Trigger == TriggerAdapt || ev.Trigger == TriggerExhausted) && ev.Err == "" && len(ev.Diff.Edges) > 0 {
				adapt++
			}
		}
		if res.Adaptations() != adapt {
			t.Errorf("Adaptations() = %d, want %d (the hedge not counted)", res.Adaptations(), adapt)
		}
	})
	// Off by default: no hedge event without it.
	res, err := Run(context.Background(), Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: offline.New(),
		Schedule: NB201Schedule(), Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range res.Events {
		if ev.Trigger == TriggerHedge {
			t.Errorf("hedge without Schedule.FullSpaceAfter")
		}
	}
	// A negative value is refused.
	bad := NB201Schedule()
	bad.FullSpaceAfter = -1
	if _, err := Run(context.Background(), Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: offline.New(),
		Schedule: bad}); err == nil || !strings.Contains(err.Error(), "FullSpaceAfter") {
		t.Errorf("negative FullSpaceAfter: %v", err)
	}
}
