package search

import (
	"errors"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

// score is the synthetic objective of synth as a plain function.
func score(a space.Arch) float64 {
	w := []float64{0, 1, 2, 3, 0.5}
	v := 0.0
	for i := 0; i < a.Len(); i++ {
		v += w[a.Op(i)] * float64(i+1)
	}
	return v
}

func TestSchedulerSuccessiveHalving(t *testing.T) {
	st := NewRandom(space.NB201(), 1)
	s, err := NewScheduler(st, MFConfig{Rungs: []int{12, 200}, Eta: 3, Synchronous: true, BracketSize: 9})
	if err != nil {
		t.Fatal(err)
	}
	if s.ToldFidelity() != 12 || s.Config().TellRung != 0 {
		t.Fatalf("told fidelity %d", s.ToldFidelity())
	}
	// First bracket: 9 new candidates at 12 epochs; the first one fails.
	var jobs []Job
	for i := 0; i < 9; i++ {
		j, err := s.Next()
		if err != nil || j.Rung != 0 || j.Fidelity != 12 || j.From != 0 {
			t.Fatalf("job %d: %+v %v", i, j, err)
		}
		jobs = append(jobs, j)
	}
	// All 9 asked, none reported: the bracket waits.
	if _, err := s.Next(); !errors.Is(err, ErrWait) {
		t.Fatalf("want ErrWait, got %v", err)
	}
	best := map[int]bool{}
	for i, j := range jobs {
		ok := i != 0
		v := score(j.Arch)
		if i == 0 {
			v = 1e9 // a failed result with a huge score must never be promoted
		}
		if err := s.Report(j, v, ok); err != nil {
			t.Fatal(err)
		}
	}
	// Expected promotions: the 3 best usable results.
	ranked := append([]Job(nil), jobs[1:]...)
	for i := range ranked {
		for k := i + 1; k < len(ranked); k++ {
			if score(ranked[k].Arch) > score(ranked[i].Arch) {
				ranked[i], ranked[k] = ranked[k], ranked[i]
			}
		}
	}
	for _, j := range ranked[:3] {
		best[j.ID] = true
	}
	for i := 0; i < 3; i++ {
		j, err := s.Next()
		if err != nil || j.Rung != 1 || j.Fidelity != 200 || j.From != 12 || !best[j.ID] {
			t.Fatalf("promotion %d: %+v %v (want one of %v)", i, j, err, best)
		}
		if err := s.Report(j, score(j.Arch)+1, true); err != nil {
			t.Fatal(err)
		}
	}
	// Next bracket starts with a new candidate.
	if j, err := s.Next(); err != nil || j.Rung != 0 || j.ID != 9 {
		t.Fatalf("next bracket: %+v %v", j, err)
	}
	if _, rung, _, ok := s.Best(); !ok || rung != 1 {
		t.Fatalf("best at rung %d ok %v", rung, ok)
	}
	// 9*12 new epochs + 3*188 continued ones + 12 for the new candidate.
	if got := s.Epochs(); got != 9*12+3*188+12 {
		t.Fatalf("epochs %g", got)
	}
}

func TestSchedulerASHAPromotesEarly(t *testing.T) {
	s, err := NewScheduler(NewRandom(space.NB201(), 2), MFConfig{Rungs: []int{1, 3, 9}, Eta: 3})
	if err != nil {
		t.Fatal(err)
	}
	promoted := 0
	for i := 0; i < 60; i++ {
		j, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if j.Rung > 0 {
			promoted++
			if j.From != s.Config().Rungs[j.Rung-1] {
				t.Fatalf("promotion from %d to rung %d", j.From, j.Rung)
			}
		}
		if err := s.Report(j, score(j.Arch)+float64(j.Rung), true); err != nil {
			t.Fatal(err)
		}
	}
	if promoted == 0 {
		t.Fatal("ASHA never promoted")
	}
	if _, rung, _, ok := s.Best(); !ok || rung != 2 {
		t.Fatalf("best at rung %d", rung)
	}
}

func TestSchedulerBadConfig(t *testing.T) {
	st := NewRandom(space.NB201(), 1)
	for _, cfg := range []MFConfig{{}, {Rungs: []int{12, 12}}, {Rungs: []int{0, 3}}, {Rungs: []int{1, 2}, Eta: 1}, {Rungs: []int{1, 2}, TellRung: 2}} {
		if _, err := NewScheduler(st, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	if _, err := NewScheduler(nil, MFConfig{Rungs: []int{1}}); err == nil {
		t.Error("nil strategy accepted")
	}
	s, _ := NewScheduler(st, MFConfig{Rungs: []int{1, 2}})
	if err := s.Report(Job{ID: 5}, 1, true); err == nil {
		t.Error("report for unknown candidate accepted")
	}
}
