package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
	"github.com/nasnb/nasnb/lapt/transfer"
)

// benchFiles are the flags that open a user's own benchmark instead of a
// built-in one: a space file (lapt/space.LoadFile) and results tables
// (lapt/tabular.LoadTable). See docs/own-benchmark.md.
type benchFiles struct {
	spaceFile, table, sourceTable *string
}

// addBenchFileFlags declares --space-file and --table, and --source-table
// when sourceDoc is not empty.
func addBenchFileFlags(fs *flag.FlagSet, tableDoc, sourceDoc string) *benchFiles {
	b := &benchFiles{
		spaceFile: fs.String("space-file", "", "your own search space: a YAML or JSON space file (docs/own-benchmark.md); replaces --space"),
		table:     fs.String("table", "", tableDoc),
	}
	if sourceDoc != "" {
		b.sourceTable = fs.String("source-table", "", sourceDoc)
	}
	return b
}

// used reports whether any of the file flags was given.
func (b *benchFiles) used() bool {
	return *b.spaceFile != "" || *b.table != "" || (b.sourceTable != nil && *b.sourceTable != "")
}

// check rejects an incomplete or contradictory combination: the tables need
// the space file, and the space file replaces the built-in flags in builtin.
func (b *benchFiles) check(fs *flag.FlagSet, builtin ...string) error {
	if !b.used() {
		return nil
	}
	if *b.spaceFile == "" {
		f := "--table"
		if *b.table == "" {
			f = "--source-table"
		}
		return usagef("%s needs --space-file (the space its keys belong to)", f)
	}
	for _, f := range builtin {
		if flagSet(fs, f) {
			return usagef("--%s is for the built-in benchmarks; with --space-file the tasks come from --table%s", f, map[bool]string{true: " and --source-table", false: ""}[b.sourceTable != nil])
		}
	}
	return nil
}

// space loads the space file; a bad file is a usage error (exit status 2)
// whose message names file:line:col and the field.
func (b *benchFiles) space() (*space.Space, error) {
	sp, err := space.LoadFile(*b.spaceFile)
	if err != nil {
		return nil, usagef("--space-file: %v", err)
	}
	return sp, nil
}

// tables loads a comma-separated list of results tables of sp; flag names
// the flag they came from, for messages.
func loadTables(sp *space.Space, flagName, list string) ([]*tabular.Task, error) {
	var out []*tabular.Task
	for _, p := range splitList(list) {
		t, err := tabular.LoadTable(p, sp)
		if err != nil {
			return nil, usagef("--%s: %v", flagName, err)
		}
		for _, o := range out {
			if o.Name == t.Name {
				return nil, usagef("--%s: two tables named %s (task names come from file names)", flagName, t.Name)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// printSpaceFile writes one line about a space file's space: its size, key
// format and how many of its architectures are functionally equivalent to
// another.
func printSpaceFile(w io.Writer, path string, sp *space.Space) {
	fmt.Fprintf(w, "space %s from %s: %d architectures, %d decisions, keys %s", sp.Name(), path, sp.Count(), sp.NumEdges(), sp.KeyFormat().Name)
	if sp.HasEquivalence() && sp.Count() <= 1_000_000 {
		classes := map[space.Arch]struct{}{}
		sp.Enumerate(func(a space.Arch) bool { classes[sp.Canonical(a)] = struct{}{}; return true })
		dup := sp.Count() - int64(len(classes))
		fmt.Fprintf(w, "; %d equivalence rule(s): %d functionally distinct, %d (%.0f%%) equivalent to another", len(sp.Rules()), len(classes), dup, 100*float64(dup)/float64(sp.Count()))
	}
	fmt.Fprintln(w)
}

// printSchedule says which schedule a run on sp used: the paper's for its
// benchmarks; for any other space the one derived from its size and the
// budget, with transfer.Schedule.Note saying how.
func printSchedule(w io.Writer, sp *space.Space, s transfer.Schedule) {
	s = s.Complete(sp.Root())
	from := s.Note
	switch sp.Root().Name() {
	case "nb201":
		from = "the paper's NB201 schedule"
	case "transnas-micro":
		from = "the paper's TransNAS-Bench-101 micro schedule"
	}
	fmt.Fprintf(w, "schedule: budget %d, population %d, tournament %d, warmup %d, adapt every %d, top-k %d, max ops per decision %d (%s)\n",
		s.Budget, s.Population, s.Tournament, s.Warmup, s.AdaptEvery, s.TopK, s.MaxOpsPerEdge, from)
}

// taskNames lists task names for messages.
func taskNames(ts []*tabular.Task) string {
	n := make([]string, len(ts))
	for i, t := range ts {
		n[i] = t.Name
	}
	return strings.Join(n, ", ")
}
