package main

import (
	"flag"
	"strconv"

	"github.com/nasnb/nasnb/lapt/transfer"
)

// scheduleFromFlags turns the schedule flags of a command (--budget,
// --population, --tournament, --adapt-every, --warmup, --top-k, --max-ops,
// --full-space-after, --no-adapt; those the command does not define are skipped) into a
// transfer.Schedule whose unset fields are zero, to be completed with
// [transfer.Schedule.Complete] for the space. --warmup means what
// Schedule.Warmup means: 0 the default (the paper's), -1 none.
func scheduleFromFlags(fs *flag.FlagSet) (transfer.Schedule, error) {
	var s transfer.Schedule
	for _, o := range []struct {
		flag string
		dst  *int
	}{{"budget", &s.Budget}, {"population", &s.Population}, {"tournament", &s.Tournament},
		{"adapt-every", &s.AdaptEvery}, {"warmup", &s.Warmup}, {"top-k", &s.TopK}, {"max-ops", &s.MaxOpsPerEdge},
		{"full-space-after", &s.FullSpaceAfter}} {
		f := fs.Lookup(o.flag)
		if f == nil {
			continue
		}
		v, err := strconv.Atoi(f.Value.String())
		if err != nil {
			return s, usagef("--%s: %q is not a whole number", o.flag, f.Value.String())
		}
		*o.dst = v
	}
	if s.FullSpaceAfter < 0 {
		return s, usagef("--full-space-after must be 0 (never) or a number of evaluations, got %d", s.FullSpaceAfter)
	}
	if s.Warmup < -1 {
		return s, usagef("--warmup must be -1 (none), 0 (the default) or positive, got %d", s.Warmup)
	}
	if f := fs.Lookup("no-adapt"); f != nil {
		s.NoAdapt = f.Value.String() == "true"
	}
	return s, nil
}
