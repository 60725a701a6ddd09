package main

import (
	"encoding/json"
	"flag"
	"strconv"
	"time"

	"github.com/nasnb/nasnb/internal/safefile"
	"github.com/nasnb/nasnb/lapt/experiment"
)

// Limits on the size of one command's work. The space of NAS-Bench-201 has
// 15,625 cells; budgets far above it only repeat architectures.
const (
	// maxBudget is the most evaluations per seed (--budget).
	maxBudget = 100_000
	// maxTotalEvaluations caps seeds x budget for one command: each seed
	// keeps its budget-long curves in memory.
	maxTotalEvaluations = 10_000_000
)

// numberRules says which numeric flags must be positive and which may be
// zero; a flag not named here is not checked. Negative numbers are refused
// for every flag named; zero only for the positive ones. A flag left at its
// default is not checked (defaults of 0 mean "the paper's value").
type numberRules struct {
	positive    []string // > 0 when given
	nonNegative []string // >= 0 when given (0 has a documented meaning)
}

// check refuses the given flags whose values break the rules, with a usage
// error naming the flag and the value.
func (r numberRules) check(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, group := range []struct {
		names []string
		zero  bool
	}{{r.positive, false}, {r.nonNegative, true}} {
		for _, name := range group.names {
			f := fs.Lookup(name)
			if f == nil || !set[name] {
				continue
			}
			v, ok := numberOf(f)
			if !ok {
				continue
			}
			if v < 0 || (v == 0 && !group.zero) {
				want := "positive"
				if group.zero {
					want = "zero or positive"
				}
				return usagef("--%s must be %s, got %s", name, want, f.Value.String())
			}
		}
	}
	return nil
}

// numberOf reads a numeric flag's value (ints, floats, durations).
func numberOf(f *flag.Flag) (float64, bool) {
	s := f.Value.String()
	if d, err := time.ParseDuration(s); err == nil {
		return float64(d), true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// checkWork refuses a budget or a seeds x budget product above the limits.
func checkWork(budget, seeds int) error {
	if budget > maxBudget {
		return usagef("--budget %d is above the limit of %d evaluations per seed", budget, maxBudget)
	}
	if seeds > 0 && budget > 0 && seeds*budget > maxTotalEvaluations {
		return usagef("%d seeds x budget %d = %d evaluations, above the limit of %d per command (at most %d seeds)",
			seeds, budget, seeds*budget, maxTotalEvaluations, experiment.MaxSeeds)
	}
	return nil
}

// writeJSON writes v to path as indented JSON: a regular file is replaced
// atomically, a device or FIFO is written in place (never replaced), other
// kinds of path are refused; a failed write leaves no temporary file.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return safefile.WriteFile(path, append(data, '\n'), 0o644)
}
