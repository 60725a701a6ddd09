package kernelext

import (
	"context"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// A bold reasoner on the line space cuts the target's optimum (it wants a
// skip on 0->2, the source does not); adaptation brings it back.
func TestVersionsTableAndStory(t *testing.T) {
	sp := lineSpace(t)
	src, tgt := lineTask(t, sp, "source"), lineTask(t, sp, "target")
	res, err := transfer.Run(context.Background(), transfer.Config{Space: sp, Sources: []reason.Evidence{src.Evidence()}, Target: tgt.Table,
		Reasoner: &offline.Reasoner{Alpha: 0.5, IgnoreBudget: true}, Schedule: transfer.Schedule{TopK: 10, Budget: 24, Population: 4, Tournament: 2, Warmup: 2, AdaptEvery: 3},
		Seed: 1, References: []principles.Reference{{Name: "target optimum", Arch: tgt.Best}}})
	if err != nil {
		t.Fatal(err)
	}
	h, rows := VersionsTable(sp, res)
	if len(h) != 7 || h[5] != "target optimum" || len(rows) != len(res.Events) {
		t.Fatalf("headers %v, %d rows for %d events", h, len(rows), len(res.Events))
	}
	if rows[0][0] != "v1" || rows[0][1] != "learn" || rows[0][3] != "" || !strings.Contains(rows[0][6], "0->1: ") {
		t.Errorf("first row %v", rows[0])
	}
	for i, ev := range res.Events {
		kept, known := survived(ev.Report, "target optimum")
		want := map[bool]string{true: "kept", false: "cut"}[kept]
		if !known {
			want = ""
		}
		if rows[i][5] != want {
			t.Errorf("row %d: optimum %q, want %q", i, rows[i][5], want)
		}
	}
	story := ReferenceStory(res)
	t.Logf("story %q", story)
	if kept, _ := survived(res.Events[0].Report, "target optimum"); kept {
		t.Logf("v1 kept the optimum on this seed; story %v", story)
	} else if len(story) == 0 || !strings.HasPrefix(story[0], "v1 cuts the target optimum away (blocking: ") {
		t.Errorf("story %v", story)
	}
	if len(story) > 1 && !strings.HasSuffix(story[1], "is now inside the space") {
		t.Errorf("story[1] = %q", story[1])
	}
	chart := TrialsByVersion(res, "by version", "val")
	n := 0
	for _, s := range chart.Series {
		n += len(s.X)
		if !strings.HasPrefix(s.Name, "under v") || len(s.Labels) != len(s.X) {
			t.Errorf("series %+v", s)
		}
	}
	if n != res.Run.Evaluations() {
		t.Errorf("%d points for %d evaluations", n, res.Run.Evaluations())
	}
	if _, err := chart.SVG(); err != nil {
		t.Error(err)
	}
}

func TestOpFreqOf(t *testing.T) {
	sp := lineSpace(t)
	ev := lineTask(t, sp, "source").Evidence()
	c := OpFreqOf(sp, ev.Top(8), "top 8")
	if len(c.Edges) != 3 || c.Edges[0] != "0→1" || len(c.Ops) != 4 || c.Ops[0] != "conv" || !c.Normalize {
		t.Fatalf("chart %+v", c)
	}
	for e, row := range c.Counts {
		s := 0.0
		for _, x := range row {
			s += x
		}
		if s != 8 {
			t.Errorf("edge %d counts %v, want 8 in all", e, row)
		}
	}
	if c.Counts[2][0] <= c.Counts[2][1] {
		t.Errorf("conv should lead on 1->2 (the heaviest edge): %v", c.Counts[2])
	}
}
