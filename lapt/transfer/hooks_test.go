package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/hook"
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

// versioned is a reasoner that numbers its learned set as it likes.
type versioned struct {
	reason.Reasoner
	v int
}

func (r versioned) Learn(ctx context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	out, err := r.Reasoner.Learn(ctx, req)
	out.Set.Version = r.v
	return out, err
}

func TestLearnReturnsVersion1(t *testing.T) {
	cfg := hookConfig(t, Hooks{})
	for _, v := range []int{0, 1, 7} {
		out, err := Learn(context.Background(), versioned{offline.New(), v}, cfg.Space, cfg.Sources, NB201Schedule())
		if err != nil || out.Set.Version != 1 {
			t.Fatalf("reasoner's version %d: Learn returned %d, %v", v, out.Set.Version, err)
		}
	}
}

// Trigger is a string kind: events and journal records keep the JSON they
// had when it was a plain string.
func TestTriggerJSON(t *testing.T) {
	b, err := json.Marshal(Event{Trigger: TriggerFallback})
	if err != nil || !strings.HasPrefix(string(b), `{"trigger":"fallback",`) {
		t.Fatalf("%s %v", b, err)
	}
	var rec principlesRecord
	if err := json.Unmarshal([]byte(`{"trigger":"exhausted","evaluations":3}`), &rec); err != nil || rec.Trigger != TriggerExhausted {
		t.Fatalf("%+v %v", rec, err)
	}
}
