package kernelext

import (
	"sync"
	"time"
)

// LiveCurve is a CurveChart that redraws in place while a search runs: every
// redraw (at most every MinInterval, 200 ms by default, with a trailing
// redraw so the display never lags for long) shows the static SVG, and Close
// replaces it with the full chart (interactive ECharts + SVG), which is what
// the saved notebook keeps. Outside a notebook it draws nothing until Close,
// which prints the chart's text summary. Methods are safe for concurrent use.
type LiveCurve struct {
	// MinInterval is the minimum time between two redraws (0: 200 ms).
	MinInterval time.Duration

	mu      sync.Mutex
	chart   CurveChart
	index   map[string]int
	id      string
	last    time.Time
	pending *time.Timer
	closed  bool
}

// NewLiveCurve returns a live chart configured by chart (title, labels, band,
// size, and possibly initial curves). In a notebook it loads the ECharts
// library and shows the (empty) chart at once, so it keeps its place in the
// output.
func NewLiveCurve(chart CurveChart) *LiveCurve {
	l := &LiveCurve{chart: chart, index: map[string]int{}, id: newID()}
	l.chart.Curves = append([]Curve(nil), chart.Curves...)
	for i, c := range l.chart.Curves {
		l.index[c.Name] = i
	}
	if isNotebook() {
		ensureBundle()
		l.mu.Lock()
		l.drawLocked(true, false)
		l.mu.Unlock()
	}
	return l
}

// curveLocked returns the curve called name, created on first use.
func (l *LiveCurve) curveLocked(name string) *Curve {
	i, ok := l.index[name]
	if !ok {
		i = len(l.chart.Curves)
		l.index[name] = i
		l.chart.Curves = append(l.chart.Curves, Curve{Name: name})
	}
	return &l.chart.Curves[i]
}

// Append adds value y at the end of run `run` (0-based) of the curve called
// name, creating both as needed, and redraws (throttled).
func (l *LiveCurve) Append(name string, run int, y float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.curveLocked(name)
	for len(c.Runs) <= run {
		c.Runs = append(c.Runs, nil)
	}
	c.Runs[run] = append(c.Runs[run], y)
	l.drawLocked(false, false)
}

// SetRuns replaces all runs of the curve called name and redraws (throttled).
func (l *LiveCurve) SetRuns(name string, runs [][]float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.curveLocked(name)
	c.Runs = make([][]float64, len(runs))
	for i, r := range runs {
		c.Runs[i] = append([]float64(nil), r...)
	}
	l.drawLocked(false, false)
}

// OnTrial returns a TrialEvent hook that appends each event's BestSoFar to run
// `run` of the curve called name: hooks.OnTrial = live.OnTrial("REA", seed).
func (l *LiveCurve) OnTrial(name string, run int) func(TrialEvent) {
	return func(ev TrialEvent) { l.Append(name, run, ev.BestSoFar) }
}

// Chart returns a copy of the chart in its current state.
func (l *LiveCurve) Chart() *CurveChart {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.chart
	c.Curves = make([]Curve, len(l.chart.Curves))
	for i, cv := range l.chart.Curves {
		c.Curves[i] = Curve{Name: cv.Name, Mean: cv.Mean, Lo: cv.Lo, Hi: cv.Hi}
		for _, r := range cv.Runs {
			c.Curves[i].Runs = append(c.Curves[i].Runs, append([]float64(nil), r...))
		}
	}
	return &c
}

// Close draws the final state: in a notebook the full chart (interactive and
// static) replaces the live one and Close waits until it reached the
// front-end; outside a notebook it prints the text summary to Out.
func (l *LiveCurve) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	if l.pending != nil {
		l.pending.Stop()
		l.pending = nil
	}
	if !isNotebook() {
		printText(l.chart.Text())
		return
	}
	l.drawLocked(true, true)
	sync_()
}

// drawLocked redraws if forced or if the interval passed (else schedules a
// trailing redraw). final selects the full chart instead of the static one.
func (l *LiveCurve) drawLocked(force, final bool) {
	if !isNotebook() || (l.closed && !final) {
		return
	}
	iv := l.MinInterval
	if iv <= 0 {
		iv = defaultInterval
	}
	t := now()
	if !force && !l.last.IsZero() && t.Sub(l.last) < iv {
		if l.pending == nil {
			l.pending = time.AfterFunc(iv-t.Sub(l.last), func() {
				l.mu.Lock()
				defer l.mu.Unlock()
				l.pending = nil
				l.drawLocked(true, false)
			})
		}
		return
	}
	l.last = t
	if final {
		data, err := figureData(&l.chart, l.id)
		if err != nil {
			data = map[string]any{"text/plain": "kernelext: " + err.Error()}
		}
		send(data, l.id)
		return
	}
	html, err := figureHTML(&l.chart, l.id, false)
	if err != nil {
		html = "kernelext: " + err.Error()
	}
	send(map[string]any{"text/html": html, "text/plain": l.chart.Text()}, l.id)
}
