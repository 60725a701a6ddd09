package kernelext

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// message is one display message captured by fakeNotebook.
type message struct {
	data      map[string]any
	displayID string
}

// fakeNotebook makes the package believe it runs in a notebook and records
// what it would send; it also installs a controllable clock.
func fakeNotebook(t *testing.T) (*[]message, *time.Time, *int) {
	t.Helper()
	var msgs []message
	syncs := 0
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	oldNB, oldSend, oldSync, oldNow := isNotebook, send, sync_, now
	isNotebook = func() bool { return true }
	send = func(data map[string]any, id string) { msgs = append(msgs, message{data, id}) }
	sync_ = func() { syncs++ }
	now = func() time.Time { return clock }
	bundleSent = false
	fakeIDs(t)
	t.Cleanup(func() {
		isNotebook, send, sync_, now = oldNB, oldSend, oldSync, oldNow
		bundleSent = false
	})
	return &msgs, &clock, &syncs
}

func TestBundleWrapperHidesAMD(t *testing.T) {
	s := EChartsScriptHTML()
	if !strings.HasPrefix(s, "<script") || !strings.HasSuffix(s, "</script>") {
		t.Fatalf("not a script element")
	}
	body := strings.TrimSuffix(s[strings.Index(s, ">")+1:], "</script>")
	if !strings.Contains(body, "if (!window.echarts) { (function (define, exports, module) {") ||
		!strings.Contains(body, "}).call(window, undefined, undefined, undefined); }") {
		t.Errorf("bundle is not wrapped to hide define/exports/module")
	}
	lower := strings.ToLower(echartsMinJS)
	if strings.Contains(lower, "</script") || strings.Contains(lower, "<!--") {
		t.Errorf("bundle contains </script or <!--: cannot be inlined")
	}
	if len(echartsMinJS) < 500_000 {
		t.Errorf("bundle is only %d bytes", len(echartsMinJS))
	}
	// Run it where RequireJS/CommonJS globals exist: it must still define
	// window.echarts and touch none of them.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed: wrapper checked textually only")
	}
	js := `var window = globalThis; var navigator = {userAgent: "Node.js"}; var amdCalls = 0;
var define = function () { amdCalls++; }; define.amd = {};
var exports = {}; var module = {exports: exports};
` + body + `
if (amdCalls !== 0) { throw new Error("bundle called define()"); }
if (Object.keys(module.exports).length || Object.keys(exports).length) { throw new Error("bundle wrote exports"); }
if (!window.echarts || typeof window.echarts.init !== "function") { throw new Error("window.echarts missing"); }
var first = window.echarts;
` + body + `
if (window.echarts !== first) { throw new Error("bundle loaded twice"); }
console.log("ok " + window.echarts.version);`
	path := filepath.Join(t.TempDir(), "wrap.js")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, path).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok "+EChartsVersion) {
		if len(out) > 2000 {
			out = out[len(out)-2000:]
		}
		t.Fatalf("node: %v\n%s", err, out)
	}
}

func TestDisplayOutsideNotebookPrintsText(t *testing.T) {
	var buf bytes.Buffer
	old := Out
	Out = &buf
	defer func() { Out = old }()
	Display(fixtureOpFreq())
	if !strings.Contains(buf.String(), "nor_conv_3x3") || strings.Contains(buf.String(), "<") {
		t.Errorf("plain-text fallback: %q", buf.String())
	}
}

func TestDisplayInNotebook(t *testing.T) {
	msgs, _, syncs := fakeNotebook(t)
	Display(fixtureCurves())
	Display(fixtureScatter())
	if len(*msgs) != 3 {
		t.Fatalf("want bundle + 2 charts, got %d messages", len(*msgs))
	}
	if h, _ := (*msgs)[0].data["text/html"].(string); !strings.Contains(h, `data-nasnb="echarts-`) {
		t.Errorf("first message is not the ECharts bundle")
	}
	for _, m := range (*msgs)[1:] {
		h, _ := m.data["text/html"].(string)
		svg, _ := m.data["image/svg+xml"].(string)
		txt, _ := m.data["text/plain"].(string)
		if !strings.Contains(h, `class="nasnb-echarts"`) || !strings.Contains(h, "echarts.init(") || !strings.Contains(h, "<svg") {
			t.Errorf("chart html lacks the echarts div, script or static fallback")
		}
		if !strings.HasPrefix(svg, "<svg") || txt == "" {
			t.Errorf("chart lacks image/svg+xml or text/plain")
		}
		if strings.Contains(h, `data-nasnb="echarts-`) {
			t.Errorf("bundle sent twice in one run")
		}
	}
	if *syncs != 2 {
		t.Errorf("Display must sync before returning: %d syncs", *syncs)
	}
}

func TestStaticOnly(t *testing.T) {
	msgs, _, _ := fakeNotebook(t)
	Interactive = false
	defer func() { Interactive = true }()
	Display(fixtureCurves())
	if len(*msgs) != 1 || strings.Contains((*msgs)[0].data["text/html"].(string), "<script") {
		t.Errorf("Interactive=false must send only the static chart, no script")
	}
}

func TestLiveCurveThrottleAndFinalState(t *testing.T) {
	msgs, clock, syncs := fakeNotebook(t)
	l := NewLiveCurve(CurveChart{Title: "live"})
	l.MinInterval = time.Hour // no trailing redraw fires during the test
	start := len(*msgs)       // bundle + first (empty) draw
	if start != 2 {
		t.Fatalf("NewLiveCurve: want bundle + empty chart, got %d messages", start)
	}
	for i := 0; i < 50; i++ {
		l.Append("REA", 0, float64(i))
	}
	if got := len(*msgs) - start; got != 0 {
		t.Errorf("throttled: want no redraw within the interval, got %d", got)
	}
	*clock = clock.Add(2 * time.Hour)
	l.Append("REA", 1, 3)
	if got := len(*msgs) - start; got != 1 {
		t.Errorf("want one redraw after the interval, got %d", got)
	}
	last := (*msgs)[len(*msgs)-1]
	if strings.Contains(last.data["text/html"].(string), "<script") {
		t.Errorf("live redraws should be static SVG")
	}
	l.Close()
	final := (*msgs)[len(*msgs)-1]
	if final.displayID == "" || final.displayID != last.displayID {
		t.Errorf("final state must replace the live output in place")
	}
	if _, ok := final.data["image/svg+xml"]; !ok || !strings.Contains(final.data["text/html"].(string), "echarts.init(") {
		t.Errorf("final state must hold the interactive chart and the SVG")
	}
	if *syncs == 0 {
		t.Errorf("Close must sync")
	}
	st := l.Chart().Curves[0].Stats(BandStd)
	if len(st.Mean) != 50 || st.N[0] != 2 || st.N[1] != 1 {
		t.Errorf("stats: %d points, N=%v", len(st.Mean), st.N[:2])
	}
}

func TestProgressInPlace(t *testing.T) {
	msgs, clock, syncs := fakeNotebook(t)
	p := NewProgress("search")
	p.MinInterval = time.Hour
	for k := 1; k <= 20; k++ {
		*clock = clock.Add(time.Second)
		p.OnTrial(TrialEvent{Trial: k, Budget: 20, Score: float64(k), BestSoFar: float64(k)})
	}
	p.Done()
	if len(*msgs) != 2 {
		t.Fatalf("want the waiting line + the final draw (all else throttled), got %d", len(*msgs))
	}
	for _, m := range *msgs {
		if m.displayID == "" || m.displayID != (*msgs)[0].displayID {
			t.Errorf("progress must update one output in place")
		}
	}
	if w := (*msgs)[0].data["text/plain"].(string); !strings.Contains(w, "waiting") {
		t.Errorf("first state: %q", w)
	}
	final := (*msgs)[1].data["text/plain"].(string)
	if !strings.Contains(final, "trial 20/20") || !strings.Contains(final, "0:20 · done") {
		t.Errorf("final state: %q", final)
	}
	if *syncs != 1 {
		t.Errorf("Done must sync")
	}
}

func TestStats(t *testing.T) {
	c := Curve{Runs: [][]float64{{1, 2, 3}, {3, 4}, {2, 6, 9}}}
	st := c.Stats(BandStd)
	if st.Mean[0] != 2 || st.Lo[0] != 1 || st.Hi[0] != 3 || st.N[2] != 2 || st.Mean[2] != 6 {
		t.Errorf("std stats: %+v", st)
	}
	iqr := c.Stats(BandIQR)
	if iqr.Lo[0] != 1.5 || iqr.Hi[0] != 2.5 {
		t.Errorf("iqr: %v %v", iqr.Lo, iqr.Hi)
	}
	mm := c.Stats(BandMinMax)
	if mm.Lo[1] != 2 || mm.Hi[1] != 6 {
		t.Errorf("minmax: %v %v", mm.Lo, mm.Hi)
	}
	pre := Curve{Mean: []float64{1, 2}}.Stats(BandStd)
	if pre.Lo[1] != 2 || pre.Hi[0] != 1 {
		t.Errorf("precomputed: %+v", pre)
	}
	b := BestSoFar([]float64{math.NaN(), 1, 3, 2, 5})
	if !math.IsNaN(b[0]) || b[1] != 1 || b[3] != 3 || b[4] != 5 {
		t.Errorf("BestSoFar: %v", b)
	}
}

func TestParseNB201Cell(t *testing.T) {
	c, err := ParseNB201Cell(fixtureArch)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nodes != 4 || len(c.Edges) != 6 || c.Edges[5] != (Edge{2, 3, "none"}) || c.Edges[3] != (Edge{0, 3, "skip_connect"}) {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range []string{"|conv~0|+|x|", "|a~5|", "|~0|"} {
		if _, err := ParseNB201Cell(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestCellSVGCompact(t *testing.T) {
	c, _ := ParseNB201Cell(fixtureArch)
	svg := CellSVG(c)
	m := regexp.MustCompile(`width="(\d+)" height="(\d+)"`).FindStringSubmatch(svg)
	if m == nil || len(m[1]) != 3 || m[2] > "250" {
		t.Errorf("cell drawing size %v, want about 300x200", m)
	}
	if strings.Count(svg, "<circle") != 4 || !strings.Contains(svg, "stroke-dasharray") {
		t.Errorf("want 4 nodes and a dashed none edge")
	}
}

func TestNoMachinePathsInOutputs(t *testing.T) {
	fakeIDs(t)
	for _, f := range []Figure{fixtureCurves(), fixtureScatter(), fixtureOpFreq()} {
		h, err := FigureHTML(f)
		if err != nil {
			t.Fatal(err)
		}
		if regexp.MustCompile(`/(work|root|tmp|home)/`).MatchString(h) {
			t.Errorf("figure HTML contains a machine path")
		}
	}
}
