package kernelext

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nasnb/nasnb/lapt/executor"
)

// TrialTable is a live table of the trials an executor runs (local worker
// processes or Slurm jobs): which worker or job, state, epoch, loss and
// validation score. In a notebook it is updated in place (at most every
// MinInterval; the final state is kept); outside one it prints a one-line
// summary on Out now and then. Attach it through the executor's hook:
//
//	tt := kernelext.NewTrialTable("trials")
//	local := &executor.Local{..., OnEvent: tt.OnEvent}
//	... run the search ...
//	tt.Done()
type TrialTable struct {
	// Title is shown above the table.
	Title string
	// MinInterval between redraws (0: 200 ms in a notebook, 2 s as text).
	MinInterval time.Duration
	// MaxFinished is how many finished trials stay listed (default 8);
	// queued and running ones are always listed.
	MaxFinished int

	mu      sync.Mutex
	id      string
	rows    map[string]*trialRow
	seq     int
	last    time.Time
	pending *time.Timer
	done    bool
}

type trialRow struct {
	ev    executor.Event
	order int // last change, for listing finished trials newest first
	first int
}

// NewTrialTable returns an empty table; in a notebook it shows at once so
// that it keeps its place above later outputs of the cell.
func NewTrialTable(title string) *TrialTable {
	t := &TrialTable{Title: title, id: newID(), rows: map[string]*trialRow{}}
	if isNotebook() {
		t.mu.Lock()
		t.redrawLocked(true)
		t.mu.Unlock()
	}
	return t
}

// OnEvent records an executor event; it is the executor's OnEvent hook and
// safe for concurrent use.
func (t *TrialTable) OnEvent(e executor.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	r, ok := t.rows[e.ID]
	if !ok {
		r = &trialRow{first: t.seq}
		t.rows[e.ID] = r
	}
	// Keep what a terse event does not repeat (the worker of a Done event
	// read back from a file, the last epoch and loss).
	if e.Worker == "" {
		e.Worker = r.ev.Worker
	}
	if e.Epoch == 0 && (e.State == executor.Running || finished(e.State)) {
		e.Epoch, e.Epochs, e.Loss = r.ev.Epoch, r.ev.Epochs, r.ev.Loss
	}
	r.ev, r.order = e, t.seq
	if !t.done {
		t.redrawLocked(finished(e.State))
	}
}

func finished(s executor.State) bool {
	return s == executor.Done || s == executor.Reused || s == executor.Failed
}

// Done draws the final state.
func (t *TrialTable) Done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	if t.pending != nil {
		t.pending.Stop()
		t.pending = nil
	}
	t.redrawLocked(true)
}

// Counts returns the number of trials per state.
func (t *TrialTable) Counts() map[executor.State]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.countsLocked()
}

func (t *TrialTable) countsLocked() map[executor.State]int {
	c := map[executor.State]int{}
	for _, r := range t.rows {
		c[r.ev.State]++
	}
	return c
}

func (t *TrialTable) interval() time.Duration {
	switch {
	case t.MinInterval > 0:
		return t.MinInterval
	case isNotebook():
		return defaultInterval
	}
	return defaultTextInterval
}

func (t *TrialTable) redrawLocked(force bool) {
	nb := isNotebook()
	if !nb {
		force = t.done // as text, one summary line per interval and the last one
	}
	now := now()
	iv := t.interval()
	if !force && !t.last.IsZero() && now.Sub(t.last) < iv {
		if nb && t.pending == nil {
			t.pending = time.AfterFunc(iv-now.Sub(t.last), func() {
				t.mu.Lock()
				defer t.mu.Unlock()
				t.pending = nil
				if !t.done {
					t.redrawLocked(true)
				}
			})
		}
		return
	}
	if t.pending != nil {
		t.pending.Stop()
		t.pending = nil
	}
	t.last = now
	if nb {
		send(map[string]any{"text/html": t.htmlLocked(), "text/plain": t.textLocked()}, t.id)
		return
	}
	printText(t.summaryLocked())
}

// listed returns the rows shown: queued/running first (oldest first), then
// the latest finished ones.
func (t *TrialTable) listed() []*trialRow {
	var active, fin []*trialRow
	for _, r := range t.rows {
		if finished(r.ev.State) {
			fin = append(fin, r)
		} else {
			active = append(active, r)
		}
	}
	sort.Slice(active, func(i, j int) bool { return active[i].first < active[j].first })
	sort.Slice(fin, func(i, j int) bool { return fin[i].order > fin[j].order })
	maxFin := t.MaxFinished
	if maxFin <= 0 {
		maxFin = 8
	}
	if len(fin) > maxFin {
		fin = fin[:maxFin]
	}
	return append(active, fin...)
}

func (t *TrialTable) summaryLocked() string {
	c := t.countsLocked()
	s := fmt.Sprintf("%s: %d running, %d queued, %d done", t.Title, c[executor.Running], c[executor.Queued]+c[executor.Adopted]+c[executor.Retrying],
		c[executor.Done]+c[executor.Reused])
	if c[executor.Reused] > 0 {
		s += fmt.Sprintf(" (%d read back)", c[executor.Reused])
	}
	if c[executor.Failed] > 0 {
		s += fmt.Sprintf(", %d failed", c[executor.Failed])
	}
	return s
}

func num(v float64, format string) string {
	if v == 0 || math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func epochText(e executor.Event) string {
	switch {
	case e.Epochs > 0:
		return fmt.Sprintf("%d/%d", e.Epoch, e.Epochs)
	case e.Epoch > 0:
		return fmt.Sprint(e.Epoch)
	}
	return "-"
}

// Text returns the table as plain text.
func (t *TrialTable) Text() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.textLocked()
}

func (t *TrialTable) textLocked() string {
	var b strings.Builder
	b.WriteString(t.summaryLocked() + "\n")
	fmt.Fprintf(&b, "%-28s %-22s %-9s %7s %8s %7s\n", "trial", "worker / job", "state", "epoch", "loss", "val")
	for _, r := range t.listed() {
		e := r.ev
		fmt.Fprintf(&b, "%-28s %-22s %-9s %7s %8s %7s\n", e.ID, e.Worker, e.State, epochText(e), num(e.Loss, "%.4f"), num(e.Val, "%.2f"))
		if e.Err != "" && e.State != executor.Done {
			fmt.Fprintf(&b, "    %s\n", firstLineOf(e.Err))
		}
	}
	return b.String()
}

// HTML returns the table as HTML.
func (t *TrialTable) HTML() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.htmlLocked()
}

func (t *TrialTable) htmlLocked() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="nasnb-trials"><b>%s</b><table style="font-family:monospace;font-size:12px">`, html.EscapeString(t.summaryLocked()))
	b.WriteString(`<tr><th align="left">trial</th><th align="left">worker / job</th><th align="left">state</th><th>epoch</th><th>loss</th><th>val</th></tr>`)
	for _, r := range t.listed() {
		e := r.ev
		color := map[executor.State]string{executor.Running: "#1f77b4", executor.Failed: "#d62728", executor.Retrying: "#ff7f0e"}[e.State]
		state := html.EscapeString(string(e.State))
		if color != "" {
			state = fmt.Sprintf(`<span style="color:%s">%s</span>`, color, state)
		}
		title := ""
		if e.Err != "" {
			title = fmt.Sprintf(` title="%s"`, html.EscapeString(e.Err))
		}
		fmt.Fprintf(&b, `<tr%s><td>%s</td><td>%s</td><td>%s</td><td align="right">%s</td><td align="right">%s</td><td align="right">%s</td></tr>`,
			title, html.EscapeString(e.ID), html.EscapeString(e.Worker), state, epochText(e), num(e.Loss, "%.4f"), num(e.Val, "%.2f"))
	}
	b.WriteString("</table></div>")
	return b.String()
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
