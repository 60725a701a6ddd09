package kernelext

// Adapters from the LAPT core's hook points to the notebook: search and
// transfer hooks that drive Progress and LiveCurve. The core never imports
// kernelext: everything here attaches through the core's hooks.

import (
	"errors"
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

// SearchProgress attaches to h, under the name "kernelext.progress", a
// progress display of the run: a Progress titled title appears when the run
// starts, shows "trial k/n", the best score so far, the last score and
// architecture, the elapsed time and an estimate of the remaining time after
// every trial, and keeps its final state when the run ends. Use one per run
// (search.Config.Hooks, or transfer.Hooks.Search).
func SearchProgress(h *search.Hooks, title string) {
	var p *Progress
	start := func() {
		if p == nil {
			p = NewProgress(title)
		}
	}
	const name = "kernelext.progress"
	h.OnStart.Add(name, 0, func(*search.Run) error { start(); return nil })
	h.OnTrial.Add(name, 0, func(r *search.Run, t search.Trial) error {
		start()
		p.OnTrial(TrialEventOf(r, t))
		return nil
	})
	h.OnEnd.Add(name, 0, func(r *search.Run, err error) error {
		start()
		if err != nil && !errors.Is(err, search.ErrExhausted) {
			p.mu.Lock()
			p.Title = title + " (stopped: " + err.Error() + ")"
			p.mu.Unlock()
		}
		p.Done()
		return nil
	})
}

// AttachSearch attaches to h, under the name "kernelext.curve:" + name, a
// subscriber that appends the run's best-so-far score after every counted
// evaluation to run `run` (0-based) of the curve called name. It never
// closes l: several runs (seeds, methods) can share one chart; call l.Close
// when all are done.
func (l *LiveCurve) AttachSearch(h *search.Hooks, name string, run int) {
	h.OnTrial.Add("kernelext.curve:"+name, 0, func(r *search.Run, t search.Trial) error {
		if t.Counted { // a trial answered from the cache spent no evaluation
			l.Append(name, run, TrialEventOf(r, t).BestSoFar)
		}
		return nil
	})
}

// LiveSearchCurve attaches to h, under the name "kernelext.live-curve", a
// live chart of one run's best score so far against the number of
// evaluations (configured by chart; the curve is called name): the chart
// appears when the run starts, grows after every counted evaluation, and
// becomes the full interactive chart with its static SVG when the run ends.
func LiveSearchCurve(h *search.Hooks, chart CurveChart, name string) {
	if chart.YLabel == "" {
		chart.YLabel = "best validation score so far"
	}
	var l *LiveCurve
	start := func() {
		if l == nil {
			l = NewLiveCurve(chart)
		}
	}
	const sub = "kernelext.live-curve"
	h.OnStart.Add(sub, 0, func(*search.Run) error { start(); return nil })
	h.OnTrial.Add(sub, 0, func(r *search.Run, t search.Trial) error {
		start()
		if t.Counted {
			l.Append(name, 0, TrialEventOf(r, t).BestSoFar)
		}
		return nil
	})
	h.OnEnd.Add(sub, 0, func(*search.Run, error) error {
		start()
		l.Close()
		return nil
	})
}

// TransferHooks returns hooks for one transfer run (transfer.Config.Hooks):
// each principle version is shown as it comes into force (the first with
// its allowed ops, later ones as a diff with the reason), and the search
// drives a Progress titled title and a live best-so-far chart. The
// subscribers are named "kernelext.principles" (OnPrinciples) and as in
// SearchProgress and LiveSearchCurve; add your own to the returned hooks
// with Add. Use it for a single run, not for study.Config.TransferHooks
// (many parallel runs).
func TransferHooks(sp *space.Space, title string) transfer.Hooks {
	var h transfer.Hooks
	h.OnPrinciples.Add("kernelext.principles", 0, func(ev transfer.Event) error { DisplayPrincipleEvent(sp, ev); return nil })
	SearchProgress(&h.Search, title)
	LiveSearchCurve(&h.Search, CurveChart{Title: title + ": best so far", Band: BandNone, Height: 320}, "LAPT")
	return h
}
