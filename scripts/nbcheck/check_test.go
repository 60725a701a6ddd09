package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nbJSON builds a one-code-cell notebook with the given outputs and metadata.
func nbJSON(t *testing.T, outputs string, meta string, tags ...string) *Notebook {
	t.Helper()
	tagJSON, _ := json.Marshal(tags)
	if meta == "" {
		meta = "{}"
	}
	src := `{"cells":[{"cell_type":"code","execution_count":1,"source":["%%\n","fmt.Println(1)"],
	 "metadata":{"tags":` + string(tagJSON) + `},"outputs":[` + outputs + `]}],"metadata":` + meta + `}`
	nb := &Notebook{}
	if err := json.Unmarshal([]byte(src), nb); err != nil {
		t.Fatal(err)
	}
	return nb
}

func problems(nb *Notebook) string {
	return strings.Join(checkNotebook(nb, defaultPathPatterns()).Problems, "\n")
}

const chartOutput = `{"output_type":"display_data","metadata":{},"data":{
  "text/html":["<div class=\"nasnb-chart\"><div class=\"nasnb-echarts\" id=\"x\"></div><svg></svg>","<script>echarts.init(el)</script></div>"],
  "image/svg+xml":"<svg></svg>","text/plain":"chart: LAPT 92.71"}}`

func TestCleanNotebookPasses(t *testing.T) {
	meta := `{"nasnb":{"expect":[{"tag":"chart","chart":true,"contains":["LAPT"],
	  "match":[{"regex":"LAPT ([0-9.]+)","min":90,"max":95}]}]}}`
	if p := problems(nbJSON(t, chartOutput, meta, "chart")); p != "" {
		t.Errorf("unexpected problems:\n%s", p)
	}
}

func TestGenericProblems(t *testing.T) {
	cases := map[string]string{
		`{"output_type":"error","ename":"panic","evalue":"boom","traceback":[]}`:                             "error output",
		`{"output_type":"stream","name":"stderr","text":"panic: runtime error\ngoroutine 1 [running]:"}`:     "stderr shows a failure",
		`{"output_type":"stream","name":"stdout","text":"wrote /work/main/build/x.json"}`:                    "machine path",
		`{"output_type":"stream","name":"stdout","text":"cache in /root/.cache/nasnb"}`:                      "machine path",
		`{"output_type":"display_data","metadata":{},"data":{"text/plain":"(/tmp/gonb_1/x.go:3)"}}`:          "machine path",
		`{"output_type":"stream","name":"stdout","text":"key sk-proj-abcdefghijklmnopqrstuvwxyz012345"}`:     "secret",
		`{"output_type":"stream","name":"stdout","text":"Authorization: Bearer abcdefghijklmnop0123456789"}`: "secret",
		`{"output_type":"stream","name":"stdout","text":"OPENAI_API_KEY=abcd1234efgh5678"}`:                  "secret",
	}
	for out, want := range cases {
		if p := problems(nbJSON(t, out, "")); !strings.Contains(p, want) {
			t.Errorf("%s: want a %q problem, got %q", out, want, p)
		}
	}
	// Relative paths, URLs and the bundle are fine.
	fine := []string{
		`{"output_type":"stream","name":"stdout","text":"wrote build/notebooks/x.json and data/tmp/y; see https://example.org/work/z"}`,
		`{"output_type":"display_data","metadata":{},"data":{"text/html":"<script type=\"text/javascript\" data-nasnb=\"echarts-6.1.0\">/tmp/ sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaa</script>"}}`,
		`{"output_type":"stream","name":"stdout","text":"task-abcdefghijklmnopqrstuvwxyz is not a key"}`,
	}
	for _, out := range fine {
		if p := problems(nbJSON(t, out, "")); p != "" {
			t.Errorf("%s: unexpected %q", out, p)
		}
	}
}

func TestExpectationFailures(t *testing.T) {
	textOnly := `{"output_type":"display_data","metadata":{},"data":{"text/html":"<div class=\"nasnb-echarts\"></div><script>echarts.init(x)</script>","text/plain":"LAPT 97.5"}}`
	cases := map[string]string{
		`{"tag":"chart","chart":true}`:                                  "static image",
		`{"tag":"chart","contains":["REA"]}`:                            `do not contain "REA"`,
		`{"tag":"chart","not_contains":["LAPT"]}`:                       `contain "LAPT"`,
		`{"tag":"chart","match":[{"regex":"LAPT ([0-9.]+)","max":95}]}`: "> max 95",
		`{"tag":"chart","match":[{"regex":"REA ([0-9.]+)"}]}`:           "no match",
		`{"tag":"nope"}`: "selects no code cell",
		`{"source":"fmt\\.Println","image":true}`: "no static image",
		`{"contains":["x"]}`:                      `needs "tag" or "source"`,
		`{"tag":"chart","typo":1}`:                "unknown field",
	}
	for exp, want := range cases {
		meta := `{"nasnb":{"expect":[` + exp + `]}}`
		if p := problems(nbJSON(t, textOnly, meta, "chart")); !strings.Contains(p, want) {
			t.Errorf("%s: want %q, got %q", exp, want, p)
		}
	}
}

func TestNotExecuted(t *testing.T) {
	nb := nbJSON(t, "", "")
	nb.Cells[0].ExecutionCount = nil
	if p := problems(nb); !strings.Contains(p, "not executed") {
		t.Errorf("got %q", p)
	}
}

func TestSummary(t *testing.T) {
	nb := nbJSON(t, `{"output_type":"stream","name":"stdout","text":["smoke: ok\n"]},
	  {"output_type":"display_data","metadata":{},"data":{"text/markdown":"**bold**"}}`, "", "summary")
	if got := summary(nb); got != "smoke: ok\n**bold**\n" {
		t.Errorf("summary %q", got)
	}
	if got := summary(nbJSON(t, "", "")); !strings.Contains(got, "no outputs") {
		t.Errorf("empty summary %q", got)
	}
}

func TestSlim(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ipynb")
	src := `{"cells":[{"cell_type":"code","execution_count":1,"id":"a","metadata":{"execution":{"x":1},"tags":["t"]},"source":"%%",
	 "outputs":[{"output_type":"display_data","metadata":{},"data":{"text/html":["<script type=\"text/javascript\" data-nasnb=\"echarts-6.1.0\">","big</script>"],"text/plain":[""]}},
	 {"output_type":"stream","name":"stdout","text":"a < b & c\n"}]}],"metadata":{"x":0.5},"nbformat":4,"nbformat_minor":5}`
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.ipynb")
	n, err := slimNotebook(in, out)
	if err != nil || n != 1 {
		t.Fatalf("slim: %d, %v", n, err)
	}
	raw, _ := os.ReadFile(out)
	s := string(raw)
	if strings.Contains(s, "echarts-6.1.0") || strings.Contains(s, `"execution"`) || !strings.Contains(s, `"a < b & c\n"`) ||
		!strings.Contains(s, `"x": 0.5`) || !strings.Contains(s, `"tags": [`) {
		t.Errorf("slim output:\n%s", s)
	}
}

func TestLongCells(t *testing.T) {
	long := func(lines int, meta string) *Notebook {
		src, _ := json.Marshal(strings.Repeat("x := 1\n", lines-1) + "_ = x")
		nb := &Notebook{}
		if err := json.Unmarshal([]byte(`{"cells":[{"cell_type":"code","execution_count":1,"source":`+string(src)+`,"metadata":{},"outputs":[]}],"metadata":`+meta+`}`), nb); err != nil {
			t.Fatal(err)
		}
		return nb
	}
	if p := problems(long(DefaultMaxCellLines, "{}")); p != "" {
		t.Errorf("a %d-line cell is fine: %s", DefaultMaxCellLines, p)
	}
	if p := problems(long(DefaultMaxCellLines+1, "{}")); !strings.Contains(p, "cell 1: 61 lines of code, more than 60") {
		t.Errorf("long cell: %q", p)
	}
	if p := problems(long(30, `{"nasnb":{"max_cell_lines":25}}`)); !strings.Contains(p, "30 lines of code, more than 25") {
		t.Errorf("max_cell_lines 25: %q", p)
	}
	if p := problems(long(3, `{"nasnb":{"max_cell_lines":"many"}}`)); !strings.Contains(p, "max_cell_lines: want a positive whole number") {
		t.Errorf("bad max_cell_lines: %q", p)
	}
}
