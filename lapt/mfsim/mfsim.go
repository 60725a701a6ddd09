// Package mfsim simulates multi-fidelity searches on NAS-Bench-201's two
// fidelities (12- and 200-epoch results) with a simulated training cost, to
// measure what successive halving saves before paying for real training.
//
// A search is any [search.Strategy] driven either one fidelity at a time
// (every candidate trained for the full 200 epochs) or by a
// [search.Scheduler] (successive halving / ASHA over rungs 12 and 200, a
// promoted candidate continuing from its 12-epoch checkpoint, so it costs
// 188 more epochs). The strategy sees results at one fidelity only (see
// [search.Scheduler.ToldFidelity]). A candidate repeated by the strategy is
// answered from a cache at no cost, like [search.Run] does.
//
// # Cost model
//
// The merged NB201 table has no training times. Per-epoch GPU seconds are
// modelled from the cell's operations and calibrated exactly on the
// cifar10-valid per-epoch train_times recorded by NATS-Bench for the three
// architectures of the sample archive (indexes 0, 11 and 284: 7.22, 12.46
// and 4.88 s per epoch; see [EpochSeconds]). It is a model, not a
// measurement: it orders architectures by cost the way NATS-Bench does and
// gives GPU-hours of the right magnitude.
package mfsim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// Cost-model constants (seconds per epoch on the NATS-Bench GPU, CIFAR-10
// train split of cifar10-valid): a fixed part, each conv1x1 or avg-pool
// edge, each conv3x3 edge. Solved exactly from the three sample archs.
const (
	epochBase    = 3.7036
	epochLight   = 1.1725
	epochConv3x3 = 2.1392
)

// EpochSeconds is the simulated GPU seconds of one training epoch of an
// NB201 architecture (its string form).
func EpochSeconds(arch string) float64 {
	n3 := strings.Count(arch, space.NameConv3x3)
	light := strings.Count(arch, space.NameConv1x1) + strings.Count(arch, space.NameAvgPool)
	return epochBase + epochLight*float64(light) + epochConv3x3*float64(n3)
}

// Tables answers the validation and test score of an architecture at a
// fidelity (epochs).
type Tables interface {
	Lookup(a space.Arch, fidelity int) (val, test float64, ok bool)
	// Format returns the NB201 string of an architecture (for the cost model).
	Format(a space.Arch) string
}

// TableSet is [Tables] over one eval.Table per fidelity.
type TableSet map[int]*eval.Table

// Lookup implements Tables.
func (t TableSet) Lookup(a space.Arch, fidelity int) (float64, float64, bool) {
	tab, ok := t[fidelity]
	if !ok {
		return 0, 0, false
	}
	e, ok := tab.Lookup(a)
	if !ok || !e.HasVal {
		return 0, 0, false
	}
	return e.Val, e.Test, true
}

// Format implements Tables.
func (t TableSet) Format(a space.Arch) string {
	for _, tab := range t {
		return tab.Space().Format(a)
	}
	return a.String()
}

// Point is the incumbent after some simulated time: the best candidate by
// validation among those trained to the top fidelity.
type Point struct {
	Hours float64
	Val   float64
	Test  float64
}

// Trace is one simulated search.
type Trace struct {
	// Points holds one entry per change of incumbent, in time order.
	Points []Point
	// Hours is the total simulated time; Candidates the distinct architectures trained.
	Hours      float64
	Candidates int
}

// At returns the incumbent at a given time (zero Point if none yet).
func (t Trace) At(hours float64) Point {
	var p Point
	for _, q := range t.Points {
		if q.Hours > hours {
			break
		}
		p = q
	}
	return p
}

// HoursTo returns the first time the incumbent's validation score reached
// threshold, or +Inf.
func (t Trace) HoursTo(threshold float64) float64 {
	for _, q := range t.Points {
		if q.Val >= threshold {
			return q.Hours
		}
	}
	return math.Inf(1)
}

// Options bound a simulated search.
type Options struct {
	// MaxHours stops the search once this much simulated time is spent.
	MaxHours float64
	// MaxJobs is a safety cap on the number of jobs (default 100,000).
	MaxJobs int
	// MaxFreeStreak stops a search whose last MaxFreeStreak jobs were all
	// answered from the cache (its space is exhausted; default:
	// search.ExhaustAfter of the strategy's space).
	MaxFreeStreak int
	// Top is the full fidelity (200).
	Top int
}

type cacheKey struct {
	arch string
	fid  int
}

// defaults fills unset options; size is the number of cells of the space
// searched (for the exhausted threshold).
func (o *Options) defaults(size int64) error {
	if o.MaxHours <= 0 {
		return fmt.Errorf("mfsim: MaxHours must be positive")
	}
	if o.MaxJobs == 0 {
		o.MaxJobs = 100000
	}
	if o.Top == 0 {
		o.Top = 200
	}
	if o.MaxFreeStreak == 0 {
		o.MaxFreeStreak = search.ExhaustAfter(size)
	}
	return nil
}

// FullFidelity runs strat with every candidate trained to opt.Top epochs.
func FullFidelity(strat search.Strategy, t Tables, opt Options) (Trace, error) {
	if err := opt.defaults(strat.Space().Count()); err != nil {
		return Trace{}, err
	}
	var tr Trace
	seen := map[string]float64{}
	best := math.Inf(-1)
	free := 0
	for jobs := 0; jobs < opt.MaxJobs && tr.Hours < opt.MaxHours && free < opt.MaxFreeStreak; jobs++ {
		a, err := strat.Ask()
		if err != nil {
			return tr, err
		}
		key := t.Format(a)
		if v, ok := seen[key]; ok {
			strat.Tell(search.Observation{Arch: a, Val: v, OK: true, Free: true})
			free++
			continue
		}
		free = 0
		val, test, ok := t.Lookup(a, opt.Top)
		tr.Hours += float64(opt.Top) * EpochSeconds(key) / 3600
		tr.Candidates++
		seen[key] = val
		strat.Tell(search.Observation{Arch: a, Val: val, OK: ok})
		if ok && val > best {
			best = val
			tr.Points = append(tr.Points, Point{Hours: tr.Hours, Val: val, Test: test})
		}
	}
	return tr, nil
}

// MultiFidelity runs a scheduler (whose top rung must be opt.Top) to opt.MaxHours.
func MultiFidelity(s *search.Scheduler, t Tables, opt Options) (Trace, error) {
	if err := opt.defaults(s.Space().Count()); err != nil {
		return Trace{}, err
	}
	rungs := s.Config().Rungs
	if rungs[len(rungs)-1] != opt.Top {
		return Trace{}, fmt.Errorf("mfsim: the top rung (%d) must be the full fidelity %d", rungs[len(rungs)-1], opt.Top)
	}
	var tr Trace
	done := map[cacheKey]bool{}
	trained := map[string]int{} // epochs already paid per architecture
	best := math.Inf(-1)
	free := 0
	for jobs := 0; jobs < opt.MaxJobs && tr.Hours < opt.MaxHours && free < opt.MaxFreeStreak; jobs++ {
		j, err := s.Next()
		if err != nil {
			return tr, err
		}
		key := t.Format(j.Arch)
		val, test, ok := t.Lookup(j.Arch, j.Fidelity)
		ck := cacheKey{key, j.Fidelity}
		free++
		if !done[ck] {
			free = 0
			// Pay only the epochs not trained before (continuing from the
			// checkpoint of the longest run of this architecture).
			if paid := trained[key]; j.Fidelity > paid {
				tr.Hours += float64(j.Fidelity-paid) * EpochSeconds(key) / 3600
				trained[key] = j.Fidelity
			}
			if j.Rung == 0 {
				tr.Candidates++
			}
			done[ck] = true
		}
		if err := s.Report(j, val, ok); err != nil {
			return tr, err
		}
		if ok && j.Fidelity == opt.Top && val > best {
			best = val
			tr.Points = append(tr.Points, Point{Hours: tr.Hours, Val: val, Test: test})
		}
	}
	return tr, nil
}

// errSpent stops a simulated transfer run once its time is spent.
var errSpent = errors.New("mfsim: simulated time spent")

// simTarget is a [transfer.FidelityEvaluator] over the tables that charges
// simulated GPU time (a continued candidate pays only its further epochs)
// and traces the incumbent at the top fidelity.
type simTarget struct {
	t       Tables
	opt     Options
	tr      Trace
	trained map[string]int
	best    float64
	jobs    int
}

// EvaluateAt implements transfer.FidelityEvaluator.
func (s *simTarget) EvaluateAt(_ context.Context, a space.Arch, fid, _ int) (eval.Result, error) {
	if s.tr.Hours >= s.opt.MaxHours || s.jobs >= s.opt.MaxJobs {
		return eval.Result{}, errSpent
	}
	s.jobs++
	key := s.t.Format(a)
	paid, seen := s.trained[key]
	if !seen {
		s.tr.Candidates++
	}
	if fid > paid {
		s.tr.Hours += float64(fid-paid) * EpochSeconds(key) / 3600
		s.trained[key] = fid
	}
	val, test, ok := s.t.Lookup(a, fid)
	if !ok {
		return eval.Result{Status: eval.Failed, Err: "not in the table", Metrics: eval.Metrics{Val: math.NaN(), Test: math.NaN(), Fidelity: fid}}, nil
	}
	if fid == s.opt.Top && val > s.best {
		s.best = val
		s.tr.Points = append(s.tr.Points, Point{Hours: s.tr.Hours, Val: val, Test: test})
	}
	return eval.Result{Status: eval.OK, Metrics: eval.Metrics{Val: val, Test: test, Fidelity: fid}}, nil
}

// Evaluate implements eval.Evaluator at the top fidelity.
func (s *simTarget) Evaluate(ctx context.Context, a space.Arch) (eval.Result, error) {
	return s.EvaluateAt(ctx, a, s.opt.Top, 0)
}

// Transfer runs LAPT's transfer loop with adaptation under a multi-fidelity
// scheduler (cfg.Fidelity must be set, its top rung opt.Top) against the
// tables until opt.MaxHours of simulated time are spent: the search and
// the reasoner see results at the told fidelity only. cfg.Target is
// replaced by the simulated tables and cfg.Schedule.Budget by opt.MaxJobs
// (time is the budget). A one-rung Fidelity{Rungs: []int{opt.Top}} is LAPT
// with adaptation at full fidelity.
func Transfer(ctx context.Context, cfg transfer.Config, t Tables, opt Options) (Trace, *transfer.Result, error) {
	if cfg.Space == nil {
		return Trace{}, nil, fmt.Errorf("mfsim: Transfer needs cfg.Space")
	}
	if err := opt.defaults(cfg.Space.Count()); err != nil {
		return Trace{}, nil, err
	}
	if cfg.Fidelity == nil || len(cfg.Fidelity.Rungs) == 0 || cfg.Fidelity.Rungs[len(cfg.Fidelity.Rungs)-1] != opt.Top {
		return Trace{}, nil, fmt.Errorf("mfsim: Transfer needs cfg.Fidelity with the full fidelity %d as its top rung", opt.Top)
	}
	st := &simTarget{t: t, opt: opt, trained: map[string]int{}, best: math.Inf(-1)}
	cfg.Target = st
	cfg.Schedule.Budget = opt.MaxJobs
	res, err := transfer.Run(ctx, cfg)
	if errors.Is(err, errSpent) {
		err = nil
	}
	return st.tr, res, err
}
