package kernelext

// Adapters from the LAPT core's hook points to the notebook: search and
// transfer hooks that drive Progress and LiveCurve. The core never imports
// kernelext: everything here attaches through the core's hooks.

import (
	"math"

	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// TrialEventOf converts a search trial into the TrialEvent that Progress and
// LiveCurve take: Trial is the number of counted evaluations, Budget the
// run's, Score the trial's validation score (NaN when unusable), BestSoFar
// the incumbent's (NaN before the first usable result).
func TrialEventOf(r *search.Run, t search.Trial) TrialEvent {
	ev := TrialEvent{Trial: t.N, Budget: r.Budget(), Score: math.NaN(), BestSoFar: math.NaN(), Arch: t.Text, Elapsed: r.Elapsed()}
	if t.Result.Usable() {
		ev.Score = t.Result.Metrics.Val
	}
	if inc, ok := r.Incumbent(); ok {
		ev.BestSoFar = inc.Result.Metrics.Val
	}
	return ev
}

// CombineHooks returns search hooks that call each of hs in order.
func CombineHooks(hs ...search.Hooks) search.Hooks {
	var out search.Hooks
	for _, h := range hs {
		h := h
		if h.OnStart != nil {
			prev := out.OnStart
			out.OnStart = func(r *search.Run) {
				if prev != nil {
					prev(r)
				}
				h.OnStart(r)
			}
		}
		if h.OnTrial != nil {
			prev := out.OnTrial
			out.OnTrial = func(r *search.Run, t search.Trial) {
				if prev != nil {
					prev(r, t)
				}
				h.OnTrial(r, t)
			}
		}
		if h.OnEnd != nil {
			prev := out.OnEnd
			out.OnEnd = func(r *search.Run, err error) {
				if prev != nil {
					prev(r, err)
				}
				h.OnEnd(r, err)
			}
		}
	}
	return out
}

// SearchProgress returns search hooks that show the run's progress in place:
// a Progress titled title appears when the run starts, shows "trial k/n",
// the best score so far, the last score and architecture, the elapsed time
// and an estimate of the remaining time after every trial, and keeps its
// final state when the run ends. Use one per run (search.Config.Hooks, or
// transfer.Hooks.Search).
func SearchProgress(title string) search.Hooks {
	var p *Progress
	start := func() {
		if p == nil {
			p = NewProgress(title)
		}
	}
	return search.Hooks{
		OnStart: func(*search.Run) { start() },
		OnTrial: func(r *search.Run, t search.Trial) {
			start()
			p.OnTrial(TrialEventOf(r, t))
		},
		OnEnd: func(r *search.Run, err error) {
			start()
			if err != nil && err != search.ErrExhausted {
				p.mu.Lock()
				p.Title = title + " (stopped: " + err.Error() + ")"
				p.mu.Unlock()
			}
			p.Done()
		},
	}
}

// SearchHooks returns search hooks that append the run's best-so-far score
// after every counted evaluation to run `run` (0-based) of the curve called
// name. They never close l: several runs (seeds, methods) can share one
// chart; call l.Close when all are done.
func (l *LiveCurve) SearchHooks(name string, run int) search.Hooks {
	return search.Hooks{OnTrial: func(r *search.Run, t search.Trial) {
		if !t.Counted {
			return // answered from the cache: no evaluation was spent
		}
		l.Append(name, run, TrialEventOf(r, t).BestSoFar)
	}}
}

// LiveSearchCurve returns search hooks that draw one run's best score so far
// against the number of evaluations as a live chart (configured by chart;
// the curve is called name): the chart appears when the run starts, grows
// after every counted evaluation, and becomes the full interactive chart
// with its static SVG when the run ends.
func LiveSearchCurve(chart CurveChart, name string) search.Hooks {
	if chart.YLabel == "" {
		chart.YLabel = "best validation score so far"
	}
	var l *LiveCurve
	var inner search.Hooks
	start := func() {
		if l == nil {
			l = NewLiveCurve(chart)
			inner = l.SearchHooks(name, 0)
		}
	}
	return search.Hooks{
		OnStart: func(*search.Run) { start() },
		OnTrial: func(r *search.Run, t search.Trial) {
			start()
			inner.OnTrial(r, t)
		},
		OnEnd: func(*search.Run, error) {
			start()
			l.Close()
		},
	}
}

// TransferHooks returns hooks for one transfer run (transfer.Config.Hooks):
// each principle version is shown as it comes into force (the first with
// its allowed ops, later ones as a diff with the reason), and the search
// drives a Progress titled title and a live best-so-far chart. Use it for a
// single run, not for study.Config.TransferHooks (many parallel runs).
func TransferHooks(sp *space.Space, title string) transfer.Hooks {
	return transfer.Hooks{
		OnPrinciples: func(ev transfer.Event) { DisplayPrincipleEvent(sp, ev) },
		Search: CombineHooks(
			SearchProgress(title),
			LiveSearchCurve(CurveChart{Title: title + ": best so far", Band: BandNone, Height: 320}, "LAPT"),
		),
	}
}
