package transfer

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/space"
)

func TestEscapesBetter(t *testing.T) {
	if p := escapesBetter(arm{4, 2}, arm{4, 2}); math.Abs(p-0.5) > 1e-12 {
		t.Errorf("equal arms: %v, want 0.5", p)
	}
	a, b := arm{n: 6, wins: 5}, arm{n: 30, wins: 9}
	if p, q := escapesBetter(a, b), escapesBetter(b, a); math.Abs(p+q-1) > 1e-12 || p < distrustLevel {
		t.Errorf("5 of 6 escapes against 9 of 30 inside: %v (reverse %v), want above %v", p, q, distrustLevel)
	}
	// Two winning escapes are not enough evidence against a space whose
	// proposals win as often as they lose.
	if p := escapesBetter(arm{2, 2}, arm{20, 10}); p >= distrustLevel {
		t.Errorf("2 of 2 escapes against 10 of 20: %v reaches the level", p)
	}
	if p := escapesBetter(arm{5, 0}, arm{20, 10}); p > 0.05 {
		t.Errorf("0 of 5 escapes against 10 of 20: %v", p)
	}
}

// The guided escapes: every other proposal of the warm-up, then one per
// adaptation period while escapes have done at least as well as the space.
func TestProbeSchedule(t *testing.T) {
	n := 0
	e := &escaper{minEval: 3, warmup: 4, every: 5, seen: func(space.Arch) bool { return false }, evals: func() int { return n }}
	var got []int
	for n = 0; n < 20; n++ {
		if e.probe() {
			got = append(got, n)
		}
	}
	if want := []int{3, 5, 9, 14, 19}; !equalInts(got, want) {
		t.Errorf("escapes at %v, want %v", got, want)
	}
	// Escapes that lost against the space stop the periodic ones (not the
	// warm-up's).
	e.outside, e.inside = arm{n: 2, wins: 0}, arm{n: 6, wins: 3}
	got = nil
	for n = 0; n < 20; n++ {
		if e.probe() {
			got = append(got, n)
		}
	}
	if want := []int{3, 5}; !equalInts(got, want) {
		t.Errorf("after losing escapes: escapes at %v, want %v", got, want)
	}
	e.off = true
	if n = 3; e.probe() {
		t.Error("escape with adaptation off")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDistrustLeavesWrongPrinciples: synthetic tasks over a user's macro
// space (package synth) whose own preferences outweigh what they share
// (own scale 1.5), three task pairs, 20 seeds each: the source's principles
// cut the target's optimum, escapes beat the population median more often
// than proposals inside the space, and most runs leave the principles for
// the full space (a distrust event, counted as an adaptation), finding the
// optimum far more often than without adaptation (measured: left in 40 of
// 60 runs, optimum in 40 against 0). Tasks that differ by noise only (own
// scale 0) share their optimum: fewer runs leave (19 of 60), and those that
// do still find it (60 of 60). A journal cut anywhere resumes to the same
// run.
func TestDistrustLeavesWrongPrinciples(t *testing.T) {
	sch := Schedule{Budget: 100}
	run := func(own float64, s Schedule) (left, found int, cfg func(j *journal.Journal, seed uint64) Config) {
		for task := uint64(11); task < 14; task++ {
			ts, err := synth.TasksRelated(synth.MacroSpace(), 2, task, own)
			if err != nil {
				t.Fatal(err)
			}
			src, tgt := ts[0], ts[1]
			evidence := []reason.Evidence{src.Evidence()}
			learned, err := Learn(context.Background(), offline.New(), tgt.Space, evidence, s.Complete(tgt.Space))
			if err != nil {
				t.Fatal(err)
			}
			cfg = func(j *journal.Journal, seed uint64) Config {
				return Config{Space: tgt.Space, Sources: evidence, Target: tgt.Table, Reasoner: offline.New(), Initial: &learned,
					Schedule: s, Seed: seed, Journal: j}
			}
			for seed := uint64(0); seed < 20; seed++ {
				res, err := Run(context.Background(), cfg(nil, seed))
				if err != nil {
					t.Fatal(err)
				}
				if inc, _ := res.Run.Incumbent(); inc.Arch == tgt.Best {
					found++
				}
				for _, ev := range res.Events {
					if ev.Trigger == TriggerDistrust {
						left++
						if !strings.Contains(ev.Err, "escapes beat the population median") || ev.Report.SizeAfter != tgt.Space.Count() {
							t.Errorf("seed %d: distrust event %+v", seed, ev)
						}
					}
				}
			}
		}
		return left, found, cfg
	}
	w, wFound, cfg := run(1.5, sch)
	r, rFound, _ := run(0, sch)
	noAdapt := sch
	noAdapt.NoAdapt = true
	_, stuck, _ := run(1.5, noAdapt)
	t.Logf("left the principles in %d of 60 runs when the tasks differ (optimum found in %d; %d without adaptation), in %d when they share their optimum (found in %d)",
		w, wFound, stuck, r, rFound)
	if w < 30 || 2*w < 3*r || wFound < stuck+20 || rFound < 55 {
		t.Errorf("left in %d of 60 runs when the tasks differ (want at least 30 and half again as many as the %d when they share their optimum); optimum found in %d runs against %d without adaptation (want 20 more), and in %d when they share it (want 55)",
			w, r, wFound, stuck, rFound)
	}
	for seed := uint64(0); seed < 20; seed++ {
		res, err := Run(context.Background(), cfg(nil, seed))
		if err != nil {
			t.Fatal(err)
		}
		if res.Adaptations() == 0 {
			continue
		}
		for _, ev := range res.Events {
			if ev.Trigger != TriggerDistrust {
				continue
			}
			checkResumeFromCuts(t, func(j *journal.Journal) Config { return cfg(j, seed) }, 6, nil)
			return
		}
	}
	t.Fatal("no seed left the principles: nothing to resume across")
}
