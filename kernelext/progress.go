package kernelext

import (
	"fmt"
	"html"
	"math"
	"strings"
	"sync"
	"time"
)

// TrialEvent reports one finished evaluation of a search.
// Adapters such as SearchProgress and TransferHooks turn the core's hook calls into TrialEvents.
type TrialEvent struct {
	// Trial is the 1-based number of this evaluation; Budget the total (0 if unknown).
	Trial, Budget int
	// Score of this evaluation and the best score so far (higher is better).
	Score, BestSoFar float64
	// Arch describes the evaluated architecture (optional).
	Arch string
	// Elapsed since the search started; 0 lets Progress measure it.
	Elapsed time.Duration
}

// TrainEvent reports training progress (one step or one epoch).
type TrainEvent struct {
	// Epoch is 1-based, Epochs the total (0 if unknown).
	Epoch, Epochs int
	// Step is the 1-based step within the epoch, Steps the steps per epoch (0 if unknown).
	Step, Steps int
	// Loss is the latest training loss; Metric an optional metric (e.g.
	// accuracy) named MetricName; NaN or an empty name hides it.
	Loss       float64
	Metric     float64
	MetricName string
	// Elapsed since training started; 0 lets Progress measure it.
	Elapsed time.Duration
}

// now is the clock of Progress and LiveCurve (replaced in tests).
var now = time.Now

// defaultInterval is the minimum time between two redraws in a notebook.
const defaultInterval = 200 * time.Millisecond

// defaultTextInterval is the minimum time between two printed lines outside a notebook.
const defaultTextInterval = 2 * time.Second

// Progress shows the progress of a search and/or a training, updated in place
// in a notebook (at most every MinInterval; the final state is kept) and as
// occasional lines of text on Out otherwise. Its OnTrial and OnTrain methods
// are plain callbacks, safe for concurrent use. Call Done at the end.
type Progress struct {
	// Title is shown in bold before the numbers.
	Title string
	// MinInterval is the minimum time between two redraws; 0 means 200 ms in
	// a notebook and 2 s in text mode; negative redraws on every event.
	MinInterval time.Duration

	mu       sync.Mutex
	id       string
	start    time.Time
	last     time.Time
	trial    *TrialEvent
	train    *TrainEvent
	pending  *time.Timer
	done     bool
	finished time.Duration
}

// NewProgress returns a Progress with the given title, its clock started now.
// In a notebook it shows a "waiting" line at once, so that it keeps its place
// above later outputs of the cell.
func NewProgress(title string) *Progress {
	p := &Progress{Title: title, id: newID(), start: now()}
	if isNotebook() {
		p.mu.Lock()
		p.redrawLocked(true)
		p.mu.Unlock()
	}
	return p
}

// OnTrial records a finished evaluation and redraws (throttled).
func (p *Progress) OnTrial(ev TrialEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Elapsed == 0 {
		ev.Elapsed = now().Sub(p.start)
	}
	p.trial = &ev
	p.redrawLocked(false)
}

// OnTrain records training progress and redraws (throttled).
func (p *Progress) OnTrain(ev TrainEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Elapsed == 0 {
		ev.Elapsed = now().Sub(p.start)
	}
	p.train = &ev
	p.redrawLocked(false)
}

// Done draws the final state (always, whatever the throttle) and, in a
// notebook, waits until it reached the front-end.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	p.finished = now().Sub(p.start)
	if p.trial != nil && p.trial.Elapsed > p.finished {
		p.finished = p.trial.Elapsed
	}
	if p.train != nil && p.train.Elapsed > p.finished {
		p.finished = p.train.Elapsed
	}
	p.redrawLocked(true)
	if isNotebook() {
		sync_()
	}
}

// interval returns the effective minimum redraw interval.
func (p *Progress) interval() time.Duration {
	switch {
	case p.MinInterval < 0:
		return 0
	case p.MinInterval > 0:
		return p.MinInterval
	case isNotebook():
		return defaultInterval
	default:
		return defaultTextInterval
	}
}

// redrawLocked draws now if forced or if the interval passed; otherwise, in a
// notebook, it schedules one trailing redraw so the display never lags behind
// for long.
func (p *Progress) redrawLocked(force bool) {
	t := now()
	iv := p.interval()
	if !force && !p.last.IsZero() && t.Sub(p.last) < iv {
		if isNotebook() && p.pending == nil {
			p.pending = time.AfterFunc(iv-t.Sub(p.last), func() {
				p.mu.Lock()
				defer p.mu.Unlock()
				p.pending = nil
				if !p.done {
					p.redrawLocked(true)
				}
			})
		}
		return
	}
	if p.pending != nil {
		p.pending.Stop()
		p.pending = nil
	}
	p.last = t
	if isNotebook() {
		send(map[string]any{"text/html": p.htmlLocked(), "text/plain": p.textLocked()}, p.id)
		return
	}
	printText(p.textLocked())
}

// HTML returns the current state as HTML (a bar and one or two lines).
func (p *Progress) HTML() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.htmlLocked()
}

// Text returns the current state as one or two lines of text.
func (p *Progress) Text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.textLocked()
}

// FormatDuration formats d as m:ss (or h:mm:ss), the way Progress shows times.
func FormatDuration(d time.Duration) string {
	s := int(math.Round(d.Seconds()))
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, (s/60)%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// fraction returns the completed fraction (NaN when unknown) of the trial and
// train parts.
func (p *Progress) fractions() (trial, train float64) {
	trial, train = math.NaN(), math.NaN()
	if t := p.trial; t != nil && t.Budget > 0 {
		trial = math.Min(1, float64(t.Trial)/float64(t.Budget))
	}
	if t := p.train; t != nil && t.Epochs > 0 {
		done := float64(t.Epoch - 1)
		if t.Steps > 0 {
			done += float64(t.Step) / float64(t.Steps)
		} else {
			done++
		}
		train = math.Min(1, done/float64(t.Epochs))
	}
	return
}

// eta returns " · ETA m:ss" from elapsed and the completed fraction f.
func eta(elapsed time.Duration, f float64) string {
	if math.IsNaN(f) || f <= 0 || f >= 1 {
		return ""
	}
	rest := time.Duration(float64(elapsed) * (1 - f) / f)
	return " · ETA " + FormatDuration(rest)
}

// trialLine and trainLine are the text of each part.
func (p *Progress) trialLine() string {
	t := p.trial
	ft, _ := p.fractions()
	var b strings.Builder
	if t.Budget > 0 {
		fmt.Fprintf(&b, "trial %d/%d", t.Trial, t.Budget)
	} else {
		fmt.Fprintf(&b, "trial %d", t.Trial)
	}
	fmt.Fprintf(&b, " · best %.4g · last %.4g · %s", t.BestSoFar, t.Score, FormatDuration(t.Elapsed))
	if p.done {
		b.WriteString(" · done")
	} else {
		b.WriteString(eta(t.Elapsed, ft))
	}
	return b.String()
}

func (p *Progress) trainLine() string {
	t := p.train
	_, ft := p.fractions()
	var b strings.Builder
	if t.Epochs > 0 {
		fmt.Fprintf(&b, "epoch %d/%d", t.Epoch, t.Epochs)
	} else {
		fmt.Fprintf(&b, "epoch %d", t.Epoch)
	}
	if t.Steps > 0 {
		fmt.Fprintf(&b, " · step %d/%d", t.Step, t.Steps)
	} else if t.Step > 0 {
		fmt.Fprintf(&b, " · step %d", t.Step)
	}
	fmt.Fprintf(&b, " · loss %.4f", t.Loss)
	if t.MetricName != "" && !math.IsNaN(t.Metric) {
		fmt.Fprintf(&b, " · %s %.4g", t.MetricName, t.Metric)
	}
	fmt.Fprintf(&b, " · %s", FormatDuration(t.Elapsed))
	if p.done {
		b.WriteString(" · done")
	} else {
		b.WriteString(eta(t.Elapsed, ft))
	}
	return b.String()
}

func (p *Progress) textLocked() string {
	var lines []string
	prefix := ""
	if p.Title != "" {
		prefix = p.Title + ": "
	}
	if p.trial != nil {
		lines = append(lines, prefix+p.trialLine())
		if p.trial.Arch != "" {
			lines = append(lines, "  last arch "+p.trial.Arch)
		}
	}
	if p.train != nil {
		lines = append(lines, prefix+p.trainLine())
	}
	if len(lines) == 0 {
		lines = append(lines, prefix+"waiting for the first event")
	}
	return strings.Join(lines, "\n")
}

// bar returns an HTML progress bar for fraction f (NaN: indeterminate, empty).
func bar(f float64, color string) string {
	pct := 0.0
	if !math.IsNaN(f) {
		pct = 100 * f
	}
	return fmt.Sprintf(`<div style="background:#e8e8e8;width:360px;height:8px;border-radius:4px;margin:3px 0">`+
		`<div style="background:%s;width:%.1f%%;height:8px;border-radius:4px"></div></div>`, color, pct)
}

func (p *Progress) htmlLocked() string {
	var b strings.Builder
	b.WriteString(`<div class="nasnb-progress" style="font-family:monospace;font-size:12px;line-height:1.5">`)
	title := ""
	if p.Title != "" {
		title = "<b>" + html.EscapeString(p.Title) + "</b> "
	}
	ft, fr := p.fractions()
	if p.trial != nil {
		b.WriteString("<div>" + title + html.EscapeString(p.trialLine()) + "</div>")
		b.WriteString(bar(ft, Palette[0]))
		if p.trial.Arch != "" {
			b.WriteString(`<div style="color:#666">last arch ` + html.EscapeString(p.trial.Arch) + "</div>")
		}
		title = ""
	}
	if p.train != nil {
		b.WriteString("<div>" + title + html.EscapeString(p.trainLine()) + "</div>")
		b.WriteString(bar(fr, Palette[1]))
	}
	if p.trial == nil && p.train == nil {
		b.WriteString("<div>" + title + "waiting for the first event</div>")
	}
	b.WriteString("</div>")
	return b.String()
}
