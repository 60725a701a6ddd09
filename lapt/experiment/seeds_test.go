package experiment

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Issue 13 rows 1 and 3: repeated seeds are refused (they would share one
// journal file), the range 2^64-1 ends, and the cap is on all parts together.
func TestParseSeedsHardening(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"5,5,5,5", "seed 5 is given twice"},
		{"1,1,1", "seed 1 is given twice"},
		{"0-3,2-5", `seed 2 is given twice (in "0-3" and "2-5")`},
		{"0-1000000", "experiment.MaxSeeds"},
		{"0-99999,100000-199999", "more than 100000 seeds in all"},
		{"0-1000000,0-1000000,0-1000000", "experiment.MaxSeeds"},
	} {
		_, err := ParseSeeds(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSeeds(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		got, err := ParseSeeds("18446744073709551615")
		if err != nil || len(got) != 1 || got[0] != 1<<64-1 {
			t.Errorf("max seed: %v %v", got, err)
		}
		got, err = ParseSeeds("18446744073709551614-18446744073709551615")
		if err != nil || len(got) != 2 {
			t.Errorf("range ending at 2^64-1: %v %v", got, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ParseSeeds loops on a range ending at 2^64-1")
	}
	if got, err := ParseSeeds("0-99999"); err != nil || len(got) != MaxSeeds {
		t.Fatalf("MaxSeeds seeds: %d %v", len(got), err)
	}
}

func TestRunSeedsKeepGoing(t *testing.T) {
	fn := func(_ context.Context, seed uint64) (Outcome, error) {
		if seed == 2 {
			return Outcome{}, errors.New("endpoint down")
		}
		return Outcome{Val: []float64{float64(seed)}}, nil
	}
	outs, err := RunSeedsKeepGoing(context.Background(), []uint64{0, 1, 2, 3}, 2, fn, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok, failed := Split(outs)
	if len(ok) != 3 || len(failed) != 1 || failed[0].Seed != 2 || failed[0].Error != "endpoint down" {
		t.Fatalf("ok %v failed %v", ok, failed)
	}
	if _, err := RunSeeds(context.Background(), []uint64{0, 1, 2, 3}, 2, fn, nil); err == nil || !strings.Contains(err.Error(), "seed 2") {
		t.Fatalf("RunSeeds: %v", err)
	}
}
