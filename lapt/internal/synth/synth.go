// Package synth forwards to internal/synth, which holds the seeded synthetic
// tasks and the fake evaluator shared by tests (it moved there so that
// packages outside lapt/, such as kernelext, can use it too).
//
// Deprecated: import github.com/nasnb/nasnb/internal/synth.
package synth

import (
	"github.com/nasnb/nasnb/internal/synth"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// NB201Tasks returns n synthetic tasks over the whole NB201 space; see
// internal/synth.NB201Tasks.
func NB201Tasks(n int, seed uint64) ([]*tabular.Task, error) { return synth.NB201Tasks(n, seed) }
