package kernelext

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (%d vs %d bytes); run `go test ./kernelext -update` after checking the change", name, len(got), len(want))
	}
}

// fakeIDs makes newID deterministic for the duration of a test.
func fakeIDs(t *testing.T) {
	t.Helper()
	old := newID
	n := 0
	newID = func() string { n++; return fmt.Sprintf("nasnb-test-%d", n) }
	t.Cleanup(func() { newID = old })
}

func TestGoldenFigures(t *testing.T) {
	fakeIDs(t)
	cases := map[string]Figure{"curves": fixtureCurves(), "scatter": fixtureScatter(), "opfreq": fixtureOpFreq()}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			svg, err := f.SVG()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".svg", svg)
			opt, err := f.Option()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".option.json", opt+"\n")
			html, err := figureHTML(f, "nasnb-test", true)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".html", html+"\n")
			golden(t, name+".txt", f.Text())
		})
	}
}

func TestGoldenCell(t *testing.T) {
	c, err := ParseNB201Cell(fixtureArch)
	if err != nil {
		t.Fatal(err)
	}
	c.Title = "CIFAR-10 94.37%"
	golden(t, "cell.svg", CellSVG(c)+"\n")
}

func TestGoldenTable(t *testing.T) {
	headers := []string{"strategy", "evals", "best <acc>"}
	rows := [][]string{{"REA & co", "20", "91.61"}, {"<script>alert(1)</script>", "9", "91.61%"}}
	golden(t, "table.html", TableHTML(headers, rows)+"\n")
	golden(t, "table.txt", TableText(headers, rows))
}

func TestGoldenProgress(t *testing.T) {
	old := Out
	Out = io.Discard
	defer func() { Out = old }()
	p := &Progress{Title: "REA"}
	p.OnTrial(TrialEvent{Trial: 7, Budget: 20, Score: 89.1, BestSoFar: 91.2, Arch: "|nor_conv_3x3~0|+|...", Elapsed: 14 * time.Second})
	p.OnTrain(TrainEvent{Epoch: 2, Epochs: 10, Step: 98, Steps: 196, Loss: 1.2345, Metric: 0.61, MetricName: "acc", Elapsed: 3 * time.Second})
	golden(t, "progress.html", p.HTML()+"\n")
	golden(t, "progress.txt", p.Text()+"\n")
}
