package study

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// flaky is the offline reasoner whose first Adapt call fails as an
// unreachable endpoint would.
type flaky struct {
	reason.Reasoner
	mu    sync.Mutex
	calls int
}

func (f *flaky) Adapt(ctx context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == 1 {
		return reason.Outcome{}, errors.New("llm: adapt: giving up after 5 attempts: transport error: connection refused")
	}
	return f.Reasoner.Adapt(ctx, req)
}

// Issue 13 row 10: one seed's transport faults are recorded in its run and
// the other seeds finish (on synthetic tables: runs in every checkout).
func TestOneSeedFailureDoesNotSinkTheOthers(t *testing.T) {
	ts, err := synth.NB201Tasks(2, 7)
	if err != nil {
		t.Fatal(err)
	}
	src, tgt := ts[0], ts[1]
	rep, err := Run(context.Background(), Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: []uint64{0, 1, 2, 3},
		Reasoner: &flaky{Reasoner: offline.New()}, Methods: []string{LAPT}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Methods[0]
	if m.Failed != 1 || rep.Failed() != 1 || len(m.Runs) != 4 || m.Runs[0].Error == "" || m.Runs[1].Error != "" {
		t.Fatalf("failed %d, runs %+v", m.Failed, m.Runs)
	}
	if s := rep.String(); !strings.Contains(s, "1 of 4 seeds FAILED") || !strings.Contains(s, "connection refused") {
		t.Fatalf("report:\n%s", s)
	}
}
