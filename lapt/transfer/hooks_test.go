package transfer

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/nasnb/nasnb/lapt/hook"
	"github.com/nasnb/nasnb/lapt/internal/synth"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
)

func hookConfig(t *testing.T, h Hooks) Config {
	t.Helper()
	tasks, err := synth.NB201Tasks(2, 11)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Space: tasks[1].Space, Sources: []reason.Evidence{tasks[0].Evidence()}, Target: tasks[1].Table,
		Reasoner: offline.New(), Schedule: Schedule{Budget: 40}, Seed: 1, Hooks: h}
}

var errHalt = errors.New("halt")

func TestHooksSeveralSubscribers(t *testing.T) {
	var h Hooks
	var log []string
	h.OnPrinciples.Add("b", 0, func(ev Event) error { log = append(log, "b:"+string(ev.Trigger)); return nil })
	h.OnPrinciples.Add("a", -1, func(ev Event) error { log = append(log, "a:"+string(ev.Trigger)); return nil })
	trials := 0
	h.Search.OnTrial.Add("n", 0, func(*search.Run, search.Trial) error { trials++; return nil })
	res, err := Run(context.Background(), hookConfig(t, h))
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2*len(res.Events) || !slices.Equal(log[:2], []string{"a:learn", "b:learn"}) {
		t.Fatalf("%d events, calls %v", len(res.Events), log)
	}
	if trials != len(res.Run.Trials()) {
		t.Fatalf("%d OnTrial calls for %d trials", trials, len(res.Run.Trials()))
	}
}

func TestHookErrorsStopTheRun(t *testing.T) {
	// An OnPrinciples subscriber failing on the first version.
	var h Hooks
	h.OnPrinciples.Add("strict", 0, func(Event) error { return errHalt })
	_, err := Run(context.Background(), hookConfig(t, h))
	var he *hook.Error
	if !errors.As(err, &he) || he.Point != "transfer.OnPrinciples" || he.Name != "strict" || !errors.Is(err, errHalt) {
		t.Fatalf("error %v", err)
	}

	// An OnPrinciples subscriber failing on the first adaptation.
	h = Hooks{}
	h.OnPrinciples.Add("strict", 0, func(ev Event) error {
		if ev.Trigger != TriggerLearn {
			return errHalt
		}
		return nil
	})
	res, err := Run(context.Background(), hookConfig(t, h))
	if !errors.Is(err, errHalt) || res == nil || len(res.Events) != 2 || res.Run.Evaluations() >= 40 {
		t.Fatalf("error %v, result %+v", err, res)
	}

	// A search subscriber panicking after 5 evaluations.
	h = Hooks{}
	h.Search.OnTrial.Add("boom", 0, func(r *search.Run, _ search.Trial) error {
		if r.Evaluations() == 5 {
			panic("boom")
		}
		return nil
	})
	res, err = Run(context.Background(), hookConfig(t, h))
	if !errors.As(err, &he) || he.Point != "search.OnTrial" || he.Name != "boom" || he.Panic != "boom" || res.Run.Evaluations() != 5 {
		t.Fatalf("error %v", err)
	}
}
