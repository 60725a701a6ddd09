// Package eval defines how candidates are evaluated: the [Evaluator]
// interface, its [Result] (validation and test metrics kept apart, and the
// cost paid), and the [Table] evaluator that answers from a tabular benchmark.
//
// A search only ever reads [Metrics.Val]; the test metric is carried for
// reporting. Other evaluators (real training with GoMLX, zero-cost proxies)
// live in their own packages and implement the same interface.
package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/internal/jsonnum"
	"github.com/nasnb/nasnb/lapt/space"
)

// Status says how an evaluation ended.
type Status string

// Evaluation outcomes.
const (
	// OK: the metrics are valid.
	OK Status = "ok"
	// Failed: the candidate could not be evaluated (missing from a table,
	// training crashed, out of memory). The search records it and goes on.
	Failed Status = "failed"
	// Diverged: training produced a NaN or infinite loss.
	Diverged Status = "diverged"
)

// Metrics are what an evaluation measured. Higher is better for Val.
type Metrics struct {
	// Val is the validation score the search optimises (e.g. accuracy in %).
	Val float64 `json:"val"`
	// Test is the held-out test score, for reports only; NaN when unknown.
	Test float64 `json:"test"`
	// Fidelity is the training budget the metrics correspond to (epochs).
	Fidelity int `json:"fidelity,omitempty"`
	// Extra holds evaluator-specific numbers (params, flops, loss, proxy scores).
	Extra map[string]float64 `json:"extra,omitempty"`
}

// Cost is what an evaluation consumed.
type Cost struct {
	// Seconds of wall-clock time (simulated for tables: 0).
	Seconds float64 `json:"seconds"`
	// Images processed in training and evaluation (0 for tables).
	Images int64 `json:"images,omitempty"`
}

// Result is the outcome of evaluating one architecture.
type Result struct {
	Metrics Metrics `json:"metrics"`
	Cost    Cost    `json:"cost"`
	Status  Status  `json:"status"`
	// Err describes a failed or diverged evaluation.
	Err string `json:"err,omitempty"`
}

// Usable reports whether the result has a validation score a search may use.
func (r Result) Usable() bool {
	return r.Status == OK && !math.IsNaN(r.Metrics.Val) && !math.IsInf(r.Metrics.Val, 0)
}

// Evaluator evaluates architectures of one space. Evaluate returns a non-nil
// error only when evaluation cannot go on at all (a cancelled context, a lost
// device); a candidate that fails is a Result with Status Failed or Diverged.
type Evaluator interface {
	Evaluate(ctx context.Context, a space.Arch) (Result, error)
}

// Func adapts a function to the Evaluator interface.
type Func func(ctx context.Context, a space.Arch) (Result, error)

// Evaluate calls f.
func (f Func) Evaluate(ctx context.Context, a space.Arch) (Result, error) { return f(ctx, a) }

// Table answers evaluations from a tabular benchmark: a lookup, no training.
// It is safe for concurrent use.
type Table struct {
	sp      *space.Space
	entries map[space.Arch]bench.Entry
	table   *bench.Table
}

// NewTable indexes a benchmark table by the architectures of sp. Every entry
// must parse as an architecture of sp's root space.
func NewTable(sp *space.Space, t *bench.Table) (*Table, error) {
	if sp == nil || t == nil {
		return nil, fmt.Errorf("eval: NewTable needs a space and a table")
	}
	ev := &Table{sp: sp.Root(), table: t, entries: make(map[space.Arch]bench.Entry, t.Len())}
	for _, e := range t.Entries() {
		a, err := ev.sp.Parse(e.Arch)
		if err != nil {
			return nil, fmt.Errorf("eval: table %s: %w", t.Source(), err)
		}
		ev.entries[a] = e
	}
	return ev, nil
}

// Space returns the root space the table is indexed by.
func (t *Table) Space() *space.Space { return t.sp }

// Bench returns the underlying benchmark table.
func (t *Table) Bench() *bench.Table { return t.table }

// Archs returns every architecture the table covers (unordered).
func (t *Table) Archs() []space.Arch {
	out := make([]space.Arch, 0, len(t.entries))
	for a := range t.entries {
		out = append(out, a)
	}
	return out
}

// Lookup returns the entry for a, if the table has it.
func (t *Table) Lookup(a space.Arch) (bench.Entry, bool) {
	e, ok := t.entries[a]
	return e, ok
}

// Evaluate looks a up. An architecture missing from the table is a Failed
// result, not an error.
func (t *Table) Evaluate(ctx context.Context, a space.Arch) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	e, ok := t.entries[a]
	if !ok {
		return Result{Status: Failed, Metrics: Metrics{Val: math.NaN(), Test: math.NaN()},
			Err: fmt.Sprintf("%s is not in table %s", t.sp.Format(a), t.table.Source())}, nil
	}
	return Result{Status: OK, Metrics: entryMetrics(e, t.table.Fidelity())}, nil
}

func entryMetrics(e bench.Entry, fid int) Metrics {
	m := Metrics{Val: math.NaN(), Test: math.NaN(), Fidelity: fid}
	if e.HasVal {
		m.Val = e.Val
	}
	if e.HasTest {
		m.Test = e.Test
	}
	return m
}

type metricsJSON struct {
	Val      jsonnum.Float            `json:"val"`
	Test     jsonnum.Float            `json:"test"`
	Fidelity int                      `json:"fidelity,omitempty"`
	Extra    map[string]jsonnum.Float `json:"extra,omitempty"`
}

// MarshalJSON writes NaN (unknown) scores as null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(metricsJSON{jsonnum.Float(m.Val), jsonnum.Float(m.Test), m.Fidelity, jsonnum.Map(m.Extra)})
}

// UnmarshalJSON reads null scores back as NaN.
func (m *Metrics) UnmarshalJSON(b []byte) error {
	var j metricsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Metrics{Val: float64(j.Val), Test: float64(j.Test), Fidelity: j.Fidelity, Extra: jsonnum.MapBack(j.Extra)}
	return nil
}
