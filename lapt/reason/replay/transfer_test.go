package replay_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/reason/replay"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// TestReplayTransferWithAdaptation records a transfer run that adapts, then
// replays it offline: every principle version must come back identical.
func TestReplayTransferWithAdaptation(t *testing.T) {
	dir := datatest.Dir(t)
	src, _ := tabular.Open(dir, "nb201", "imagenet16-120", 200)
	tgt, _ := tabular.Open(dir, "nb201", "cifar100", 200)
	ev := []reason.Evidence{src.Evidence()}
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	run := func(r reason.Reasoner) *transfer.Result {
		res, err := transfer.Run(context.Background(), transfer.Config{Space: tgt.Space, Sources: ev, Target: tgt.Table,
			Reasoner: r, Schedule: transfer.NB201Schedule(), Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	rec, err := replay.NewRecorder(&offline.Reasoner{Alpha: 0.05}, path)
	if err != nil {
		t.Fatal(err)
	}
	want := run(rec)
	rec.Close()
	if len(want.History.Versions) < 2 {
		t.Fatalf("no adaptation happened (%d versions)", len(want.History.Versions))
	}
	rp, err := replay.NewReplayer(path)
	if err != nil {
		t.Fatal(err)
	}
	got := run(rp)
	if len(got.History.Versions) != len(want.History.Versions) {
		t.Fatalf("%d versions replayed, %d recorded", len(got.History.Versions), len(want.History.Versions))
	}
	for i := range got.History.Versions {
		if !reflect.DeepEqual(got.History.Versions[i].Allowed, want.History.Versions[i].Allowed) {
			t.Fatalf("version %d differs", i+1)
		}
	}
}
