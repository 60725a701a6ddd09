package study

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/offline"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// Names of the built-in methods.
const (
	LAPT      = "lapt"
	NoAdapt   = "lapt-noadapt"
	Frequency = "frequency"
	FullREA   = "rea-full"
	Random    = "random"
	Local     = "local"
)

// AllMethods lists the methods a study runs by default, in report order.
var AllMethods = []string{LAPT, NoAdapt, Frequency, FullREA}

// MethodDef defines a method a study can run: how it is labelled, the
// principles it starts from (learned once per study), and one seed's run.
// Register one with [Register].
type MethodDef struct {
	// Label returns the method's label in reports.
	Label func(s *Setup) string
	// Principles, when set, returns the principles every seed starts from;
	// it is called once per study. Nil: the method searches the full space.
	Principles func(ctx context.Context, s *Setup) (*reason.Outcome, error)
	// Run runs one seed and returns its search run.
	Run func(ctx context.Context, s *Setup, r *SeedRun) (*SeedResult, error)
}

// Setup is what a study hands every method: the space, the sources'
// evidence, the schedule (completed), the reasoner and the dedup rule.
type Setup struct {
	// Space is the target's search space.
	Space *space.Space
	// Evidence is the sources' evidence, the only data a reasoner sees.
	Evidence []reason.Evidence
	// Schedule is the study's schedule, completed with the paper's values.
	Schedule transfer.Schedule
	// Reasoner is the study's reasoner (see Learned).
	Reasoner reason.Reasoner
	// Dedup is the rule for repeated architectures.
	Dedup search.Dedup
	// References are passed to principles.Refine and transfer runs (the
	// target's optimum, when known).
	References []principles.Reference
	// TransferHooks are applied to every transfer run.
	TransferHooks transfer.Hooks

	learnOnce sync.Once
	learned   *reason.Outcome
	learnErr  error
}

// Learned returns the principles the study's reasoner learns from the
// sources. They are learned once per study and shared by every method that
// asks (lapt and lapt-noadapt start from the same principles).
func (s *Setup) Learned(ctx context.Context) (*reason.Outcome, error) {
	s.learnOnce.Do(func() {
		if len(s.Evidence) == 0 {
			s.learnErr = fmt.Errorf("no source tasks to learn principles from")
			return
		}
		out, err := transfer.Learn(ctx, s.Reasoner, s.Space, s.Evidence, s.Schedule)
		if err != nil {
			s.learnErr = fmt.Errorf("learning principles: %w", err)
			return
		}
		s.learned = &out
	})
	return s.learned, s.learnErr
}

// SeedRun is one seed's run of a method.
type SeedRun struct {
	RunInfo
	// Evaluator scores the candidates (the target's, for this run).
	Evaluator eval.Evaluator
	// Journal, when set, records the run and lets it resume.
	Journal *journal.Journal
	// Initial are the method's principles (nil for full-space methods).
	Initial *reason.Outcome
	// Hooks are the target's search hooks for this run.
	Hooks search.Hooks
}

// SeedResult is what a seed's run returns: its search run and, for
// transfer runs, the numbers of the principle history.
type SeedResult struct {
	Run *search.Run
	// Exhausted says the run stopped because its space was exhausted.
	Exhausted bool
	// Extra holds method-specific numbers; the report averages
	// "adaptations" and "escapes".
	Extra map[string]float64
}

var (
	regMu    sync.Mutex
	registry = map[string]MethodDef{}
	regOrder []string
)

// Register adds a method under name, for Config.Methods. It returns an
// error for an empty or taken name or a definition without Label or Run.
func Register(name string, m MethodDef) error {
	regMu.Lock()
	defer regMu.Unlock()
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, ", /") {
		return fmt.Errorf("study: method name %q must be non-empty without spaces, commas or slashes", name)
	}
	if _, ok := registry[name]; ok {
		return fmt.Errorf("study: method %q is already registered", name)
	}
	if m.Label == nil || m.Run == nil {
		return fmt.Errorf("study: method %q needs Label and Run", name)
	}
	registry[name] = m
	regOrder = append(regOrder, name)
	return nil
}

// Methods returns the registered method names: the built-ins first, then
// the others in registration order.
func Methods() []string {
	regMu.Lock()
	defer regMu.Unlock()
	return slices.Clone(regOrder)
}

// Lookup returns the method registered under name, or an error listing
// the registered names.
func Lookup(name string) (MethodDef, error) {
	regMu.Lock()
	m, ok := registry[name]
	regMu.Unlock()
	if !ok {
		return m, fmt.Errorf("unknown method %q (want %s)", name, strings.Join(Methods(), ", "))
	}
	return m, nil
}

func mustRegister(name string, m MethodDef) {
	if err := Register(name, m); err != nil {
		panic(err) // built-in names are distinct
	}
}

func init() {
	mustRegister(LAPT, MethodDef{
		Label:      func(s *Setup) string { return fmt.Sprintf("LAPT (%s)", s.Reasoner.Name()) },
		Principles: learned,
		Run:        transferSeed(nil, false),
	})
	mustRegister(NoAdapt, MethodDef{
		Label:      func(s *Setup) string { return fmt.Sprintf("LAPT (%s), no adaptation", s.Reasoner.Name()) },
		Principles: learned,
		Run:        transferSeed(nil, true),
	})
	mustRegister(Frequency, MethodDef{
		Label: func(s *Setup) string {
			return fmt.Sprintf("frequency baseline (top-%d ops per edge)", s.Schedule.MaxOpsPerEdge)
		},
		Principles: func(ctx context.Context, s *Setup) (*reason.Outcome, error) {
			out, err := transfer.Learn(ctx, offline.Frequency{}, s.Space, s.Evidence, s.Schedule)
			if err != nil {
				return nil, fmt.Errorf("learning principles: %w", err)
			}
			return &out, nil
		},
		Run: transferSeed(offline.Frequency{}, true),
	})
	mustRegister(FullREA, MethodDef{
		Label: func(s *Setup) string {
			return fmt.Sprintf("REA, full space (p=%d, s=%d)", s.Schedule.Population, s.Schedule.Tournament)
		},
		Run: plainSeed("rea"),
	})
	mustRegister(Random, MethodDef{
		Label: func(*Setup) string { return "random search, full space" },
		Run:   plainSeed("random"),
	})
	mustRegister(Local, MethodDef{
		Label: func(*Setup) string { return "local search, full space" },
		Run:   plainSeed("local"),
	})
}

// learned is the study reasoner's principles, learned once per study.
func learned(ctx context.Context, s *Setup) (*reason.Outcome, error) { return s.Learned(ctx) }

// transferSeed runs principle transfer from the method's initial
// principles with reasoner (nil: the study's); noAdapt keeps them for the
// whole run.
func transferSeed(reasoner reason.Reasoner, noAdapt bool) func(ctx context.Context, s *Setup, r *SeedRun) (*SeedResult, error) {
	return func(ctx context.Context, s *Setup, r *SeedRun) (*SeedResult, error) {
		sch := s.Schedule
		sch.NoAdapt = sch.NoAdapt || noAdapt
		rs := reasoner
		if rs == nil {
			rs = s.Reasoner
		}
		hooks := s.TransferHooks
		hooks.Search = chainHooks(hooks.Search, r.Hooks)
		res, err := transfer.Run(ctx, transfer.Config{Space: s.Space, Sources: s.Evidence, Target: r.Evaluator, Reasoner: rs, Initial: r.Initial,
			Schedule: sch, Seed: r.Seed, Dedup: s.Dedup, Journal: r.Journal, References: s.References, Hooks: hooks})
		if err != nil {
			return nil, err
		}
		return &SeedResult{Run: res.Run, Extra: map[string]float64{"versions": float64(len(res.History.Versions)),
			"adaptations": float64(res.Adaptations()), "escapes": float64(res.Escapes)}}, nil
	}
}

// plainSeed runs a search strategy in the full space, asynchronously when
// the evaluator is an [AsyncEvaluator].
func plainSeed(strategy string) func(ctx context.Context, s *Setup, r *SeedRun) (*SeedResult, error) {
	return func(ctx context.Context, s *Setup, r *SeedRun) (*SeedResult, error) {
		st, err := search.New(strategy, s.Space, r.Seed, search.EvolutionConfig{Population: s.Schedule.Population, Tournament: s.Schedule.Tournament})
		if err != nil {
			return nil, err
		}
		cfg := search.Config{Strategy: st, Evaluator: r.Evaluator, Budget: s.Schedule.Budget, Seed: r.Seed, Dedup: s.Dedup,
			Journal: r.Journal, Label: r.Method, Hooks: r.Hooks}
		var run *search.Run
		if a, ok := r.Evaluator.(AsyncEvaluator); ok && a.InFlight() > 0 {
			cfg.Async = a.InFlight()
			if run, err = search.NewRun(cfg); err == nil {
				err = run.RunAsync(ctx)
			}
		} else {
			run, err = search.Execute(ctx, cfg)
		}
		if err != nil {
			return nil, err
		}
		return &SeedResult{Run: run, Exhausted: errors.Is(run.Err(), search.ErrExhausted)}, nil
	}
}

// chainHooks returns a's subscribers followed by b's (a subscriber of b
// replaces one of a with the same name).
func chainHooks(a, b search.Hooks) search.Hooks {
	a.OnStart.Merge(b.OnStart)
	a.OnTrial.Merge(b.OnTrial)
	a.OnEnd.Merge(b.OnEnd)
	return a
}
