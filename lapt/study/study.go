// Package study compares LAPT principle transfer with its baselines on the
// same seeds: the transfer loop, the loop with adaptation off, the frequency
// baseline (the most frequent ops per edge among the source top-k) and
// regularized evolution in the full space. It reports the paper's metric
// (evaluations until the target optimum, else its top-0.1%, else the
// budget), how often each was found, and the incumbent's test score at
// checkpoints.
//
// A study runs on a [Target]: a space, an evaluator per run and optional
// references. [Table] makes one from a benchmark table (Config.Target is
// the shorthand); real training makes one from its recipe, which is
// journaled with every run and checked on resume ([CheckRecipe]). Methods
// are registered by name ([Register]): lapt, lapt-noadapt, frequency,
// rea-full, random and local are built in.
package study

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// Config configures a study.
type Config struct {
	// Sources are the source tasks: only their evidence reaches a reasoner.
	Sources []*tabular.Task
	// On is the target: searched through its evaluator only; its
	// references (optimum, threshold) are used for reporting.
	On *Target
	// Target is a shorthand for On: Table(Target) (ignored when On is set).
	Target *tabular.Task
	// Reasoner learns and adapts principles for the LAPT methods.
	Reasoner reason.Reasoner
	// Schedule holds the method's numbers (zero fields take the paper's).
	Schedule transfer.Schedule
	// Seeds to run.
	Seeds []uint64
	// Methods to run, by registered name (default: AllMethods; see
	// Register and Methods).
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
	// EquivalentFree is the mean number of proposals per seed answered for
	// free because an equivalent architecture (the space's Canonical form,
	// built-in or declared equivalence) had been evaluated: evaluations the
	// equivalence saved (see search.Run.EquivalentFree).
	EquivalentFree float64 `json:"equivalent_free,omitempty"`
	// Runs are the per-seed curves; a failed seed has only its Error.
	Runs []experiment.Outcome `json:"runs"`
	// Details are the per-seed runs in detail (trials, cost, incumbent),
	// in seed order, for targets that ask for them (Target.Details).
	Details []RunDetail `json:"details,omitempty"`
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
	// NoReference says the target has no known optimum (e.g. real
	// training): the optimum, threshold, metric and found fields are zero.
	NoReference bool `json:"no_reference,omitempty"`
	// Recipe is the target's recipe (e.g. the training recipe), as
	// journaled with every run.
	Recipe  json.RawMessage `json:"recipe,omitempty"`
	Methods []Method        `json:"methods"`
}

// Run runs the study: every method over every seed, one method after
// another. Each method's principles are computed once (the study's
// reasoner learns once, shared by lapt and lapt-noadapt); one seed's
// failure is recorded in its run and does not stop the others.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	tgt := cfg.On
	if tgt == nil && cfg.Target != nil {
		tgt = Table(cfg.Target)
	}
	if tgt == nil || len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("study: need a target (Config.On or Config.Target) and seeds")
	}
	if tgt.Space == nil || tgt.Evaluator == nil {
		return nil, fmt.Errorf("study: target %q needs a Space and an Evaluator", tgt.Name)
	}
	if cfg.Reasoner == nil {
		cfg.Reasoner = offline.New()
	}
	sp := tgt.Space
	sch := cfg.Schedule.Complete(sp.Root())
	methods := cfg.Methods
	if len(methods) == 0 {
		methods = AllMethods
	}
	defs := make([]MethodDef, len(methods))
	for i, name := range methods {
		def, err := Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("study: %w", err)
		}
		if def.Principles != nil && len(cfg.Sources) == 0 {
			return nil, fmt.Errorf("study: method %s needs source tasks to learn principles from", name)
		}
		defs[i] = def
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
		Reasoner: cfg.Reasoner.Name(), Schedule: sch, Seeds: len(cfg.Seeds), Recipe: tgt.Recipe}
	setup := &Setup{Space: sp, Evidence: evidence, Schedule: sch, Reasoner: cfg.Reasoner, Dedup: cfg.Dedup, TransferHooks: cfg.TransferHooks}
	if r := tgt.Refs; r != nil {
		rep.Optimum, rep.OptTest, rep.OptArch, rep.Threshold = r.BestVal, r.BestTest, r.BestArch, r.Threshold
		setup.References = []principles.Reference{{Name: "target optimum", Arch: r.Best}}
	} else {
		rep.NoReference = true
	}
	for i, name := range methods {
		def := defs[i]
		m := Method{Name: name, Label: def.Label(setup)}
		var initial *reason.Outcome
		if def.Principles != nil {
			out, err := def.Principles(ctx, setup)
			if err != nil {
				return nil, fmt.Errorf("study: %s: %w", name, err)
			}
			initial = out
			_, r, err := principles.Refine(sp, out.Set, setup.References...)
			if err != nil {
				return nil, fmt.Errorf("study: %s: %w", name, err)
			}
			set := out.Set // version 1 (transfer.Learn)
			m.Principles, m.Report = &set, &r
			m.SpaceSize = r.SizeAfter
			m.OptimumKept = len(r.References) > 0 && r.References[0].Survived
		} else {
			m.SpaceSize = sp.Count()
			m.OptimumKept = tgt.Refs != nil && sp.Contains(tgt.Refs.Best)
		}
		var mu sync.Mutex
		details := map[uint64]RunDetail{}
		proc := func(ctx context.Context, seed uint64) (experiment.Outcome, error) {
			out, d, err := runSeed(ctx, cfg.JournalDir, tgt, setup, def, name, seed, initial)
			if tgt.Details {
				if err != nil {
					d.Error = err.Error()
				}
				mu.Lock()
				details[seed] = d
				mu.Unlock()
			}
			return out, err
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
		if tgt.Details {
			for _, seed := range cfg.Seeds {
				m.Details = append(m.Details, details[seed])
			}
		}
		summarize(&m, ok, tgt.Refs, checkpoints)
		rep.Methods = append(rep.Methods, m)
	}
	return rep, nil
}

// runSeed runs one seed of a method: it opens the run's journal (checking
// its recipe), builds the run's evaluator and runs the method. The detail
// is partial (method, seed, journal) when it fails.
func runSeed(ctx context.Context, dir string, tgt *Target, setup *Setup, def MethodDef, name string, seed uint64,
	initial *reason.Outcome) (experiment.Outcome, RunDetail, error) {
	info := RunInfo{Method: name, Seed: seed, Recipe: tgt.Recipe}
	d := RunDetail{Method: name, Seed: seed, BestVal: math.NaN(), BestTest: math.NaN()}
	var j *journal.Journal
	if dir != "" {
		d.Journal = filepath.Join(dir, tgt.journalName(info))
		var err error
		if j, err = journal.Open(d.Journal); err != nil {
			return experiment.Outcome{}, d, err
		}
		defer j.Close()
		if info.Recipe, err = CheckRecipe(j, tgt.Recipe); err != nil {
			return experiment.Outcome{}, d, err
		}
	}
	ev, err := tgt.Evaluator(ctx, info)
	if err != nil {
		return experiment.Outcome{}, d, err
	}
	var hooks search.Hooks
	if tgt.Hooks != nil {
		hooks = tgt.Hooks(info)
	}
	res, err := def.Run(ctx, setup, &SeedRun{RunInfo: info, Evaluator: ev, Journal: j, Initial: initial, Hooks: hooks})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return experiment.Outcome{}, d, err
	}
	if tgt.Details {
		jpath := d.Journal
		d = DetailOf(name, seed, res.Run)
		d.Journal, d.Versions = jpath, int(res.Extra["versions"])
	}
	extra := res.Extra
	if n := res.Run.EquivalentFree(); n > 0 {
		extra = maps.Clone(extra)
		if extra == nil {
			extra = map[string]float64{}
		}
		extra["equivalent_free"] = float64(n)
	}
	return experiment.Outcome{Steps: res.Run.Steps(), Evaluations: res.Run.Evaluations(), Exhausted: res.Exhausted, Extra: extra}, d, nil
}

func summarize(m *Method, outs []experiment.Outcome, refs *Refs, checkpoints []int) {
	var metric []float64
	opt, top := 0, 0
	versions, escapes, equiv := 0.0, 0.0, 0.0
	for _, o := range outs {
		if refs != nil {
			n, _ := o.LAPTMetric(refs.BestVal, refs.Threshold)
			metric = append(metric, float64(n))
			if o.EvalsToReach(refs.BestVal) > 0 {
				opt++
			}
			if o.EvalsToReach(refs.Threshold) > 0 {
				top++
			}
		}
		if v, ok := o.Extra["adaptations"]; ok {
			versions += v
		}
		escapes += o.Extra["escapes"]
		equiv += o.Extra["equivalent_free"]
	}
	k := float64(len(outs))
	m.Adaptations, m.Escapes, m.EquivalentFree = versions/k, escapes/k, equiv/k
	target := math.NaN()
	if refs != nil {
		m.MetricMean, m.MetricStd = experiment.MeanStd(metric)
		m.FoundOptimum, m.FoundTop = float64(opt)/k, float64(top)/k
		target = refs.BestVal
	}
	m.Points = experiment.Summarize(outs, checkpoints, target)
}

// String renders the report as a table.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s (reasoner %s), %d seeds; population %d, tournament %d, budget %d, adapt every %d after %d plain steps\n",
		strings.Join(r.Sources, "+"), r.Target, r.Reasoner, r.Seeds, r.Schedule.Population, r.Schedule.Tournament, r.Schedule.Budget, r.Schedule.AdaptEvery, max(r.Schedule.Warmup, 0))
	if n := r.Schedule.FullSpaceAfter; n > 0 {
		fmt.Fprintf(&b, "hedge: the transfer methods leave their principles for the full space after %d evaluations\n", n)
	}
	if r.NoReference {
		fmt.Fprintf(&b, "target %s: no known optimum, so no LAPT metric (evals to the optimum or top-0.1%%)\n", r.Target)
	} else if r.OptTest != 0 && !math.IsNaN(r.OptTest) {
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
		if r.NoReference {
			fmt.Fprintf(&b, "%-44s %7d %5s %13s %8s %8s", trunc(m.Label, 44), m.SpaceSize, "-", "-", "-", "-")
		} else {
			fmt.Fprintf(&b, "%-44s %7d %5s %6.1f ± %-4.1f %7.0f%% %7.0f%%", trunc(m.Label, 44), m.SpaceSize, kept, m.MetricMean, m.MetricStd, 100*m.FoundOptimum, 100*m.FoundTop)
		}
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
	var details []RunDetail
	for _, m := range r.Methods {
		details = append(details, m.Details...)
	}
	if len(details) > 0 {
		b.WriteString("\n")
		WriteDetails(&b, details)
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
