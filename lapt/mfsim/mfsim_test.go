package mfsim

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

func TestEpochSecondsMatchesNATSSample(t *testing.T) {
	// cifar10-valid per-epoch train_times of the NATS-Bench sample archive.
	for arch, want := range map[string]float64{
		"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|": 7.2211,
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|":         12.4621,
		"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|nor_conv_1x1~1|none~2|":                 4.8758,
	} {
		if got := EpochSeconds(arch); math.Abs(got-want) > 0.01 {
			t.Errorf("EpochSeconds(%s) = %.4f, want %.4f", arch, got, want)
		}
	}
}

// dataDir is the benchmark data folder ($NASNB_DATA or ../shared/data); the
// test is skipped when it does not exist (the synthetic tests still run),
// or fails when $NASNB_REQUIRE_DATA=1.
func dataDir(t testing.TB) string {
	return datatest.Dir(t)
}

// TestNB201TwoRung simulates, on NB201 CIFAR-10 (12- and 200-epoch tables),
// 100 seeds of REA and of LAPT (principles learned once from ImageNet16-120
// by the offline reasoner, no adaptation) with and without successive halving
// and ASHA, and prints best test accuracy against simulated GPU-hours and the
// hours to reach the top-0.1%.
func TestNB201TwoRung(t *testing.T) {
	dir := dataDir(t)
	seeds := 100
	if testing.Short() {
		seeds = 10
	}
	t200, err := tabular.Open(dir, "nb201", "cifar10", 200)
	if err != nil {
		t.Fatal(err)
	}
	t12, err := tabular.Open(dir, "nb201", "cifar10", 12)
	if err != nil {
		t.Fatal(err)
	}
	src, err := tabular.Open(dir, "nb201", "imagenet16-120", 200)
	if err != nil {
		t.Fatal(err)
	}
	tables := TableSet{12: t12.Table, 200: t200.Table}
	sch := transfer.NB201Schedule()
	evo := search.EvolutionConfig{Population: sch.Population, Tournament: sch.Tournament}
	opt := Options{MaxHours: 300}
	type method struct {
		name string
		run  func(seed uint64) (Trace, error)
	}
	mf := func(sp *space.Space, sync bool) func(uint64) (Trace, error) {
		return func(seed uint64) (Trace, error) {
			st, err := search.NewEvolution(sp, seed, evo)
			if err != nil {
				return Trace{}, err
			}
			s, err := search.NewScheduler(st, search.MFConfig{Rungs: []int{12, 200}, Eta: 3, Synchronous: sync})
			if err != nil {
				return Trace{}, err
			}
			return MultiFidelity(s, tables, opt)
		}
	}
	full := func(sp *space.Space) func(uint64) (Trace, error) {
		return func(seed uint64) (Trace, error) {
			st, err := search.NewEvolution(sp, seed, evo)
			if err != nil {
				return Trace{}, err
			}
			return FullFidelity(st, tables, opt)
		}
	}
	evidence := []reason.Evidence{src.Evidence()}
	methods := []method{
		{"rea (200 ep)", full(t200.Space)},
		{"rea + sh(12,200)", mf(t200.Space, true)},
	}
	// Two principle sets: the paper's NB201 schedule (cap 2 ops per edge,
	// budget 20) and a wider one (cap 3, learned for a 1,000-evaluation
	// budget), whose larger space leaves successive halving room to save.
	wide := sch
	wide.MaxOpsPerEdge, wide.Budget = 3, 1000
	var spaces []string
	for _, ps := range []struct {
		tag string
		sch transfer.Schedule
	}{{"", sch}, {"[wide]", wide}} {
		out, err := transfer.Learn(context.Background(), offline.New(), t200.Space, evidence, ps.sch)
		if err != nil {
			t.Fatal(err)
		}
		sub, _, err := principles.Refine(t200.Space, out.Set)
		if err != nil {
			t.Fatal(err)
		}
		spaces = append(spaces, fmt.Sprintf("lapt%s: cap %d, %d archs", ps.tag, ps.sch.MaxOpsPerEdge, sub.Count()))
		adapt := func(f transfer.Fidelity) func(uint64) (Trace, error) {
			return func(seed uint64) (Trace, error) {
				tr, _, err := Transfer(context.Background(), transfer.Config{Space: t200.Space, Sources: evidence, Reasoner: offline.New(),
					Initial: &out, Schedule: ps.sch, Seed: seed, Fidelity: &f}, tables, opt)
				return tr, err
			}
		}
		methods = append(methods,
			method{"lapt" + ps.tag + " (200 ep)", full(sub)},
			method{"lapt" + ps.tag + " + sh(12,200)", mf(sub, true)},
			method{"lapt" + ps.tag + " + asha(12,200)", mf(sub, false)},
			method{"lapt" + ps.tag + "+adapt (200 ep)", adapt(transfer.Fidelity{Rungs: []int{200}})},
			method{"lapt" + ps.tag + "+adapt + sh", adapt(transfer.Fidelity{Rungs: []int{12, 200}, Eta: 3, Synchronous: true})},
			method{"lapt" + ps.tag + "+adapt + asha", adapt(transfer.Fidelity{Rungs: []int{12, 200}, Eta: 3})},
		)
	}
	hours := []float64{2, 5, 10, 25, 50, 100, 300}
	var b strings.Builder
	fmt.Fprintf(&b, "NB201 CIFAR-10, %d seeds, eta 3, REA p=%d s=%d; LAPT = offline principles from ImageNet16-120 (%s of %d), no adaptation unless +adapt (transfer.Run with Config.Fidelity); strategies and reasoner told 12-epoch results under sh/asha\n",
		seeds, evo.Population, evo.Tournament, strings.Join(spaces, "; "), t200.Space.Count())
	fmt.Fprintf(&b, "%-30s", "method")
	for _, h := range hours {
		fmt.Fprintf(&b, " test@%gh", h)
	}
	fmt.Fprintf(&b, "  h-to-top0.1%%: mean  median  worst  reached\n")
	mean := map[string]float64{}
	for _, m := range methods {
		tests := make([][]float64, len(hours))
		var reach []float64
		for s := 0; s < seeds; s++ {
			tr, err := m.run(uint64(s))
			if err != nil {
				t.Fatalf("%s seed %d: %v", m.name, s, err)
			}
			for i, h := range hours {
				tests[i] = append(tests[i], tr.At(h).Test)
			}
			reach = append(reach, tr.HoursTo(t200.Threshold))
		}
		fmt.Fprintf(&b, "%-30s", m.name)
		for i := range hours {
			fmt.Fprintf(&b, " %8.2f", avg(tests[i]))
		}
		sort.Float64s(reach)
		n := 0
		for _, r := range reach {
			if !math.IsInf(r, 1) {
				n++
			}
		}
		// Seeds that never reach the threshold count as the budget (300 h) in the mean.
		capped := make([]float64, len(reach))
		for i, r := range reach {
			capped[i] = math.Min(r, opt.MaxHours)
		}
		mean[m.name] = avg(capped)
		fmt.Fprintf(&b, "  %18.1f %7.1f %6.1f %4d/%d\n", mean[m.name], capped[len(capped)/2], capped[len(capped)-1], n, seeds)
	}
	t.Log("\n" + b.String())
	if !testing.Short() && mean["rea + sh(12,200)"] >= mean["rea (200 ep)"] {
		t.Errorf("successive halving did not save time: %.1f h vs %.1f h", mean["rea + sh(12,200)"], mean["rea (200 ep)"])
	}
	if !testing.Short() && mean["lapt[wide]+adapt + sh"] >= mean["lapt[wide]+adapt (200 ep)"] {
		t.Errorf("successive halving inside the LAPT loop did not save time: %.1f h vs %.1f h", mean["lapt[wide]+adapt + sh"], mean["lapt[wide]+adapt (200 ep)"])
	}
}

func avg(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func TestTableSetFormatIsNB201String(t *testing.T) {
	tab, err := tabular.Open(dataDir(t), "nb201", "cifar10", 12)
	if err != nil {
		t.Fatal(err)
	}
	ts := TableSet{12: tab.Table}
	if s := ts.Format(tab.Best); !strings.HasPrefix(s, "|") || EpochSeconds(s) <= epochBase {
		t.Fatalf("format %q, epoch seconds %g", s, EpochSeconds(s))
	}
}
