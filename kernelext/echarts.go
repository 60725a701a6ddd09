package kernelext

import (
	_ "embed"
	"fmt"
	"html"
	"strings"
)

// EChartsVersion is the version of the embedded Apache ECharts bundle
// (npm package "echarts", dist/echarts.min.js, Apache-2.0; see assets/).
const EChartsVersion = "6.1.0"

//go:embed assets/echarts.min.js
var echartsMinJS string

// Interactive selects whether charts carry the interactive ECharts version
// (true, the default) or only their static SVG rendering. The ECharts library
// is ~1.1 MB and is sent once per cell run that displays a chart; set it to
// false to keep saved notebooks small.
var Interactive = true

// Figure is a chart that kernelext can show both interactively (an ECharts
// option) and statically (an SVG drawn with gonum/plot), with a plain-text
// summary for terminals. CurveChart, ScatterChart and OpFreqChart implement it.
type Figure interface {
	// Option returns the ECharts option as JSON.
	Option() (string, error)
	// SVG returns the static rendering.
	SVG() (string, error)
	// Text returns a short plain-text rendering.
	Text() string
	// Size returns the figure's width and height in CSS pixels.
	Size() (width, height int)
}

// EChartsScriptHTML returns a <script> element that defines window.echarts
// from the embedded bundle. The bundle is wrapped in a function whose
// parameters shadow define, exports and module, so that RequireJS (loaded by
// classic Notebook and nbconvert's templates) never captures it as an AMD
// module, and it runs only when window.echarts is not defined yet (once per
// page).
func EChartsScriptHTML() string {
	var b strings.Builder
	b.Grow(len(echartsMinJS) + 256)
	b.WriteString(`<script type="text/javascript" data-nasnb="echarts-` + EChartsVersion + `">` + "\n")
	b.WriteString("if (!window.echarts) { (function (define, exports, module) {\n")
	b.WriteString(echartsMinJS)
	b.WriteString("\n}).call(window, undefined, undefined, undefined); }\n</script>")
	return b.String()
}

// chartHTML assembles the output of one chart: a static SVG fallback shown by
// default, and a hidden div that a script fills with the ECharts chart (hiding
// the fallback) once window.echarts exists. Without scripts (untrusted
// notebook, GitHub) the SVG stays. With interactive false only the SVG is kept.
func chartHTML(id, option, svg string, w, h int, interactive bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="nasnb-chart" id="%s" style="max-width:100%%;overflow-x:auto">`+"\n", id)
	if interactive {
		fmt.Fprintf(&b, `<div class="nasnb-echarts" id="%s-echarts" style="width:%dpx;height:%dpx;display:none"></div>`+"\n", id, w, h)
	}
	fmt.Fprintf(&b, `<div class="nasnb-static" id="%s-static">%s</div>`+"\n", id, svg)
	if interactive {
		fmt.Fprintf(&b, `<script type="text/javascript">
(function () {
  var option = %s;
  var tries = 0;
  function draw() {
    var el = document.getElementById(%q);
    if (!el) { return; }
    if (!window.echarts) { if (tries++ < 200) { setTimeout(draw, 50); } return; }
    var fallback = document.getElementById(%q);
    el.style.display = "block";
    if (fallback) { fallback.style.display = "none"; }
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(option, true);
  }
  draw();
})();
</script>
`, strings.TrimSpace(option), id+"-echarts", id+"-static")
	}
	b.WriteString("</div>")
	return b.String()
}

// FigureHTML returns the HTML fragment of f: the ECharts chart with its static
// SVG fallback. The fragment needs EChartsScriptHTML earlier on the page to be
// interactive (Display sends it; FigurePage includes it).
func FigureHTML(f Figure) (string, error) {
	return figureHTML(f, newID(), Interactive)
}

func figureHTML(f Figure, id string, interactive bool) (string, error) {
	svg, err := f.SVG()
	if err != nil {
		return "", err
	}
	option := ""
	if interactive {
		if option, err = f.Option(); err != nil {
			return "", err
		}
	}
	w, h := f.Size()
	return chartHTML(id, option, svg, w, h, interactive), nil
}

// FigurePage returns a standalone HTML page with the given title and figures,
// the ECharts library inlined: it opens offline in any browser (the CLI writes
// reports with it).
func FigurePage(title string, figs ...Figure) (string, error) {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + html.EscapeString(title) + "</title>\n")
	b.WriteString(EChartsScriptHTML())
	b.WriteString("\n</head>\n<body style=\"font-family:sans-serif\">\n<h1>" + html.EscapeString(title) + "</h1>\n")
	for _, f := range figs {
		s, err := figureHTML(f, newID(), true)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		b.WriteString("\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String(), nil
}

// Display shows f. In a notebook it sends one output holding text/html (the
// interactive chart with its SVG fallback), image/svg+xml and text/plain, after
// loading the ECharts library once per cell run; outside a notebook it prints
// f.Text() to Out. Errors while rendering are shown instead of the chart.
func Display(f Figure) {
	if !isNotebook() {
		printText(f.Text())
		return
	}
	data, err := figureData(f, newID())
	if err != nil {
		send(map[string]any{"text/plain": "kernelext: " + err.Error()}, "")
		sync_()
		return
	}
	ensureBundle()
	send(data, "")
	sync_()
}

// figureData returns the MIME bundle of f's output.
func figureData(f Figure, id string) (map[string]any, error) {
	htmlStr, err := figureHTML(f, id, Interactive)
	if err != nil {
		return nil, err
	}
	svg, err := f.SVG()
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"text/html":     htmlStr,
		"image/svg+xml": svg,
		"text/plain":    f.Text(),
	}, nil
}
