// Package transfer runs LAPT's design-principle transfer: principles learned
// from source tasks shrink the space, regularized evolution searches the
// target inside it, and the principles adapt to the target's results on a
// schedule. Everything is journaled: an interrupted run resumes without
// repeating an evaluation or asking the reasoner again.
//
// Adaptation recovers from wrong principles in three ways: escapes, the
// reasoner widening the space where they win, and the target distrusting
// the principles. The escape hatch: proposals outside the space in force (a tournament parent with
// one decision changed to a cut op, the decision drawn with odds following
// the op's support among the sources' top-k), paid from the budget and
// counted in [Result.Escapes]. Guided escapes test the sources while the
// space still has unexplored architectures: every other proposal of the
// warm-up (Schedule.Warmup evaluations after the initial population), so
// the target weighs the sources from the start, then the last evaluation
// of every adaptation period (Schedule.AdaptEvery) for as long as escapes
// have done at least as well as the space (see below); once every
// architecture of the space in force has been evaluated, every proposal
// is an escape. The numbers are the schedule's own, no separate constant.
// Escape results reach the reasoner with the other target trials, so it
// can widen where the target disagrees with the sources. (The
// multi-fidelity loop, [Config.Fidelity], makes no guided escapes: there
// it escapes only once the space is used up.)
//
// The target can also distrust the principles. Every counted proposal
// after the initial population is a success when it scores above the
// median of the population it was proposed from; escapes and proposals
// inside the space each get a Beta(1+successes, 1+failures) posterior on
// their success rate. Escapes that have done worse than the space (the
// posterior probability that they do better is below one half) stop the
// periodic guided escapes: the target trusts the principles and the budget
// stays inside. When, after at least two escapes, that probability
// reaches 0.95 (the usual 5% error level, the family-wise level at which
// the offline reasoner cuts an op), the principles hold the search back:
// the run leaves them for the full space, keeping its population, with a
// [TriggerDistrust] event that counts as an adaptation. On spaces whose
// optimum the sources' principles cut and whose good architectures are
// reached by one-decision changes, this is what keeps LAPT from falling
// far behind evolution in the full space (lapt/matrix's relatedness
// sweep).
//
// No oscillation: an adapted space equal to one already left is rejected
// and the current one stays. Only versions that changed the space count as
// adaptations ([Result.Adaptations]). With Schedule.NoAdapt there are no
// escapes and no distrust.
//
// A hedge for sources you do not trust: with Schedule.FullSpaceAfter the
// search leaves the principles for the full space after that many
// evaluations ([TriggerHedge]). It trades the mean found rate for the
// pairs where the sources mislead; the paper's method never leaves them.
//
// The reasoner sees only the source evidence given in [Config.Sources] and
// the target trials the search has paid for; the target is reachable only
// through its evaluator. No target table can leak into principles.
package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/hook"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
)

// Trigger says why the transfer loop asked for principles, or left them.
// Its JSON form is the plain string.
type Trigger string

// The triggers of [Event] and of the journal's principles records.
const (
	// TriggerLearn: the principles learned from the sources at the start.
	TriggerLearn Trigger = "learn"
	// TriggerInitial: the principles given in [Config.Initial] (learned
	// once, shared between seeds).
	TriggerInitial Trigger = "initial"
	// TriggerAdapt: a scheduled adaptation check (every Schedule.AdaptEvery
	// counted evaluations after the warm-up).
	TriggerAdapt Trigger = "adapt"
	// TriggerExhausted: the space in force yielded nothing new for
	// Schedule.ExhaustAfter proposals, so the reasoner was asked to widen it.
	TriggerExhausted Trigger = "exhausted"
	// TriggerFallback: the principles could offer no unexplored architecture
	// (a widening repeated an earlier space, changed nothing, or failed
	// eight times), so the search continues in the full space for the rest
	// of the run. The event keeps the set in force, carries the full space's
	// size in its Report and an explanation in Err; the reasoner is not
	// asked again.
	TriggerFallback Trigger = "fallback"
	// TriggerHedge: Schedule.FullSpaceAfter evaluations were spent inside
	// the principles, so the search continues in the full space for the
	// rest of the budget. Like a fall back, the event keeps the set in
	// force and carries the full space's size; it is scheduled, not an
	// adaptation, and the reasoner is not asked again.
	TriggerHedge Trigger = "hedge"
	// TriggerDistrust: the target's results say the principles hold the
	// search back (escapes beat the population median significantly more
	// often than proposals inside the space, see the package doc), so the
	// search continues in the full space for the rest of the run. The event
	// keeps the set in force and carries the full space's size and the
	// counts in Err; it counts as an adaptation.
	TriggerDistrust Trigger = "distrust"
)

// Event is a principle version coming into force, or an adapted version
// that was rejected (Err set), or the fall back to the full space.
type Event struct {
	// Trigger is why it happened.
	Trigger Trigger `json:"trigger"`
	// Evaluations made when it happened.
	Evaluations int `json:"evaluations"`
	// Improved is whether the best score improved since the last check.
	Improved bool `json:"improved"`
	// Set is the new version; Report its refinement; Diff the change.
	Set    principles.Set    `json:"set"`
	Report principles.Report `json:"report"`
	Diff   principles.Diff   `json:"diff"`
	// Err is set when the new set could not be compiled and the previous
	// space was kept.
	Err string `json:"err,omitempty"`
	// Fidelity is the training epochs of the target results the reasoner
	// was shown (multi-fidelity runs; 0 otherwise).
	Fidelity int `json:"fidelity,omitempty"`
}

// Hooks are the transfer loop's hook points, each a list of named
// subscribers (see [hook.List]). A subscriber that returns an error or
// panics stops the run with a [*hook.Error] naming it.
type Hooks struct {
	// OnPrinciples is called for every Event: each principle version in
	// force, each rejected adaptation and the fall back to the full space.
	OnPrinciples hook.List[func(Event) error]
	// Search hooks are passed to the search run.
	Search search.Hooks
	// OnJob is called after every job of a multi-fidelity run (replayed and
	// cached ones included), which has no search run and does not call
	// Search.
	OnJob hook.List[func(FidelityTrial) error]
}

// Config configures one transfer run.
type Config struct {
	// Space is the full (root) space, possibly limited to known archs.
	Space *space.Space
	// Sources is the only data the reasoner sees before the search.
	Sources []reason.Evidence
	// Target evaluates candidates; it is the only way to the target task.
	Target eval.Evaluator
	// Reasoner learns and adapts principles.
	Reasoner reason.Reasoner
	// Initial, when set, is used instead of asking the reasoner to learn
	// (principles learned once and shared by many seeds).
	Initial *reason.Outcome
	// Schedule holds the method's numbers.
	Schedule Schedule
	// Seed of the search.
	Seed uint64
	// Dedup of the search (default: canonical).
	Dedup search.Dedup
	// Journal, when set, records the run and lets it resume.
	Journal *journal.Journal
	// References are reported on (survival) but never shown to anyone.
	References []principles.Reference
	// Hooks are called as the run progresses.
	Hooks Hooks
	// Fidelity, when set, drives the search with a multi-fidelity scheduler
	// whose told fidelity is all the search and the reasoner see (see
	// fidelity.go); Target must implement [FidelityEvaluator].
	Fidelity *Fidelity
}

// Result is a finished (or stopped) transfer run.
type Result struct {
	Run          *search.Run
	History      principles.History
	Events       []Event
	Conversation []reason.Message
	Exchanges    []reason.Exchange
	// Escapes is the number of paid evaluations outside the space in force
	// (the escape hatch); they count against the budget.
	Escapes int
	// Fidelity is the multi-fidelity run (nil otherwise; Run is then nil).
	Fidelity *FidelityRun
}

type header struct {
	Space    string   `json:"space"`
	Reasoner string   `json:"reasoner"`
	Sources  []string `json:"sources"`
	Seed     uint64   `json:"seed"`
	Schedule Schedule `json:"schedule"`
	// Fidelity is set for multi-fidelity runs only (older journals match).
	Fidelity *Fidelity `json:"fidelity,omitempty"`
}

type principlesRecord struct {
	Trigger      Trigger           `json:"trigger"`
	Evaluations  int               `json:"evaluations"`
	Improved     bool              `json:"improved"`
	Outcome      reason.Outcome    `json:"outcome"`
	Conversation []reason.Message  `json:"conversation,omitempty"`
	Exchanges    []reason.Exchange `json:"exchanges,omitempty"`
}

// Learn asks the reasoner for principles from the sources; use it to learn
// once and share the outcome between seeds through Config.Initial. The set
// is version 1 whatever the reasoner numbered it.
func Learn(ctx context.Context, r reason.Reasoner, sp *space.Space, sources []reason.Evidence, s Schedule) (reason.Outcome, error) {
	out, err := r.Learn(ctx, reason.LearnRequest{Space: sp.Root(), Sources: sources, TopK: s.TopK, MaxOpsPerEdge: s.MaxOpsPerEdge, Budget: s.Budget})
	if err == nil {
		out.Set.Version = 1
	}
	return out, err
}

func (c *Config) defaults() error {
	if c.Space == nil || c.Target == nil || c.Reasoner == nil {
		return errors.New("transfer: a run needs a space, a target evaluator and a reasoner")
	}
	if c.Initial == nil && len(c.Sources) == 0 {
		return errors.New("transfer: no source evidence and no initial principles")
	}
	c.Schedule = c.Schedule.Complete(c.Space.Root())
	if c.Schedule.FullSpaceAfter < 0 {
		return fmt.Errorf("transfer: Schedule.FullSpaceAfter is %d: want 0 (never) or a number of evaluations", c.Schedule.FullSpaceAfter)
	}
	if c.Fidelity != nil {
		if c.Schedule.FullSpaceAfter > 0 {
			return errors.New("transfer: Schedule.FullSpaceAfter is not supported by multi-fidelity runs")
		}
		return c.Fidelity.validate(c.Target)
	}
	return nil
}

// loop is the state of one run.
type loop struct {
	cfg     Config
	res     *Result
	records []json.RawMessage
	next    int
	sub     *space.Space
	told    int   // the told fidelity of a multi-fidelity run
	hookErr error // the first OnPrinciples subscriber error
}

// Run executes the transfer loop to its budget.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	l := &loop{cfg: cfg, res: &Result{}}
	sch := cfg.Schedule
	root := cfg.Space
	if j := cfg.Journal; j != nil {
		h := header{Space: root.Name(), Reasoner: cfg.Reasoner.Name(), Seed: cfg.Seed, Schedule: sch, Fidelity: cfg.Fidelity}
		for _, s := range cfg.Sources {
			h.Sources = append(h.Sources, s.Task)
		}
		hs := j.Kind("transfer")
		if len(hs) == 0 {
			if err := j.Append("transfer", h); err != nil {
				return nil, err
			}
		} else {
			var old header
			if err := json.Unmarshal(hs[0], &old); err != nil {
				return nil, fmt.Errorf("transfer: journal %s: bad header: %w", j.Path(), err)
			}
			a, _ := json.Marshal(old)
			b, _ := json.Marshal(h)
			if string(a) != string(b) {
				return nil, fmt.Errorf("transfer: journal %s belongs to another run:\n  journal: %s\n  this:    %s", j.Path(), a, b)
			}
		}
		l.records = j.Kind("principles")
	}

	// 1. Principles from the sources.
	trigger := TriggerLearn
	if cfg.Initial != nil {
		trigger = TriggerInitial
	}
	first, err := l.principles(ctx, trigger, 0, false, func() (reason.Outcome, error) {
		if cfg.Initial != nil {
			return *cfg.Initial, nil
		}
		return Learn(ctx, cfg.Reasoner, root, cfg.Sources, sch)
	})
	if err != nil {
		return nil, err
	}
	sub, ev := l.apply(first, trigger, 0, false)
	if l.hookErr != nil {
		return l.res, l.hookErr
	}
	if sub == nil {
		return nil, fmt.Errorf("transfer: the learned principles do not compile: %s", ev.Err)
	}
	original := l.res.History.Versions[0]
	if cfg.Fidelity != nil {
		return l.runFidelity(ctx, sub, original)
	}

	// 2. Search inside the refined space, adapting on schedule.
	evo, err := search.NewEvolution(sub, cfg.Seed, search.EvolutionConfig{Population: sch.Population, Tournament: sch.Tournament})
	if err != nil {
		return nil, err
	}
	strat := newEscaper(evo, root, cfg.Seed, sch.Population, sch.Tournament)
	strat.off = sch.NoAdapt
	strat.every = sch.AdaptEvery
	strat.warmup = max(sch.Warmup, 0)
	strat.pref = func() [][]int { return l.current().Preference }
	strat.support = sourceSupport(root, cfg.Sources, sch.TopK)
	maxFree := 1 << 30 // the loop below detects exhaustion itself
	run, err := search.NewRun(search.Config{Strategy: strat, Evaluator: cfg.Target, Budget: sch.Budget, Seed: cfg.Seed,
		Dedup: cfg.Dedup, MaxFree: maxFree, Journal: cfg.Journal, Label: "transfer:" + cfg.Reasoner.Name(), Hooks: cfg.Hooks.Search})
	if err != nil {
		return nil, err
	}
	l.res.Run = run
	strat.seen, strat.evals = run.Seen, run.Evaluations
	strat.tried = func() [][]int { return tried(root, run) }
	defer func() { l.res.Escapes = strat.escapes }()
	lastBest := math.Inf(-1)
	checkAt := sch.Population + max(sch.Warmup, 0)
	baselineSet := false
	seen := map[string]bool{fmt.Sprint(original.Allowed): true}
	freeMark, fellBack := 0, false
	for !run.Done() {
		t, err := run.Step(ctx)
		if err != nil {
			break
		}
		n := run.Evaluations()
		if !fellBack {
			// Leaving the principles for the rest of the run: the target
			// distrusts them, or the hedge's evaluations are spent.
			trig, why := Trigger(""), ""
			switch {
			case !sch.NoAdapt && strat.distrusted():
				trig, why = TriggerDistrust, fmt.Sprintf("the target distrusts the principles: %d of %d escapes beat the population median against %d of %d proposals inside the space (P = %.3f that escapes do better); searching the full space",
					strat.outside.wins, strat.outside.n, strat.inside.wins, strat.inside.n, escapesBetter(strat.outside, strat.inside))
			case sch.FullSpaceAfter > 0 && n >= sch.FullSpaceAfter:
				trig, why = TriggerHedge, fmt.Sprintf("hedge: %d evaluations spent inside the principles (Schedule.FullSpaceAfter); the rest of the budget searches the full space", sch.FullSpaceAfter)
			}
			if trig != "" {
				l.leave(strat, trig, n, why)
				fellBack = true
				if l.hookErr != nil {
					return l.res, l.hookErr
				}
			}
		}
		best := math.Inf(-1)
		if inc, ok := run.Incumbent(); ok {
			best = inc.Result.Metrics.Val
		}
		if !baselineSet && n >= sch.Population {
			lastBest, baselineSet = best, true
		}
		if run.FreeStreak() == 0 {
			freeMark = 0
		}
		exhausted := run.FreeStreak()-freeMark >= sch.ExhaustAfter
		if exhausted && (fellBack || sch.NoAdapt) {
			break // the space in force yields nothing new to this search
		}
		if sch.NoAdapt || fellBack || run.Done() {
			continue
		}
		due := t.Counted && n >= checkAt
		if !exhausted && !due {
			continue
		}
		improved := best > lastBest && !exhausted
		trig := TriggerAdapt
		if exhausted {
			trig = TriggerExhausted
		}
		fb, err := l.adaptSpace(ctx, strat, trig, n, improved, exhausted, seen, func(cur principles.Set) reason.AdaptRequest {
			return reason.AdaptRequest{Space: root, Original: original, Current: cur, Improved: improved,
				Found: found(run), TopK: sch.AdaptTopK, MaxOpsPerEdge: sch.MaxOpsPerEdge, Evaluations: n, Budget: sch.Budget, Exhausted: exhausted, Conversation: l.res.Conversation}
		})
		if err != nil {
			return l.res, fmt.Errorf("transfer: adaptation after %d evaluations: %w", n, err)
		}
		if l.hookErr != nil {
			return l.res, l.hookErr
		}
		fellBack = fellBack || fb
		lastBest = best
		freeMark = run.FreeStreak()
		for checkAt <= n {
			checkAt += sch.AdaptEvery
		}
	}
	if err := run.Err(); err != nil && !errors.Is(err, search.ErrExhausted) {
		return l.res, err
	}
	return l.res, nil
}

// principles returns the next recorded outcome on resume, or calls fn and
// records its outcome.
func (l *loop) principles(ctx context.Context, trigger Trigger, n int, improved bool, fn func() (reason.Outcome, error)) (reason.Outcome, error) {
	if l.next < len(l.records) {
		var rec principlesRecord
		if err := json.Unmarshal(l.records[l.next], &rec); err != nil {
			return reason.Outcome{}, fmt.Errorf("transfer: journal %s: principles record %d: %w", l.cfg.Journal.Path(), l.next+1, err)
		}
		l.next++
		if rec.Trigger != trigger || rec.Evaluations != n {
			return reason.Outcome{}, fmt.Errorf("transfer: journal %s diverges: principles record %d was %s after %d evaluations, the run is at %s after %d",
				l.cfg.Journal.Path(), l.next, rec.Trigger, rec.Evaluations, trigger, n)
		}
		l.res.Conversation = rec.Conversation
		return rec.Outcome, nil
	}
	if err := ctx.Err(); err != nil {
		return reason.Outcome{}, err
	}
	out, err := fn()
	if err != nil {
		return reason.Outcome{}, err
	}
	if out.Conversation != nil {
		l.res.Conversation = out.Conversation
	}
	if l.cfg.Journal != nil {
		rec := principlesRecord{Trigger: trigger, Evaluations: n, Improved: improved, Outcome: out, Conversation: l.res.Conversation}
		if err := l.cfg.Journal.Append("principles", rec); err != nil {
			return reason.Outcome{}, err
		}
	}
	return out, nil
}

func (l *loop) current() principles.Set {
	s, _ := l.res.History.Latest()
	return s
}

// apply validates and compiles a new set; on failure the previous space
// stays in force and the event carries the error.
func (l *loop) apply(out reason.Outcome, trigger Trigger, n int, improved bool) (*space.Space, Event) {
	prev, hadPrev := l.res.History.Latest()
	l.res.Exchanges = append(l.res.Exchanges, out.Exchanges...)
	ev := Event{Trigger: trigger, Evaluations: n, Improved: improved, Fidelity: l.told}
	set := out.Set
	err := set.Validate(l.cfg.Space, l.cfg.Schedule.MaxOpsPerEdge)
	var sub *space.Space
	var rep principles.Report
	if err == nil {
		sub, rep, err = principles.Refine(l.cfg.Space, set, l.cfg.References...)
	}
	if err != nil {
		ev.Err = err.Error()
		ev.Set = prev
		l.emit(ev)
		return nil, ev
	}
	set = l.res.History.Add(set)
	rep.Version = set.Version
	ev.Set, ev.Report = set, rep
	if hadPrev {
		ev.Diff = principles.Compare(l.cfg.Space, prev, set)
	} else {
		ev.Diff = principles.Diff{To: set.Version, Reason: set.Reason, SizeAfter: rep.SizeAfter}
	}
	l.sub = sub
	l.emit(ev)
	return sub, ev
}

// emit records ev and tells the OnPrinciples subscribers; the first
// subscriber error is kept in l.hookErr and stops the run at its next check.
func (l *loop) emit(ev Event) {
	l.res.Events = append(l.res.Events, ev)
	err := l.cfg.Hooks.OnPrinciples.Call("transfer.OnPrinciples", func(f func(Event) error) error { return f(ev) })
	if err != nil && l.hookErr == nil {
		l.hookErr = err
	}
}

// noUnexplored is why a run falls back to the full space.
const noUnexplored = "the principles offer no unexplored architecture: searching the full space"

// leave switches strat to the full space for the rest of the run and
// records why (a fall back, the target's distrust or the hedge).
func (l *loop) leave(strat *escaper, trig Trigger, n int, why string) {
	ev := Event{Trigger: trig, Evaluations: n, Set: l.current(), Fidelity: l.told, Err: why}
	ev.Report.SizeBefore, ev.Report.SizeAfter = l.cfg.Space.Count(), l.cfg.Space.Count()
	l.emit(ev)
	strat.SetSpace(l.cfg.Space)
}

// adaptSpace runs one adaptation check: it asks the reasoner for the next
// principles (req builds the request from the set in force) and applies them
// to the strategy's space. Adaptation never oscillates: a space already left
// is not taken again. An exhausted space is widened until it holds something
// new; a widening that repeats an earlier space, changes nothing, or fails
// eight times falls back to the full space, which it reports.
func (l *loop) adaptSpace(ctx context.Context, strat *escaper, trig Trigger, n int, improved, exhausted bool, seen map[string]bool,
	req func(cur principles.Set) reason.AdaptRequest) (fellBack bool, err error) {
	for tries := 0; ; tries++ {
		cur := l.current()
		out, err := l.principles(ctx, trig, n, improved, func() (reason.Outcome, error) {
			return l.cfg.Reasoner.Adapt(ctx, req(cur))
		})
		if err != nil {
			return false, err
		}
		if k := fmt.Sprint(out.Set.Allowed); k != fmt.Sprint(cur.Allowed) && seen[k] {
			l.reject(out, trig, n, improved, "the adapted space repeats an earlier version; the current one stays in force")
			if !exhausted {
				return false, nil
			}
			l.leave(strat, TriggerFallback, n, noUnexplored)
			return true, nil
		}
		newSub, ev := l.apply(out, trig, n, improved)
		key := fmt.Sprint(l.current().Allowed)
		if !exhausted {
			if newSub != nil {
				strat.SetSpace(newSub)
			}
			seen[key] = true
			return false, nil
		}
		if newSub == nil || ev.Diff.Empty() || seen[key] || tries >= 8 {
			l.leave(strat, TriggerFallback, n, noUnexplored)
			return true, nil
		}
		seen[key] = true
		if hasUnseen(newSub, strat.seen) {
			strat.SetSpace(newSub)
			return false, nil
		}
	}
}

// hasUnseen reports whether sp holds an architecture not seen yet (spaces
// too large to enumerate are assumed to).
func hasUnseen(sp *space.Space, seen func(space.Arch) bool) bool {
	if sp.Count() > 200_000 {
		return true
	}
	found := false
	sp.Enumerate(func(a space.Arch) bool {
		if !seen(a) {
			found = true
			return false
		}
		return true
	})
	return found
}

// tried counts, per decision and op, the counted target evaluations.
func tried(sp *space.Space, r *search.Run) [][]int {
	out := make([][]int, sp.NumEdges())
	for i := range out {
		out[i] = make([]int, len(sp.Ops()))
	}
	for _, t := range r.Trials() {
		if !t.Counted {
			continue
		}
		for i := range out {
			if op := t.Arch.Op(i); op >= 0 && op < len(out[i]) {
				out[i][op]++
			}
		}
	}
	return out
}

// found lists the distinct usable target results so far, best first.
func found(r *search.Run) []reason.Scored {
	seen := map[space.Arch]bool{}
	var out []reason.Scored
	for _, t := range r.Trials() {
		if !t.Result.Usable() || seen[t.Arch] {
			continue
		}
		seen[t.Arch] = true
		out = append(out, reason.Scored{Arch: t.Arch, Text: t.Text, Score: t.Result.Metrics.Val})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}
