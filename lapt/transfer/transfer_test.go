package transfer

import (
	"context"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func tasks(t testing.TB, target string) (*tabular.Task, *tabular.Task) {
	dir := datatest.Dir(t)
	src, err := tabular.Open(dir, "nb201", "imagenet16-120", 200)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := tabular.Open(dir, "nb201", target, 200)
	if err != nil {
		t.Fatal(err)
	}
	return src, tgt
}

func TestTransferImageNetToCIFAR(t *testing.T) {
	for _, target := range []string{"cifar10", "cifar100"} {
		src, tgt := tasks(t, target)
		seeds, _ := experiment.ParseSeeds("0-99")
		r := offline.New()
		evidence := []reason.Evidence{src.Evidence()}
		learned, err := Learn(context.Background(), r, tgt.Space, evidence, NB201Schedule())
		if err != nil {
			t.Fatal(err)
		}
		foundOpt := 0
		outs, err := experiment.RunSeeds(context.Background(), seeds, 0, func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
			res, err := Run(ctx, Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: r,
				Initial: &learned, Schedule: NB201Schedule(), Seed: seed, References: []principles.Reference{{Name: "optimum", Arch: tgt.Best}}})
			if err != nil {
				return experiment.Outcome{}, err
			}
			v, te := res.Run.Curve()
			return experiment.Outcome{Val: v, Test: te, Evaluations: res.Run.Evaluations()}, nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if experiment.EvalsToReach(o.Val, tgt.BestEntry.Val) > 0 {
				foundOpt++
			}
		}
		pts := experiment.Summarize(outs, []int{10, 20}, tgt.BestEntry.Val)
		t.Logf("%s: optimum found %d/100; test@10 %.2f±%.2f test@20 %.2f±%.2f", target, foundOpt, pts[0].TestMean, pts[0].TestStd, pts[1].TestMean, pts[1].TestStd)
		if foundOpt < 90 {
			t.Errorf("%s: optimum found in %d of 100 runs, want >= 90", target, foundOpt)
		}
	}
}

func TestTransferResumeFromJournal(t *testing.T) {
	src, tgt := tasks(t, "cifar10")
	evidence := []reason.Evidence{src.Evidence()}
	checkResumeFromCuts(t, func(j *journal.Journal) Config {
		return Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: offline.New(),
			Schedule: NB201Schedule(), Seed: 3, Journal: j}
	}, 23, nil)
}

func TestScheduleComplete(t *testing.T) {
	if got := (Schedule{}).Complete(space.NB201()); got != NB201Schedule() || got != ScheduleFor(space.NB201()) {
		t.Fatalf("zero schedule: %+v", got)
	}
	s := Schedule{Budget: 30, Warmup: -1}.Complete(space.TransNASMicro())
	if s.Budget != 30 || s.Warmup != -1 || s.Population != 10 || s.MaxOpsPerEdge != 3 {
		t.Fatalf("%+v", s)
	}
	if s.Complete(space.TransNASMicro()) != s {
		t.Fatal("Complete is not idempotent")
	}
	if s.Note != "" || NB201Schedule().ExhaustAfter != 50 || s.ExhaustAfter != 50 {
		t.Fatalf("paper schedules: note %q, exhaust after %d/%d", s.Note, NB201Schedule().ExhaustAfter, s.ExhaustAfter)
	}
}

// An unknown space gets a schedule derived from its size and budget, with a
// note saying so; the user's numbers win.
func TestScheduleForUnknownSpace(t *testing.T) {
	sp, err := space.Define("mine", []space.EdgeSpec{
		space.Choice("width", "w16", "w32", "w64"), space.Choice("depth", "d1", "d2", "d3"),
		space.Choice("act", "relu", "gelu"), space.Choice("norm", "bn", "ln")})
	if err != nil {
		t.Fatal(err)
	}
	s := ScheduleFor(sp)
	want := Schedule{TopK: 3, MaxOpsPerEdge: 2, Population: 5, Tournament: 2, Budget: 20, Warmup: 5, AdaptEvery: 5, AdaptTopK: 5, ExhaustAfter: 50}
	if got := s; got.Note == "" || !strings.Contains(got.Note, "36 architectures") || !strings.Contains(got.Note, "mine") {
		t.Fatalf("note %q", got.Note)
	}
	s.Note = ""
	if s != want {
		t.Fatalf("derived schedule\n got %+v\nwant %+v", s, want)
	}
	u := Schedule{Budget: 12, Warmup: -1, Tournament: 1}.Complete(sp)
	if u.Budget != 12 || u.Population != 3 || u.Tournament != 1 || u.Warmup != -1 || u.AdaptEvery != 3 || !strings.Contains(u.Note, "budget 12") {
		t.Fatalf("%+v", u)
	}
	if u.Complete(sp) != u {
		t.Fatal("Complete is not idempotent on a derived schedule")
	}
	tiny, err := space.Define("tiny", []space.EdgeSpec{space.Choice("a", "x", "y"), space.Choice("b", "x", "y", "z")})
	if err != nil {
		t.Fatal(err)
	}
	if s := ScheduleFor(tiny); s.Budget != 6 || s.TopK != 1 || s.Population != 2 {
		t.Fatalf("tiny space: %+v", s)
	}
}
