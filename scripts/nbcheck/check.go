package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Report is the result of checking one notebook.
type Report struct {
	Problems     []string
	Warnings     []string
	CodeCells    int
	Expectations int
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Expectation is one entry of metadata.nasnb.expect.
type Expectation struct {
	// Tag selects the cells carrying this tag; Source the cells whose source
	// matches this regular expression. One of the two is required; at least
	// one cell must be selected.
	Tag    string `json:"tag"`
	Source string `json:"source"`
	// Contains lists strings that must appear in the selected cells' outputs,
	// NotContains strings that must not.
	Contains    []string `json:"contains"`
	NotContains []string `json:"not_contains"`
	// Match lists regular expressions whose first capture group must parse as
	// a number within [Min, Max] (for every match).
	Match []NumberMatch `json:"match"`
	// Chart requires an output holding both the interactive chart (text/html
	// with an ECharts div and script) and a static image (image/svg+xml or
	// image/png).
	Chart bool `json:"chart"`
	// Image requires an output with a static image (image/svg+xml, image/png,
	// or an inline <svg in text/html).
	Image bool `json:"image"`
}

// NumberMatch is a numeric range check on a regular expression's capture.
type NumberMatch struct {
	Regex string   `json:"regex"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
}

// pathPattern finds absolute paths of the machine in outputs.
type pathPattern struct {
	re   *regexp.Regexp
	name string
}

// defaultPathPatterns returns the path patterns to refuse: the usual system
// folders plus the checkout, $HOME and the temp dir of this machine.
func defaultPathPatterns() []pathPattern {
	roots := []string{"/work/", "/root/", "/tmp/", "/home/", "/usr/local/", "/var/", "/opt/", "/mnt/", "/srv/", "/private/", "/Users/"}
	if wd, err := os.Getwd(); err == nil && len(wd) > 1 {
		roots = append(roots, filepath.Clean(wd)+"/")
	}
	if h, err := os.UserHomeDir(); err == nil && len(h) > 1 {
		roots = append(roots, filepath.Clean(h)+"/")
	}
	if t := os.TempDir(); len(t) > 1 {
		roots = append(roots, filepath.Clean(t)+"/")
	}
	sort.Strings(roots)
	var pats []pathPattern
	seen := map[string]bool{}
	for _, r := range roots {
		if seen[r] {
			continue
		}
		seen[r] = true
		// A path starts after a character that cannot be part of a path.
		re := regexp.MustCompile(`(?:^|[^A-Za-z0-9_.~/\-])` + regexp.QuoteMeta(r) + `[^\s"'<>]*`)
		pats = append(pats, pathPattern{re: re, name: r})
	}
	return pats
}

// secretPatterns finds credentials that must never be saved in a notebook.
var secretPatterns = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`(?:^|[^A-Za-z0-9])sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}`), "API key (sk-…)"},
	{regexp.MustCompile(`Bearer\s+[A-Za-z0-9\-._~+/]{16,}=*`), "Bearer token"},
	{regexp.MustCompile(`[A-Z_]*API_KEY\s*[:=]\s*["']?[A-Za-z0-9_\-]{12,}`), "API key value"},
}

// errorMarkers on stderr (or in HTML outputs) mean a cell failed even if the
// kernel did not report an error.
var errorMarkers = regexp.MustCompile(`(?m)^panic: |goroutine \d+ \[running\]|GoNB Error|failed to run|Failed to execute cell|\bexit status [1-9]`)

// DefaultMaxCellLines is the longest code cell (in source lines) a notebook
// may hold unless its metadata.nasnb.max_cell_lines says otherwise: a cell
// should be short enough to read aloud in a class; longer helpers belong in
// kernelext.
const DefaultMaxCellLines = 60

// maxCellLines reads metadata.nasnb.max_cell_lines (DefaultMaxCellLines when absent).
func maxCellLines(nb *Notebook) (int, error) {
	ns, _ := nb.Metadata["nasnb"].(map[string]any)
	raw, ok := ns["max_cell_lines"]
	if !ok {
		return DefaultMaxCellLines, nil
	}
	n, isNum := raw.(float64)
	if !isNum || n < 1 || n != float64(int(n)) {
		return 0, fmt.Errorf("metadata.nasnb.max_cell_lines: want a positive whole number, got %v", raw)
	}
	return int(n), nil
}

// checkNotebook runs the generic checks and the notebook's expectations.
func checkNotebook(nb *Notebook, paths []pathPattern) *Report {
	rep := &Report{}
	maxLines, err := maxCellLines(nb)
	if err != nil {
		rep.problem("%v", err)
		maxLines = DefaultMaxCellLines
	}
	for i := range nb.Cells {
		c := &nb.Cells[i]
		where := fmt.Sprintf("cell %d", i+1)
		src := string(c.Source)
		for _, s := range secretPatterns {
			if s.re.MatchString(src) {
				rep.problem("%s: source contains a secret (%s)", where, s.name)
			}
		}
		if c.CellType != "code" {
			continue
		}
		rep.CodeCells++
		if n := len(strings.Split(strings.TrimRight(src, "\n"), "\n")); n > maxLines {
			rep.problem("%s: %d lines of code, more than %d: move helpers into their own cells or into kernelext", where, n, maxLines)
		}
		if strings.TrimSpace(src) != "" && c.ExecutionCount == nil {
			rep.problem("%s: not executed", where)
		}
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				rep.problem("%s: error output %s: %s", where, o.Ename, firstLine(o.Evalue))
			}
			if o.OutputType == "stream" && o.Name == "stderr" {
				if m := errorMarkers.FindString(string(o.Text)); m != "" {
					rep.problem("%s: stderr shows a failure (%q): %s", where, strings.TrimSpace(m), firstLine(string(o.Text)))
				}
			}
			if h, ok := o.Data["text/html"]; ok && strings.Contains(string(h), "gonb-error") {
				rep.problem("%s: GoNB error output", where)
			}
			for _, t := range outputTexts(o) {
				for _, p := range paths {
					if m := p.re.FindString(t); m != "" {
						rep.problem("%s: output shows a machine path %q", where, strings.TrimLeft(m, " \t\n\"'(=:,["))
						break
					}
				}
				for _, s := range secretPatterns {
					if s.re.MatchString(t) {
						rep.problem("%s: output contains a secret (%s)", where, s.name)
					}
				}
			}
		}
	}
	exps, err := expectations(nb)
	if err != nil {
		rep.problem("metadata.nasnb.expect: %v", err)
		return rep
	}
	if exps == nil {
		rep.Warnings = append(rep.Warnings, "no metadata.nasnb.expect: only generic checks")
	}
	for i, e := range exps {
		rep.Expectations++
		checkExpectation(nb, i, e, rep)
	}
	return rep
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// expectations decodes metadata.nasnb.expect (nil when absent).
func expectations(nb *Notebook) ([]Expectation, error) {
	ns, ok := nb.Metadata["nasnb"].(map[string]any)
	if !ok {
		return nil, nil
	}
	raw, ok := ns["expect"]
	if !ok {
		return nil, nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var exps []Expectation
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&exps); err != nil {
		return nil, err
	}
	if exps == nil {
		exps = []Expectation{}
	}
	return exps, nil
}

// checkExpectation applies expectation e (number i) to the cells it selects.
func checkExpectation(nb *Notebook, i int, e Expectation, rep *Report) {
	name := fmt.Sprintf("expect[%d]", i)
	var srcRe *regexp.Regexp
	switch {
	case e.Tag != "":
		name += " tag " + strconv.Quote(e.Tag)
	case e.Source != "":
		var err error
		if srcRe, err = regexp.Compile(e.Source); err != nil {
			rep.problem("%s: bad source regex: %v", name, err)
			return
		}
		name += " source " + strconv.Quote(e.Source)
	default:
		rep.problem("%s: needs \"tag\" or \"source\"", name)
		return
	}
	var cells []*Cell
	for k := range nb.Cells {
		c := &nb.Cells[k]
		if c.CellType != "code" {
			continue
		}
		if (e.Tag != "" && c.HasTag(e.Tag)) || (srcRe != nil && srcRe.MatchString(string(c.Source))) {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		rep.problem("%s: selects no code cell", name)
		return
	}
	var texts []string
	hasChart, hasImage := false, false
	for _, c := range cells {
		texts = append(texts, cellText(c))
		for _, o := range c.Outputs {
			html := string(o.Data["text/html"])
			_, svg := o.Data["image/svg+xml"]
			_, png := o.Data["image/png"]
			if svg || png || strings.Contains(html, "<svg") {
				hasImage = true
			}
			if (svg || png) && strings.Contains(html, `class="nasnb-echarts"`) && strings.Contains(html, "echarts.init(") {
				hasChart = true
			}
		}
	}
	text := strings.Join(texts, "\n")
	for _, s := range e.Contains {
		if !strings.Contains(text, s) {
			rep.problem("%s: outputs do not contain %q", name, s)
		}
	}
	for _, s := range e.NotContains {
		if strings.Contains(text, s) {
			rep.problem("%s: outputs contain %q", name, s)
		}
	}
	for _, m := range e.Match {
		re, err := regexp.Compile(m.Regex)
		if err != nil || re.NumSubexp() < 1 {
			rep.problem("%s: bad match regex %q (needs a capture group): %v", name, m.Regex, err)
			continue
		}
		found := re.FindAllStringSubmatch(text, -1)
		if len(found) == 0 {
			rep.problem("%s: no match for %q", name, m.Regex)
			continue
		}
		for _, f := range found {
			v, err := strconv.ParseFloat(f[1], 64)
			switch {
			case err != nil:
				rep.problem("%s: %q captured %q, not a number", name, m.Regex, f[1])
			case m.Min != nil && v < *m.Min:
				rep.problem("%s: %q captured %g < min %g", name, m.Regex, v, *m.Min)
			case m.Max != nil && v > *m.Max:
				rep.problem("%s: %q captured %g > max %g", name, m.Regex, v, *m.Max)
			}
		}
	}
	if e.Chart && !hasChart {
		rep.problem("%s: no output with both an ECharts chart (text/html) and a static image (image/svg+xml or image/png)", name)
	}
	if e.Image && !hasImage {
		rep.problem("%s: no static image output", name)
	}
}

// summary returns the text outputs of the cells tagged with the notebook's
// summary tag (metadata.nasnb.summary_tag, default "summary"): text/plain of
// rich outputs (text/markdown when there is no text/plain) and stdout.
func summary(nb *Notebook) string {
	tag := "summary"
	if ns, ok := nb.Metadata["nasnb"].(map[string]any); ok {
		if t, ok := ns["summary_tag"].(string); ok && t != "" {
			tag = t
		}
	}
	var b strings.Builder
	for i := range nb.Cells {
		c := &nb.Cells[i]
		if !c.HasTag(tag) {
			continue
		}
		for _, o := range c.Outputs {
			var s string
			switch {
			case o.OutputType == "stream" && o.Name == "stdout":
				s = string(o.Text)
			case o.Data != nil:
				if t, ok := o.Data["text/plain"]; ok {
					s = string(t)
				} else if t, ok := o.Data["text/markdown"]; ok {
					s = string(t)
				}
			}
			s = strings.TrimRight(stripANSI(s), "\n ")
			if s != "" {
				b.WriteString(s + "\n")
			}
		}
	}
	if b.Len() == 0 {
		return fmt.Sprintf("(no outputs in cells tagged %q)\n", tag)
	}
	return b.String()
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }
