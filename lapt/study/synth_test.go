package study

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// The study on seeded synthetic NB201 tables runs in every checkout (no
// benchmark files): every method reports, the refined spaces are smaller
// than the full space, LAPT is not worse than full-space REA at finding the
// optimum, and a rerun over the same journals gives the same report.
func TestStudySynthetic(t *testing.T) {
	ts, err := synth.NB201Tasks(2, 7)
	if err != nil {
		t.Fatal(err)
	}
	seeds := []uint64{0, 1, 2, 3, 4, 5, 6, 7}
	dir := t.TempDir()
	var progress []string
	cfg := Config{Sources: []*tabular.Task{ts[0]}, Target: ts[1], Seeds: seeds, JournalDir: dir, Workers: 2,
		OnSeed: func(m string, done, total int) {
			if done == total {
				progress = append(progress, m)
			}
		}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Methods) != len(AllMethods) || rep.Seeds != len(seeds) {
		t.Fatalf("%d methods, %d seeds", len(rep.Methods), rep.Seeds)
	}
	by := map[string]Method{}
	for i, m := range rep.Methods {
		if m.Name != AllMethods[i] {
			t.Errorf("method %d is %s, want %s (report order)", i, m.Name, AllMethods[i])
		}
		if len(m.Runs) != len(seeds) || m.Failed != 0 || len(m.Points) == 0 {
			t.Errorf("%s: %d runs, %d failed, %d points", m.Name, len(m.Runs), m.Failed, len(m.Points))
		}
		by[m.Name] = m
	}
	full := by[FullREA].SpaceSize
	if full != 15625 {
		t.Errorf("full space %d", full)
	}
	for _, name := range []string{LAPT, NoAdapt, Frequency} {
		if m := by[name]; m.SpaceSize <= 0 || m.SpaceSize >= full || m.Report == nil || m.Principles == nil {
			t.Errorf("%s: space %d, report %v", name, m.SpaceSize, m.Report != nil)
		}
	}
	if by[LAPT].FoundTop < by[FullREA].FoundTop {
		t.Errorf("LAPT reaches the top-0.1%% in %.2f of seeds, full-space REA in %.2f", by[LAPT].FoundTop, by[FullREA].FoundTop)
	}
	if len(progress) != len(AllMethods) {
		t.Errorf("OnSeed finished %v", progress)
	}
	s := rep.String()
	for _, want := range []string{"frequency baseline", "REA, full space", "synth1"} {
		if !strings.Contains(s, want) {
			t.Errorf("report text lacks %q:\n%s", want, s)
		}
	}
	// A rerun reads every run back from its journal: the same report.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no journals written")
	}
	cfg.OnSeed = nil
	again, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rep)
	b, _ := json.Marshal(again)
	if !reflect.DeepEqual(a, b) {
		t.Error("a rerun over the same journals changed the report")
	}
	// Bad configurations are refused with an error.
	for _, bad := range []Config{
		{Sources: nil, Target: ts[1], Seeds: seeds},
		{Sources: []*tabular.Task{ts[0]}, Target: nil, Seeds: seeds},
		{Sources: []*tabular.Task{ts[0]}, Target: ts[1]},
		{Sources: []*tabular.Task{ts[0]}, Target: ts[1], Seeds: seeds, Methods: []string{"magic"}},
	} {
		if _, err := Run(context.Background(), bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}
