// Package study compares LAPT principle transfer with its baselines on the
// same seeds: the transfer loop, the loop with adaptation off, the frequency
// baseline (the most frequent ops per edge among the source top-k) and
// regularized evolution in the full space. It reports the paper's metric
// (evaluations until the target optimum, else its top-0.1%, else the
// budget), how often each was found, and the incumbent's test score at
// checkpoints.
package study

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// Method names.
const (
	LAPT      = "lapt"
	NoAdapt   = "lapt-noadapt"
	Frequency = "frequency"
	FullREA   = "rea-full"
)

// AllMethods lists every method in report order.
var AllMethods = []string{LAPT, NoAdapt, Frequency, FullREA}

// Config configures a study.
type Config struct {
	// Sources are the source tasks: only their evidence reaches a reasoner.
	Sources []*tabular.Task
	// Target is the target task: searched through its evaluator only; its
	// optimum and threshold are used for reporting.
	Target *tabular.Task
	// Reasoner learns and adapts principles for the LAPT methods.
	Reasoner reason.Reasoner
	// Schedule holds the method's numbers (zero fields take the paper's).
	Schedule transfer.Schedule
	// Seeds to run.
	Seeds []uint64
	// Methods to run (default: all).
	Methods []string
	// Dedup of repeated architectures.
	Dedup search.Dedup
	// JournalDir, when set, keeps one resumable journal per method and seed.
	JournalDir string
	// Workers running seeds in parallel (0: all CPUs).
	Workers int
	// Checkpoints of the test score (default 10 and the budget).
	Checkpoints []int
	// Hooks for progress.
	OnSeed func(method string, done, total int)
	// Transfer hooks applied to every LAPT run (e.g. live displays).
	TransferHooks transfer.Hooks
}

// Method is one method's results.
type Method struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Principles and Report describe the initial refined space (nil for
	// the full-space baseline).
	Principles *principles.Set    `json:"principles,omitempty"`
	Report     *principles.Report `json:"report,omitempty"`
	// SpaceSize is the initial search space size.
	SpaceSize int64 `json:"space_size"`
	// OptimumKept says whether the target's optimum is in the initial space.
	OptimumKept bool `json:"optimum_kept"`
	// MetricMean and MetricStd summarise the paper's metric over seeds.
	MetricMean float64 `json:"metric_mean"`
	MetricStd  float64 `json:"metric_std"`
	// FoundOptimum and FoundTop are the fractions of seeds that reached the
	// optimum and the top-0.1% threshold within the budget.
	FoundOptimum float64 `json:"found_optimum"`
	FoundTop     float64 `json:"found_top"`
	// Points are the summaries at the checkpoints.
	Points []experiment.Point `json:"points"`
	// Adaptations is the mean number of adaptations per seed that changed
	// the space (see transfer.Result.Adaptations).
	Adaptations float64 `json:"adaptations"`
	// Escapes is the mean number of paid evaluations per seed outside the
	// space in force (the escape hatch of adaptation).
	Escapes float64 `json:"escapes"`
	// Runs are the per-seed curves; a failed seed has only its Error.
	Runs []experiment.Outcome `json:"runs"`
	// Failed is the number of seeds whose run failed (e.g. the reasoner's
	// endpoint kept failing); the summaries cover the other seeds.
	Failed int `json:"failed,omitempty"`
}

// Report is a finished study.
type Report struct {
	Schema    string            `json:"schema"`
	Space     string            `json:"space"`
	Sources   []string          `json:"sources"`
	Target    string            `json:"target"`
	Reasoner  string            `json:"reasoner"`
	Schedule  transfer.Schedule `json:"schedule"`
	Seeds     int               `json:"seeds"`
	Optimum   float64           `json:"optimum_val"`
	OptTest   float64           `json:"optimum_test"`
	OptArch   string            `json:"optimum_arch"`
	Threshold float64           `json:"threshold_val"`
	Methods   []Method          `json:"methods"`
}

// Run runs the study.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if len(cfg.Sources) == 0 || cfg.Target == nil || len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("study: need source tasks, a target task and seeds")
	}
	if cfg.Reasoner == nil {
		cfg.Reasoner = offline.New()
	}
	tgt := cfg.Target
	sp := tgt.Space
	sch := cfg.Schedule.Complete(sp.Root())
	methods := cfg.Methods
	if len(methods) == 0 {
		methods = AllMethods
	}
	var evidence []reason.Evidence
	var srcNames []string
	for _, s := range cfg.Sources {
		if s.Space.Root().Name() != sp.Root().Name() {
			return nil, fmt.Errorf("study: source %s and target %s are in different spaces", s.Name, tgt.Name)
		}
		evidence = append(evidence, s.Evidence())
		srcNames = append(srcNames, s.Name)
	}
	checkpoints := cfg.Checkpoints
	if len(checkpoints) == 0 {
		checkpoints = []int{min(10, sch.Budget), sch.Budget}
		checkpoints = slices.Compact(checkpoints)
	}
	rep := &Report{Schema: "nasnb.transfer/v1", Space: sp.Root().Name(), Sources: srcNames, Target: tgt.Name,
		Reasoner: cfg.Reasoner.Name(), Schedule: sch, Seeds: len(cfg.Seeds), Optimum: tgt.BestEntry.Val,
		OptTest: tgt.BestEntry.Test, OptArch: tgt.BestEntry.Arch, Threshold: tgt.Threshold}
	refs := []principles.Reference{{Name: "target optimum", Arch: tgt.Best}}
	for _, name := range methods {
		m := Method{Name: name}
		var reasoner reason.Reasoner
		s := sch
		switch name {
		case LAPT:
			reasoner, m.Label = cfg.Reasoner, fmt.Sprintf("LAPT (%s)", cfg.Reasoner.Name())
		case NoAdapt:
			reasoner, m.Label = cfg.Reasoner, fmt.Sprintf("LAPT (%s), no adaptation", cfg.Reasoner.Name())
			s.NoAdapt = true
		case Frequency:
			reasoner, m.Label = offline.Frequency{}, fmt.Sprintf("frequency baseline (top-%d ops per edge)", sch.MaxOpsPerEdge)
			s.NoAdapt = true
		case FullREA:
			m.Label = fmt.Sprintf("REA, full space (p=%d, s=%d)", sch.Population, sch.Tournament)
		default:
			return nil, fmt.Errorf("study: unknown method %q (want %s)", name, strings.Join(AllMethods, ", "))
		}
		var learned *reason.Outcome
		if reasoner != nil {
			out, err := transfer.Learn(ctx, reasoner, sp, evidence, s)
			if err != nil {
				return nil, fmt.Errorf("study: %s: learning principles: %w", name, err)
			}
			learned = &out
			_, r, err := principles.Refine(sp, out.Set, refs...)
			if err != nil {
				return nil, fmt.Errorf("study: %s: %w", name, err)
			}
			set := out.Set
			set.Version = 1
			m.Principles, m.Report = &set, &r
			m.SpaceSize, m.OptimumKept = r.SizeAfter, r.References[0].Survived
		} else {
			m.SpaceSize, m.OptimumKept = sp.Count(), sp.Contains(tgt.Best)
		}
		proc := func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
			var j *journal.Journal
			if cfg.JournalDir != "" {
				var err error
				j, err = journal.Open(filepath.Join(cfg.JournalDir, fmt.Sprintf("%s-%s-seed%04d.jsonl", name, strings.ReplaceAll(tgt.Name, "/", "_"), seed)))
				if err != nil {
					return experiment.Outcome{}, err
				}
				defer j.Close()
			}
			if reasoner == nil {
				st, err := search.NewEvolution(sp, seed, search.EvolutionConfig{Population: s.Population, Tournament: s.Tournament})
				if err != nil {
					return experiment.Outcome{}, err
				}
				r, err := search.Execute(ctx, search.Config{Strategy: st, Evaluator: tgt.Table, Budget: s.Budget, Seed: seed, Dedup: cfg.Dedup, Journal: j, Label: name})
				if err != nil {
					return experiment.Outcome{}, err
				}
				return experiment.Outcome{Steps: r.Steps(), Evaluations: r.Evaluations(), Exhausted: r.Err() == search.ErrExhausted}, nil
			}
			res, err := transfer.Run(ctx, transfer.Config{Space: sp, Sources: evidence, Target: tgt.Table, Reasoner: reasoner, Initial: learned,
				Schedule: s, Seed: seed, Dedup: cfg.Dedup, Journal: j, References: refs, Hooks: cfg.TransferHooks})
			if err != nil {
				return experiment.Outcome{}, err
			}
			return experiment.Outcome{Steps: res.Run.Steps(), Evaluations: res.Run.Evaluations(),
				Extra: map[string]float64{"versions": float64(len(res.History.Versions)), "adaptations": float64(res.Adaptations()), "escapes": float64(res.Escapes)}}, nil
		}
		var progress func(done, total int)
		if cfg.OnSeed != nil {
			progress = func(done, total int) { cfg.OnSeed(name, done, total) }
		}
		// One seed's failure (e.g. an endpoint that keeps failing during its
		// adaptation) is recorded and does not sink the other seeds.
		outs, err := experiment.RunSeedsKeepGoing(ctx, cfg.Seeds, cfg.Workers, proc, progress)
		if err != nil {
			return nil, fmt.Errorf("study: %s: %w", name, err)
		}
		ok, failed := experiment.Split(outs)
		if len(ok) == 0 {
			return nil, fmt.Errorf("study: %s: every seed failed; seed %d: %s", name, failed[0].Seed, failed[0].Error)
		}
		m.Runs, m.Failed = outs, len(failed)
		summarize(&m, ok, tgt, checkpoints)
		rep.Methods = append(rep.Methods, m)
	}
	return rep, nil
}

func summarize(m *Method, outs []experiment.Outcome, tgt *tabular.Task, checkpoints []int) {
	var metric []float64
	opt, top := 0, 0
	versions, escapes := 0.0, 0.0
	for _, o := range outs {
		n, _ := o.LAPTMetric(tgt.BestEntry.Val, tgt.Threshold)
		metric = append(metric, float64(n))
		if o.EvalsToReach(tgt.BestEntry.Val) > 0 {
			opt++
		}
		if o.EvalsToReach(tgt.Threshold) > 0 {
			top++
		}
		if v, ok := o.Extra["adaptations"]; ok {
			versions += v
		}
		escapes += o.Extra["escapes"]
	}
	m.MetricMean, m.MetricStd = experiment.MeanStd(metric)
	k := float64(len(outs))
	m.FoundOptimum, m.FoundTop, m.Adaptations, m.Escapes = float64(opt)/k, float64(top)/k, versions/k, escapes/k
	m.Points = experiment.Summarize(outs, checkpoints, tgt.BestEntry.Val)
}

// String renders the report as a table.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s (reasoner %s), %d seeds; population %d, tournament %d, budget %d, adapt every %d after %d plain steps\n",
		strings.Join(r.Sources, "+"), r.Target, r.Reasoner, r.Seeds, r.Schedule.Population, r.Schedule.Tournament, r.Schedule.Budget, r.Schedule.AdaptEvery, max(r.Schedule.Warmup, 0))
	if r.OptTest != 0 && !math.IsNaN(r.OptTest) {
		fmt.Fprintf(&b, "target optimum: val %.4f, test %.4f  %s; top-0.1%% threshold val %.4f\n", r.Optimum, r.OptTest, r.OptArch, r.Threshold)
	} else {
		fmt.Fprintf(&b, "target optimum: val %.4f (no test scores in this table)  %s; top-0.1%% threshold val %.4f\n", r.Optimum, r.OptArch, r.Threshold)
	}
	fmt.Fprintf(&b, "%-44s %7s %5s %13s %8s %8s", "method", "space", "opt?", "evals (LAPT)", "found", "top0.1%")
	// Tables without test scores (e.g. the TransNAS sample) show validation.
	useVal := true
	for _, m := range r.Methods {
		for _, p := range m.Points {
			if !math.IsNaN(p.TestMean) {
				useVal = false
			}
		}
	}
	col := "test"
	if useVal {
		col = "val"
	}
	if len(r.Methods) > 0 {
		for _, p := range r.Methods[0].Points {
			fmt.Fprintf(&b, " %15s", fmt.Sprintf("%s@%d", col, p.Evals))
		}
	}
	b.WriteString("\n")
	for _, m := range r.Methods {
		kept := "no"
		if m.OptimumKept {
			kept = "yes"
		}
		fmt.Fprintf(&b, "%-44s %7d %5s %6.1f ± %-4.1f %7.0f%% %7.0f%%", trunc(m.Label, 44), m.SpaceSize, kept, m.MetricMean, m.MetricStd, 100*m.FoundOptimum, 100*m.FoundTop)
		for _, p := range m.Points {
			if useVal {
				fmt.Fprintf(&b, " %15s", fmtPM(p.ValMean, p.ValStd))
			} else {
				fmt.Fprintf(&b, " %15s", fmtPM(p.TestMean, p.TestStd))
			}
		}
		b.WriteString("\n")
		if m.Failed > 0 {
			_, failed := experiment.Split(m.Runs)
			fmt.Fprintf(&b, "  %d of %d seeds FAILED and are left out of the row above (first: seed %d: %s)\n",
				m.Failed, len(m.Runs), failed[0].Seed, trunc(failed[0].Error, 200))
		}
	}
	return b.String()
}

// Failed returns the number of failed seed runs over all methods.
func (r *Report) Failed() int {
	n := 0
	for _, m := range r.Methods {
		n += m.Failed
	}
	return n
}

func fmtPM(m, s float64) string {
	if math.IsNaN(m) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f ± %.2f", m, s)
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
