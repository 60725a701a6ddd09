package study

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/internal/jsonnum"
	"github.com/nasnb/nasnb/lapt/search"
)

// RunDetail is one seed's run of a method in detail: its trials, what they
// cost, how many failed, and its incumbent. Targets whose evaluations cost
// real time (training) ask for them (Target.Details).
type RunDetail struct {
	Method      string `json:"method"`
	Seed        uint64 `json:"seed"`
	Evaluations int    `json:"evaluations"`
	// Failed and Diverged count the trials evaluated here (not repeats)
	// that failed or diverged.
	Failed   int `json:"failed"`
	Diverged int `json:"diverged"`
	// BestArch, BestVal and BestTest describe the incumbent (NaN scores,
	// null in JSON, when no trial was usable).
	BestArch string  `json:"best_arch,omitempty"`
	BestVal  float64 `json:"best_val"`
	BestTest float64 `json:"best_test"`
	// Seconds and Images are the evaluation cost of the trials evaluated
	// here (repeats answered from the cache are free).
	Seconds float64 `json:"seconds"`
	Images  int64   `json:"images"`
	// Versions is the number of principle versions (transfer runs).
	Versions int `json:"principle_versions,omitempty"`
	// Journal is the run's journal file, when journaled.
	Journal string         `json:"journal,omitempty"`
	Trials  []search.Trial `json:"trials"`
	// Error is why the run failed; the other fields are then partial.
	Error string `json:"error,omitempty"`
}

// DetailOf returns the details of a finished run of method and seed.
func DetailOf(method string, seed uint64, run *search.Run) RunDetail {
	d := RunDetail{Method: method, Seed: seed, BestVal: math.NaN(), BestTest: math.NaN(), Evaluations: run.Evaluations(), Trials: run.Trials()}
	for _, t := range d.Trials {
		if t.Cached {
			continue
		}
		d.Seconds += t.Result.Cost.Seconds
		d.Images += t.Result.Cost.Images
		switch t.Result.Status {
		case eval.Failed:
			d.Failed++
		case eval.Diverged:
			d.Diverged++
		}
	}
	if inc, ok := run.Incumbent(); ok {
		d.BestArch, d.BestVal, d.BestTest = inc.Text, inc.Result.Metrics.Val, inc.Result.Metrics.Test
	}
	return d
}

type runDetailFields RunDetail

type runDetailJSON struct {
	runDetailFields
	BestVal  jsonnum.Float `json:"best_val"`
	BestTest jsonnum.Float `json:"best_test"`
}

// MarshalJSON writes NaN best scores (no usable trial) as null.
func (d RunDetail) MarshalJSON() ([]byte, error) {
	return json.Marshal(runDetailJSON{runDetailFields(d), jsonnum.Float(d.BestVal), jsonnum.Float(d.BestTest)})
}

// UnmarshalJSON reads null best scores back as NaN.
func (d *RunDetail) UnmarshalJSON(b []byte) error {
	var j runDetailJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*d = RunDetail(j.runDetailFields)
	d.BestVal, d.BestTest = float64(j.BestVal), float64(j.BestTest)
	return nil
}

// WriteDetails writes one line per run: method, seed, evaluations, failed
// trials, the incumbent's scores, cost and architecture.
func WriteDetails(w io.Writer, runs []RunDetail) {
	fmt.Fprintf(w, "%-13s %5s %5s %6s %8s %8s %9s %9s  %s\n", "method", "seed", "evals", "failed", "best val", "its test", "seconds", "images", "best architecture")
	for _, r := range runs {
		best := r.BestArch
		if r.Error != "" {
			best = "FAILED: " + firstLine(r.Error)
		}
		fmt.Fprintf(w, "%-13s %5d %5d %6d %8s %8s %9.1f %9d  %s\n", r.Method, r.Seed, r.Evaluations, r.Failed+r.Diverged,
			fmtScore(r.BestVal), fmtScore(r.BestTest), r.Seconds, r.Images, best)
	}
}

func fmtScore(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

// firstLine returns s's first line, cut to 160 characters.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
