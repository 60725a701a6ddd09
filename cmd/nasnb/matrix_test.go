package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMatrixCLI(t *testing.T) {
	for _, args := range [][]string{
		{"matrix", "--space", "nope"},
		{"matrix", "--tasks", "cifar10"},
		{"matrix", "--methods", "magic"},
		{"matrix", "--seeds", "x"},
		{"matrix", "--budget", "0"},
		{"matrix", "--tasks", ","},
		{"matrix", "--budget", "-5"},
		{"matrix", "--workers", "-1"},
		{"matrix", "--seeds", "1,1"},
		{"matrix", "--seeds", "0-9999", "--budget", "100"}, // 24M evaluations over 6 pairs x 4 methods
	} {
		if code, _, errs := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want a usage error (%s)", args, code, errs)
		}
	}
	dir := needData(t)
	js := filepath.Join(t.TempDir(), "m.json")
	code, out, errs := runCLI(t, "matrix", "--data", dir, "--space", "nb201", "--seeds", "0-4", "--methods", "lapt,rea-full", "--pooled", "--quiet", "--json", js)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"cifar10 -> imagenet16-120", "all-others -> cifar100", "summary over the ordered pairs", "rea-full"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Schema string `json:"schema"`
		Pairs  []struct {
			Source string `json:"source"`
		} `json:"pairs"`
		Summary []struct {
			Method    string  `json:"method"`
			MeanFound float64 `json:"mean_found"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Schema != "nasnb.matrix/v1" || len(rep.Pairs) != 9 || len(rep.Summary) != 2 {
		t.Errorf("JSON: schema %q, %d pairs, %d summaries", rep.Schema, len(rep.Pairs), len(rep.Summary))
	}
}
