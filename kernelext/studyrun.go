package kernelext

// A study in one call: run it once per kernel (state.go), show it, and let
// later cells read the same report without running it again.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nasnb/nasnb/lapt/study"
)

// StudyKey returns the state key under which RunStudy keeps the report of
// cfg: name plus a fingerprint of what decides the results (sources, the
// target (On: its name, space, recipe and references; else Target's name),
// reasoner, seeds, methods, schedule, dedup, checkpoints), so that a
// cell whose settings were edited runs the study again instead of recalling
// a stale one. Hooks, workers and the journal folder are not part of it.
func StudyKey(name string, cfg study.Config) string {
	var b strings.Builder
	for _, s := range cfg.Sources {
		if s != nil {
			fmt.Fprintf(&b, "src=%s;", s.Name)
		}
	}
	if on := cfg.On; on != nil {
		fmt.Fprintf(&b, "on=%s;recipe=%s;", on.Name, on.Recipe)
		if on.Space != nil {
			fmt.Fprintf(&b, "space=%s/%v/%d;", on.Space.Name(), on.Space.Allowed(), on.Space.Count())
		}
		if on.Refs != nil {
			fmt.Fprintf(&b, "refs=%+v;", *on.Refs)
		}
	} else if cfg.Target != nil {
		fmt.Fprintf(&b, "tgt=%s;", cfg.Target.Name)
	}
	if cfg.Reasoner != nil {
		fmt.Fprintf(&b, "reasoner=%s;", cfg.Reasoner.Name())
	}
	fmt.Fprintf(&b, "seeds=%v;methods=%v;schedule=%+v;dedup=%v;checkpoints=%v", cfg.Seeds, cfg.Methods, cfg.Schedule, cfg.Dedup, cfg.Checkpoints)
	h := sha256.Sum256([]byte(b.String()))
	return name + "-" + hex.EncodeToString(h[:6])
}

// RunStudy returns the report of study cfg: kept from an earlier cell of
// this kernel under StudyKey(name, cfg), or run now with study.Run and kept.
func RunStudy(ctx context.Context, name string, cfg study.Config) (*study.Report, error) {
	return Remember(StudyKey(name, cfg), func() (*study.Report, error) { return study.Run(ctx, cfg) })
}

// ShowStudy is RunStudy followed by DisplayStudy: the one call a notebook
// cell needs to run (or recall) a study and show its table and curves.
func ShowStudy(ctx context.Context, name string, cfg study.Config) (*study.Report, error) {
	rep, err := RunStudy(ctx, name, cfg)
	if err != nil {
		return nil, err
	}
	DisplayStudy(rep)
	return rep, nil
}

// FoundOptimum returns, per method name, the fraction of seeds that found
// the target's optimum (study.Method.FoundOptimum), for one-line summaries.
func FoundOptimum(rep *study.Report) map[string]float64 {
	out := map[string]float64{}
	for _, m := range rep.Methods {
		out[m.Name] = m.FoundOptimum
	}
	return out
}
