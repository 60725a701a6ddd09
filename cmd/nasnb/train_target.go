package main

// The study target of real training (lapt/train, GoMLX): "nasnb transfer
// --evaluator train" and "nasnb search --evaluator train" run lapt/study
// over it like the table path runs it over a benchmark table. The training
// recipe (train.Config + train.DataSpec, from NASNB_TRAIN_*) is journaled
// with every run; a resumed run replays its journal's recipe and a changed
// recipe is refused, naming the fields that differ.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/study"
	"github.com/nasnb/nasnb/lapt/train"
)

// recipe is the journaled form of the training recipe: without the
// backend and checkpoint folder, which may change between resumes (a run
// may move from CPU to GPU).
func (s trainSettings) recipe() (json.RawMessage, error) {
	s.Config.Backend, s.Config.CheckpointDir = "", ""
	return json.Marshal(s)
}

// trainTarget returns the target that trains candidates of sp on set's
// dataset: in this process on data (prepared from set.Data), or on the
// executor ex when not nil. journalName names a run's journal and
// trialPrefix its trials on the executor; every committed trial prints a
// line on out.
func trainTarget(sp *space.Space, set trainSettings, data train.Data, ex *execSetup, out io.Writer,
	journalName, trialPrefix func(study.RunInfo) string) (*study.Target, error) {
	rec, err := set.recipe()
	if err != nil {
		return nil, err
	}
	lw := &lockedWriter{w: out}
	var mu sync.Mutex
	prepared := map[train.DataSpec]train.Data{set.Data: data}
	return &study.Target{
		Name: set.Data.Dataset, Space: sp, Recipe: rec, Details: true, JournalName: journalName,
		Hooks: func(run study.RunInfo) search.Hooks { return trialHooks(run.Method, run.Seed, lw) },
		Evaluator: func(ctx context.Context, run study.RunInfo) (eval.Evaluator, error) {
			// The run's recipe is its journal's: the same as set (a
			// different one is refused) but for backend and checkpoints.
			rs := set
			if run.Recipe != nil {
				if err := json.Unmarshal(run.Recipe, &rs); err != nil {
					return nil, fmt.Errorf("training recipe of %s seed %d: %w", run.Method, run.Seed, err)
				}
				rs.Config.Backend, rs.Config.CheckpointDir = set.Config.Backend, set.Config.CheckpointDir
			}
			if ex != nil {
				return ex.evaluator(trialPrefix(run), sp.Root(), rs, run.Seed), nil
			}
			mu.Lock()
			d, ok := prepared[rs.Data]
			mu.Unlock()
			if !ok {
				if d, err = loadTarget(rs); err != nil {
					return nil, err
				}
				mu.Lock()
				prepared[rs.Data] = d
				mu.Unlock()
			}
			return train.NewEvaluator(sp.Root(), rs.config(run.Seed), d)
		},
	}, nil
}
