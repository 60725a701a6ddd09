package study

import (
	"context"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func TestStudyNB201(t *testing.T) {
	dir := datatest.Dir(t)
	src, _ := tabular.Open(dir, "nb201", "imagenet16-120", 200)
	tgt, _ := tabular.Open(dir, "nb201", "cifar10", 200)
	seeds, _ := experiment.ParseSeeds("0-19")
	rep, err := Run(context.Background(), Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: seeds, JournalDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Methods) != 4 {
		t.Fatalf("%d methods", len(rep.Methods))
	}
	byName := map[string]Method{}
	for _, m := range rep.Methods {
		byName[m.Name] = m
	}
	if m := byName[LAPT]; m.FoundOptimum < 0.9 || m.SpaceSize != 16 || !m.OptimumKept {
		t.Errorf("lapt: %+v", m.FoundOptimum)
	}
	if m := byName[Frequency]; m.SpaceSize != 64 || m.FoundOptimum > byName[LAPT].FoundOptimum {
		t.Errorf("frequency: %d %.2f", m.SpaceSize, m.FoundOptimum)
	}
	if m := byName[FullREA]; m.SpaceSize != 15625 || m.FoundOptimum > 0.2 {
		t.Errorf("rea: %+v", m.FoundOptimum)
	}
	if !strings.Contains(rep.String(), "frequency baseline") {
		t.Fatal(rep.String())
	}
	if _, err := Run(context.Background(), Config{Sources: []*tabular.Task{src}, Target: tgt, Seeds: seeds, Methods: []string{"magic"}}); err == nil {
		t.Fatal("unknown method accepted")
	}
}
