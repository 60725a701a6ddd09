package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func needData(t *testing.T) string {
	t.Helper()
	return datatest.Dir(t)
}

func TestHelpAndUsageErrors(t *testing.T) {
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "search") {
		t.Fatalf("help: %d %s", code, out)
	}
	if code, _, errs := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown: %d %s", code, errs)
	}
	for _, args := range [][]string{
		{"search", "--budget", "x"},
		{"search", "--nope"},
		{"search", "--seeds", "5-1"},
		{"search", "--strategy", "magic"},
		{"search", "--dedup", "maybe"},
		{"search", "stray"},
	} {
		code, _, errs := runCLI(t, args...)
		if code != 2 || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: code %d, stderr %s", args, code, errs)
		}
	}
}

// Every command's flag errors are usage errors by type (exit status 2), with
// the flag package's message unchanged; -h is not an error.
func TestFlagErrorsAreTyped(t *testing.T) {
	for name, c := range commands {
		for _, args := range [][]string{{"--no-such-flag"}, {"--no-such-flag=1"}, {"-h"}} {
			var out, errb bytes.Buffer
			if name == "data" {
				args = append([]string{"info"}, args...) // data takes a subcommand first
			}
			err := c.run(context.Background(), args, &out, &errb)
			if args[len(args)-1] == "-h" {
				if err != nil && !errors.Is(err, flag.ErrHelp) {
					t.Errorf("%s -h: %v", name, err)
				}
				continue
			}
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "flag provided but not defined: -no-such-flag") {
				t.Errorf("%s %v: %T %v", name, args, err, err)
			}
		}
	}
	var out, errb bytes.Buffer
	err := commands["search"].run(context.Background(), []string{"--budget", "x"}, &out, &errb)
	var ue usageError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), `invalid value "x" for flag -budget`) {
		t.Errorf("bad value: %T %v", err, err)
	}
}

func TestSearchCLI(t *testing.T) {
	dir := needData(t)
	js := filepath.Join(t.TempDir(), "out.json")
	jdir := filepath.Join(t.TempDir(), "journal")
	code, out, errs := runCLI(t, "search", "--data", dir, "--dataset", "cifar10", "--strategy", "rea", "--budget", "20", "--seeds", "0-9", "--json", js, "--journal", jdir)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errs)
	}
	if !strings.Contains(out, "nb201/cifar10@200") || !strings.Contains(out, "found best") {
		t.Fatal(out)
	}
	var rep SearchReport
	data, _ := os.ReadFile(js)
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Schema != "nasnb.search/v1" || len(rep.Runs) != 10 || len(rep.Runs[0].Test) != 20 || rep.BestVal < 91.6 {
		t.Fatalf("%+v", rep.Checkpoint)
	}
	files, _ := filepath.Glob(filepath.Join(jdir, "*.jsonl"))
	if len(files) != 10 {
		t.Fatalf("%d journals", len(files))
	}
	// Resuming from complete journals gives the same report.
	code, out2, _ := runCLI(t, "search", "--data", dir, "--dataset", "cifar10", "--strategy", "rea", "--budget", "20", "--seeds", "0-9", "--journal", jdir)
	if code != 0 || firstTableLine(out) != firstTableLine(out2) {
		t.Fatalf("resume differs:\n%s\n%s", out, out2)
	}
}

func firstTableLine(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 3 {
		return lines[3]
	}
	return s
}
