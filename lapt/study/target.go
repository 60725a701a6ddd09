package study

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/search"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// RunInfo names one run of a study: a method and a seed, with the recipe
// the run replays (the journal's when it resumes one).
type RunInfo struct {
	// Method is the method's registered name.
	Method string
	// Seed of the run.
	Seed uint64
	// Recipe is the recipe this run uses: the one recorded in its journal
	// when it resumes one, else the target's (see [CheckRecipe]).
	Recipe json.RawMessage
}

// Target is what a study searches: a space, an evaluator per run, the
// recipe that re-creates the evaluation, and optional references for the
// report. [Table] builds one from a benchmark table; real training builds
// one from its training recipe (cmd/nasnb/train_target.go).
type Target struct {
	// Name names the target in reports and journal file names.
	Name string
	// Space is the search space (the sources must be in the same space).
	Space *space.Space
	// Evaluator returns the evaluator of one run (method and seed). It is
	// called once per run, from the run's goroutine. An evaluator that
	// implements [AsyncEvaluator] makes the plain searches asynchronous.
	Evaluator func(ctx context.Context, run RunInfo) (eval.Evaluator, error)
	// Recipe, when set, is recorded as is in every run's journal; resuming
	// a journal written with another recipe is refused (see [CheckRecipe]).
	// When nil, a resumed run adopts the journal's recipe (RunInfo.Recipe).
	Recipe json.RawMessage
	// Refs are the known optimum and top-k threshold, for reporting only
	// (nil: unknown, e.g. real training; the report then has no metric).
	Refs *Refs
	// JournalName returns the file name of a run's journal (default
	// "METHOD-TARGET-seedNNNN.jsonl").
	JournalName func(run RunInfo) string
	// Hooks, when set, returns search hooks for one run (e.g. a line per
	// trial). They are called from the run's goroutine.
	Hooks func(run RunInfo) search.Hooks
	// Details asks for per-run details in the report (trials, cost,
	// incumbent; see [RunDetail]).
	Details bool
}

// Refs are a target's reference points for the report: its optimum and
// the validation score of its top-0.1%.
type Refs struct {
	// Best is the optimum by validation score.
	Best space.Arch
	// BestArch is its text form.
	BestArch string
	// BestVal and BestTest are its scores.
	BestVal, BestTest float64
	// Threshold is the validation score of the top-0.1%.
	Threshold float64
}

// AsyncEvaluator is an evaluator that keeps several candidates in flight:
// the plain searches (e.g. rea-full) then propose a new candidate as soon as
// any finishes (search.Run.RunAsync). The LAPT methods adapt at fixed trial
// counts and stay synchronous.
type AsyncEvaluator interface {
	eval.Evaluator
	// InFlight is the number of candidates kept in flight (>= 1).
	InFlight() int
}

// Table returns the target of a benchmark table: every run looks up the
// same table, and its optimum and top-0.1% threshold are the references.
func Table(t *tabular.Task) *Target {
	return &Target{Name: t.Name, Space: t.Space,
		Evaluator: func(context.Context, RunInfo) (eval.Evaluator, error) { return t.Table, nil },
		Refs:      &Refs{Best: t.Best, BestArch: t.BestEntry.Arch, BestVal: t.BestEntry.Val, BestTest: t.BestEntry.Test, Threshold: t.Threshold}}
}

func (t *Target) journalName(run RunInfo) string {
	if t.JournalName != nil {
		return t.JournalName(run)
	}
	return fmt.Sprintf("%s-%s-seed%04d.jsonl", run.Method, strings.ReplaceAll(t.Name, "/", "_"), run.Seed)
}

// RecipeKind is the journal record holding a run's recipe.
const RecipeKind = "recipe"

// CheckRecipe records recipe in a new journal and returns it, or returns
// the recipe a resumed journal was written with: a run replays its
// journal's recipe. A nil recipe adopts the journal's (nil when the journal
// has none). A recipe that differs from the journal's is refused, naming the
// fields that differ: the journal's trials would not be comparable.
func CheckRecipe(j *journal.Journal, recipe json.RawMessage) (json.RawMessage, error) {
	recs := j.Kind(RecipeKind)
	if len(recs) == 0 {
		if recipe == nil {
			return nil, nil
		}
		if !json.Valid(recipe) {
			return nil, fmt.Errorf("study: recipe for journal %s is not valid JSON", j.Path())
		}
		return recipe, j.Append(RecipeKind, recipe)
	}
	old := recs[0]
	var was any
	if err := json.Unmarshal(old, &was); err != nil {
		return nil, fmt.Errorf("study: journal %s: bad %s record: %w", j.Path(), RecipeKind, err)
	}
	if recipe == nil {
		return old, nil
	}
	var now any
	if err := json.Unmarshal(recipe, &now); err != nil {
		return nil, fmt.Errorf("study: recipe for journal %s is not valid JSON: %w", j.Path(), err)
	}
	if reflect.DeepEqual(was, now) {
		return old, nil
	}
	var diffs []string
	diffJSON("", was, now, &diffs)
	sort.Strings(diffs)
	return nil, fmt.Errorf("study: journal %s was written with another recipe (its trials would not be comparable): %s; "+
		"a resumed run replays its journal's recipe, so use the journal's values or another journal folder",
		j.Path(), strings.Join(diffs, "; "))
}

// diffJSON appends "path: journal X, now Y" for every leaf that differs.
func diffJSON(path string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var keys []string
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffJSON(p, am[k], bm[k], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		if path == "" {
			path = "recipe"
		}
		*out = append(*out, fmt.Sprintf("%s: journal %s, now %s", path, compactJSON(a), compactJSON(b)))
	}
}

func compactJSON(v any) string {
	if v == nil {
		return "(absent)"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}
