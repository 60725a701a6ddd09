package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exDir = "../../docs/examples/"

// The guide's commands (docs/own-benchmark.md) run without benchmark data.
func TestOwnBenchmarkCommands(t *testing.T) {
	js := filepath.Join(t.TempDir(), "s.json")
	code, out, errs := runCLI(t, "search", "--space-file", exDir+"macro.yaml", "--table", exDir+"task-a.csv", "--seeds", "0-9", "--json", js)
	if code != 0 {
		t.Fatalf("search: %d %s", code, errs)
	}
	for _, want := range []string{"2048 architectures", "696 (34%) equivalent to another", "macro/task-a: rea", "equivalent architectures answered for free: "} {
		if !strings.Contains(out, want) {
			t.Errorf("search output lacks %q:\n%s", want, out)
		}
	}
	var rep SearchReport
	if b, err := os.ReadFile(js); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report: %v", err)
	}
	if rep.EquivalentFree == 0 || rep.Seeds != 10 || rep.Space != "macro" {
		t.Fatalf("report %+v", rep)
	}
	code, out, errs = runCLI(t, "transfer", "--space-file", exDir+"macro.yaml", "--table", exDir+"task-a.csv", "--source-table", exDir+"task-b.json", "--seeds", "0-4")
	if code != 0 || !strings.Contains(out, "macro/task-b -> macro/task-a") || !strings.Contains(out, "\nschedule: ") {
		t.Fatalf("transfer: %d %s\n%s", code, out, errs)
	}
	// With declared equivalence the transfer report counts the free answers
	// per method (a 200-evaluation REA meets many equivalent keys).
	tj := filepath.Join(t.TempDir(), "t.json")
	code, out, errs = runCLI(t, "transfer", "--space-file", exDir+"macro.yaml", "--table", exDir+"task-a.csv", "--source-table", exDir+"task-b.json",
		"--seeds", "0-1", "--budget", "200", "--methods", "rea-full", "--json", tj)
	if code != 0 || !strings.Contains(out, "equivalent architectures answered for free, per seed: rea-full ") {
		t.Fatalf("transfer with equivalence: %d %s\n%s", code, out, errs)
	}
	var trep struct {
		Methods []struct {
			EquivalentFree float64 `json:"equivalent_free"`
		} `json:"methods"`
	}
	if b, err := os.ReadFile(tj); err != nil || json.Unmarshal(b, &trep) != nil || len(trep.Methods) != 1 || trep.Methods[0].EquivalentFree <= 0 {
		t.Fatalf("transfer report: %v %+v", err, trep)
	}
	code, out, errs = runCLI(t, "principles", "--space-file", exDir+"macro.yaml", "--source-table", exDir+"task-b.json", "--table", exDir+"task-a.csv")
	if code != 0 || !strings.Contains(out, "Principles v1") || !strings.Contains(out, "task-a optimum") {
		t.Fatalf("principles: %d %s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "matrix", "--space-file", exDir+"macro.yaml", "--table", exDir+"task-a.csv,"+exDir+"task-c.csv", "--seeds", "0-2", "--quiet", "--methods", "lapt,rea-full")
	if code != 0 || !strings.Contains(out, "task-a -> task-c") || !strings.Contains(out, "task-c -> task-a") {
		t.Fatalf("matrix: %d %s\n%s", code, out, errs)
	}
}

// A bad space file, a bad table or a contradictory combination exits with
// status 2 and a message naming the file, line and field.
func TestOwnBenchmarkBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("ok.yaml", "name: t\ndecisions:\n  - {name: a, choices: [x, y]}\n  - {name: b, choices: [x, y]}\nkey_format: digits\n")
	badSpace := write("bad.yaml", "name: t\ndecisions:\n  - {name: a, choises: [x, y]}\n")
	tab := write("t.csv", "key,val,test\n00,1,1\n01,2,2\n10,3,3\n11,4,4\n")
	tab2 := write("u.csv", "key,val,test\n00,4,1\n01,3,2\n10,2,3\n11,1,4\n")
	badTab := write("bad.csv", "key,val,test\n00,1,1\n02,2,2\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"search", "--space-file", badSpace, "--table", tab}, "bad.yaml:3:15: decisions[0].choises: unknown field"},
		{[]string{"search", "--space-file", filepath.Join(dir, "none.yaml"), "--table", tab}, "none.yaml: stat"},
		{[]string{"search", "--space-file", good, "--table", badTab}, `bad.csv:3:1: key: not a key of the space: space t: key "02"`},
		{[]string{"search", "--table", tab}, "--table needs --space-file"},
		{[]string{"search", "--space-file", good}, "--space-file needs --table"},
		{[]string{"search", "--space-file", good, "--table", tab, "--dataset", "cifar10"}, "--dataset is for the built-in benchmarks"},
		{[]string{"search", "--space-file", good, "--table", tab, "--evaluator", "train"}, "--evaluator train is for the built-in training datasets"},
		{[]string{"transfer", "--space-file", good, "--table", tab}, "--space-file needs --table (the target) and --source-table"},
		{[]string{"transfer", "--space-file", good, "--table", tab, "--source-table", badTab}, "--source-table: " + badTab + ":3:1"},
		{[]string{"transfer", "--space-file", good, "--table", tab, "--source-table", tab}, "the source t/t is the target"},
		{[]string{"transfer", "--space-file", good, "--table", tab, "--source-table", tab2, "--target", "x"}, "--target is for the built-in benchmarks"},
		{[]string{"principles", "--space-file", good, "--table", tab}, "--space-file needs --source-table"},
		{[]string{"matrix", "--space-file", good, "--table", tab}, "at least two results tables"},
		{[]string{"matrix", "--space-file", badSpace, "--table", tab + "," + tab2}, "bad.yaml:3:15"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", c.args, code, c.want, errs)
		}
	}
}
