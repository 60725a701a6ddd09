package kernelext

// A transfer run's principle versions after the fact: a table of the
// versions, what happened to the reference architectures, and the evaluated
// architectures coloured by the version in force.

import (
	"fmt"
	"strings"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// AllowedText writes a constraint (allowed op ids per edge of sp's root
// space) as one line: "0->1: nor_conv_3x3 | 0->2: nor_conv_1x1, nor_conv_3x3 | …".
func AllowedText(sp *space.Space, allowed [][]int) string { return allowedLine(sp.Root(), allowed) }

// refNames returns the names of the references the run's reports follow.
func refNames(events []transfer.Event) []string {
	var names []string
	for _, ev := range events {
		for _, r := range ev.Report.References {
			found := false
			for _, n := range names {
				found = found || n == r.Name
			}
			if !found {
				names = append(names, r.Name)
			}
		}
	}
	return names
}

// survived reports whether reference name is in the report's space (and
// whether the report follows it at all).
func survived(rep principles.Report, name string) (kept, known bool) {
	for _, r := range rep.References {
		if r.Name == name {
			return r.Survived, true
		}
	}
	return false, false
}

// VersionsTable returns a transfer run's principle versions as table
// headers and rows: version, trigger, evaluations when it came into force,
// whether the best score had improved (adaptations only), the space size,
// one column per reference architecture ("kept"/"cut") and the allowed ops.
func VersionsTable(sp *space.Space, res *transfer.Result) ([]string, [][]string) {
	refs := refNames(res.Events)
	h := append([]string{"version", "trigger", "after evals", "improved?", "cells"}, refs...)
	h = append(h, "allowed ops per edge")
	var rows [][]string
	for _, ev := range res.Events {
		improved := ""
		if fmt.Sprint(ev.Trigger) != "learn" {
			improved = map[bool]string{true: "yes", false: "no"}[ev.Improved]
		}
		row := []string{fmt.Sprintf("v%d", ev.Set.Version), fmt.Sprint(ev.Trigger), fmt.Sprint(ev.Evaluations), improved, fmt.Sprint(ev.Report.SizeAfter)}
		for _, n := range refs {
			kept, known := survived(ev.Report, n)
			row = append(row, map[bool]string{true: "kept", false: "cut"}[kept])
			if !known {
				row[len(row)-1] = ""
			}
		}
		rows = append(rows, append(row, AllowedText(sp, ev.Set.Allowed)))
	}
	return h, rows
}

// DisplayVersions shows VersionsTable.
func DisplayVersions(sp *space.Space, res *transfer.Result) { DisplayTable(VersionsTable(sp, res)) }

// ReferenceStory returns one line per change in the fate of each reference
// architecture over the run's versions: "v1 cuts the X away (blocking:
// …)" and "v3 (adapt after 10 evaluations): the X is now inside the space".
func ReferenceStory(res *transfer.Result) []string {
	var lines []string
	for _, name := range refNames(res.Events) {
		inside, seen := false, false
		for _, ev := range res.Events {
			for _, r := range ev.Report.References {
				if r.Name != name {
					continue
				}
				switch {
				case !seen && !r.Survived:
					lines = append(lines, fmt.Sprintf("v%d cuts the %s away (blocking: %s)", ev.Set.Version, r.Name, strings.Join(r.Blocking, ", ")))
				case r.Survived && !inside && seen:
					lines = append(lines, fmt.Sprintf("v%d (%s after %d evaluations): the %s is now inside the space", ev.Set.Version, ev.Trigger, ev.Evaluations, r.Name))
				case !r.Survived && inside:
					lines = append(lines, fmt.Sprintf("v%d (%s after %d evaluations): the %s is cut again", ev.Set.Version, ev.Trigger, ev.Evaluations, r.Name))
				}
				inside, seen = r.Survived, true
			}
		}
	}
	return lines
}

// TrialsByVersion returns a scatter chart of every counted evaluation of
// the run (x: its number, y: its validation score) with one series per
// principle version in force when it was proposed ("under v2"); points
// carry the architecture as label.
func TrialsByVersion(res *transfer.Result, title, yLabel string) *ScatterChart {
	chart := &ScatterChart{Title: title, XLabel: "evaluation", YLabel: yLabel}
	if res.Run == nil {
		return chart
	}
	index := map[int]int{}
	for _, t := range res.Run.Trials() {
		if !t.Counted {
			continue
		}
		v := 0
		for _, ev := range res.Events {
			if ev.Evaluations < t.N {
				v = ev.Set.Version
			}
		}
		i, ok := index[v]
		if !ok {
			i = len(chart.Series)
			index[v] = i
			chart.Series = append(chart.Series, Points{Name: fmt.Sprintf("under v%d", v)})
		}
		s := &chart.Series[i]
		s.X = append(s.X, float64(t.N))
		s.Y = append(s.Y, t.Result.Metrics.Val)
		s.Labels = append(s.Labels, t.Text)
	}
	return chart
}

// OpFreqOf returns an op-frequency chart of archs in sp: per edge, the share
// of archs carrying each op (Normalize on), edges and ops named as sp names
// them ("0→1", "nor_conv_3x3").
func OpFreqOf(sp *space.Space, archs []reason.Scored, title string) *OpFreqChart {
	root := sp.Root()
	c := &OpFreqChart{Title: title, Normalize: true}
	for _, e := range root.Edges() {
		if e.From >= 0 {
			c.Edges = append(c.Edges, fmt.Sprintf("%d→%d", e.From, e.To))
		} else {
			c.Edges = append(c.Edges, e.Name)
		}
	}
	for _, o := range root.Ops() {
		c.Ops = append(c.Ops, o.Name)
	}
	c.Counts = make([][]float64, len(c.Edges))
	for e := range c.Counts {
		c.Counts[e] = make([]float64, len(c.Ops))
	}
	for _, a := range archs {
		for e := range c.Counts {
			if op := a.Arch.Op(e); op >= 0 && op < len(c.Ops) {
				c.Counts[e][op]++
			}
		}
	}
	return c
}
