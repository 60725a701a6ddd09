// Package matrix runs LAPT principle transfer on every ordered pair of tasks
// of one benchmark (and optionally from all other tasks pooled to each
// target), with the same methods as package study, and summarises each
// method by its mean and its worst pair. A matrix is the honest picture of
// a transfer method: a headline pair says little about the pair a user will
// actually have.
//
// The JSON form of a [Report] has the schema "nasnb.matrix/v1" (documented
// in docs/cli.md).
package matrix

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// Schema is the JSON schema name of a [Report].
const Schema = "nasnb.matrix/v1"

// PooledSource is the source name of a pooled pair (all other tasks).
const PooledSource = "all-others"

// Config configures a matrix.
type Config struct {
	// Tasks are the benchmark's tasks, all in one space (at least two).
	Tasks []*tabular.Task
	// Pooled adds, per target, the pair "all other tasks -> target".
	Pooled bool
	// Reasoner learns and adapts principles (default: offline).
	Reasoner reason.Reasoner
	// Schedule holds the method's numbers (zero fields take the paper's).
	Schedule transfer.Schedule
	// Seeds to run on every pair.
	Seeds []uint64
	// Methods to run, by registered name (default: study.AllMethods; any
	// method of study.Register may be named).
	Methods []string
	// Dedup of repeated architectures.
	Dedup search.Dedup
	// Workers running seeds in parallel (0: all CPUs).
	Workers int
	// OnPair is called after each pair.
	OnPair func(p Pair, done, total int)
}

// Cell is one method on one pair.
type Cell struct {
	Method string `json:"method"`
	// SpaceSize is the initial (refined) space size; OptimumKept whether it
	// holds the target optimum.
	SpaceSize   int64 `json:"space_size"`
	OptimumKept bool  `json:"optimum_kept"`
	// OptimumCut is the number of decisions on which the initial space cuts
	// the target optimum (0 when it keeps it): how far adaptation must widen
	// before the optimum can be proposed from inside.
	OptimumCut int `json:"optimum_cut"`
	// Seeds is the number of seeds the rates and means are over.
	Seeds int `json:"seeds"`
	// FoundOptimum and FoundTop are the fractions of seeds that reached the
	// optimum and the top-0.1% threshold within the budget.
	FoundOptimum float64 `json:"found_optimum"`
	FoundTop     float64 `json:"found_top"`
	// Metric is the paper's metric (evaluations until the optimum, else the
	// top-0.1%, else the budget), mean and standard deviation over seeds.
	Metric    float64 `json:"metric_mean"`
	MetricStd float64 `json:"metric_std"`
	// ValAt10, ValAtBudget (and TestAt10, TestAtBudget, NaN when the table
	// has no test scores) are the incumbent's mean scores after 10
	// evaluations and at the budget.
	ValAt10 float64 `json:"val_at_10"`
	// ValAt10Std is the standard deviation over seeds of the validation at
	// 10 evaluations.
	ValAt10Std   float64 `json:"val_at_10_std"`
	ValAtBudget  float64 `json:"val_at_budget"`
	TestAt10     float64 `json:"test_at_10"`
	TestAtBudget float64 `json:"test_at_budget"`
	// Adaptations is the mean number of space-changing adaptations per seed.
	Adaptations float64 `json:"adaptations"`
	// Escapes is the mean number of counted evaluations outside the space
	// in force per seed (the escape hatch of adaptation).
	Escapes float64 `json:"escapes"`
}

// Pair is one source -> target pair.
type Pair struct {
	Sources []string `json:"sources"`
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Cells   []Cell   `json:"cells"`
}

// Cell returns the pair's cell of a method.
func (p Pair) Cell(method string) (Cell, bool) {
	for _, c := range p.Cells {
		if c.Method == method {
			return c, true
		}
	}
	return Cell{}, false
}

// Label is "source -> target".
func (p Pair) Label() string { return p.Source + " -> " + p.Target }

// Summary is one method over the ordered pairs (pooled pairs excluded).
type Summary struct {
	Method string `json:"method"`
	Pairs  int    `json:"pairs"`
	// MeanFound is the mean optimum-found rate; WorstFound the lowest and
	// WorstPair where it happened.
	MeanFound  float64 `json:"mean_found"`
	WorstFound float64 `json:"worst_found"`
	WorstPair  string  `json:"worst_pair"`
	// MeanTop and WorstTop are the same for the top-0.1% rate.
	MeanTop  float64 `json:"mean_top"`
	WorstTop float64 `json:"worst_top"`
	// MeanMetric and WorstMetric summarise the paper's metric (lower is better).
	MeanMetric  float64 `json:"mean_metric"`
	WorstMetric float64 `json:"worst_metric"`
	// MeanValAt10 and MeanValAtBudget average the incumbent validation.
	MeanValAt10     float64 `json:"mean_val_at_10"`
	MeanValAtBudget float64 `json:"mean_val_at_budget"`
	// OptimumKept counts pairs whose initial space holds the optimum;
	// ZeroFound counts pairs with no seed finding it.
	OptimumKept int `json:"optimum_kept"`
	ZeroFound   int `json:"zero_found"`
	// BelowREA counts pairs where the found rate is below full-space REA's
	// and Val10BelowREA those where the mean validation at 10 is (both -1
	// when REA was not run).
	BelowREA      int `json:"below_rea"`
	Val10BelowREA int `json:"val10_below_rea"`
	// SigBelowREA and Val10SigBelowREA count the pairs that are below REA
	// by more than noise: by more than [NoiseSE] standard errors of the
	// difference (see [BelowByMoreThanNoise]; -1 when REA was not run or
	// the seed counts are unknown).
	SigBelowREA      int `json:"sig_below_rea"`
	Val10SigBelowREA int `json:"val10_sig_below_rea"`
}

// NoiseSE is how many standard errors of the difference a method must fall
// below full-space REA on a pair to count as worse than REA by more than
// noise (about a 2.5% one-sided level for normal errors).
const NoiseSE = 2

// BelowByMoreThanNoise reports whether rate a, over na seeds, is below rate
// b, over nb seeds, by more than [NoiseSE] standard errors of the difference
// of two independent proportions. ok is false when a seed count is zero.
func BelowByMoreThanNoise(a float64, na int, b float64, nb int) (below, ok bool) {
	if na <= 0 || nb <= 0 {
		return false, false
	}
	se := math.Sqrt(a*(1-a)/float64(na) + b*(1-b)/float64(nb))
	return b-a > NoiseSE*se, true
}

// meanBelowByMoreThanNoise is [BelowByMoreThanNoise] for two means with
// their standard deviations over seeds.
func meanBelowByMoreThanNoise(a, sa float64, na int, b, sb float64, nb int) (below, ok bool) {
	if na <= 0 || nb <= 0 || math.IsNaN(a) || math.IsNaN(b) || math.IsNaN(sa) || math.IsNaN(sb) {
		return false, false
	}
	se := math.Sqrt(sa*sa/float64(na) + sb*sb/float64(nb))
	return b-a > NoiseSE*se, true
}

// Report is a finished matrix.
type Report struct {
	Schema   string            `json:"schema"`
	Space    string            `json:"space"`
	Tasks    []string          `json:"tasks"`
	Reasoner string            `json:"reasoner"`
	Schedule transfer.Schedule `json:"schedule"`
	Seeds    int               `json:"seeds"`
	Methods  []string          `json:"methods"`
	Pairs    []Pair            `json:"pairs"`
	Summary  []Summary         `json:"summary"`
}

// shortName strips the space and fidelity from a task name
// ("nb201/cifar10@200" -> "cifar10").
func shortName(t *tabular.Task) string {
	n := t.Name
	if i := strings.LastIndex(n, "/"); i >= 0 {
		n = n[i+1:]
	}
	if i := strings.Index(n, "@"); i >= 0 {
		n = n[:i]
	}
	return n
}

// Run runs the matrix.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if len(cfg.Tasks) < 2 {
		return nil, fmt.Errorf("matrix: need at least two tasks, got %d", len(cfg.Tasks))
	}
	if len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("matrix: no seeds")
	}
	if cfg.Reasoner == nil {
		cfg.Reasoner = offline.New()
	}
	methods := cfg.Methods
	if len(methods) == 0 {
		methods = study.AllMethods
	}
	for _, m := range methods {
		if _, err := study.Lookup(m); err != nil {
			return nil, fmt.Errorf("matrix: %w", err)
		}
	}
	sp := cfg.Tasks[0].Space.Root().Name()
	seen := map[string]bool{}
	for _, t := range cfg.Tasks {
		if t == nil {
			return nil, fmt.Errorf("matrix: nil task")
		}
		if t.Space.Root().Name() != sp {
			return nil, fmt.Errorf("matrix: task %s is not in space %s", t.Name, sp)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("matrix: task %s given twice", t.Name)
		}
		seen[t.Name] = true
	}
	rep := &Report{Schema: Schema, Space: sp, Reasoner: cfg.Reasoner.Name(), Schedule: cfg.Schedule.Complete(cfg.Tasks[0].Space.Root()),
		Seeds: len(cfg.Seeds), Methods: methods}
	type job struct {
		src []*tabular.Task
		tgt *tabular.Task
	}
	var jobs []job
	for _, tgt := range cfg.Tasks {
		rep.Tasks = append(rep.Tasks, shortName(tgt))
	}
	for _, src := range cfg.Tasks {
		for _, tgt := range cfg.Tasks {
			if src != tgt {
				jobs = append(jobs, job{[]*tabular.Task{src}, tgt})
			}
		}
	}
	if cfg.Pooled {
		for _, tgt := range cfg.Tasks {
			var src []*tabular.Task
			for _, s := range cfg.Tasks {
				if s != tgt {
					src = append(src, s)
				}
			}
			jobs = append(jobs, job{src, tgt})
		}
	}
	for i, j := range jobs {
		sr, err := study.Run(ctx, study.Config{Sources: j.src, Target: j.tgt, Reasoner: cfg.Reasoner, Schedule: cfg.Schedule,
			Seeds: cfg.Seeds, Methods: methods, Dedup: cfg.Dedup, Workers: cfg.Workers})
		if err != nil {
			return nil, fmt.Errorf("matrix: %s: %w", j.tgt.Name, err)
		}
		p := Pair{Target: shortName(j.tgt)}
		for _, s := range j.src {
			p.Sources = append(p.Sources, shortName(s))
		}
		p.Source = p.Sources[0]
		if len(j.src) > 1 {
			p.Source = PooledSource
		}
		for _, m := range sr.Methods {
			p.Cells = append(p.Cells, cellOf(m, sr.Schedule.Budget))
		}
		rep.Pairs = append(rep.Pairs, p)
		if cfg.OnPair != nil {
			cfg.OnPair(p, i+1, len(jobs))
		}
	}
	rep.Summary = Summarize(rep.Pairs, methods)
	return rep, nil
}

func cellOf(m study.Method, budget int) Cell {
	c := Cell{Method: m.Name, SpaceSize: m.SpaceSize, OptimumKept: m.OptimumKept, Seeds: len(m.Runs), FoundOptimum: m.FoundOptimum,
		FoundTop: m.FoundTop, Metric: m.MetricMean, MetricStd: m.MetricStd, Adaptations: m.Adaptations,
		ValAt10: math.NaN(), ValAt10Std: math.NaN(), ValAtBudget: math.NaN(), TestAt10: math.NaN(), TestAtBudget: math.NaN()}
	if m.Report != nil && len(m.Report.References) > 0 {
		c.OptimumCut = len(m.Report.References[0].Blocking)
	}
	for _, p := range m.Points {
		if p.Evals == min(10, budget) {
			c.ValAt10, c.ValAt10Std, c.TestAt10 = p.ValMean, p.ValStd, p.TestMean
		}
		if p.Evals == budget {
			c.ValAtBudget, c.TestAtBudget = p.ValMean, p.TestMean
		}
	}
	c.Escapes = m.Escapes
	return c
}

// Summarize summarises each method over the single-source pairs.
func Summarize(pairs []Pair, methods []string) []Summary {
	var out []Summary
	for _, m := range methods {
		s := Summary{Method: m, WorstFound: math.Inf(1), WorstTop: math.Inf(1), WorstMetric: math.Inf(-1), BelowREA: -1, Val10BelowREA: -1,
			SigBelowREA: -1, Val10SigBelowREA: -1}
		sig, sig10 := 0, 0 // pairs below REA by more than noise
		sigKnown, val10Known := true, true
		var v10, vb []float64
		hasREA := false
		for _, p := range pairs {
			if p.Source == PooledSource {
				continue
			}
			c, ok := p.Cell(m)
			if !ok {
				continue
			}
			s.Pairs++
			s.MeanFound += c.FoundOptimum
			s.MeanTop += c.FoundTop
			s.MeanMetric += c.Metric
			if c.FoundOptimum < s.WorstFound {
				s.WorstFound, s.WorstPair = c.FoundOptimum, p.Label()
			}
			s.WorstTop = math.Min(s.WorstTop, c.FoundTop)
			s.WorstMetric = math.Max(s.WorstMetric, c.Metric)
			v10, vb = append(v10, c.ValAt10), append(vb, c.ValAtBudget)
			if c.OptimumKept {
				s.OptimumKept++
			}
			if c.FoundOptimum == 0 {
				s.ZeroFound++
			}
			if r, ok := p.Cell(study.FullREA); ok {
				if !hasREA {
					hasREA, s.BelowREA, s.Val10BelowREA = true, 0, 0
				}
				if c.FoundOptimum < r.FoundOptimum {
					s.BelowREA++
				}
				if c.ValAt10 < r.ValAt10 {
					s.Val10BelowREA++
				}
				below, ok := BelowByMoreThanNoise(c.FoundOptimum, c.Seeds, r.FoundOptimum, r.Seeds)
				sigKnown = sigKnown && ok
				if below {
					sig++
				}
				below, ok = meanBelowByMoreThanNoise(c.ValAt10, c.ValAt10Std, c.Seeds, r.ValAt10, r.ValAt10Std, r.Seeds)
				val10Known = val10Known && ok
				if below {
					sig10++
				}
			}
		}
		if hasREA && sigKnown {
			s.SigBelowREA = sig
		}
		if hasREA && val10Known {
			s.Val10SigBelowREA = sig10
		}
		if s.Pairs == 0 {
			continue
		}
		n := float64(s.Pairs)
		s.MeanFound, s.MeanTop, s.MeanMetric = s.MeanFound/n, s.MeanTop/n, s.MeanMetric/n
		s.MeanValAt10, _ = experiment.MeanStd(v10)
		s.MeanValAtBudget, _ = experiment.MeanStd(vb)
		out = append(out, s)
	}
	return out
}
