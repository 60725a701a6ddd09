// Package bench defines the common, immutable benchmark table used by the
// nasnb dataset loaders: one row per architecture with a validation and a
// test score and optional extra numbers (zero-cost proxy scores, params,
// FLOPs, ...).
//
// The package depends only on the standard library so that every loader
// (datasets/nb201, datasets/nats, datasets/zerocost) and every consumer can
// share it.
package bench

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
)

// Entry is one architecture of a benchmark table.
type Entry struct {
	// Arch is the architecture string in the space's canonical notation,
	// e.g. "|nor_conv_3x3~0|+|...|" on NAS-Bench-201 or "64-41414-3_33_333"
	// on TransNAS-Bench-101 micro.
	Arch string
	// Index is the official benchmark index of the architecture, or -1 when
	// it is unknown.
	Index int
	// Val is the validation score (percent accuracy on NAS-Bench-201, the
	// task's own metric on TransNAS-Bench-101); meaningful only if HasVal.
	Val float64
	// Test is the test score; meaningful only if HasTest.
	Test float64
	// HasVal reports whether Val is set.
	HasVal bool
	// HasTest reports whether Test is set.
	HasTest bool
	// Extra holds further per-architecture numbers keyed by name, e.g.
	// zero-cost proxy scores ("synflow", "nwot", ...), "params" or "flops".
	// Values may be ±Inf (a proxy that diverged) but never NaN. The map is
	// shared with the table and must not be modified.
	Extra map[string]float64
}

// Score returns Val (byVal) or Test and whether that score is present.
func (e Entry) Score(byVal bool) (float64, bool) {
	if byVal {
		return e.Val, e.HasVal
	}
	return e.Test, e.HasTest
}

// Table is an immutable benchmark table. It is safe for concurrent use.
type Table struct {
	space    string
	task     string
	fidelity int
	source   string
	entries  []Entry
	byArch   map[string]int

	sortOnce [2]sync.Once
	sorted   [2][]int // positions sorted by score, descending; [0]=test, [1]=val
}

// NewTable validates entries and builds a table. space is the search space
// ("nb201", "transnas-micro", "transnas-macro"), task the dataset or task
// name, fidelity the training epochs behind the scores (0 if not
// applicable) and source the file the data came from (for messages).
//
// NewTable rejects empty or duplicate architecture strings, duplicate
// non-negative indexes, indexes below -1, NaN or infinite Val/Test values
// and NaN Extra values. The entries slice is copied; Extra maps are not.
func NewTable(space, task string, fidelity int, source string, entries []Entry) (*Table, error) {
	where := source
	if where == "" {
		where = "table"
	}
	if fidelity < 0 {
		return nil, fmt.Errorf("%s: negative fidelity %d", where, fidelity)
	}
	t := &Table{
		space:    space,
		task:     task,
		fidelity: fidelity,
		source:   source,
		entries:  make([]Entry, len(entries)),
		byArch:   make(map[string]int, len(entries)),
	}
	copy(t.entries, entries)
	byIndex := make(map[int]int)
	for i, e := range t.entries {
		if e.Arch == "" {
			return nil, fmt.Errorf("%s: entry %d: empty architecture string", where, i)
		}
		if j, dup := t.byArch[e.Arch]; dup {
			return nil, fmt.Errorf("%s: entry %d: duplicate architecture %q (first seen at entry %d)", where, i, e.Arch, j)
		}
		t.byArch[e.Arch] = i
		if e.Index < -1 {
			return nil, fmt.Errorf("%s: entry %d (%s): invalid index %d", where, i, e.Arch, e.Index)
		}
		if e.Index >= 0 {
			if j, dup := byIndex[e.Index]; dup {
				return nil, fmt.Errorf("%s: entry %d (%s): duplicate index %d (also entry %d)", where, i, e.Arch, e.Index, j)
			}
			byIndex[e.Index] = i
		}
		if e.HasVal && !finite(e.Val) {
			return nil, fmt.Errorf("%s: entry %d (%s): validation score is %v", where, i, e.Arch, e.Val)
		}
		if e.HasTest && !finite(e.Test) {
			return nil, fmt.Errorf("%s: entry %d (%s): test score is %v", where, i, e.Arch, e.Test)
		}
		for k, v := range e.Extra {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("%s: entry %d (%s): extra value %q is NaN", where, i, e.Arch, k)
			}
		}
	}
	return t, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Space returns the search space name ("nb201", "transnas-micro", ...).
func (t *Table) Space() string { return t.space }

// Task returns the dataset or task name.
func (t *Table) Task() string { return t.task }

// Fidelity returns the number of training epochs behind the scores, or 0
// if not applicable.
func (t *Table) Fidelity() int { return t.fidelity }

// Source returns the file the table was read from ("" if built in memory).
func (t *Table) Source() string { return t.source }

// Len returns the number of entries.
func (t *Table) Len() int { return len(t.entries) }

// Lookup returns the entry of an architecture string.
func (t *Table) Lookup(arch string) (Entry, bool) {
	i, ok := t.byArch[arch]
	if !ok {
		return Entry{Index: -1}, false
	}
	return t.entries[i], true
}

// At returns the i-th entry in table order; it panics if i is out of range,
// like a slice index.
func (t *Table) At(i int) Entry { return t.entries[i] }

// Entries returns a copy of all entries in table order (benchmark index
// order where indexes are known, else file order).
func (t *Table) Entries() []Entry {
	out := make([]Entry, len(t.entries))
	copy(out, t.entries)
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// order returns the positions of entries that have the score, best first;
// ties keep table order.
func (t *Table) order(byVal bool) []int {
	k := b2i(byVal)
	t.sortOnce[k].Do(func() {
		pos := make([]int, 0, len(t.entries))
		for i, e := range t.entries {
			if _, ok := e.Score(byVal); ok {
				pos = append(pos, i)
			}
		}
		sort.SliceStable(pos, func(a, b int) bool {
			sa, _ := t.entries[pos[a]].Score(byVal)
			sb, _ := t.entries[pos[b]].Score(byVal)
			return sa > sb
		})
		t.sorted[k] = pos
	})
	return t.sorted[k]
}

// Count returns how many entries have a validation (byVal) or test score.
func (t *Table) Count(byVal bool) int { return len(t.order(byVal)) }

// Best returns the entry with the highest validation (byVal) or test score;
// ties go to the earlier entry. If no entry has that score it returns a zero
// Entry with Index -1.
func (t *Table) Best(byVal bool) Entry {
	o := t.order(byVal)
	if len(o) == 0 {
		return Entry{Index: -1}
	}
	return t.entries[o[0]]
}

// TopK returns the k entries with the highest validation (byVal) or test
// score, best first (fewer if fewer entries have that score; none if k<=0).
func (t *Table) TopK(k int, byVal bool) []Entry {
	o := t.order(byVal)
	if k > len(o) {
		k = len(o)
	}
	if k <= 0 {
		return nil
	}
	out := make([]Entry, k)
	for i := range out {
		out[i] = t.entries[o[i]]
	}
	return out
}

// Rank returns the 1-based rank of arch by validation (byVal) or test score
// (1 = best; ties share the best rank) and false if arch is unknown or has
// no such score.
func (t *Table) Rank(arch string, byVal bool) (int, bool) {
	e, ok := t.Lookup(arch)
	if !ok {
		return 0, false
	}
	s, ok := e.Score(byVal)
	if !ok {
		return 0, false
	}
	o := t.order(byVal)
	r := sort.Search(len(o), func(i int) bool {
		v, _ := t.entries[o[i]].Score(byVal)
		return v <= s
	})
	return r + 1, true
}

// TopCount returns how many entries make up the top fraction of the table:
// ceil(topFraction × n) with n the number of entries having the score, at
// least 1. It returns 0 if topFraction is not in (0, 1] or n is 0.
func (t *Table) TopCount(topFraction float64, byVal bool) int {
	n := t.Count(byVal)
	if n == 0 || !(topFraction > 0 && topFraction <= 1) {
		return 0
	}
	// The small epsilon keeps 0.001×15625 = 15.625000000000002 at 16 and
	// 0.01×1000 = 10.000000000000002 at 10.
	k := int(math.Ceil(topFraction*float64(n) - 1e-9))
	if k < 1 {
		k = 1
	}
	if k > n {
		k = n
	}
	return k
}

// Threshold returns the score an architecture must reach to be in the top
// fraction of the table: the validation (byVal) or test score of the
// TopCount(topFraction)-th best entry. On NAS-Bench-201 (15,625 archs) the
// top 0.1% threshold is the 16th best score. It returns NaN if topFraction
// is not in (0, 1] or no entry has the score.
func (t *Table) Threshold(topFraction float64, byVal bool) float64 {
	k := t.TopCount(topFraction, byVal)
	if k == 0 {
		return math.NaN()
	}
	s, _ := t.entries[t.order(byVal)[k-1]].Score(byVal)
	return s
}

// String returns a one-line description such as
// "nb201/cifar10@200ep (15625 archs, nasbench201_cifar10.json)".
func (t *Table) String() string {
	var b strings.Builder
	b.WriteString(t.space)
	b.WriteString("/")
	b.WriteString(t.task)
	if t.fidelity > 0 {
		fmt.Fprintf(&b, "@%dep", t.fidelity)
	}
	fmt.Fprintf(&b, " (%d archs", len(t.entries))
	if t.source != "" {
		b.WriteString(", ")
		b.WriteString(t.source)
	}
	b.WriteString(")")
	return b.String()
}
